"""The load as a Dagster job: every asset and check, in process (the
multiprocess executor re-imports the code for every step, ~10 s each here)."""

import dagster as dg

from orchestration.partitions import OPERATIONS

load_warehouse = dg.define_asset_job(
    name="load_warehouse",
    selection=dg.AssetSelection.all(),
    partitions_def=OPERATIONS,
    executor_def=dg.in_process_executor,
    tags={"jad/load": "warehouse"},
    description="Land raw/, build the dbt models, run the checks, publish the warehouse if they pass.",
)
