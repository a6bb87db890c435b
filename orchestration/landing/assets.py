"""The landing asset: raw/ -> the `raw` schema of the build database.

One multi-asset writes every `raw.*` table, because one reading of a file produces all of
them; each table is its own asset key so that dbt's sources join the graph (`raw/observations`
is both this asset and the dbt source).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration import processes, progress
from orchestration.changes import build as build_state
from orchestration.changes import plan as load_plan
from orchestration.ingest.versions import reader_version
from orchestration.ingest.vocabulary import cached_vocabulary
from orchestration.landing import withheld
from orchestration.landing.land import land_operations, purge_operations
from orchestration.landing.raw_tables import SOURCE_TABLES
from orchestration.markdown import literal
from orchestration.partitions import FORCE_TAG, ONE_RUN, OPERATIONS, discovered_operations
from orchestration.quality.validation import forget_validations, warm_up
from orchestration.raw_layout import MANIFEST
from orchestration.resources import WarehouseResource

OWNER = "team:data-engineering"


def known_operations(con) -> set[str]:
    """The operations the build holds (landed manifests, or manifests that failed)."""
    rows = con.execute(
        "select operation_id from raw.operations union select operation_id from raw.manifest_problems"
    ).fetchall()
    return {r[0] for r in rows}


RAW_DESCRIPTIONS = {
    "operations": "One row per operation manifest (raw/<operation_id>/operation.yaml).",
    "participants": "Participating countries of each operation, from its manifest.",
    "published_sources": "Who published each operation's figures: one row per source, the primary one marked.",
    "published_figures": "Figures each source of an operation published, with their qualifiers.",
    "submissions": "One row per submitted file (by sha256): format, encoding, country, status.",
    "file_sightings": "Every path under which a file's content was seen, and when.",
    "sheets": "Sheets of each accepted file, with their count of non-empty cells.",
    "cells": "Every non-empty cell of every accepted file: the inventory for conservation.",
    "observations": "One row per value cell: labels, day, unit, raw text, parsed value.",
    "ignored_cells": "Cells deliberately not read as figures (titles, headers, notes), by rule.",
    "quarantine": "Rejected files and unreadable cells, with reason codes and messages.",
    "privacy_drops": "Columns of personal data left out: file, sheet, column, how many values (never the values).",
}

RAW_SPECS = [
    dg.AssetSpec(
        key=dg.AssetKey(["raw", table]),
        description=RAW_DESCRIPTIONS[table],
        group_name="landing",
        owners=[OWNER],
        kinds={"duckdb", "python"},
        partitions_def=OPERATIONS,
        code_version=reader_version(),
    )
    for table in SOURCE_TABLES
]


@dg.multi_asset(
    specs=RAW_SPECS,
    name="land_raw_files",
    pool="warehouse_writer",
    partitions_def=OPERATIONS,
    backfill_policy=ONE_RUN,
)
def land_raw_files(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, duckdb: DuckDBResource
):
    """Read every new or changed file of raw/<operation_id>/submissions/ (by content hash)
    and land its cells, observations, ignored cells and quarantine with file/sheet/cell
    provenance. Files already landed by this reader are not read again."""
    paths = warehouse.paths
    if processes.PROCESS_TAG not in context.run.tags:  # started by the daemon: say who runs it
        context.instance.add_run_tags(context.run.run_id, processes.process_tags())
    progress.current().stage("Landing raw files")
    vocabulary = cached_vocabulary()
    version = reader_version()
    summaries = []
    with duckdb.get_connection() as con:
        operation_dirs = []
        for operation_id in context.partition_keys:
            operation_dir = paths.raw_dir / operation_id
            if (operation_dir / MANIFEST).exists():
                operation_dirs.append(operation_dir)
            else:
                context.log.warning(f"{operation_id}: no {MANIFEST} under {paths.raw_dir}; skipped")
        build_state.pending_operations(con)  # creates the raw schema where it is missing
        removed = sorted(known_operations(con) - set(discovered_operations(paths)))
        if removed:
            purge_operations(con, removed)
            withheld.forget(paths.withheld_dir, removed)
            load_plan.forget_operations(paths, removed)
            context.log.info(f"left raw/, left the build: {', '.join(removed)}")
        summaries = land_operations(
            con,
            operation_dirs,
            vocabulary,
            version,
            withheld_dir=paths.withheld_dir,
        )
        load_plan.record_landed(paths, {s.operation_id: s.contents for s in summaries})
        if context.run.tags.get(FORCE_TAG) == "true":  # --force: validated again, whatever
            forget_validations(con, [s.operation_id for s in summaries])
        if build_state.pending_operations(con) or context.run.tags.get(FORCE_TAG) == "true":
            # this load's check will validate: Great Expectations is imported in a thread
            # while dbt builds in its own process (after landing: not competing with it)
            warm_up()
        for summary in summaries:
            progress.current().landed(summary)
            context.log.info(
                f"{summary.operation_id}: {summary.files_seen} files, {summary.files_read} read, "
                f"{summary.files_unchanged} unchanged, {summary.files_rejected} rejected, "
                f"{summary.observations} observations, {summary.quarantined} quarantined"
            )
            for rejection in summary.rejected:
                context.log.warning(f"rejected {rejection}")
        counts = {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in SOURCE_TABLES
        }
    files = dg.MetadataValue.md(
        "| operation | files | read | unchanged | rejected | observations | quarantined |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(
            f"| {literal(s.operation_id)} | {s.files_seen} | {s.files_read} | {s.files_unchanged} | "
            f"{s.files_rejected} | {s.observations} | {s.quarantined} |"
            for s in summaries
        )
    )
    for table in SOURCE_TABLES:
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(["raw", table]),
            metadata={
                "dagster/row_count": counts[table],
                "operations": len(summaries),
                "files_read_this_run": sum(s.files_read for s in summaries),
                "quarantined_this_run": sum(s.quarantined for s in summaries),
                "reader_version": version,
                "landing": files,
            },
        )
