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


def test_the_sources_example_says_which_source_the_data_supports(seed_warehouse):
    """The committed operation's three sources: the data supports INTERPOL's 33 countries and
    nearly 9,000 officers against Europol's 34 and 8,838, and more than 390,000 individuals
    against the ministry's 39,000."""
    sql = (PROJECT_ROOT / "examples" / "15_where_the_sources_disagree.sql").read_text()
    rows = query(seed_warehouse, sql)
    supported = {(r[0], r[1], r[3]): (r[2], r[4], r[5], r[6]) for r in rows}
    interpol, europol = "INTERPOL press release, 2020", "Europol press release, 2020"
    ministry = "National interior ministry press release, 2020"
    assert supported == {
        ("published countries_participating", interpol, europol): (
            "exact 33",
            "exact 34",
            33,
            interpol,
        ),
        ("published officers_deployed", interpol, europol): (
            "nearly 9000",
            "exact 8838",
            8905,
            interpol,
        ),
        ("published persons_checked", interpol, ministry): (
            "more than 390000",
            "exact 39000",
            394025,
            interpol,
        ),
        ("published persons_checked", europol, ministry): (
            "more than 390000",
            "exact 39000",
            394025,
            europol,
        ),
    }
