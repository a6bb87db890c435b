"""The `raw` schema: the interface between ingestion (Python) and dbt (meaning).

One long table per kind of row, not a table per sheet (FIELD-NOTES: 111 tiny tables were 37x
larger and slower than one long table). Rows are appended in bulk through Arrow.
Every table is keyed by (operation_id, file_id) so that a file is replaced as a whole.
"""

from __future__ import annotations

import functools

import duckdb
import pyarrow as pa

RAW_TABLES: dict[str, str] = {
    "operations": """
        operation_id varchar, name varchar, start_date date, end_date date, lead varchar,
        coordinated_by varchar[], supported_by varchar[], published_source varchar,
        manifest_path varchar, manifest_sha256 varchar, loaded_at timestamp""",
    "participants": "operation_id varchar, country_code varchar",
    "published_sources": """
        operation_id varchar, source_number integer, source varchar, publisher varchar,
        published_date date, url varchar, is_primary boolean, countries_named varchar[],
        note varchar""",
    "published_figures": """
        operation_id varchar, figure_number integer, metric_code varchar, charge_code varchar,
        published_value double, qualifier varchar, scope varchar, source_number integer,
        source varchar""",
    "submissions": """
        operation_id varchar, file_id varchar, file_name varchar, relative_path varchar,
        size_bytes bigint, status varchar, format varchar, encoding varchar, delimiter varchar,
        language varchar, decimal_separator varchar, date_order varchar, country_code varchar,
        country_evidence varchar, report_date date, content_version integer,
        name_version integer, sheets integer, non_empty_cells integer, observations integer,
        ignored_cells integer, quarantined integer, is_present boolean,
        first_seen_at timestamp, loaded_at timestamp, reader_version varchar""",
    "file_sightings": """
        operation_id varchar, file_id varchar, relative_path varchar,
        first_seen_at timestamp, last_seen_at timestamp, is_present boolean""",
    "sheets": """
        operation_id varchar, file_id varchar, sheet_index integer, sheet_name varchar,
        n_rows integer, n_columns integer, non_empty_cells integer, tables integer,
        form_pairs integer""",
    "cells": """
        operation_id varchar, file_id varchar, sheet_name varchar, cell_ref varchar,
        row_number integer, column_number integer, raw_text varchar, cell_type varchar""",
    "observations": """
        operation_id varchar, file_id varchar, sheet_name varchar, cell_ref varchar,
        row_number integer, column_number integer, layout varchar, table_index integer,
        row_label varchar, column_label varchar, measure_labels varchar[],
        context_labels varchar[], period_text varchar, period_date date, is_total boolean,
        raw_text varchar, value_number double, value_status varchar, unit_text varchar,
        total_of varchar, value_decimals integer, period_cell_ref varchar,
        unit_cell_ref varchar""",
    "ignored_cells": """
        operation_id varchar, file_id varchar, sheet_name varchar, cell_ref varchar,
        rule varchar""",
    "privacy_drops": """
        operation_id varchar, file_id varchar, sheet_name varchar, column_letter varchar,
        header_text varchar, values_dropped integer, detected_by varchar""",
    "pending_operations": "operation_id varchar, changed_at timestamp",
    "build_state": "name varchar, value varchar",
    "build_scope": "operation_id varchar",
    "quarantine": """
        operation_id varchar, file_id varchar, file_name varchar, sheet_name varchar,
        cell_ref varchar, reason_code varchar, message varchar, raw_text varchar,
        detected_at timestamp""",
}

# What the warehouse keeps for itself, not data: operations whose models are stale.
STATE_TABLES = ("pending_operations", "build_state", "build_scope")
# The tables dbt reads as sources; each is an asset of the landing step.
SOURCE_TABLES = tuple(t for t in RAW_TABLES if t not in STATE_TABLES)
# Tables whose rows belong to one file and are replaced together when it is read again.
FILE_TABLES = (
    "submissions",
    "sheets",
    "cells",
    "observations",
    "ignored_cells",
    "quarantine",
    "privacy_drops",
)


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, and add the columns a newer reader writes to older ones."""
    con.execute("create schema if not exists raw")
    for name, columns in RAW_TABLES.items():
        con.execute(f"create table if not exists raw.{name} ({columns})")
        existing = {
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = ?",
                [name],
            ).fetchall()
        }
        for spec in _split_columns(columns):
            column = spec.strip().split()[0]
            if column not in existing:
                con.execute(f"alter table raw.{name} add column {spec.strip()}")


def _split_columns(spec: str) -> list[str]:
    return [p for p in spec.replace("\n", " ").split(",") if p.strip()]


# The Arrow type of each SQL type the raw tables use.
_ARROW_TYPES = {
    "varchar": pa.string(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "boolean": pa.bool_(),
    "varchar[]": pa.list_(pa.string()),
}


@functools.cache
def arrow_schema(table: str) -> pa.Schema:
    return pa.schema(
        pa.field(name, _ARROW_TYPES[sql_type])
        for name, sql_type in (spec.split()[:2] for spec in _split_columns(RAW_TABLES[table]))
    )


def as_columns(table: str, items: list, **common) -> dict[str, list]:
    """Dataclass instances as the raw table's columns (plain lists, cheap to send between
    processes and to extend), with the values every row shares given once."""
    return {
        name: [common[name]] * len(items)
        if name in common
        else [getattr(item, name, None) for item in items]
        for name in arrow_schema(table).names
    }


def to_arrow(table: str, data: dict[str, list] | list[dict]) -> pa.Table:
    """Columns, or dict rows (keys = column names), as one Arrow table of the table's types."""
    schema = arrow_schema(table)
    if isinstance(data, list):
        data = {n: [row.get(n) for row in data] for n in schema.names}
    return pa.Table.from_pydict(data, schema)


def append(
    con: duckdb.DuckDBPyConnection, table: str, data: pa.Table | dict[str, list] | list[dict]
) -> int:
    """Bulk-append rows (an Arrow table, columns or dict rows) in one insert."""
    arrow = data if isinstance(data, pa.Table) else to_arrow(table, data)
    if arrow.num_rows == 0:
        return 0
    names = ", ".join(arrow.schema.names)
    con.register("_landing_batch", arrow)
    try:
        con.execute(f"insert into raw.{table} ({names}) select {names} from _landing_batch")
    finally:
        con.unregister("_landing_batch")
    return arrow.num_rows


def as_rows(items: list, **common) -> list[dict]:
    """Dataclass instances -> dict rows, with the columns every row of a file shares.
    Shallow (`vars`): `dataclasses.asdict` deep-copies and took half of the landing."""
    return [{**common, **vars(item)} for item in items]
