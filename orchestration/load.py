"""One load: every asset materialised through Dagster, in process, under the load lock.

In process because the multiprocess executor re-imports the code for every step (~10 s
each here); one `dbt build` per load, never one per file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from orchestration import processes, progress
from orchestration.automation import recovery
from orchestration.code_location import ASSETS, CHECKS
from orchestration.load_lock import exclusive_load
from orchestration.load_plan import plan_load
from orchestration.partitions import (
    FORCE_TAG,
    discovered_operations,
    partition_tags,
    register_operations,
)
from orchestration.publish.assets import PUBLISHED_KEY
from orchestration.publish.atomic import last_publish
from orchestration.resources import resources_for
from orchestration.settings import PROJECT_ROOT, Paths


@dataclass
class LoadOutcome:
    success: bool
    run_id: str | None  # None: nothing was new, no run was needed
    published: bool
    failed_steps: list[str]
    step_seconds: dict[str, float]  # wall time of each Dagster step, for summaries and bench
    operations: list[str] = field(default_factory=list)  # what the run covered
    up_to_date: int = 0  # operations left alone: published already with these inputs
    errors: list[str] = field(default_factory=list)  # the failing steps' messages
    # operation -> its status in the publish (current, held_back, never_published) and why
    statuses: dict[str, dict] = field(default_factory=dict)
    # runs of the instance whose process was gone, marked failed and their claims freed
    recovered: list[str] = field(default_factory=list)

    @property
    def held_back(self) -> dict[str, dict]:
        """The operations this run covered that did not pass their checks."""
        return {
            op: state
            for op, state in self.statuses.items()
            if state["status"] != "current" and op in self.operations
        }


def dagster_instance() -> dg.DagsterInstance:
    """The project's instance when DAGSTER_HOME is set (runs show in the UI), else ephemeral."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    Path(home).mkdir(parents=True, exist_ok=True)
    config = Path(home) / "dagster.yaml"
    if not config.exists():
        config.write_text((PROJECT_ROOT / "orchestration" / "dagster.yaml").read_text())
    return dg.DagsterInstance.get()


# On a terminal the progress bar tells the story; Dagster's step log goes to the UI.
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


class NothingToLoad(RuntimeError):
    pass


def run_load(
    paths: Paths,
    wait_seconds: float | None = None,
    instance: dg.DagsterInstance | None = None,
    operation: str | None = None,
    trigger: str = "cli",
    quiet: bool = False,
    force: bool = False,
) -> LoadOutcome:
    """Load the operations of raw/ that changed since they were last published (or the one
    named, or all when forced), check them, publish the warehouse if every check passes."""
    instance = instance or dagster_instance()
    operations = discovered_operations(paths)
    if operation is not None:
        if operation not in operations:
            raise NothingToLoad(f"{paths.raw_dir / operation} holds no operation.yaml")
        operations, force = [operation], True  # named: loaded whether it changed or not
    if not operations:
        raise NothingToLoad(f"{paths.raw_dir} holds no operation (no */operation.yaml)")
    with exclusive_load(paths.load_lock, wait_seconds):
        # a killed load's run would hold the pool for ever: found and freed first
        recovered = _recover(instance)
        plan = plan_load(paths, operations, force)
        if not plan.operations:
            return LoadOutcome(True, None, False, [], {}, [], plan.up_to_date, recovered=recovered)
        register_operations(instance, operations)
        with _watching(instance) as found_meanwhile:
            result = dg.materialize(
                [*ASSETS, *CHECKS],
                resources=resources_for(paths),
                instance=instance,
                raise_on_error=False,
                tags={
                    "jad/trigger": trigger,
                    **processes.process_tags(),
                    **({FORCE_TAG: "true"} if force else {}),
                    **partition_tags(instance, plan.operations),
                },
                run_config=QUIET if quiet else None,
            )
        recovered += [r.sentence() for r in found_meanwhile]
        published = any(
            event.asset_key == PUBLISHED_KEY for event in result.get_asset_materialization_events()
        )
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    record = last_publish(paths) if published else None
    outcome = LoadOutcome(
        result.success,
        result.run_id,
        published,
        [e.step_key for e in failures],
        _step_seconds(instance, result.run_id),
        plan.operations,
        plan.up_to_date,
        [_failure_message(e) for e in failures],
        (record or {}).get("operations", {}),
        recovered,
    )
    _remember_attempt(paths, outcome)
    return outcome


def _recover(instance: dg.DagsterInstance) -> list[str]:
    """Runs of a persistent instance whose process is gone: marked failed, claims freed
    (recovery.py); each said at once to whoever watches the load."""
    if instance.is_ephemeral:
        return []  # it dies with its runs
    sentences = [r.sentence() for r in recovery.recover_dead_runs(instance)]
    for sentence in sentences:
        progress.current().recovered(sentence)
    return sentences


def _watching(instance: dg.DagsterInstance):
    """While the run waits for the pool, a holder that dies is recovered too."""
    if instance.is_ephemeral:
        return contextlib.nullcontext([])
    return recovery.watching(instance, lambda r: progress.current().recovered(r.sentence()))


def _remember_attempt(paths: Paths, outcome: LoadOutcome) -> None:
    """What the last load did, published or not, for `jadwh status` and the report (a
    failed load is as much news to a steward as a published one)."""
    from orchestration.publish.atomic import write_json_atomically

    record = {
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "run_id": outcome.run_id,
        "operations": outcome.operations,
        "published": outcome.published,
        "held_back": outcome.held_back,
        "failed_steps": outcome.failed_steps,
        "errors": outcome.errors[:10],
    }
    with contextlib.suppress(OSError):  # a courtesy to `jadwh status`; the load's result stands
        write_json_atomically(record, paths.attempt_record)


def _failure_message(event: dg.DagsterEvent) -> str:
    error = event.step_failure_data.error if event.step_failure_data else None
    if error is None:
        return event.message or event.step_key
    while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
        error = error.cause
    if error.cls_name == "ManifestError" and error.message:
        # one sentence per problem of the manifest, each naming the file and the field
        return error.message.split(":", 1)[1].strip() if ": " in error.message else error.message
    return error.message.strip().splitlines()[0] if error.message else error.cls_name


def _step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    step_events = {
        dg.DagsterEventType.STEP_START,
        dg.DagsterEventType.STEP_SUCCESS,
        dg.DagsterEventType.STEP_FAILURE,
    }
    for entry in instance.all_logs(run_id, of_type=step_events):  # not every event of the run
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif (
            event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started
        ):
            seconds[event.step_key] = entry.timestamp - started[event.step_key]
    return seconds
