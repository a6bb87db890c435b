"""A load killed with SIGKILL on a persistent Dagster instance (DAGSTER_HOME, as `make run`
and `make ui` set it) never stalls the next one, nor the daemon's queue.

Killed, the run stays STARTED in the instance and keeps its claim on the warehouse_writer
pool: before recovery the next load waited on that claim for ever, and the daemon counted
the dead run as in progress and launched nothing. The test kills real `jadwh
load` processes at three points (landing, dbt, publish), each one after it recovered the
one killed before it and got past the pool that one held; the last load completes. At the
first kill it also asks the daemon's run queue what it would launch, before and after a
sensor tick (the daemon's path)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteRepositoryOrigin
from dagster._core.storage.dagster_run import RunsFilter
from dagster._core.utils import make_new_run_id
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (
    QueuedRunCoordinatorDaemon,
)

from orchestration.automation import recovery
from orchestration.automation.sensors import build_raw_files_sensor
from orchestration.settings import PROJECT_ROOT, Paths
from tests.hostile.test_faults import (
    JADWH,
    environment,
    figures,
    figures_of_file,
    like_seed,
    resend,
)
from tests.pipeline.test_nightly import _dbt_running_in_session

NEXT_LOAD_SECONDS = 600  # a stuck load would wait for ever: the test stops it here


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        (PROJECT_ROOT / "orchestration" / "dagster.yaml").read_text()
    )
    return home


def _start(paths: Paths, home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [JADWH, "load", *args],
        env={**environment(paths), "DAGSTER_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the kill takes dbt and readers along
    )


def _latest_run(instance: dg.DagsterInstance) -> dg.DagsterRun | None:
    runs = instance.get_runs(limit=1)
    return runs[0] if runs else None


def _step_started(instance: dg.DagsterInstance, step_key: str) -> bool:
    run = _latest_run(instance)
    if run is None:
        return False
    return any(
        entry.step_key == step_key
        for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_START)
    )


def _publishing(paths: Paths) -> bool:
    """The publish writes the composed warehouse beside the published one, then renames it."""
    return any(paths.warehouse.parent.glob(f".{paths.warehouse.name}.*.tmp"))


def _kill_when(load: subprocess.Popen, ready, what: str) -> None:
    deadline = time.monotonic() + 300
    while not ready():
        assert load.poll() is None, f"the load ended before {what}: {load.stderr.read()}"
        assert time.monotonic() < deadline, f"no {what} within 300 s"
        time.sleep(0.05)
    os.killpg(load.pid, signal.SIGKILL)
    load.wait(timeout=60)
    assert load.returncode == -signal.SIGKILL


def _finish(load: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = load.communicate(timeout=NEXT_LOAD_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(load.pid, signal.SIGKILL)
        out, err = load.communicate()
        pytest.fail(f"the next load did not finish in {NEXT_LOAD_SECONDS} s: {out}\n{err}")
    return load.returncode, out, err


def _claims(instance: dg.DagsterInstance) -> set[str]:
    return recovery._claiming_runs(instance)


def _would_launch(instance: dg.DagsterInstance) -> list[str]:
    """What the daemon's run queue would launch now (its own decision function)."""
    with QueuedRunCoordinatorDaemon(interval_seconds=1) as daemon:
        batch = daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(), None)
    return [run.run_id for run in batch]


KILL_POINTS = {
    "landing": lambda paths, load, instance: _step_started(instance, "land_raw_files"),
    "dbt": lambda paths, load, instance: _dbt_running_in_session(load.pid),
    "publish": lambda paths, load, instance: _publishing(paths),
}


def test_a_killed_load_never_stalls_the_next_load_nor_the_daemon(seed_warehouse, tmp_path):
    paths = like_seed(seed_warehouse, tmp_path)
    home = _home(tmp_path)
    last_good, _ = figures(paths.warehouse)
    dead = None
    # each load finds the one killed before it, gets past the pool it held, and is killed in
    # turn further on; the last one completes
    for trial, (point, ready) in enumerate(KILL_POINTS.items(), start=1):
        resend(paths, trial)  # something to load
        load = _start(paths, home)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            _kill_when(load, lambda: ready(paths, load, instance), point)  # noqa: B023
            if dead is not None:  # recovered by this load, which then claimed the pool
                assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
            dead = _latest_run(instance)
            assert dead.status == dg.DagsterRunStatus.STARTED, point  # as the kill left it
            assert dead.run_id in _claims(instance), f"{point}: the dead run holds the pool"
            assert figures(paths.warehouse) == (last_good, 0), point  # the warehouse is whole

            if trial == 1:  # the daemon's path: its queue is stuck until a tick recovers
                queued = dg.DagsterRun(
                    job_name="load_warehouse",
                    run_id=make_new_run_id(),
                    status=dg.DagsterRunStatus.QUEUED,
                    remote_job_origin=RemoteRepositoryOrigin(
                        RegisteredCodeLocationOrigin("orchestration.definitions"), "__repository__"
                    ).get_job_origin("load_warehouse"),
                )
                instance.add_run(queued)
                assert _would_launch(instance) == []  # "1 runs in progress, won't launch more"
                with dg.build_sensor_context(instance=instance, cursor=None) as context:
                    build_raw_files_sensor(paths)(context)
                assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
                assert _claims(instance) == set()
                assert _would_launch(instance) == [queued.run_id]  # the queue moves again
                instance.delete_run(queued.run_id)

    code, out, err = _finish(_start(paths, home))  # the next load completes
    assert code == 0, f"{out}\n{err}"
    assert f"Recovered: run {dead.run_id[:8]}" in out, out  # and says what it did
    assert "marked failed" in out and "warehouse_writer pool freed" in out, out
    assert figures(paths.warehouse) == (last_good, 0)  # the same figures, counted once
    assert figures_of_file(paths, f"IE_results_v{len(KILL_POINTS)}.csv") == 1
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_runs(RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])) == []
        assert _claims(instance) == set()
