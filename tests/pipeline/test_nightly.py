"""A production pipeline: operations as partitions, incremental loads, resubmissions,
analysts reading while a load runs, and a load killed half-way."""

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from corpus.synthetic import write_synthetic
from orchestration.load import run_load
from orchestration.partitions import OPERATIONS
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw, make_operation, query_build
from tests.pipeline.test_ground_truth import TRUTH


def _warehouse_like(seed_warehouse: Paths, root: Path, raw: Path) -> Paths:
    """A copy of the published seed warehouse and its build, over another raw folder."""
    shutil.copytree(seed_warehouse.warehouse.parent, root / "warehouse")
    return Paths(raw_dir=raw, warehouse=root / "warehouse" / "jad.duckdb")


def _state(paths: Paths, name: str):
    rows = query_build(paths, "select value from raw.build_state where name = ?", [name])
    return json.loads(rows[0][0]) if rows and rows[0][0] != "all" else rows[0][0] if rows else None


def _loaded_at(paths: Paths) -> dict:
    return dict(query_build(paths, "select file_id, loaded_at from raw.submissions"))


def _country_totals_match_truth(paths: Paths, operation: str, truth: dict) -> list:
    wrong = []
    for country, facts in truth["countries"].items():
        totals = dict(
            query_build(
                paths,
                """select metric_code, value from marts.fct_country_totals
                   where operation_id = ? and country_code = ?""",
                [operation, country],
            )
        )
        wrong += [
            (country, m, totals.get(m), v)
            for m, v in facts["operation"].items()
            if totals.get(m) is None or abs(totals[m] - v) > 1e-6
        ]
    return wrong


def test_loads_are_incremental_and_an_operation_loads_alone(seed_warehouse, tmp_path):
    raw = copy_raw(tmp_path / "raw")
    first, second = write_synthetic(tmp_path / "synthetic", 2, seed=11, countries=8)
    shutil.copytree(tmp_path / "synthetic" / first, raw / first)
    paths = _warehouse_like(seed_warehouse, tmp_path, raw)
    instance = dg.DagsterInstance.ephemeral()
    before = _loaded_at(paths)

    outcome = run_load(paths, instance=instance)  # a new operation arrived
    assert outcome.published
    assert _state(paths, "last_scope") == [first]  # only it was modelled again
    seed_files = {f: t for f, t in _loaded_at(paths).items() if f in before}
    assert seed_files == before  # the seed operation's files were not read again
    truth = json.loads((tmp_path / "synthetic" / "_truth" / f"{first}.json").read_text())
    assert _country_totals_match_truth(paths, first, truth) == []

    published = paths.warehouse.read_bytes()
    again = run_load(paths, instance=instance)  # nothing new: no run at all
    assert (again.run_id, again.operations, again.up_to_date) == (None, [], 2)
    assert paths.warehouse.read_bytes() == published

    shutil.copytree(tmp_path / "synthetic" / second, raw / second)
    outcome = run_load(paths, instance=instance, operation=second)  # one operation, alone
    assert outcome.published
    assert _state(paths, "last_scope") == [second]
    materialized = instance.get_materialized_partitions(dg.AssetKey(["raw", "observations"]))
    assert materialized == {first, second}  # the seed operation never needed a run here
    assert set(instance.get_dynamic_partitions(OPERATIONS.name)) == {SEED_OPERATION, first, second}


def test_the_nightly_schedule_skips_a_night_with_nothing_new(seed_warehouse, tmp_path):
    from orchestration.automation.schedules import build_nightly_schedule

    raw = copy_raw(tmp_path / "raw")
    paths = _warehouse_like(seed_warehouse, tmp_path, raw)
    schedule = build_nightly_schedule(paths)

    def tick(instance):
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2026, 12, 1, 2, 0)
        ) as context:
            return schedule.evaluate_tick(context)

    with dg.instance_for_test() as instance:
        quiet = tick(instance)
        assert not quiet.run_requests and "nothing new" in quiet.skip_message
        late = raw / SEED_OPERATION / "submissions" / "IE_late.csv"
        late.write_text("Country;Date;Indicator;Value\nIreland;24.09.2020;Persons checked;1\n")
        request = tick(instance).run_requests[0]
        assert request.tags["dagster/partition"] == SEED_OPERATION


