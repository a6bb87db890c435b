"""dbt's unit tests of the mapping rules (int_observations_mapped), of qualifier bounds
(fct_published_figures) and of plausibility across countries (outliers): run here, on a real DuckDB file, and never by a load."""

import json
import os
import shutil
import subprocess

from orchestration.settings import dbt_executable, dbt_project_dir

TESTED_MODELS = {"int_observations_mapped", "fct_published_figures", "outliers"}


def _unit_tests_in_manifest() -> dict[str, str]:
    manifest = json.loads((dbt_project_dir() / "target" / "manifest.json").read_text())
    return {uid: test["model"] for uid, test in manifest["unit_tests"].items()}


def test_the_unit_tests_pass_on_a_real_warehouse(seed_warehouse, tmp_path):
    # dbt reads the column types of a unit test's inputs from the built relations: a copy of
    # the published warehouse has them all, and the copy keeps the published file untouched
    database = tmp_path / "jad.duckdb"
    shutil.copyfile(seed_warehouse.warehouse, database)
    project = dbt_project_dir()
    target = tmp_path / "target"
    completed = subprocess.run(
        [dbt_executable(), "test", "--select", "test_type:unit"]
        + ["--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--target-path", str(target), "--log-path", str(tmp_path / "logs")],
        env={**os.environ, "JAD_DBT_DATABASE": str(database), "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]

    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {
        r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")
    }
    expected = _unit_tests_in_manifest()
    assert set(statuses) == set(expected)
    assert set(statuses.values()) == {"pass"}
    assert set(expected.values()) == TESTED_MODELS
    assert len(expected) >= 5


def test_a_load_does_not_run_the_unit_tests(seed_warehouse):
    results = json.loads(
        (seed_warehouse.build_dir / "dbt_target" / "run_results.json").read_text()
    )["results"]
    ran = {r["unique_id"].split(".")[0] for r in results}
    assert "model" in ran and "test" in ran  # the load's own build
    assert "unit_test" not in ran
