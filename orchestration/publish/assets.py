"""The published warehouse as the last asset of the graph: it runs only when every model
upstream was built and every blocking check upstream passed."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration import load_plan, progress
from orchestration.formatting import figure
from orchestration.load_lock import exclusive_load
from orchestration.markdown import literal
from orchestration.publish.atomic import publish
from orchestration.quality import gate
from orchestration.resources import WarehouseResource
from orchestration.transform.assets import jad_dbt_models

PUBLISHED_KEY = dg.AssetKey(["warehouse", "published"])
_UPSTREAM_GROUPS = ("marts", "audit")


def _unchanged(paths) -> str:
    """What an analyst has meanwhile: the last good warehouse, or none yet."""
    if paths.warehouse.exists():
        return f"{paths.warehouse} stays the last good warehouse."
    return f"no warehouse has been published at {paths.warehouse} yet."


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
    """warehouse/jad.duckdb (JAD_WAREHOUSE): every operation as of its last load that passed
    its own checks, composed privately and swapped in by atomic rename. Analysts open it
    read-only and never see a half-built warehouse.

    It reads the blocking findings of the build itself (orchestration/quality/gate.py): an
    operation with findings is held back (the warehouse keeps its last good state of it, or
    leaves it out if none passed) and every other operation is published; findings about
    the build as a whole (a dbt model or test that failed) publish nothing.
    audit.operation_status says which operations are current and why the others are not."""
    paths = warehouse.paths
    progress.current().stage("Publishing")
    with exclusive_load(paths.load_lock):  # nobody writes the build while it is copied
        with duckdb.get_connection() as con:
            findings = gate.blocking_findings(con)
            doubts = gate.build_findings(findings)
            if doubts:
                raise dg.Failure(
                    description=f"Not published: the build itself is in doubt; "
                    f"{_unchanged(paths)}\n"
                    + "\n".join(f"- {f.check}: {f.message}" for f in doubts[:30]),
                    metadata={"blocking_findings": len(doubts)},
                )
            held = {
                operation: [f"{f.check}: {f.message}" for f in found]
                for operation, found in gate.held_back(findings).items()
            }
            counts = dict(
                con.execute(
                    """
                    select schema_name || '.' || table_name, estimated_size
                    from duckdb_tables() where schema_name in ('marts', 'audit')
                    """
                ).fetchall()
            )
            reconciled = con.execute("select count(*) from marts.reconciliation").fetchone()[0]
        record = publish(
            paths,
            context.run_id,
            {"tables": counts, "reconciliation_checks": reconciled},
            held,
        )
        with duckdb.get_connection() as con:
            # after the swap: a crash before it only repeats work
            load_plan.record_published(con, [op for op in record["operations"] if op not in held])
            load_plan.record_held_back(con, list(held))
    for operation, reasons in held.items():
        context.log.warning(
            f"{operation} held back ({len(reasons)} blocking finding(s)); the warehouse keeps "
            f"its last good state of it. First: {reasons[0]}"
        )
    with warehouse.connection_to_published() as published:
        preview = published.execute(
            """
            select operation_id, metric_code, value, unit, countries_reporting
            from marts.fct_operation_results order by operation_id, metric_code limit 40
            """
        ).fetchall()
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(paths.warehouse)),
            "size_bytes": record["size_bytes"],
            "published_at": record["published_at"],
            "operations": dg.MetadataValue.md(
                "| operation | status | since | findings |\n|---|---|---|---:|\n"
                + "\n".join(
                    f"| {literal(op)} | {state['status']} | {state['held_back_since'] or state['published_at'] or ''} "
                    f"| {state['findings']} |"
                    for op, state in record["operations"].items()
                )
            ),
            "operation_results": dg.MetadataValue.md(
                "| operation | metric | value | unit | countries |\n|---|---|---:|---|---:|\n"
                + "\n".join(
                    f"| {literal(op)} | {metric} | {figure(value)} | {unit} | {n} |"
                    for op, metric, value, unit, n in preview
                )
            ),
        }
    )
