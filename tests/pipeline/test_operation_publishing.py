"""An operation is the unit of trust: a broken operation holds back only itself, the others
publish tonight's corrections, and the warehouse says which operations are current."""

from __future__ import annotations

import csv
import io
import shutil

import dagster as dg
import duckdb

from corpus.synthetic import write_synthetic
from orchestration.load import run_load
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw, query
from tests.pipeline.test_nightly import _raise_gb_persons_checked

GB_PERSONS = """select value from marts.fct_country_totals
                where operation_id = ? and country_code = 'GB' and metric_code = 'persons_checked'"""


def _statuses(paths: Paths) -> dict[str, str]:
    return dict(query(paths, "select operation_id, status from audit.operation_status"))


def _break(raw, operation: str) -> None:
    """One of the operation's files sends a figure as words: a file read in part."""
    path = sorted((raw / operation / "submissions").glob("*.csv"))[0]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][-1] = "approx. 90000"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_broken_operation_holds_back_only_itself(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    (other,) = write_synthetic(tmp_path / "synthetic", 1, seed=11, countries=8)
    shutil.copytree(tmp_path / "synthetic" / other, raw / other)
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    instance = dg.DagsterInstance.ephemeral()

    first = run_load(paths, instance=instance)
    assert first.published and first.held_back == {}
    assert _statuses(paths) == {SEED_OPERATION: "current", other: "current"}
    other_figures = query(
        paths,
        "select country_code, metric_code, value from marts.fct_country_totals where operation_id = ? order by all",
        [other],
    )

    before = query(paths, GB_PERSONS, [SEED_OPERATION])[0][0]
    after = _raise_gb_persons_checked(raw, 100)  # tonight's correction to a good operation
    _break(raw, other)  # and a broken file in another
    second = run_load(paths, instance=instance)

    assert second.published
    assert set(second.held_back) == {other}
    assert second.held_back[other]["status"] == "held_back"
    # the written text is free text: the reason names its cell, not its words
    assert any("not_a_number" in r for r in second.held_back[other]["reasons"])
    # the good operation's correction is published; the broken one shows its last good state
    assert query(paths, GB_PERSONS, [SEED_OPERATION])[0][0] == after != before
    assert (
        query(
            paths,
            "select country_code, metric_code, value from marts.fct_country_totals where operation_id = ? order by all",
            [other],
        )
        == other_figures
    )
    # what an analyst sees: which operations are current, and why one is not
    rows = query(
        paths,
        "select operation_id, status, held_back_since is not null, findings > 0, len(reasons) > 0 "
        "from audit.operation_status order by 1",
    )
    assert rows == sorted(
        [(SEED_OPERATION, "current", False, False, False), (other, "held_back", True, True, True)]
    )
    # the report says so: the last attempt of the held-back operation, its findings and
    # its quarantine by problem, beside the figures it still shows
    page = (paths.reports_dir / f"{other}.html").read_text(encoding="utf-8")
    assert 'class="verdict fail"' in page and "held back since" in page
    assert "The last load of this operation (not published)" in page
    # the cell is shown by its place: its words are free text the vocabulary does not know
    assert "not_a_number" in page and "[withheld: " in page and "approx. 90000" not in page
    assert 'class="verdict fail"' not in (paths.reports_dir / f"{SEED_OPERATION}.html").read_text(
        encoding="utf-8"
    )


def test_an_operation_that_never_passed_is_left_out(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    (other,) = write_synthetic(tmp_path / "synthetic", 1, seed=11, countries=8)
    shutil.copytree(tmp_path / "synthetic" / other, raw / other)
    _break(raw, other)
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")

    outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral())

    assert outcome.published and set(outcome.held_back) == {other}
    assert _statuses(paths) == {SEED_OPERATION: "current", other: "never_published"}
    assert query(
        paths, "select count(*) from marts.fct_country_results where operation_id = ?", [other]
    ) == [(0,)]
    assert (
        query(
            paths,
            "select count(*) from marts.fct_country_results where operation_id = ?",
            [SEED_OPERATION],
        )[0][0]
        > 0
    )
    # the build keeps what this load made of it, for the steward
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        quarantined = con.execute(
            "select count(*) from audit.quarantine where operation_id = ? and severity = 'error'",
            [other],
        ).fetchone()[0]
    finally:
        con.close()
    assert quarantined >= 1
    # a page for it all the same: why it is not in the warehouse
    page = (paths.reports_dir / f"{other}.html").read_text(encoding="utf-8")
    assert "never published" in page and "not_a_number" in page


def test_a_bad_manifest_holds_back_its_operation_and_a_removed_one_leaves(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    (other,) = write_synthetic(tmp_path / "synthetic", 1, seed=11, countries=8)
    shutil.copytree(tmp_path / "synthetic" / other, raw / other)
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    instance = dg.DagsterInstance.ephemeral()
    assert run_load(paths, instance=instance).held_back == {}

    manifest = raw / other / "operation.yaml"
    good = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        good.replace("end_date: 2031-03-06", "end_date: 2031-02-06"), encoding="utf-8"
    )
    outcome = run_load(paths, instance=instance)
    assert outcome.published and set(outcome.held_back) == {other}
    assert "end_date" in outcome.held_back[other]["reasons"][0]
    assert _statuses(paths) == {SEED_OPERATION: "current", other: "held_back"}

    shutil.rmtree(raw / other)  # the operation leaves raw/: it leaves the warehouse
    outcome = run_load(paths, instance=instance)
    assert outcome.published
    assert _statuses(paths) == {SEED_OPERATION: "current"}
    for database in (paths.warehouse, paths.build_database):
        con = duckdb.connect(str(database), read_only=True)
        try:
            left = con.execute(
                "select count(*) from raw.submissions where operation_id = ?", [other]
            ).fetchone()[0]
            results = con.execute(
                "select count(*) from marts.fct_country_results where operation_id = ?", [other]
            ).fetchone()[0]
        finally:
            con.close()
        assert (left, results) == (0, 0), database
    again = run_load(paths, instance=instance)
    assert again.run_id is None  # up to date: the removal is done, nothing else changed
