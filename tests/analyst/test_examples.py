"""Every example query of examples/ runs against the built warehouse and returns rows."""

from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT
from tests.conftest import query

EXAMPLES = sorted((PROJECT_ROOT / "examples").glob("*.sql"))


def test_there_are_a_dozen_examples():
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_returns_rows(seed_warehouse, example: Path):
    rows = query(seed_warehouse, example.read_text(encoding="utf-8"))
    assert rows, f"{example.name} returned no rows"
