"""The nightly load: every operation of raw/ that changed since it was last published, in
one run, at 02:00 Europe/Paris (nothing new: no run).

The time and zone are configuration: JAD_NIGHTLY_CRON (default '0 2 * * *') and
JAD_NIGHTLY_TIMEZONE (default 'Europe/Paris'), read in orchestration/settings.py.
"""

import dagster as dg

from orchestration.automation.jobs import load_warehouse
from orchestration.automation.sensors import recover
from orchestration.load_plan import plan_load
from orchestration.partitions import discovered_operations, partition_tags, register_operations
from orchestration.settings import Paths, nightly_cron, nightly_timezone


def build_nightly_schedule(paths: Paths) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="nightly_load",
        job=load_warehouse,
        cron_schedule=nightly_cron(),
        execution_timezone=nightly_timezone(),
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Loads whatever has arrived in raw/ overnight: the changed operations, one run.",
    )
    def nightly_load(context: dg.ScheduleEvaluationContext):
        recover(context)  # a killed run would keep the daemon from launching this one
        operations = discovered_operations(paths)
        if not operations:
            return dg.SkipReason(f"{paths.raw_dir} holds no operation")
        plan = plan_load(paths, operations)
        if not plan.operations:
            return dg.SkipReason(f"nothing new: {plan.up_to_date} operation(s) up to date")
        register_operations(context.instance, operations)
        return dg.RunRequest(
            run_key=context.scheduled_execution_time.isoformat(),
            tags={**partition_tags(context.instance, plan.operations), "jad/trigger": "schedule"},
        )

    return nightly_load
