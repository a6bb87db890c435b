"""The sensor and the schedule, driven through Dagster's own test utilities."""

import datetime as dt
import shutil

import dagster as dg

from orchestration.automation.schedules import build_nightly_schedule
from orchestration.automation.sensors import build_raw_files_sensor
from orchestration.partitions import OPERATIONS
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw


def _tick(sensor, instance, cursor):
    # the contexts enter the instance: leave them, or Dagster's context vars outlive it
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        result = sensor(context)
    if isinstance(result, dg.SkipReason):
        return dg.SensorResult(skip_reason=result)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def _requested(result) -> list[str]:
    return [r.partition_key for r in result.run_requests or []]


def test_new_same_and_changed_files(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    sensor = build_raw_files_sensor(paths)
    instance = dg.DagsterInstance.ephemeral()

    first = _tick(sensor, instance, None)  # a new deployment: everything is new
    assert _requested(first) == [SEED_OPERATION]
    assert instance.get_dynamic_partitions(OPERATIONS.name) == [SEED_OPERATION]

    # nothing published yet, nothing changed: the same run key, which Dagster never
    # launches twice
    again = _tick(sensor, instance, None)
    assert [r.run_key for r in again.run_requests] == [r.run_key for r in first.run_requests]

    submissions = raw / SEED_OPERATION / "submissions"
    new_file = submissions / "IE_results_v2.csv"
    shutil.copy(submissions / "IE_results.csv", new_file)
    new_file.write_bytes(new_file.read_bytes() + b"\n")  # same country, new content
    after_new = _tick(sensor, instance, None)
    assert _requested(after_new) == [SEED_OPERATION]
    assert after_new.run_requests[0].run_key != first.run_requests[0].run_key

    new_file.touch()  # a new modification time, the same content: the same run key
    touched = _tick(sensor, instance, None)
    assert touched.run_requests[0].run_key == after_new.run_requests[0].run_key

    new_file.write_bytes(new_file.read_bytes() + b"\n")  # changed content: another key
    changed = _tick(sensor, instance, None)
    assert len(changed.run_requests) == 1
    assert changed.run_requests[0].run_key != after_new.run_requests[0].run_key


def test_a_restart_neither_misses_nor_repeats(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    instance = dg.DagsterInstance.ephemeral()
    before = _tick(build_raw_files_sensor(paths), instance, None).run_requests[0].run_key
    # the code location restarts (a new sensor object); a file arrives meanwhile
    (raw / SEED_OPERATION / "submissions" / "late.csv").write_text("Country;Date\nIE;24.09.2020\n")
    restarted = build_raw_files_sensor(paths)
    after = _tick(restarted, instance, None).run_requests
    assert len(after) == 1 and after[0].run_key != before
    # the same tick replayed asks for the same run key (no repeat)
    assert _tick(restarted, instance, None).run_requests[0].run_key == after[0].run_key


def _second_operation(raw, name="2031-03-synthetic-0001"):
    """An operation whose files have not arrived yet: its manifest only."""
    other = raw / name
    other.mkdir()
    (other / "operation.yaml").write_text(
        (raw / SEED_OPERATION / "operation.yaml").read_text().replace(SEED_OPERATION, name)
    )
    return name


def test_the_sensor_knows_what_a_cli_load_published(tmp_path, monkeypatch):
    """The issue's case: `make run` published, then `make ui` starts the sensor, which must
    not load again what the command line just published; it asks for what changes after."""
    from orchestration.load import run_load
    from orchestration.settings import DBT_PROJECT_DIR

    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setenv("JAD_DBT_PROJECT_DIR", str(project))
    raw = copy_raw(tmp_path / "raw")
    other = _second_operation(raw)
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        outcome = run_load(paths, instance=instance, quiet=True)
        assert outcome.published, outcome.errors
        sensor = build_raw_files_sensor(paths)

        after_publish = _tick(sensor, instance, None)  # an empty cursor, a fresh sensor
        assert _requested(after_publish) == []

        changed = raw / SEED_OPERATION / "submissions" / "IE_results.csv"
        changed.write_bytes(changed.read_bytes() + b"\n")  # one file of one operation
        one = _tick(sensor, instance, None)
        assert _requested(one) == [SEED_OPERATION]

        seeds = project / "seeds" / "metric_labels.csv"  # the reader changes: all of them
        seeds.write_text(seeds.read_text() + "zz sensor test label,arrests,en\n")
        every = _tick(sensor, instance, None)
        assert sorted(_requested(every)) == sorted([SEED_OPERATION, other])


def test_nightly_schedule_loads_every_new_operation_in_one_run(tmp_path, monkeypatch):
    raw = copy_raw(tmp_path / "raw")
    _second_operation(raw)
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    schedule = build_nightly_schedule(paths)
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Paris"
    with dg.instance_for_test() as instance:
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2026, 12, 1, 2, 0)
        ) as context:
            request = schedule.evaluate_tick(context).run_requests[0]
        assert request.tags["dagster/asset_partition_range_start"] == SEED_OPERATION
        assert request.tags["dagster/asset_partition_range_end"] == "2031-03-synthetic-0001"
        assert sorted(instance.get_dynamic_partitions(OPERATIONS.name)) == [
            SEED_OPERATION,
            "2031-03-synthetic-0001",
        ]
    monkeypatch.setenv("JAD_NIGHTLY_CRON", "30 3 * * 1-5")
    monkeypatch.setenv("JAD_NIGHTLY_TIMEZONE", "Europe/Lisbon")
    configured = build_nightly_schedule(paths)
    assert (configured.cron_schedule, configured.execution_timezone) == (
        "30 3 * * 1-5",
        "Europe/Lisbon",
    )


def test_a_tick_while_a_load_runs_asks_for_nothing_and_never_waits(tmp_path):
    import subprocess
    import sys
    import time

    raw = copy_raw(tmp_path / "raw")
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    paths.load_lock.parent.mkdir(parents=True)
    holder = subprocess.Popen(  # another process holds the load lock, as a load does
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(paths.load_lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        instance = dg.DagsterInstance.ephemeral()
        started = time.monotonic()
        result = _tick(build_raw_files_sensor(paths), instance, None)
        assert time.monotonic() - started < 30  # a look at the lock: it never waits for the load
        assert _requested(result) == []
        assert "a load is running" in result.skip_reason.skip_message
    finally:
        holder.kill()
        holder.wait()
    assert _requested(_tick(build_raw_files_sensor(paths), instance, None)) == [SEED_OPERATION]


def test_an_operation_a_run_is_loading_is_not_asked_for_again(tmp_path):
    from dagster._core.utils import make_new_run_id

    raw = copy_raw(tmp_path / "raw")
    other = _second_operation(raw)
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    sensor = build_raw_files_sensor(paths)
    with dg.instance_for_test() as instance:
        assert sorted(_requested(_tick(sensor, instance, None))) == sorted([SEED_OPERATION, other])
        instance.add_run(  # the nightly load (or a jadwh load) of one of them, under way
            dg.DagsterRun(
                job_name="load_warehouse",
                run_id=make_new_run_id(),
                status=dg.DagsterRunStatus.STARTED,
                tags={"dagster/partition": SEED_OPERATION},
            )
        )
        assert _requested(_tick(sensor, instance, None)) == [other]
