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
