"""Nothing stale blocks a publish.

The scenario of the issue: the same bytes sent to two operations failed Great Expectations'
uniqueness expectation (one row per cell), validated in one slice with both operations;
after the duplicate was removed, loads and `--force` stayed blocked by the old result until
the build database was deleted by hand. Why: the result of one operation depended on the
rows of another, but only an operation's own landing made it validated again, and
`--force` validated nothing. Now every expectation that compares rows names operation_id,
a validation records which files it saw (a digest, not a time), results of files re-landed
or removed are validated again or dropped, and `--force` validates its operations again."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.load import run_load
from orchestration.quality import validation
from orchestration.quality.expectations import EXPECTATIONS
from orchestration.quality.gate import blocking_findings
from orchestration.settings import Paths

FILES = {
    "IE_results.csv": "Country;Date;Indicator;Value\nIreland;11.01.2021;Persons checked;30\n",
    "LV_results.csv": "Country;Date;Indicator;Value\nLatvia;11.01.2021;Persons checked;12\n",
}


def small_operation(raw: Path, operation_id: str, files: dict[str, str] = FILES) -> Path:
    """An operation of two countries whose figures reconcile with what it published."""
    folder = raw / operation_id
    (folder / "submissions").mkdir(parents=True)
    (folder / "operation.yaml").write_text(
        textwrap.dedent(
            f"""\
            operation_id: {operation_id}
            name: A small operation
            start_date: 2021-01-10
            end_date: 2021-01-12
            participants: [IE, LV]
            published:
              source: A press release
              figures:
                - {{metric: persons_checked, value: 42, qualifier: exact}}
            """
        )
    )
    for name, text in files.items():
        (folder / "submissions" / name).write_text(text)
    return folder


def _statuses(paths: Paths, outcome) -> dict[str, str]:
    return {op: state["status"] for op, state in outcome.statuses.items()}


def _expectation_findings(paths: Paths) -> list:
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        return [f for f in blocking_findings(con) if f.check.startswith("expectations")]
    finally:
        con.close()


def test_the_same_bytes_in_two_operations_never_leave_a_stale_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(validation, "HISTORY", 2)  # the Data Docs keep the last two runs
    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    small_operation(paths.raw_dir, "2021-01-a")
    duplicate = small_operation(paths.raw_dir, "2021-01-b")  # the same bytes, again
    instance = dg.DagsterInstance.ephemeral()

    first = run_load(paths, instance=instance)  # both operations validated in one slice
    assert first.published
    assert _expectation_findings(paths) == []
    assert _statuses(paths, first) == {"2021-01-a": "current", "2021-01-b": "current"}

    shutil.rmtree(duplicate / "submissions")  # the duplicate is removed
    (duplicate / "submissions").mkdir()
    after = run_load(paths, instance=instance)
    assert after.published and after.held_back == {}
    assert _expectation_findings(paths) == []

    forced = run_load(paths, instance=instance, force=True)  # --force validates again
    assert forced.published and forced.held_back == {}
    assert _statuses(paths, forced)["2021-01-a"] == "current"
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        runs = dict(
            con.execute(
                "select suite, run_id from quality.validations where operation_id = '2021-01-a'"
            ).fetchall()
        )
    finally:
        con.close()
    assert set(runs.values()) == {forced.run_id}  # validated again, in the forced load
    # the Data Docs keep their history, bounded: the last two runs that validated rows, in
    # GX's stores and in the pages, and the index links to those only
    runs_in_order = [first.run_id, after.run_id, forced.run_id]
    pages = paths.data_docs_dir / "validations" / "mapped_observations"
    kept = {p.name for p in pages.iterdir()}
    assert len(kept) == 2 and forced.run_id in kept and kept <= set(runs_in_order)
    stored = validation.stores_dir(paths.data_docs_dir) / "uncommitted" / "validations"
    assert {p.name for p in (stored / "mapped_observations").iterdir()} == kept
    index = (paths.data_docs_dir / "index.html").read_text()
    assert all((run in index) == (run in kept) for run in runs_in_order)


def test_a_failure_of_files_since_removed_or_relanded_is_validated_again(tmp_path):
    """The general rule, with a failure planted where it once survived: a result recorded
    for an operation's earlier files blocks nothing once the files change; the next load
    validates the operation again (here: it was validated with a file since removed)."""
    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    folder = small_operation(paths.raw_dir, "2021-01-a")
    (folder / "submissions" / "IE_old.csv").write_text(FILES["IE_results.csv"] + "\n")
    instance = dg.DagsterInstance.ephemeral()
    assert run_load(paths, instance=instance).operations == ["2021-01-a"]

    con = duckdb.connect(str(paths.build_database))
    con.execute(  # a failure recorded with the files as they were
        """update quality.expectation_results set success = false, unexpected_count = 1
           where suite = 'mapped_observations' and expectation like '%between%'"""
    )
    assert any("unexpected" in f.message for f in blocking_findings(con))
    con.close()

    (folder / "submissions" / "IE_old.csv").unlink()  # the file it was about is removed
    outcome = run_load(paths, instance=instance)
    assert outcome.published and outcome.held_back == {}, outcome.statuses
    assert _expectation_findings(paths) == []


def test_every_expectation_that_compares_rows_names_the_operation():
    """An operation's result depends on its own rows only: operations are validated in
    slices, and a comparison across operations would tie one's result to another's files."""
    for suite, expectations in EXPECTATIONS.items():
        for expectation in expectations():
            columns = getattr(expectation, "column_list", None)
            if columns is not None or "Unique" in type(expectation).__name__:
                assert "operation_id" in (columns or []), (suite, expectation)