def test_a_resubmission_supersedes_and_nothing_counts_twice(seed_warehouse, tmp_path):
    raw = copy_raw(tmp_path / "raw")
    submissions = raw / SEED_OPERATION / "submissions"
    corrected = "RO_JAD_SEE_2020-10-02.xlsx"
    first = "RO_JAD_SEE_2020-09-28.xlsx"
    held_back = tmp_path / corrected
    shutil.move(submissions / corrected, held_back)
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")

    run_load(paths, instance=dg.DagsterInstance.ephemeral())  # only the first file: wrong charges
    charges = dict(
        query_build(
            paths,
            "select charge_code, arrests from marts.fct_arrests_by_charge where country_code = 'RO'",
        )
    )
    assert {c: n for c, n in charges.items() if n} != TRUTH["countries"]["RO"]["arrests_by_charge"]
    arrests = query_build(
        paths,
        "select value from marts.fct_country_totals where country_code = 'RO' and metric_code = 'arrests'",
    )

    shutil.move(held_back, submissions / corrected)  # the corrected file arrives later
    assert run_load(paths, instance=dg.DagsterInstance.ephemeral()).published
    charges = dict(
        query_build(
            paths,
            "select charge_code, arrests from marts.fct_arrests_by_charge where country_code = 'RO'",
        )
    )
    assert {c: n for c, n in charges.items() if n} == TRUTH["countries"]["RO"]["arrests_by_charge"]
    # the arrests total is the same figure, not the two files added up
    assert (
        query_build(
            paths,
            "select value from marts.fct_country_totals where country_code = 'RO' and metric_code = 'arrests'",
        )
        == arrests
    )
    history = {
        name: (status, loaded_at is not None)
        for name, status, loaded_at in query_build(
            paths,
            "select file_name, file_status, loaded_at from audit.submission_history where country_code = 'RO'",
        )
    }
    assert history == {first: ("superseded", True), corrected: ("current", True)}
    sources = query_build(
        paths,
        "select distinct source_file from marts.fct_country_results where country_code = 'RO'",
    )
    assert sources == [(corrected,)]


READER = """
import duckdb, json, os, sys, time
path, stop, mode = sys.argv[1], sys.argv[2], sys.argv[3]
sql = "select value from marts.fct_country_totals where country_code = 'GB' and metric_code = 'persons_checked'"
held = duckdb.connect(path, read_only=True) if mode == "hold" else None
seen, errors = [], []
end = time.time() + 900  # a cap only; the reader stops once the test says the load is over
last_round = False
while time.time() < end:
    last_round = os.path.exists(stop)  # the load has ended: one more query, then stop
    try:
        if held is not None:  # an analyst's notebook, open all along
            seen.append(held.execute(sql).fetchone()[0])
        else:  # analysts who connect, query and leave
            con = duckdb.connect(path, read_only=True)
            seen.append(con.execute(sql).fetchone()[0])
            con.close()
    except Exception as error:
        errors.append(repr(error))
    if last_round:
        break
    time.sleep(0.05)
print(json.dumps({"seen": sorted(set(seen)), "last": seen[-1] if seen else None, "errors": errors}))
"""


def _reader(path: Path, mode: str, stop: Path) -> subprocess.Popen:
    """An analyst querying the warehouse until `stop` exists (the load is over), then once
    more: the test waits on the load, never on a clock."""
    return subprocess.Popen(
        [sys.executable, "-c", READER, str(path), str(stop), mode],
        stdout=subprocess.PIPE,
        text=True,
    )


def _raise_gb_persons_checked(raw: Path, by: int) -> int:
    """A country corrects a figure (GB's summary, one cell, no total to keep in step)."""
    path = raw / SEED_OPERATION / "submissions" / "NCA_JAD_SEE_UK_return.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Summary"]
    sheet["B9"] = sheet["B9"].value + by
    book.save(path)
    return sheet["B9"].value


