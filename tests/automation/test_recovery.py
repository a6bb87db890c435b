"""Which runs recovery takes for dead: judged by the process a run recorded, never fooled by a
pid that another process reuses, a reboot, or a run of another machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import dagster as dg
from dagster._core.utils import make_new_run_id

from orchestration import processes
from orchestration.automation import recovery


def _run(instance: dg.DagsterInstance, tags: dict[str, str]) -> dg.DagsterRun:
    run = dg.DagsterRun(
        job_name="load_warehouse",
        run_id=make_new_run_id(),
        status=dg.DagsterRunStatus.STARTED,
        tags=tags,
    )
    instance.add_run(run)
    return run


def _status(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dg.DagsterRunStatus:
    return instance.get_run_by_id(run.run_id).status


def test_runs_of_live_processes_stay_and_runs_of_gone_ones_are_failed():
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    gone_pid = int(finished.stdout)
    me = processes.process_identity()
    boot, pid, ticks = me.rsplit(":", 2)
    with dg.instance_for_test() as instance:
        alive = _run(instance, processes.process_tags())
        gone = _run(instance, {processes.PROCESS_TAG: f"{boot}:{gone_pid}:1"})
        reused = _run(instance, {processes.PROCESS_TAG: f"{boot}:{pid}:{int(ticks) - 1}"})
        rebooted = _run(instance, {processes.PROCESS_TAG: f"another-boot:{pid}:{ticks}"})
        elsewhere = _run(
            instance,
            {
                processes.PROCESS_TAG: f"{boot}:{gone_pid}:1",
                processes.HOST_TAG: socket.gethostname() + "-other",
            },
        )
        untold = _run(instance, {})  # no tag, no RUN_START event: Dagster's monitoring decides

        recovered = {r.run_id: r for r in recovery.recover_dead_runs(instance)}

        assert set(recovered) == {gone.run_id, reused.run_id, rebooted.run_id}
        assert "no longer exists" in recovered[gone.run_id].why
        assert "another process" in recovered[reused.run_id].why
        assert "restarted" in recovered[rebooted.run_id].why
        for run in (alive, elsewhere, untold):
            assert _status(instance, run) == dg.DagsterRunStatus.STARTED
        for run in (gone, reused, rebooted):
            assert _status(instance, run) == dg.DagsterRunStatus.FAILURE
        assert recovery.recover_dead_runs(instance) == []  # once is enough
        assert os.getpid() == int(pid)
