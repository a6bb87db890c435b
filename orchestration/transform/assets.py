"""dbt models, seeds and tests as Dagster assets and asset checks: one `dbt build` per load.

The build covers the operations of the run whose raw data changed since a build last
covered them (`raw.pending_operations`); the incremental models rebuild those operations'
rows only. When the models themselves changed, every operation is rebuilt (--full-refresh).
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import build_state, progress
from orchestration.load_lock import exclusive_load
from orchestration.partitions import ONE_RUN, OPERATIONS
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
    version = build_state.model_version(dbt_project_dir())
    seeds = build_state.seeds_version(dbt_project_dir())
    with duckdb.get_connection() as con:
        pending = build_state.pending_operations(con)
        landed_up_to = build_state.landings(con)  # what lands after this stays pending
        models_changed = build_state.read_state(con, "model_version") != version
        seeds_changed = build_state.read_state(con, "seeds_version") != seeds
        build_state.write_scope(con, sorted(pending & set(context.partition_keys)))
    if models_changed:
        scope = None
        args = ["build", "--full-refresh", "--vars", json.dumps({"use_build_scope": True})]
        context.log.info("the dbt models changed since the last build: every operation is rebuilt")
    else:
        scope = sorted(pending & set(context.partition_keys))
        args = ["build", "--vars", json.dumps({"use_build_scope": True})]
        context.log.info(f"operations rebuilt: {', '.join(scope) or 'none (nothing changed)'}")
    if not (models_changed or seeds_changed):
        # the vocabulary tables are as they were: build models and run every test, seeds not
        args += ["--select", "resource_type:model resource_type:test"]
    # dbt's unit tests check the models' logic on made-up rows, not this load's data: the
    # test suite runs them (tests/pipeline/test_dbt_unit_tests.py); a load need not wait.
    args += ["--exclude-resource-type", "unit_test"]
    # One target folder per deployment, kept between loads: dbt reuses its partial parse
    # (a fresh folder per run would parse the whole project again, 2 s here).
    target = warehouse.paths.build_dir / "dbt_target"
    with exclusive_load(warehouse.paths.load_lock), progress.current().tool_output():
        yield from dbt.cli(args, context=context, target_path=target).stream()
    with duckdb.get_connection() as con:  # reached only when dbt succeeded
        build_state.clear_pending(con, scope, landed_up_to)
        build_state.write_state(con, "model_version", version)
        build_state.write_state(con, "seeds_version", seeds)
        build_state.write_state(
            con, "last_scope", json.dumps(scope) if scope is not None else build_state.ALL
        )
