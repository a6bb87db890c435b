"""The columns of the `raw` schema: the interface between ingestion (Python) and dbt.

Kept apart from the code that writes the tables (raw_tables.py) so that a reading process
knows the columns without importing DuckDB or Arrow.
"""

from __future__ import annotations

import functools

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
        unit_cell_ref varchar, counted_as varchar, template_hints varchar[], part_of varchar""",
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
        detected_at timestamp, subject varchar""",
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


def split_columns(spec: str) -> list[str]:
    return [p for p in spec.replace("\n", " ").split(",") if p.strip()]


@functools.cache
def column_types(table: str) -> tuple[tuple[str, str], ...]:
    """(name, SQL type) of each column of a raw table."""
    return tuple(tuple(spec.split()[:2]) for spec in split_columns(RAW_TABLES[table]))


def as_columns(table: str, items: list, **common) -> dict[str, list]:
    """Dataclass instances as the raw table's columns (plain lists, cheap to send between
    processes and to extend), with the values every row shares given once."""
    return {
        name: [common[name]] * len(items)
        if name in common
        else [getattr(item, name, None) for item in items]
        for name, _ in column_types(table)
    }
