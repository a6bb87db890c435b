"""Operations as partitions: one per raw/<operation_id>/, discovered, never listed in code.

A load names the operations it covers; the landing and dbt assets work on those only, so
one operation can be loaded or reloaded alone and the UI shows each one's state.
"""

from __future__ import annotations

import dagster as dg

from orchestration.raw_layout import discover_operations
from orchestration.settings import Paths

OPERATIONS = dg.DynamicPartitionsDefinition(name="operation")
# The tag of a forced load (`jadwh load --force`): its operations are validated again.
FORCE_TAG = "jad/force"
# One run for many operations: one landing step and one `dbt build`, never one per operation.
ONE_RUN = dg.BackfillPolicy.single_run()


def discovered_operations(paths: Paths) -> list[str]:
    return [folder.name for folder in discover_operations(paths.raw_dir)]


def register_operations(instance: dg.DagsterInstance, operation_ids: list[str]) -> list[str]:
    """Add the operations Dagster does not know yet; returns the ones added."""
    known = set(instance.get_dynamic_partitions(OPERATIONS.name))
    new = [op for op in operation_ids if op not in known]
    if new:
        instance.add_dynamic_partitions(OPERATIONS.name, new)
    return new


def range_tags(operation_ids: list[str]) -> dict[str, str]:
    """Run tags that select operations as one partition range (registration order)."""
    return {
        "dagster/asset_partition_range_start": operation_ids[0],
        "dagster/asset_partition_range_end": operation_ids[-1],
    }


def partition_tags(instance: dg.DagsterInstance, operation_ids: list[str]) -> dict[str, str]:
    """Run tags for the operations of one load: one partition, or the smallest range (in
    registration order) that holds them all. New files usually arrive for the latest
    operations, so the range is short; an operation inside it that did not change is
    landed again as a no-op (its files are known by content)."""
    if len(operation_ids) == 1:
        return {"dagster/partition": operation_ids[0]}
    known = instance.get_dynamic_partitions(OPERATIONS.name)
    wanted = set(operation_ids)
    positions = [i for i, op in enumerate(known) if op in wanted]
    return range_tags([known[positions[0]], known[positions[-1]]])
