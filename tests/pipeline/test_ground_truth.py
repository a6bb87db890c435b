"""The warehouse built from the committed corpus equals the corpus's ground truth: every
country, every day, every metric, every charge — not a sample."""

import json
from collections import defaultdict

import pytest

from tests.conftest import GROUND_TRUTH, SEED_OPERATION, query

TRUTH = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
COUNTRIES = sorted(TRUTH["countries"])
# The ground truth states kilograms to six decimals (a pound is 0.45359237 kg); counts exactly.
TOLERANCE = {"drugs_seized_kg": 5e-7}


def close(metric: str, actual: float, expected: float) -> bool:
    return abs(actual - expected) <= TOLERANCE.get(metric, 1e-9)


def expected_country_results(country: dict) -> dict[tuple, float]:
    """fct_country_results as the README defines it, from the figures the files state: per
    metric, the figures without a charge at the finest grain given (days over the whole
    operation); arrests given only by charge are summed per day."""
    by_metric: dict[str, list[dict]] = defaultdict(list)
    for row in country["reported"]:
        by_metric[row["metric"]].append(row)
    expected: dict[tuple, float] = {}
    for metric, rows in by_metric.items():
        direct = [r for r in rows if r["charge"] is None] or rows
        dated = [r for r in direct if r["date"]]
        for row in dated or direct:
            key = (row["date"], metric)
            expected[key] = expected.get(key, 0.0) + row["value"]
    return expected


@pytest.mark.parametrize("country_code", COUNTRIES)
def test_every_figure_of_every_country(seed_warehouse, country_code):
    truth = TRUTH["countries"][country_code]
    actual = {
        (day, metric): value
        for day, metric, value in query(
            seed_warehouse,
            """select report_date::varchar, metric_code, value from marts.fct_country_results
               where operation_id = ? and country_code = ?""",
            [SEED_OPERATION, country_code],
        )
    }
    expected = expected_country_results(truth)
    assert actual.keys() == expected.keys()
    wrong = {k: (actual[k], v) for k, v in expected.items() if not close(k[1], actual[k], v)}
    assert wrong == {}


@pytest.mark.parametrize("country_code", COUNTRIES)
def test_every_country_total_and_charge(seed_warehouse, country_code):
    truth = TRUTH["countries"][country_code]
    totals = dict(
        query(
            seed_warehouse,
            """select metric_code, value from marts.fct_country_totals
               where operation_id = ? and country_code = ?""",
            [SEED_OPERATION, country_code],
        )
    )
    assert totals.keys() == truth["operation"].keys()
    wrong = {m: (totals[m], v) for m, v in truth["operation"].items() if not close(m, totals[m], v)}
    assert wrong == {}
    charges = dict(
        query(
            seed_warehouse,
            """select charge_code, arrests from marts.fct_arrests_by_charge
               where operation_id = ? and country_code = ?""",
            [SEED_OPERATION, country_code],
        )
    )
    # A country that writes '-' or 0 for a charge reports it with no arrests; the truth
    # lists only the charges with arrests.
    assert {c: n for c, n in charges.items() if n} == truth["arrests_by_charge"]


def test_operation_totals_and_every_published_figure(seed_warehouse):
    results = dict(
        query(
            seed_warehouse,
            "select metric_code, value from marts.fct_operation_results where operation_id = ?",
            [SEED_OPERATION],
        )
    )
    for metric, value in TRUTH["totals"].items():
        if metric in results:
            assert close(metric, results[metric], value), metric
    failing = query(
        seed_warehouse,
        """select check_name, derived_value, detail from marts.reconciliation
           where status = 'fail' and blocking""",
    )
    assert failing == []


def test_every_row_names_the_cell_it_came_from(seed_warehouse):
    missing = query(
        seed_warehouse,
        """select country_code, metric_code, report_date from marts.fct_country_results
           where source_file is null or source_sheet is null or source_cell is null""",
    )
    assert missing == []


def test_superseded_files_are_kept_and_marked(seed_warehouse):
    statuses = dict(
        query(seed_warehouse, "select file_name, file_status from audit.submission_history")
    )
    for country in TRUTH["countries"].values():
        for file in country["files"]:
            expected = "current" if file["status"] == "current" else "superseded"
            assert statuses[file["file"]] == expected, file["file"]
