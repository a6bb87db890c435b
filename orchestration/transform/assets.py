"""dbt models, seeds and tests as Dagster assets and asset checks: one `dbt build` per load."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.resources import WarehouseResource
from orchestration.transform.project import dbt_project
from orchestration.transform.translator import JadDbtTranslator


# No `project=`: dagster-dbt would then run dbt in that folder whatever the resource says,
# and a deployment (or a test) with its own vocabulary sets JAD_DBT_PROJECT_DIR instead.
@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=JadDbtTranslator(),
    pool="warehouse_writer",
)
def jad_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Vocabulary seeds, staging, intermediate, marts and audit models, with their dbt tests."""
    warehouse.export_for_dbt()
    yield from dbt.cli(["build"], context=context).stream()
