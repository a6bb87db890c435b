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
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def test_new_same_and_changed_files(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    sensor = build_raw_files_sensor(paths)
    instance = dg.DagsterInstance.ephemeral()

    first = _tick(sensor, instance, None)  # a new deployment: everything is new
    assert [r.partition_key for r in first.run_requests] == [SEED_OPERATION]
    assert instance.get_dynamic_partitions(OPERATIONS.name) == [SEED_OPERATION]

    again = _tick(sensor, instance, first.cursor)  # nothing new: no run
    assert again.run_requests == []

    submissions = raw / SEED_OPERATION / "submissions"
    new_file = submissions / "IE_results_v2.csv"
    shutil.copy(submissions / "IE_results.csv", new_file)
    new_file.write_bytes(new_file.read_bytes() + b"\n")  # same country, new content
    after_new = _tick(sensor, instance, again.cursor)
    assert [r.partition_key for r in after_new.run_requests] == [SEED_OPERATION]

    same = _tick(sensor, instance, after_new.cursor)  # the same file again: no run
    assert same.run_requests == []

    new_file.touch()  # a new modification time, the same content: no run
    touched = _tick(sensor, instance, same.cursor)
    assert touched.run_requests == []

    new_file.write_bytes(new_file.read_bytes() + b"\n")  # changed content: one run
    changed = _tick(sensor, instance, touched.cursor)
    assert len(changed.run_requests) == 1
    assert changed.run_requests[0].run_key != after_new.run_requests[0].run_key


def test_a_restart_neither_misses_nor_repeats(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    instance = dg.DagsterInstance.ephemeral()
    cursor = _tick(build_raw_files_sensor(paths), instance, None).cursor
    # the code location restarts (a new sensor object); a file arrives meanwhile
    (raw / SEED_OPERATION / "submissions" / "late.csv").write_text("Country;Date\nIE;24.09.2020\n")
    restarted = build_raw_files_sensor(paths)
    assert len(_tick(restarted, instance, cursor).run_requests) == 1
    # the same tick replayed from the same cursor asks for the same run key (no repeat)
    replay = _tick(restarted, instance, cursor).run_requests
    assert replay[0].run_key == _tick(restarted, instance, cursor).run_requests[0].run_key


def test_nightly_schedule_loads_every_new_operation_in_one_run(tmp_path, monkeypatch):
    raw = copy_raw(tmp_path / "raw")
    other = raw / "2031-03-synthetic-0001"
    other.mkdir()
    (other / "operation.yaml").write_text(
        (raw / SEED_OPERATION / "operation.yaml")
        .read_text()
        .replace(SEED_OPERATION, "2031-03-synthetic-0001")
    )
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
