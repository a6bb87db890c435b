"""The operation reports as the last asset of a load, written from the published warehouse."""

import dagster as dg

from orchestration.publish.assets import PUBLISHED_KEY
from orchestration.reports.operation_report import write_reports
from orchestration.resources import WarehouseResource


@dg.asset(
    key=dg.AssetKey(["warehouse", "operation_reports"]),
    deps=[PUBLISHED_KEY],
    group_name="publish",
    owners=["team:data-stewards"],
    kinds={"html"},
)
def operation_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """warehouse/reports/<operation_id>.html: one self-contained page per operation, for
    coordinators — headline figures against the published ones, each country's share,
    arrests by charge, quarantine, files; every number links to its source cell."""
    paths = warehouse.paths
    written = write_reports(paths.warehouse, paths.raw_dir, paths.reports_dir)
    return dg.MaterializeResult(
        metadata={
            "reports": dg.MetadataValue.md(
                "\n".join(f"- [{p.name}]({p.as_uri()})" for p in written)
            ),
            "count": len(written),
        }
    )
