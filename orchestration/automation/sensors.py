"""A load as soon as a file in raw/ is new or changed, not at the next night.

The sensor decides from the same record as `jadwh load` and the nightly schedule: the load
plan (load_plan.py) compares each operation's fingerprint now (its files by sha256, the
reader, the models) with the fingerprint the last publish recorded for it. So a load
published from the command line is known to the sensor at its next tick, and nothing is
loaded twice. The sensor keeps no cursor: the hashes of unchanged files are remembered by
the plan's own cache (raw_files.scan_remembered), so a tick hashes only what changed.

Each operation that needs a load gets one run, whose run_key is derived from content (from
the fingerprint recorded to the fingerprint now), so the same load is never requested
twice; new operations become partitions. While a load holds the build, a tick asks for
nothing; an operation that a queued or running run covers is not asked for again (once
that run has published, what changed meanwhile differs from its record and is asked for).
"""

import dagster as dg

from orchestration.automation import recovery
from orchestration.automation.jobs import load_warehouse
from orchestration.changes.plan import plan_load
from orchestration.load_lock import unless_loading
from orchestration.partitions import OPERATIONS, discovered_operations, operations_in_progress
from orchestration.settings import Paths


def build_raw_files_sensor(paths: Paths) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_files_sensor",
        job=load_warehouse,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Starts a load of an operation when a file under {paths.raw_dir} is new or changed (by sha256).",
    )
    def raw_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        recover(context)  # a killed run would keep the daemon from launching this one
        operations = discovered_operations(paths)
        if not operations:
            return dg.SkipReason(f"{paths.raw_dir} holds no operation")
        with unless_loading(paths.load_lock, wait_seconds=0) as free:
            pass  # only a look: the plan reads records outside the build database
        if not free:
            return dg.SkipReason("a load is running: what it leaves to do is asked for after it")
        plan = plan_load(paths, operations)
        running = operations_in_progress(context.instance)
        wanted = [op for op in plan.operations if op not in running]
        known = set(context.instance.get_dynamic_partitions(OPERATIONS.name))
        new_operations = [op for op in operations if op not in known]
        if not wanted and not new_operations:
            busy = f", {len(running)} in a run under way" if running else ""
            return dg.SkipReason(f"nothing new: {plan.up_to_date} operation(s) up to date{busy}")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=plan.run_key(op), partition_key=op, tags={"jad/trigger": "sensor"}
                )
                for op in sorted(wanted)
            ],
            dynamic_partitions_requests=(
                [OPERATIONS.build_add_request(new_operations)] if new_operations else []
            ),
        )

    return raw_files_sensor


def recover(context: dg.SensorEvaluationContext | dg.ScheduleEvaluationContext) -> None:
    """Before a tick asks for a run: runs whose process is gone are marked failed and their
    pool claims freed (recovery.py), or the daemon's queue would count them for ever."""
    for recovered in recovery.recover_dead_runs(context.instance):
        context.log.warning(f"Recovered: {recovered.sentence()}")
