"""Shared fixtures: real files in real formats, real DuckDB files, real dbt and Dagster."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")

from orchestration.ingest.submission import OperationWindow  # noqa: E402
from orchestration.ingest.vocabulary import load_vocabulary  # noqa: E402
from orchestration.settings import PROJECT_ROOT, Paths  # noqa: E402

SEED_OPERATION = "2020-09-se-europe-jad"
RAW_DIR = PROJECT_ROOT / "raw"
GROUND_TRUTH = PROJECT_ROOT / "tests" / "fixtures" / "ground_truth" / f"{SEED_OPERATION}.json"

# Modules marked `slow`: whole corpora, fuzzing, fault injection and end-to-end rounds, and
# tests that each load the committed operation again. `make test` leaves them out (under 15
# minutes); `make test-slow` runs them, and CI (.ci/run) runs both.
SLOW_MODULES = {
    "tests/pipeline/test_unseen_corpus.py": "the unseen corpus, as sent and after a steward",
    "tests/pipeline/test_metamorphic.py": "the committed workbooks rearranged, loaded again",
    "tests/pipeline/test_steward_rounds.py": "three steward rounds over the committed files",
    "tests/pipeline/test_remedies.py": "every quarantine reason's remedy, applied and loaded",
    "tests/landing/test_limit_remedies.py": "limits raised and files read again, per limit",
    "tests/hostile/test_wild_files.py": "155 real files from the wild",
    "tests/hostile/test_fuzzing.py": "the committed files damaged every way",
    "tests/hostile/test_faults.py": "loads killed, disks filled",
    "tests/hostile/test_killed_runs.py": "loads killed on a persistent instance",
    "tests/pipeline/test_nightly.py": "the nightly job, readers and a second load beside it",
    "tests/pipeline/test_clock_skew.py": "loads under a clock two hours ahead",
    "tests/pipeline/test_readers_beside_a_load.py": "readers in a loop beside a load",
    "tests/quality/test_stale_results.py": "validations made stale by later loads",
    "tests/pipeline/test_blocking_checks.py": "a load of the committed operation per fault",
    "tests/pipeline/test_operation_publishing.py": "two operations loaded two or three times",
    "tests/pipeline/test_new_templates.py": "loads before and after a seed row or a variant",
    "tests/pipeline/test_outliers.py": "the committed operation loaded twice",
    "tests/hostile/test_huge_file.py": "a 3 GiB file hashed by the load plan",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = Path(str(item.fspath)).relative_to(PROJECT_ROOT).as_posix()
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def vocabulary():
    return load_vocabulary()


@pytest.fixture(scope="session")
def window() -> OperationWindow:
    return OperationWindow(dt.date(2020, 9, 24), dt.date(2020, 9, 27))


def make_operation(raw_dir: Path, files: dict[str, bytes] | None = None) -> Path:
    """A raw/<operation>/ folder with the seed manifest and the given submissions."""
    operation_dir = raw_dir / SEED_OPERATION
    (operation_dir / "submissions").mkdir(parents=True, exist_ok=True)
    shutil.copy(RAW_DIR / SEED_OPERATION / "operation.yaml", operation_dir / "operation.yaml")
    for name, data in (files or {}).items():
        (operation_dir / "submissions" / name).write_bytes(data)
    return operation_dir


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory) -> Paths:
    """The committed raw/ loaded once through Dagster and dbt, published to a temp file."""
    import dagster as dg

    from orchestration.load import run_load

    root = tmp_path_factory.mktemp("seed")
    paths = Paths(raw_dir=RAW_DIR, warehouse=root / "warehouse" / "jad.duckdb")
    outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral())
    assert outcome.published, f"the committed corpus did not publish: {outcome.failed_steps}"
    return paths


def query(paths: Paths, sql: str, params: list | None = None) -> list[tuple]:
    """Read the published warehouse as an analyst does: read-only."""
    import duckdb

    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def query_build(paths: Paths, sql: str, params: list | None = None) -> list[tuple]:
    """Read the private build database (what a load built, published or not)."""
    import duckdb

    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def copy_raw(destination: Path) -> Path:
    """A writable copy of the committed raw/ (tests add, replace and break files in it)."""
    shutil.copytree(RAW_DIR, destination)
    return destination
