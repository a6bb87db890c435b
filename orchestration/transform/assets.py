"""dbt models, seeds and tests as Dagster assets and asset checks: one `dbt build` per load.

The build covers the operations of the run whose raw data changed since a build last
covered them (`raw.pending_operations`); the incremental models rebuild those operations'
rows only. When the models themselves changed, every operation is rebuilt (--full-refresh).
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import build_state, progress
from orchestration.partitions import ONE_RUN, OPERATIONS
from orchestration.publish.lock import exclusive_load
from orchestration.resources import BuildDuckDBResource, WarehouseResource
from orchestration.settings import dbt_project_dir
from orchestration.transform.project import dbt_project
from orchestration.transform.translator import JadDbtTranslator


# No `project=`: dagster-dbt would then run dbt in that folder whatever the resource says,
# and a deployment (or a test) with its own vocabulary sets JAD_DBT_PROJECT_DIR instead.
@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=JadDbtTranslator(),
    pool="warehouse_writer",
    partitions_def=OPERATIONS,
    backfill_policy=ONE_RUN,
)
def jad_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    duckdb: BuildDuckDBResource,
):
    """Vocabulary seeds, staging, intermediate, marts and audit models, with their dbt tests."""
    warehouse.export_for_dbt()
    progress.current().stage("Building the models (dbt)")
    started = build_state.now()
    version = build_state.model_version(dbt_project_dir())
    with duckdb.get_connection() as con:
        pending = build_state.pending_operations(con)
        models_changed = build_state.read_state(con, "model_version") != version
    if models_changed:
        scope = None
        args = ["build", "--full-refresh"]
        context.log.info("the dbt models changed since the last build: every operation is rebuilt")
    else:
        scope = sorted(pending & set(context.partition_keys))
        args = ["build", "--vars", json.dumps({"operation_ids": scope})]
        context.log.info(f"operations rebuilt: {', '.join(scope) or 'none (nothing changed)'}")
    with exclusive_load(warehouse.paths.load_lock), progress.current().tool_output():
        yield from dbt.cli(args, context=context).stream()
    with duckdb.get_connection() as con:  # reached only when dbt succeeded
        build_state.clear_pending(con, scope, started)
        build_state.write_state(con, "model_version", version)
        build_state.write_state(
            con, "last_scope", json.dumps(scope) if scope is not None else build_state.ALL
        )
