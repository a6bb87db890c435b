"""A real load of two files: Dagster materialises the landing asset, dbt builds into a
temporary DuckDB file, the checks run; two countries do not reconcile with the operation's
published figures, so the operation is held back (never published), and the build is read
back with SQL."""

import dagster as dg
import pytest

from orchestration.load import run_load
from tests.conftest import make_operation, query_build
from tests.conftest import query as query_published
from tests.fixtures.workbooks import croatian_long_csv, irish_wide_daily


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from orchestration.settings import Paths

    root = tmp_path_factory.mktemp("load")
    paths = Paths(raw_dir=root / "raw", warehouse=root / "warehouse" / "jad.duckdb")
    make_operation(
        paths.raw_dir,
        {"IE_results.xlsx": irish_wide_daily(), "HR_rezultati.csv": croatian_long_csv()},
    )
    outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral())
    return paths, outcome


def query(paths, sql, params=None):
    return query_build(paths, sql, params)


def test_a_load_that_does_not_reconcile_is_built_but_not_published(loaded):
    """Its only operation is held back and never passed: the warehouse leaves it out and
    says why."""
    paths, outcome = loaded
    assert outcome.held_back["2020-09-se-europe-jad"]["status"] == "never_published"
    assert any("reconciliation" in r for r in outcome.held_back["2020-09-se-europe-jad"]["reasons"])
    assert query_published(paths, "select count(*) from marts.fct_country_results") == [(0,)]
    assert query_published(paths, "select status from audit.operation_status") == [
        ("never_published",)
    ]


def test_the_published_warehouse_has_the_tables_of_design(seed_warehouse):
    tables = {
        r[0]
        for r in query_published(
            seed_warehouse, "select schema_name || '.' || table_name from duckdb_tables()"
        )
    }
    assert {
        "marts.fct_operation_results",
        "marts.fct_country_results",
        "marts.fct_arrests_by_charge",
        "marts.reconciliation",
    } <= tables


def test_country_results_are_traced_to_their_cells(loaded):
    paths, _ = loaded
    rows = query(
        paths,
        """select report_date::varchar, value, source_file, source_sheet, source_cell
           from marts.fct_country_results
           where country_code = 'IE' and metric_code = 'persons_checked' order by report_date""",
    )
    assert rows == [
        ("2020-09-24", 1234.0, "IE_results.xlsx", "Results", "C5"),
        ("2020-09-25", 2000.0, "IE_results.xlsx", "Results", "C6"),
        ("2020-09-26", 1500.0, "IE_results.xlsx", "Results", "C7"),
        ("2020-09-27", 1000.0, "IE_results.xlsx", "Results", "C8"),
    ]


def test_units_are_converted_and_headcounts_take_the_largest_day(loaded):
    paths, _ = loaded
    results = dict(
        query(
            paths,
            "select metric_code, value from marts.fct_operation_results where operation_id = ?",
            ["2020-09-se-europe-jad"],
        )
    )
    assert results["officers_deployed"] == 120  # the largest day, not 420
    assert results["persons_checked"] == 1234 + 2000 + 1500 + 1000 + 1500 + 2250
    assert results["drugs_seized_kg"] == pytest.approx(0.850 + 1.2005 + 2.5)


def test_reconciliation_states_each_published_figure(loaded):
    paths, _ = loaded
    rows = query(
        paths,
        """select check_name, status, lower_bound, upper_bound, blocking from marts.reconciliation
           where check_name = 'published officers_deployed' order by source""",
    )
    assert rows == [
        ("published officers_deployed", "fail", 8838.0, 8838.0, False),  # Europol: reported
        ("published officers_deployed", "fail", 8550.0, 9000.0, True),  # INTERPOL: blocks
    ]


def test_a_second_load_changes_nothing(loaded):
    paths, _ = loaded
    before = query(paths, "select count(*), sum(value) from marts.fct_country_results")
    observations = query(paths, "select count(*) from raw.observations")
    run_load(paths, instance=dg.DagsterInstance.ephemeral())
    assert query(paths, "select count(*) from raw.submissions") == [(2,)]
    assert query(paths, "select count(*), sum(value) from marts.fct_country_results") == before
    assert query(paths, "select count(*) from raw.observations") == observations
