"""The operation reports as the last asset of a load, written from the published warehouse."""

import dagster as dg

from orchestration import build_state, connections
from orchestration.markdown import literal
from orchestration.publish.assets import PUBLISHED_KEY
from orchestration.reports.operation_report import write_reports
from orchestration.resources import BuildDuckDBResource, WarehouseResource


@dg.asset(
    key=dg.AssetKey(["warehouse", "operation_reports"]),
    deps=[PUBLISHED_KEY],
    group_name="publish",
    owners=["team:data-stewards"],
    kinds={"html"},
)
def operation_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, duckdb: BuildDuckDBResource
) -> dg.MaterializeResult:
    """warehouse/reports/<operation_id>.html: one self-contained page per operation, for
    coordinators — headline figures against the published ones, each country's share,
    arrests by charge, quarantine, files; every number links to its source cell. Only the
    operations this load rebuilt (and any without a page yet) are written again."""
    paths = warehouse.paths
    with duckdb.get_connection() as con:
        rebuilt = build_state.last_scope(con)  # None: every operation
    published = connections.connect(paths.warehouse, read_only=True)
    try:
        operations = [
            r[0]
            for r in published.execute(
                """select operation_id from marts.dim_operation
                   union
                   select operation_id from audit.operation_status
                   where status = 'never_published'"""
            ).fetchall()
        ]
    finally:
        published.close()
    stale = [
        op
        for op in operations
        if rebuilt is None or op in rebuilt or not (paths.reports_dir / f"{op}.html").exists()
    ]
    written = (
        write_reports(paths.warehouse, paths.raw_dir, paths.reports_dir, stale) if stale else []
    )
    return dg.MaterializeResult(
        metadata={
            "written": dg.MetadataValue.md(
                "\n".join(f"- [{literal(p.name)}](<{p.as_uri()}>)" for p in written)
                or "none changed"
            ),
            "count": len(written),
        }
    )
