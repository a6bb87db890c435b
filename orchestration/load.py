"""One load: every asset materialised through Dagster, in process, under the load lock.

In process because the multiprocess executor re-imports the code for every step (~10 s
each here, FIELD-NOTES); one `dbt build` per load, never one per file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.code_location import ASSETS, CHECKS
from orchestration.partitions import (
    OPERATIONS,
    discovered_operations,
    range_tags,
    register_operations,
)
from orchestration.publish.assets import PUBLISHED_KEY
from orchestration.publish.lock import exclusive_load
from orchestration.resources import resources_for
from orchestration.settings import PROJECT_ROOT, Paths


@dataclass
class LoadOutcome:
    success: bool
    run_id: str
    published: bool
    failed_steps: list[str]
    step_seconds: dict[
        str, float
    ]  # wall time of each Dagster step, for summaries and the benchmark


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
) -> LoadOutcome:
    """Load every operation of raw/ (or one), check it, publish it if it passes."""
    instance = instance or dagster_instance()
    operations = discovered_operations(paths)
    if operation is not None:
        if operation not in operations:
            raise NothingToLoad(f"{paths.raw_dir / operation} holds no operation.yaml")
        operations = [operation]
    if not operations:
        raise NothingToLoad(f"{paths.raw_dir} holds no operation (no */operation.yaml)")
    register_operations(instance, operations)
    tags = {"jad/trigger": trigger}
    partition_key = None
    if len(operations) == 1:
        partition_key = operations[0]
    else:
        known = instance.get_dynamic_partitions(OPERATIONS.name)
        tags |= range_tags([known[0], known[-1]])
    with exclusive_load(paths.load_lock, wait_seconds):
        result = dg.materialize(
            [*ASSETS, *CHECKS],
            resources=resources_for(paths),
            instance=instance,
            partition_key=partition_key,
            raise_on_error=False,
            tags=tags,
            run_config=QUIET if quiet else None,
        )
    published = any(
        event.asset_key == PUBLISHED_KEY for event in result.get_asset_materialization_events()
    )
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return LoadOutcome(
        result.success, result.run_id, published, failed, _step_seconds(instance, result.run_id)
    )


def _step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
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
