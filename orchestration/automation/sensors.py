"""A load as soon as a file in raw/ is new or changed, not at the next night.

The cursor holds every file's content hash: after a restart the sensor compares raw/ with
what it last saw, so it neither misses a file that arrived while it was down nor repeats
one it already loaded. Each changed operation gets one run (run_key = its content digest,
so even a lost cursor cannot start the same load twice), and new operations become
partitions.
"""

import dagster as dg

from orchestration.automation import raw_files, recovery
from orchestration.automation.jobs import load_warehouse
from orchestration.partitions import OPERATIONS
from orchestration.settings import Paths


def build_raw_files_sensor(paths: Paths) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_files_sensor",
        job=load_warehouse,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Starts a load of an operation when a file under {paths.raw_dir} is new or changed (by sha256).",
    )
    def raw_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        recover(context)  # a killed run would keep the daemon from launching this one
        before = raw_files.decode(context.cursor)
        now = raw_files.scan(paths.raw_dir, before)
        old_digests = raw_files.operation_digests(before)
        changed = {
            op: digest
            for op, digest in raw_files.operation_digests(now).items()
            if old_digests.get(op) != digest
        }
        known = set(context.instance.get_dynamic_partitions(OPERATIONS.name))
        new_operations = sorted(op for op in changed if op not in known)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=f"{op}:{digest}",
                    partition_key=op,
                    tags={"jad/trigger": "sensor"},
                )
                for op, digest in sorted(changed.items())
            ],
            cursor=raw_files.encode(now),
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