def test_analysts_read_throughout_a_load_and_see_it_after_the_publish(seed_warehouse, tmp_path):
    raw = copy_raw(tmp_path / "raw")
    paths = _warehouse_like(seed_warehouse, tmp_path, raw)
    old = query_build(
        paths,
        "select value from marts.fct_country_totals where country_code = 'GB' and metric_code = 'persons_checked'",
    )[0][0]
    new = _raise_gb_persons_checked(raw, 100)
    stop = tmp_path / "load_is_over"
    holder, prober = _reader(paths.warehouse, "hold", stop), _reader(paths.warehouse, "probe", stop)
    time.sleep(1.0)
    try:
        outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral())
    finally:
        stop.touch()
    assert outcome.published
    held = json.loads(holder.communicate(timeout=60)[0])
    probed = json.loads(prober.communicate(timeout=60)[0])
    assert held["errors"] == [] and probed["errors"] == []  # never refused, never broken
    assert held["seen"] == [old]  # an open connection keeps its snapshot, whole
    assert probed["seen"] == sorted({old, new}) and probed["last"] == new  # then the new one


def _dbt_running_in_session(session: int) -> bool:
    """Whether a `dbt build` runs among the processes of a session (Linux /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ProcessLookupError):
            continue
        if any(part.endswith(b"dbt") for part in command) and b"build" in command:
            return True
    return False


def test_a_load_killed_half_way_leaves_the_last_good_warehouse(seed_warehouse, tmp_path):
    raw = copy_raw(tmp_path / "raw")
    paths = _warehouse_like(seed_warehouse, tmp_path, raw)
    sql = "select count(*), sum(value) from marts.fct_country_results"
    last_good = duckdb.connect(str(paths.warehouse), read_only=True).execute(sql).fetchone()
    _raise_gb_persons_checked(raw, 250)
    environment = {**os.environ, "JAD_RAW_DIR": str(raw), "JAD_WAREHOUSE": str(paths.warehouse)}
    environment.pop("DAGSTER_HOME", None)
    load = subprocess.Popen(
        [str(Path(sys.executable).parent / "jadwh"), "load"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # kill it once it is writing: after the landing, while dbt builds into the build file
    deadline = time.time() + 90
    while time.time() < deadline and not _dbt_running_in_session(load.pid):
        time.sleep(0.1)
    assert load.poll() is None, "the load ended before dbt started"
    time.sleep(1.0)
    os.killpg(load.pid, signal.SIGKILL)
    load.wait(timeout=30)
    assert load.returncode == -signal.SIGKILL

    con = duckdb.connect(str(paths.warehouse), read_only=True)
    assert con.execute(sql).fetchone() == last_good  # still opens, still the last good figures
    con.close()
    assert run_load(paths, instance=dg.DagsterInstance.ephemeral()).published
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    count, total = con.execute(sql).fetchone()
    duplicates = con.execute(
        """select count(*) from (select operation_id, country_code, report_date, metric_code
           from marts.fct_country_results group by all having count(*) > 1)"""
    ).fetchone()[0]
    con.close()
    assert count == last_good[0] and duplicates == 0
    assert total == pytest.approx(last_good[1] + 250)


def test_a_second_load_is_refused_with_a_clear_message_or_waits(tmp_path):
    from orchestration.load_lock import exclusive_load

    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    make_operation(paths.raw_dir)
    environment = {
        **os.environ,
        "JAD_RAW_DIR": str(paths.raw_dir),
        "JAD_WAREHOUSE": str(paths.warehouse),
    }
    with exclusive_load(paths.load_lock):  # a load in progress (this process holds the lock)
        refused = subprocess.run(
            [str(Path(sys.executable).parent / "jadwh"), "load", "--no-wait"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert refused.returncode == 3
    assert "another load is running" in refused.stderr and str(os.getpid()) in refused.stderr
