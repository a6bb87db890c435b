"""Several published sources per operation, loaded for real (Dagster, dbt, a temporary
DuckDB): each source is reconciled, only the primary one blocks, a figure that passes one
source and fails another is a conflict, a source's breakdown that does not add up to its own
total is a gap of the source, and an operation with a manifest and no files yet is shown
and holds back nothing."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from rich.console import Console

from orchestration.load import run_load
from orchestration.quality.gate import blocking_findings, source_disagreements
from orchestration.reports.console import print_reconciliation
from orchestration.reports.operation_report import write_reports
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw, query

EMPTY_OPERATION = "2031-05-no-files-yet-jad"

# A fourth source, not primary: it gives a tenth of the individuals checked (the data
# contradicts it while it supports INTERPOL's and Europol's: a conflict), and a total of
# arrests with a breakdown that leaves out one charge (a gap of the source's own).
FOURTH_SOURCE = textwrap.dedent(
    """\
    - source: Regional newspaper, 2020
      publisher: A newspaper
      primary: false
      figures:
        - {metric: persons_checked, value: 39400, qualifier: about}
        - {metric: arrests, value: 166, qualifier: exact}
        - {metric: arrests, charge: firearms, value: 17}
        - {metric: arrests, charge: migrant_smuggling, value: 73}
        - {metric: arrests, charge: drug_trafficking, value: 37}
        - {metric: arrests, charge: firearms_and_drugs, value: 7}
        - {metric: arrests, charge: document_fraud, value: 12}
        - {metric: arrests, charge: intl_arrest_warrant, value: 1}
    """
)

# The single-source form of the manifest, for an operation whose files have not arrived.
SINGLE_SOURCE = textwrap.dedent(
    f"""\
    operation_id: {EMPTY_OPERATION}
    name: Joint Action Days, files still to come
    start_date: 2031-05-04
    end_date: 2031-05-07
    participants: [AT, NO, HR]
    published:
      source: INTERPOL press release, 2031
      figures:
        - {{metric: persons_checked, value: 12000, qualifier: more_than}}
        - {{metric: arrests, charge: firearms, value: 4, qualifier: exact}}
        - {{metric: countries_participating, value: 3}}
    """
)


def _warehouse_like(seed_warehouse: Paths, root: Path, raw: Path) -> Paths:
    """A copy of the published seed warehouse and its build, over another raw folder: the
    next load covers only what changed."""
    shutil.copytree(seed_warehouse.warehouse.parent, root / "warehouse")
    return Paths(raw_dir=raw, warehouse=root / "warehouse" / "jad.duckdb")


@pytest.fixture(scope="module")
def loaded(seed_warehouse, tmp_path_factory) -> tuple[Paths, object]:
    """The committed operation with a fourth source in its manifest, and beside it an
    operation with a single-source manifest and no files, loaded together."""
    root = tmp_path_factory.mktemp("sources")
    raw = copy_raw(root / "raw")
    manifest = raw / SEED_OPERATION / "operation.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + textwrap.indent(FOURTH_SOURCE, "  "),
        encoding="utf-8",
    )
    assert len(yaml.safe_load(manifest.read_text(encoding="utf-8"))["published"]) == 4
    (raw / EMPTY_OPERATION / "submissions").mkdir(parents=True)
    (raw / EMPTY_OPERATION / "operation.yaml").write_text(SINGLE_SOURCE, encoding="utf-8")
    paths = _warehouse_like(seed_warehouse, root, raw)
    outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral())
    return paths, outcome


def test_failing_non_primary_sources_do_not_block_the_publish(loaded):
    paths, outcome = loaded
    assert outcome.published, outcome.errors
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        assert blocking_findings(con) == []
        failing = con.execute(
            """select source, check_name, blocking from marts.reconciliation
               where status = 'fail' order by source, check_name"""
        ).fetchall()
        disagreements = source_disagreements(con)
    finally:
        con.close()
    assert failing == [
        ("Europol press release, 2020", "published countries_participating", False),
        ("Europol press release, 2020", "published officers_deployed", False),
        ("National interior ministry press release, 2020", "published persons_checked", False),
        ("Regional newspaper, 2020", "published persons_checked", False),
    ]
    assert {f.check for f in disagreements} == {"source conflict", "source gap"}
    assert any("Regional newspaper, 2020" in f.message for f in disagreements)


def test_a_figure_that_passes_one_source_and_fails_another_is_a_conflict(loaded):
    paths, _ = loaded
    conflicts = query(
        paths,
        """select source, published_value, qualifier, supported_source, supported_value,
                  supported_qualifier, derived_value, detail
           from marts.published_source_conflicts
           where operation_id = ? and metric_code = 'persons_checked' and source like 'Regional%'
           order by supported_source""",
        [SEED_OPERATION],
    )
    assert [(c[0], c[1], c[2], c[3], c[4], c[5]) for c in conflicts] == [
        (
            "Regional newspaper, 2020",
            39400,
            "about",
            "Europol press release, 2020",
            390000,
            "more_than",
        ),
        (
            "Regional newspaper, 2020",
            39400,
            "about",
            "INTERPOL press release, 2020",
            390000,
            "more_than",
        ),
    ]
    assert all(c[6] == 394025 for c in conflicts)  # the data's figure, beside both values
    assert conflicts[1][7] == (
        "Regional newspaper, 2020 gives about 39400, INTERPOL press release, 2020 gives more "
        "than 390000: the data (394025) supports INTERPOL press release, 2020"
    )
    flagged = query(
        paths,
        """select source, status, conflict from marts.reconciliation
           where operation_id = ? and check_name = 'published persons_checked' order by source""",
        [SEED_OPERATION],
    )
    assert flagged == [
        ("Europol press release, 2020", "pass", True),
        ("INTERPOL press release, 2020", "pass", True),
        ("National interior ministry press release, 2020", "fail", True),
        ("Regional newspaper, 2020", "fail", True),
    ]


def test_a_breakdown_that_does_not_add_up_to_its_own_total_is_a_gap_of_the_source(loaded):
    paths, _ = loaded
    (row,) = query(
        paths,
        """select is_primary, total_value, parts_value, gap, status, detail, data_total,
                  data_parts, data_gap, data_detail
           from marts.published_source_consistency
           where operation_id = ? and source = 'Regional newspaper, 2020'""",
        [SEED_OPERATION],
    )
    assert row[:5] == (False, 166, 147, 19, "gap")
    assert (
        row[5] == "the breakdown leaves 19 arrests unassigned (exact 166 in total, 147 by charge)"
    )
    # where the data's own figure for the gap lies: the charge the breakdown leaves out
    assert row[6:9] == (166, 147, 19)
    assert row[9] == (
        "the data has 166 arrests, 147 under the charges of this breakdown; "
        "19 under charges outside it (other 19)"
    )
    # a gap of the source is not a failure of the data: the arrests checks all pass
    assert query(
        paths,
        """select count(*) from marts.reconciliation where operation_id = ?
           and metric_code = 'arrests' and status = 'fail'""",
        [SEED_OPERATION],
    ) == [(0,)]


def test_the_data_supports_33_participants_and_more_than_390000_individuals(loaded):
    paths, _ = loaded
    rows = query(
        paths,
        """select source, metric_code, value, qualifier, derived_value, status
           from marts.fct_published_figures
           where operation_id = ? and metric_code in ('countries_participating', 'persons_checked')
           order by metric_code, source_number""",
        [SEED_OPERATION],
    )
    assert rows == [
        ("INTERPOL press release, 2020", "countries_participating", 33, "exact", 33, "pass"),
        ("Europol press release, 2020", "countries_participating", 34, "exact", 33, "fail"),
        ("INTERPOL press release, 2020", "persons_checked", 390000, "more_than", 394025, "pass"),
        ("Europol press release, 2020", "persons_checked", 390000, "more_than", 394025, "pass"),
        (
            "National interior ministry press release, 2020",
            "persons_checked",
            39000,
            "exact",
            394025,
            "fail",
        ),
        ("Regional newspaper, 2020", "persons_checked", 39400, "about", 394025, "fail"),
    ]


def test_an_operation_with_a_manifest_and_no_files_is_shown_and_holds_back_nothing(loaded):
    paths, outcome = loaded
    assert outcome.published and EMPTY_OPERATION in outcome.operations
    assert query(
        paths,
        "select submission_status, files_present, participants from marts.dim_operation where operation_id = ?",
        [EMPTY_OPERATION],
    ) == [("no submissions", 0, ["AT", "HR", "NO"])]  # NO is Norway, not false
    figures = query(
        paths,
        """select source, is_primary, metric_code, value, derived_value, status
           from marts.fct_published_figures where operation_id = ? order by figure_number""",
        [EMPTY_OPERATION],
    )
    assert figures == [
        ("INTERPOL press release, 2031", True, "persons_checked", 12000, None, "no submissions"),
        ("INTERPOL press release, 2031", True, "arrests", 4, None, "no submissions"),
        (
            "INTERPOL press release, 2031",
            True,
            "countries_participating",
            3,
            None,
            "no submissions",
        ),
    ]
    # nothing to check, so nothing failing: the other operation's new source is published
    assert query(
        paths, "select count(*) from marts.reconciliation where operation_id = ?", [EMPTY_OPERATION]
    ) == [(0,)]
    assert query(
        paths,
        "select count(*) from marts.fct_published_figures where source = 'Regional newspaper, 2020'",
    ) == [(8,)]
    console = Console(record=True, width=200)
    print_reconciliation(console, paths.warehouse)
    assert f"{EMPTY_OPERATION}: no submissions yet; 3 published figure(s)" in console.export_text()


def test_the_report_shows_the_sources_side_by_side_and_no_submissions(loaded, tmp_path):
    paths, _ = loaded
    reports = {
        p.stem: p.read_text(encoding="utf-8")
        for p in write_reports(paths.warehouse, paths.raw_dir, tmp_path / "reports")
    }
    seed = reports[SEED_OPERATION]
    section = seed[seed.index('id="sources"') : seed.index('id="contributions"')]
    for text in (
        "INTERPOL press release, 2020",
        "(primary)",
        "Europol press release, 2020",
        "National interior ministry press release, 2020",
        "exact 34",
        "exact 8,838",
        "exact 39,000",
        "394,025",
        "the data (33) supports INTERPOL press release, 2020",
        "the breakdown leaves 19 arrests unassigned",
        "counts 34 countries; the manifest lists 33 participants",
    ):
        assert text in section, text
    empty = reports[EMPTY_OPERATION]
    assert "No submissions yet." in empty and "more than 12,000" in empty


def test_a_broken_manifest_holds_back_its_operation_with_one_sentence_per_problem(tmp_path):
    folder = tmp_path / "raw" / "2031-01-broken-jad"
    folder.mkdir(parents=True)
    (folder / "operation.yaml").write_text(
        "operation_id: 2031-01-broken-jad\nstart_date: 2031-01-10\n"
        "end_date: 2031-01-12 10:00:00\nparticipants: []\npublished: [1, 2]\n",
        encoding="utf-8",
    )
    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral(), quiet=True)
    # the operation is held back (never published); the load itself goes on
    assert list(outcome.held_back) == ["2031-01-broken-jad"]
    manifest = folder / "operation.yaml"
    (reason,) = outcome.held_back["2031-01-broken-jad"]["reasons"]
    assert reason.removeprefix("manifest: ").splitlines() == [
        f"{manifest}: end_date: must be a date like 2020-09-24, not '2031-01-12 10:00:00'",
        f"{manifest}: participants: is empty; list the countries as ISO 3166-1 alpha-2 codes",
        f"{manifest}: published[1]: must be a source (a mapping with source and figures), not 1",
        f"{manifest}: published[2]: must be a source (a mapping with source and figures), not 2",
    ]
