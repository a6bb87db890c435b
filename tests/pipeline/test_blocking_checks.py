"""A load whose numbers do not add up never reaches analysts: for each faulty variant of
the corpus, the right check fails, the run says which, with the numbers and the file,
sheet and cell, and the operation is held back: the warehouse keeps its last good figures."""

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from corpus.faults import write_fault
from orchestration.changes.build import mark_pending, now
from orchestration.changes.plan import landed_fingerprints, landed_record
from orchestration.load import run_load
from orchestration.quality.gate import Finding, blocking_findings
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION


@pytest.fixture
def last_good(seed_warehouse, tmp_path) -> Paths:
    """A private copy of a published warehouse and its build, as after a good night."""
    shutil.copytree(seed_warehouse.warehouse.parent, tmp_path / "warehouse")
    return Paths(raw_dir=seed_warehouse.raw_dir, warehouse=tmp_path / "warehouse" / "jad.duckdb")


FIGURES = "select * from marts.fct_country_results order by all"


def _published_figures(paths: Paths) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(FIGURES).fetchall()
    finally:
        con.close()


def _load_fault(kind: str, last_good: Paths, tmp_path: Path) -> tuple[dict, list[Finding]]:
    """The operation with a fault is held back: the warehouse keeps its last good figures,
    and says why (audit.operation_status)."""
    figures_before = _published_figures(last_good)
    fault = write_fault(kind, tmp_path / "faulty")
    paths = Paths(raw_dir=tmp_path / "faulty", warehouse=last_good.warehouse)
    outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral())
    assert set(outcome.held_back) == {SEED_OPERATION}
    assert outcome.held_back[SEED_OPERATION]["status"] == "held_back"
    assert _published_figures(paths) == figures_before, "the held-back figures changed"
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        status = con.execute(
            "select status, findings > 0 from audit.operation_status where operation_id = ?",
            [SEED_OPERATION],
        ).fetchone()
    finally:
        con.close()
    assert status == ("held_back", True)
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        findings = blocking_findings(con)
    finally:
        con.close()
    return fault, findings


def _mentions(findings: list[Finding], check: str, *words: str) -> bool:
    return any(f.check.startswith(check) and all(w in f.message for w in words) for f in findings)


def test_a_wrong_total_row_fails_the_within_file_check(last_good, tmp_path):
    fault, findings = _load_fault("wrong_total", last_good, tmp_path)
    assert _mentions(
        findings, "reconciliation within file", fault["file"], fault["sheet"], fault["cell"]
    )


def test_charges_not_summing_fail_the_within_country_check(last_good, tmp_path):
    fault, findings = _load_fault("charges_not_summing", last_good, tmp_path)
    assert _mentions(
        findings,
        "reconciliation within country",
        "arrests by charge",
        fault["file"],
        fault["sheet"],
        fault["cell"],
    )


def test_a_missing_country_fails_the_participation_check(last_good, tmp_path):
    fault, findings = _load_fault("missing_country", last_good, tmp_path)
    assert _mentions(
        findings,
        "reconciliation across countries",
        "countries reporting",
        fault["country"],
        fault["file"],
    )


def test_a_figure_outside_its_published_bounds_fails(last_good, tmp_path):
    fault, findings = _load_fault("outside_bounds", last_good, tmp_path)
    assert _mentions(
        findings,
        "reconciliation across countries",
        "published persons_checked",
        fault["file"],
        fault["cell"],
    )


def test_an_unknown_unit_is_quarantined_and_fails_the_expectations(last_good, tmp_path):
    fault, findings = _load_fault("unknown_unit", last_good, tmp_path)
    assert _mentions(
        findings,
        "quarantine (unknown_unit)",
        fault["file"],
        fault["sheet"],
        fault["cell"],
        "unit_labels.csv",
    )
    assert _mentions(findings, "expectations mapped_observations", "written_unit", fault["file"])


def test_a_date_outside_the_window_is_quarantined_and_fails_the_expectations(last_good, tmp_path):
    fault, findings = _load_fault("date_outside_window", last_good, tmp_path)
    assert _mentions(
        findings,
        "quarantine (date_outside_window)",
        fault["file"],
        fault["sheet"],
        f"cell {fault['cell']}",
    )
    assert _mentions(findings, "expectations mapped_observations", "in_window", fault["file"])


def test_a_negative_count_is_quarantined(last_good, tmp_path):
    fault, findings = _load_fault("negative_count", last_good, tmp_path)
    assert _mentions(findings, "quarantine (negative_value)", fault["file"], fault["cell"])


def _left_by_an_interrupted_load(paths: Paths, operation: str) -> None:
    """As after a load that landed the operation and died before its publish: its landed
    fingerprint is not the published one, so the next load's plan covers it (without
    reading its files again, which would undo the defect)."""
    landed = landed_fingerprints(paths) | {operation: "landed by a load that died"}
    landed_record(paths).write_text(json.dumps(landed) + "\n", encoding="utf-8")


