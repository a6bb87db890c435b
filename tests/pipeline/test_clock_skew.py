"""A clock that jumps never blocks loads.

A previous load stamped two hours ahead (a clock set wrong, then corrected) once blocked
every load for two hours: each later validation looked older than the files' landing, so
the gate held the operation back as "not validated since its files landed"; a change it
left pending stayed pending. Now nothing persisted is compared by time: a validation
records which files it saw (a digest), pending changes are numbered by landing, and the
memory of raw/ treats a change time ahead of the clock as settled."""

from __future__ import annotations

import datetime as dt
import json
import os
import types

import dagster as dg
import duckdb
import pytest

from orchestration.changes import build as build_state
from orchestration.changes import files as raw_files
from orchestration.load import run_load
from orchestration.settings import Paths
from tests.quality.test_stale_results import FILES, small_operation

AHEAD = dt.timedelta(hours=2)


class _Ahead(dt.datetime):
    """datetime whose clock runs two hours ahead."""

    @classmethod
    def now(cls, tz=None):
        return dt.datetime.now(tz) + AHEAD


@pytest.fixture
def clock_ahead(monkeypatch):
    """Every clock a load stamps with (landing, build state, validations, publish) ahead."""
    ahead = types.SimpleNamespace(**{**vars(dt), "datetime": _Ahead})

    def set_ahead():
        for module in (
            "orchestration.landing.land",
            "orchestration.changes.build",
            "orchestration.quality.validation",
            "orchestration.publish.atomic",
        ):
            monkeypatch.setattr(f"{module}.dt", ahead)

    return set_ahead


def _one(paths: Paths, sql: str):
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_load_stamped_two_hours_ahead_blocks_no_later_load(tmp_path, clock_ahead, monkeypatch):
    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    folder = small_operation(paths.raw_dir, "2021-01-a")
    instance = dg.DagsterInstance.ephemeral()

    clock_ahead()
    assert run_load(paths, instance=instance).published  # stamped two hours ahead
    ((landed,),) = _one(paths, "select max(loaded_at) from raw.submissions")
    assert landed > dt.datetime.now(dt.UTC).replace(tzinfo=None) + AHEAD / 2
    con = duckdb.connect(str(paths.build_database))  # and a change it left pending
    build_state.mark_pending(con, "2021-01-a", build_state.now())
    con.close()
    monkeypatch.undo()  # the clock is right again

    # a country sends its file again: the first load with the right clock publishes it
    (folder / "submissions" / "LV_results_v2.csv").write_text(FILES["LV_results.csv"] + "\r\n")
    outcome = run_load(paths, instance=instance)
    assert outcome.published and outcome.held_back == {}, outcome.statuses
    assert outcome.statuses["2021-01-a"]["status"] == "current"
    assert _one(paths, "select operation_id from raw.pending_operations") == []
    again = run_load(paths, instance=instance)  # and then nothing is left to do
    assert (again.run_id, again.up_to_date) == (None, 1)


def test_the_memory_of_raw_keeps_files_whose_change_time_is_ahead_of_the_clock(
    tmp_path, monkeypatch
):
    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    small_operation(paths.raw_dir, "2021-01-a")
    real = raw_files.time.time_ns
    # the clock was set back two hours after the files were written: their change times
    # lie ahead of it; they are not being written now, and are remembered
    monkeypatch.setattr(
        raw_files.time, "time_ns", lambda: real() - int(AHEAD.total_seconds() * 1e9)
    )
    states = raw_files.scan_remembered(paths.raw_dir, paths.raw_files_memory)
    remembered = json.loads(paths.raw_files_memory.read_text().split("\n", 1)[1])
    assert set(remembered) == set(states) and len(states) == 3
    # a file changed just now is still doubtful, whatever the clock
    monkeypatch.setattr(raw_files.time, "time_ns", real)
    (paths.raw_dir / "2021-01-a" / "submissions" / "IE_results.csv").write_text("changed\n")
    raw_files.scan_remembered(paths.raw_dir, paths.raw_files_memory)
    remembered = json.loads(paths.raw_files_memory.read_text().split("\n", 1)[1])
    assert "2021-01-a/submissions/IE_results.csv" not in remembered
    assert os.path.exists(paths.raw_files_memory)
