"""Runs whose process is gone: found, marked failed, and their pool claims freed.

A run killed with SIGKILL (or lost with its machine) on a persistent Dagster instance
(`DAGSTER_HOME`, as `make run` and `make ui` set it) stays STARTED for ever and keeps its
claim on the `warehouse_writer` pool: the next run that needs the pool waits on it for ever,
and the daemon's run queue counts it as in progress and launches nothing. An
ephemeral instance hides this: it dies with its run.

So before a load starts a run (`jadwh load`), and at every tick of the nightly schedule and
of the sensor on raw/ (the daemon's path), `recover_dead_runs` looks at every run the
instance believes in progress and asks whether its process still exists:

- a run started by `jadwh load`, or whose landing step ran, carries the identity of its
  process in the run tag `jad/process`: the machine's boot id, the pid and the process's
  start time in clock ticks since boot. The process is alive when that pid exists, is not
  a zombie and started at that very tick: a pid reused by another process, a reboot, or a
  wall clock that jumped cannot fool it;
- any other run is judged by the pid Dagster records in its RUN_START event (the run
  worker's): gone when no such process exists, it is a zombie, or it started after the run
  did (the pid was reused);
- a run with no process recorded yet (STARTING, launched by the daemon, not yet started)
  is left to Dagster's run monitoring (`start_timeout_seconds` in dagster.yaml).

A run found dead is marked failed with a sentence that says why, and every pool claim it
holds (claimed slots and pending steps) is freed; so are the claims of runs that already
ended. Only runs of this machine are judged: a run tagged `jad/host` with another host name
is left alone.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.storage.dagster_run import RunsFilter

from orchestration.processes import HOST_TAG, PROCESS_TAG, boot_id, process_stat

# a pid seen in a run's RUN_START event belongs to a later process when that process
# started more than this after the event (start times have a 1/100 s resolution)
REUSE_MARGIN_SECONDS = 5.0
# how often a load that waits for the pool looks for dead holders
WATCH_SECONDS = 5.0


@dataclass(frozen=True)
class Recovered:
    run_id: str
    status: str  # what the instance believed: STARTED, STARTING, CANCELING, NOT_STARTED, ...
    why: str  # why the run was taken for dead, or why only its claims were freed
    marked_failed: bool
    claims_freed: bool

    def sentence(self) -> str:
        """One sentence for the person who runs the load."""
        what = "marked failed" if self.marked_failed else "left as it was"
        freed = ", its claim on the warehouse_writer pool freed" if self.claims_freed else ""
        return f"run {self.run_id[:8]} ({self.status.lower()}) {self.why}: {what}{freed}"


def _gone_by_identity(identity: str) -> str | None:
    """Why the process of `identity` is gone, or None while it runs."""
    try:
        boot, pid_text, ticks_text = identity.rsplit(":", 2)
        pid, ticks = int(pid_text), int(ticks_text)
    except ValueError:
        return None  # not ours to judge
    if boot != boot_id():
        return f"was running in process {pid} before the machine restarted"
    stat = process_stat(pid)
    if stat is None:
        return f"lost its process {pid} (it no longer exists)"
    state, started = stat
    if state in ("Z", "X"):
        return f"lost its process {pid} (it died and was not yet reaped)"
    if started != ticks:
        return f"lost its process {pid} (the number now belongs to another process)"
    return None


def _boot_time() -> float | None:
    with contextlib.suppress(OSError, ValueError, StopIteration):
        line = next(
            line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
        return float(line.split()[1])
    return None


def _gone_by_event(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """Why the run worker Dagster recorded at the run's start is gone, or None while it runs
    (or when no worker was recorded yet)."""
    entries = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_START)
    event = entries[-1].dagster_event if entries else None
    pid = event.pid if event is not None else None
    if pid is None:
        return None
    stat = process_stat(pid)
    if stat is None:
        return f"lost its process {pid} (it no longer exists)"
    state, ticks = stat
    if state in ("Z", "X"):
        return f"lost its process {pid} (it died and was not yet reaped)"
    boot = _boot_time()
    if boot is not None:
        started = boot + ticks / os.sysconf("SC_CLK_TCK")
        if started > entries[-1].timestamp + REUSE_MARGIN_SECONDS:
            return f"lost its process {pid} (the number now belongs to a later process)"
    return None


def _why_dead(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    host = run.tags.get(HOST_TAG)
    if host is not None and host != socket.gethostname():
        return None  # another machine's run: only it can tell
    identity = run.tags.get(PROCESS_TAG)
    if identity:
        return _gone_by_identity(identity)
    if run.status == dg.DagsterRunStatus.NOT_STARTED:
        return None
    return _gone_by_event(instance, run.run_id)


def _claiming_runs(instance: dg.DagsterInstance) -> set[str]:
    """Runs that hold a slot of a pool or wait in a pool's queue."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return set()
    runs = set(storage.get_concurrency_run_ids())
    for key in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(key)
        runs |= {slot.run_id for slot in info.claimed_slots}
        runs |= {step.run_id for step in info.pending_steps}
    return runs


def _free_claims(instance: dg.DagsterInstance, run_id: str) -> bool:
    if not instance.event_log_storage.supports_global_concurrency_limits:
        return False
    held = run_id in _claiming_runs(instance)
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return held


_recovering = threading.Lock()  # the load's watch and its own start never race each other


def recover_dead_runs(instance: dg.DagsterInstance) -> list[Recovered]:
    """Mark failed every run of this machine whose process is gone and free its pool claims;
    free the claims of runs that have ended. Returns what was done, one entry per run."""
    with _recovering:
        recovered: list[Recovered] = []
        active = instance.get_runs(
            RunsFilter(
                statuses=[
                    dg.DagsterRunStatus.STARTING,
                    dg.DagsterRunStatus.STARTED,
                    dg.DagsterRunStatus.CANCELING,
                    dg.DagsterRunStatus.NOT_STARTED,
                ]
            )
        )
        for run in active:
            why = _why_dead(instance, run)
            if why is None:
                continue
            instance.report_run_failed(
                run,
                message=f"jad-warehouse: this run {why}; it was marked failed by a later "
                "load so that its claim on the warehouse_writer pool no longer blocks loads.",
            )
            recovered.append(
                Recovered(
                    run.run_id, run.status.value, why, True, _free_claims(instance, run.run_id)
                )
            )
        for run_id in _claiming_runs(instance) - {r.run_id for r in active}:
            run = instance.get_run_by_id(run_id)
            if run is None:
                _free_claims(instance, run_id)
                recovered.append(Recovered(run_id, "deleted", "was deleted", False, True))
            elif run.is_finished:
                _free_claims(instance, run_id)
                recovered.append(Recovered(run_id, run.status.value, "had ended", False, True))
        return recovered


@contextlib.contextmanager
def watching(
    instance: dg.DagsterInstance,
    report: Callable[[Recovered], None] | None = None,
    every: float = WATCH_SECONDS,
) -> Iterator[list[Recovered]]:
    """While the body runs, look for dead runs every `every` seconds (a holder of the pool
    may die while this load waits for it); `report` hears of each at once. Yields the list
    of what it recovered."""
    found: list[Recovered] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            with contextlib.suppress(Exception):  # a watch must never break the load
                for recovered in recover_dead_runs(instance):
                    found.append(recovered)
                    if report is not None:
                        report(recovered)

    thread = threading.Thread(target=watch, name="jad-dead-run-watch", daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join(timeout=30)