def test_a_dropped_cell_fails_conservation(last_good):
    """A reader defect that loses a cell while landing a file: one observation of the
    landed file is missing, and its operation waits to be modelled, as after any landing."""
    figures_before = _published_figures(last_good)
    con = duckdb.connect(str(last_good.build_database))
    operation, file_name, sheet, cell = con.execute(
        """select o.operation_id, s.file_name, o.sheet_name, o.cell_ref from raw.observations o
           join raw.submissions s using (operation_id, file_id)
           where s.is_present order by s.file_name, o.row_number limit 1"""
    ).fetchone()
    con.execute(
        "delete from raw.observations where sheet_name = ? and cell_ref = ? and file_id in "
        "(select file_id from raw.submissions where file_name = ?)",
        [sheet, cell, file_name],
    )
    mark_pending(con, operation, now())
    con.close()
    _left_by_an_interrupted_load(last_good, operation)
    outcome = run_load(last_good, instance=dg.DagsterInstance.ephemeral())
    assert set(outcome.held_back) == {operation}
    assert _published_figures(last_good) == figures_before
    con = duckdb.connect(str(last_good.build_database), read_only=True)
    findings = blocking_findings(con)
    con.close()
    assert _mentions(findings, "conservation", file_name, sheet, cell)


def test_a_structural_fault_in_what_landed_fails_the_dbt_tests_on_the_raw_sources(last_good):
    """What Great Expectations' landed suite checked is a dbt test on raw.observations now: a
    reader defect that writes a cell reference that is not one fails it, the dbt build says
    which test, and nothing of the build is published (a reader defect puts every operation
    in doubt)."""
    figures_before = _published_figures(last_good)
    con = duckdb.connect(str(last_good.build_database))
    operation, file_id, sheet, cell = con.execute(
        "select operation_id, file_id, sheet_name, cell_ref from raw.observations "
        "order by all limit 1"
    ).fetchone()
    con.execute(
        "update raw.observations set cell_ref = 'not a cell' "
        "where operation_id = ? and file_id = ? and sheet_name = ? and cell_ref = ?",
        [operation, file_id, sheet, cell],
    )
    mark_pending(con, operation, now())
    con.close()
    _left_by_an_interrupted_load(last_good, operation)
    outcome = run_load(last_good, instance=dg.DagsterInstance.ephemeral())
    assert not outcome.published or outcome.held_back
    assert _published_figures(last_good) == figures_before
    con = duckdb.connect(str(last_good.build_database), read_only=True)
    try:
        findings = blocking_findings(con)
    finally:
        con.close()
    assert _mentions(findings, "dbt build", "raw_observations_cell_ref_is_a1")


def test_files_landed_after_the_last_validation_are_not_published(last_good):
    """Great Expectations results left by an earlier load never pass for this one's: when
    a suite's check crashed or did not run, the operation's files are not the files its
    validation saw (they were re-landed, or one was removed), and the gate refuses. Which
    files a validation saw is a digest, not a time: a validation that looks older than the
    landing by the clock (a clock set back) is still current."""
    con = duckdb.connect(str(last_good.build_database))
    try:
        assert blocking_findings(con) == []
        (operation,) = con.execute(
            "select operation_id from raw.submissions order by file_name limit 1"
        ).fetchone()
        con.execute(  # a clock that jumped: validations a day "older" than the files
            "update quality.validations set validated_at = validated_at - interval 1 day "
            "where operation_id = ?",
            [operation],
        )
        assert blocking_findings(con) == []
        con.execute(  # a file landed again (by another reader, say), not validated since
            """update raw.submissions set loaded_at = loaded_at + interval 1 second
               where file_id = (select min(file_id) from raw.submissions where operation_id = ?)""",
            [operation],
        )
        findings = blocking_findings(con)
    finally:
        con.close()
    assert {f.check for f in findings} == {"expectations mapped_observations"}
    assert all(
        f.message.startswith(f"{operation}: not validated with its files as they are now")
        for f in findings
    )


def test_the_next_load_validates_what_a_killed_load_left_unvalidated(last_good):
    """A load killed after its dbt build but before Great Expectations ran leaves an
    operation modelled and unvalidated; the next load validates it and publishes."""
    con = duckdb.connect(str(last_good.build_database))
    try:
        con.execute(  # validated by an earlier load, with other files than those landed now
            "update quality.validations set landed_digest = 'files landed earlier'"
        )
        assert blocking_findings(con) != []
    finally:
        con.close()
    outcome = run_load(last_good, instance=dg.DagsterInstance.ephemeral(), force=True)
    assert outcome.published, outcome.errors
    con = duckdb.connect(str(last_good.build_database), read_only=True)
    try:
        assert blocking_findings(con) == []
    finally:
        con.close()


def test_the_committed_corpus_passes_every_check(seed_warehouse):
    con = duckdb.connect(str(seed_warehouse.warehouse), read_only=True)
    try:
        assert blocking_findings(con) == []
        levels = dict(
            con.execute(
                "select check_level, count(*) from marts.reconciliation group by 1"
            ).fetchall()
        )
        blocking_across = con.execute(
            """select count(*) from marts.reconciliation
               where check_level = 'across_countries' and blocking"""
        ).fetchone()[0]
    finally:
        con.close()
    # the primary source's 16 figures and the participants gate; the other sources' 4 do not
    assert (
        levels["within_file"] > 100
        and levels["within_country"] > 30
        and blocking_across == 17
        and levels["across_countries"] == 21
    )
    record = json.loads(seed_warehouse.publish_record.read_text())
    assert record["reconciliation_checks"] == sum(levels.values())
    assert {state["status"] for state in record["operations"].values()} == {"current"}
