"""The published warehouse as the last asset of the graph: it runs only when every model
upstream was built and every blocking check upstream passed."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration import load_plan, progress
from orchestration.publish.atomic import publish
from orchestration.publish.lock import exclusive_load
from orchestration.quality import gate
from orchestration.reports.formatting import figure
from orchestration.resources import WarehouseResource
from orchestration.transform.assets import jad_dbt_models

PUBLISHED_KEY = dg.AssetKey(["warehouse", "published"])
_UPSTREAM_GROUPS = ("marts", "audit")


def _published_inputs() -> list[dg.AssetKey]:
    return [spec.key for spec in jad_dbt_models.specs if spec.group_name in _UPSTREAM_GROUPS]


@dg.asset(
    key=PUBLISHED_KEY,
    deps=_published_inputs(),
    group_name="publish",
    owners=["team:data-engineering"],
    kinds={"duckdb"},
    pool="warehouse_writer",
    op_tags=gate.RUNS_LAST,
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """warehouse/jad.duckdb (JAD_WAREHOUSE): a copy of the build database, swapped in by
    atomic rename. Analysts open it read-only and never see a half-built warehouse.

    It runs only when every blocking check upstream passed, and checks the build itself
    again (orchestration/quality/gate.py), so that no way of starting it publishes a
    build that does not add up."""
    paths = warehouse.paths
    progress.current().stage("Publishing")
    with exclusive_load(paths.load_lock):  # nobody writes the build while it is copied
        with duckdb.get_connection() as con:
            findings = gate.blocking_findings(con)
            if findings:
                raise dg.Failure(
                    description=f"Not published: {len(findings)} blocking finding(s); "
                    f"{paths.warehouse} stays the last good warehouse.\n"
                    + "\n".join(f"- {f.check}: {f.message}" for f in findings[:30]),
                    metadata={"blocking_findings": len(findings)},
                )
            counts = dict(
                con.execute(
                    """
                    select schema_name || '.' || table_name, estimated_size
                    from duckdb_tables() where schema_name in ('marts', 'audit')
                    """
                ).fetchall()
            )
            reconciled = con.execute("select count(*) from marts.reconciliation").fetchone()[0]
            preview = con.execute(
                """
                select operation_id, metric_code, value, unit, countries_reporting
                from marts.fct_operation_results order by operation_id, metric_code limit 40
                """
            ).fetchall()
        record = publish(
            paths, context.run_id, {"tables": counts, "reconciliation_checks_passed": reconciled}
        )
        with duckdb.get_connection() as con:
            load_plan.record_published(con)  # after the swap: a crash before it only repeats work
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(paths.warehouse)),
            "size_bytes": record["size_bytes"],
            "published_at": record["published_at"],
            "operation_results": dg.MetadataValue.md(
                "| operation | metric | value | unit | countries |\n|---|---|---:|---|---:|\n"
                + "\n".join(
                    f"| {op} | {metric} | {figure(value)} | {unit} | {n} |"
                    for op, metric, value, unit, n in preview
                )
            ),
        }
    )
