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


def run_load(
    paths: Paths, wait_seconds: float | None = None, instance: dg.DagsterInstance | None = None
) -> LoadOutcome:
    with exclusive_load(paths.load_lock, wait_seconds):
        result = dg.materialize(
            [*ASSETS, *CHECKS],
            resources=resources_for(paths),
            instance=instance or dagster_instance(),
            raise_on_error=False,
            tags={"jad/trigger": "cli"},
        )
    published = any(
        event.asset_key == PUBLISHED_KEY for event in result.get_asset_materialization_events()
    )
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return LoadOutcome(result.success, result.run_id, published, failed)
