"""From files in languages no seed knows to a published operation, with the command line
only: load, `jadwh quarantine --suggest`, decide the suggestions, `jadwh seeds apply`,
load again; published within three loads, every figure equal to the ground truth.

The committed operation is loaded against a copy of the dbt project whose metric and charge
labels in the languages of its files are deleted, as if every country wrote in a language
new to the project (English stays: three files are in it). The steward decides each row
of the suggestions file from what the cells it lists mean (tests/fixtures/decide.py), as
someone who knows the files would; the meaning of a cell comes from the committed seeds'
load, whose figures equal the ground truth (test_ground_truth.py)."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import DBT_PROJECT_DIR, Paths
from tests.conftest import SEED_OPERATION, copy_raw
from tests.fixtures.decide import decide
from tests.pipeline.test_ground_truth import TRUTH, close, expected_country_results

JADWH = str(Path(sys.executable).parent / "jadwh")
LABEL_SEEDS = ("metric_labels.csv", "charge_labels.csv")
ROUNDS = 3


def _seed_language(language: str, known: set[str]) -> str:
    return language if language in known else language.split("-")[0]


def _languages(project: Path) -> set[str]:
    with (project / "seeds" / "languages.csv").open(encoding="utf-8") as handle:
        return {row["language"] for row in csv.DictReader(handle)}


def _file_languages() -> dict[str, str]:
    return {
        f["file"]: f["language"]
        for country in TRUTH["countries"].values()
        for f in country["files"]
    }


def _forget(project: Path, languages: set[str]) -> int:
    """Delete the seeds' metric and charge labels in these languages; how many went."""
    removed = 0
    for seed in LABEL_SEEDS:
        path = project / "seeds" / seed
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        kept = [rows[0]] + [r for r in rows[1:] if r[2] not in languages]
        removed += len(rows) - len(kept)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(kept)
    return removed


def _meanings(build_database: Path) -> dict[tuple[str, str, str], tuple[str, str | None]]:
    con = duckdb.connect(str(build_database), read_only=True)
    try:
        rows = con.execute(
            """select s.file_name, m.sheet_name, m.cell_ref, m.metric_code, m.charge_code
               from intermediate.int_observations_mapped m
               join raw.submissions s using (operation_id, file_id)
               where m.mapping_status in ('mapped', 'alternative_unit')"""
        ).fetchall()
    finally:
        con.close()
    return {(f, s, c): (m, ch) for f, s, c, m, ch in rows}


def _jadwh(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([JADWH, *args], env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def rounds(seed_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("steward")
    project = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    known = _languages(project)
    files = _file_languages()
    new = {_seed_language(lang, known) for lang in files.values()} - {"en"}
    assert _forget(project, new) > 1000
    paths = Paths(raw_dir=copy_raw(root / "raw"), warehouse=root / "warehouse" / "jad.duckdb")
    env = {
        **os.environ,
        "JAD_RAW_DIR": str(paths.raw_dir),
        "JAD_WAREHOUSE": str(paths.warehouse),
        "JAD_DBT_PROJECT_DIR": str(project),
        "COLUMNS": "200",
    }
    env.pop("DAGSTER_HOME", None)
    meanings = _meanings(seed_warehouse.build_database)
    log = []
    for number in range(1, ROUNDS + 1):
        load = _jadwh(env, "load")
        log.append({"round": number, "load": load})
        if load.returncode == 0:
            break
        assert load.returncode == 1, load.stdout[-3000:] + load.stderr[-3000:]
        suggestions = root / f"suggestions_{number}.csv"
        shown = _jadwh(env, "quarantine", "--suggest", str(suggestions))
        assert shown.returncode == 0, shown.stderr
        decisions = decide(suggestions, meanings, files, known)
        applied = _jadwh(env, "seeds", "apply", str(suggestions))
        assert applied.returncode == 0, applied.stdout + applied.stderr
        log[-1].update(quarantine=shown, decisions=decisions, applied=applied)
    return paths, log, files, new


def test_most_files_are_in_languages_the_seeds_no_longer_know(rounds):
    _, _, files, new = rounds
    unknown = [f for f, lang in files.items() if lang.split("-")[0] in new]
    assert len(unknown) >= 20


def test_the_operation_is_published_within_three_rounds(rounds):
    paths, log, _, _ = rounds
    assert log[-1]["load"].returncode == 0, log[-1]["load"].stderr[-3000:]
    assert len(log) <= ROUNDS
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        assert con.execute("select status from audit.operation_status").fetchall() == [("current",)]
        assert con.execute(
            "select count(*) from audit.quarantine where severity = 'error'"
        ).fetchone() == (0,)
    finally:
        con.close()


def test_the_first_round_groups_the_quarantine_and_proposes_codes(rounds):
    _, log, _, _ = rounds
    first = log[0]
    assert "problem(s)" in first["quarantine"].stdout  # grouped, not one line per cell
    decisions = first["decisions"]
    assert decisions.accepted >= 100
    assert decisions.proposals_wrong <= decisions.proposals_right
    assert "appended" in first["applied"].stdout


def test_every_figure_equals_the_ground_truth(rounds):
    paths, _, _, _ = rounds
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        for code, country in TRUTH["countries"].items():
            actual = {
                (day, metric): value
                for day, metric, value in con.execute(
                    """select report_date::varchar, metric_code, value
                       from marts.fct_country_results where operation_id = ? and country_code = ?""",
                    [SEED_OPERATION, code],
                ).fetchall()
            }
            expected = expected_country_results(country)
            assert actual.keys() == expected.keys(), code
            wrong = {
                k: (actual[k], v) for k, v in expected.items() if not close(k[1], actual[k], v)
            }
            assert wrong == {}, code
            charges = dict(
                con.execute(
                    """select charge_code, arrests from marts.fct_arrests_by_charge
                       where operation_id = ? and country_code = ?""",
                    [SEED_OPERATION, code],
                ).fetchall()
            )
            assert {c: n for c, n in charges.items() if n} == country["arrests_by_charge"], code
    finally:
        con.close()
