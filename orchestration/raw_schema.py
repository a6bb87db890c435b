"""The columns of the `raw` schema: the interface between ingestion (Python) and dbt.

Kept apart from the code that writes the tables (landing/raw_tables.py) so that a reading
process knows the columns without importing DuckDB or Arrow; below landing and build_state,
which both create the tables (`create_raw_schema`).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the connection is passed in: a reading process never imports DuckDB
    import duckdb

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
    "pending_operations": "operation_id varchar, changed_at timestamp, landing_number bigint",
    "manifest_problems": "operation_id varchar, message varchar, detected_at timestamp",
    "build_state": "name varchar, value varchar",
    "build_scope": "operation_id varchar",
    "quarantine": """
        operation_id varchar, file_id varchar, file_name varchar, sheet_name varchar,
        cell_ref varchar, reason_code varchar, message varchar, raw_text varchar,
        detected_at timestamp, subject varchar""",
}

# What the warehouse keeps for itself, not data: operations whose models are stale.
STATE_TABLES = ("pending_operations", "build_state", "build_scope", "manifest_problems")
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
        for spec in split_columns(columns):
            column = spec.strip().split()[0]
            if column not in existing:
                con.execute(f"alter table raw.{name} add column {spec.strip()}")


# The dbt sources file that declares these tables. Its columns are written from RAW_TABLES
# by `python -m orchestration.raw_schema --sources-yml`, never by hand: what a
# person writes there (descriptions, meta, tests) is kept, the columns follow this module.
SOURCES_YML = "models/staging/_raw__sources.yml"
_SOURCES_HEADER = (
    "# The raw tables as dbt sources. Columns and data types are written from\n"
    "# orchestration/raw_schema.py (the one definition of the raw schema) by\n"
    "#   python -m orchestration.raw_schema --sources-yml\n"
    "# Edit descriptions, meta and tests here; edit columns there and run it again\n"
    "# (tests/pipeline/test_raw_sources.py fails while the two disagree).\n"
)


def sources_yml(current: str) -> str:
    """The text of the sources file: `current` with every table of SOURCE_TABLES and every
    column of each, in the order of RAW_TABLES, typed as RAW_TABLES types them. Whatever
    else `current` says of a table or a column (description, meta, data_tests) is kept; a
    table or column that RAW_TABLES no longer has is dropped."""
    import yaml  # only the generator needs it; readers of the schema do not

    document = yaml.safe_load(current) or {}
    sources = document.get("sources") or [{"name": "raw", "schema": "raw"}]
    raw = next(s for s in sources if s.get("name") == "raw")
    written = {t["name"]: t for t in raw.get("tables") or []}
    tables = []
    for table in SOURCE_TABLES:
        entry = dict(written.get(table) or {})
        entry.setdefault("meta", {"dagster": {"asset_key": ["raw", table]}})
        described = {c["name"]: c for c in entry.get("columns") or []}
        columns = []
        for name, sql_type in column_types(table):
            column = {"name": name, "data_type": sql_type}
            column |= {k: v for k, v in (described.get(name) or {}).items() if k not in column}
            columns.append(column)
        entry = {"name": table, **{k: v for k, v in entry.items() if k not in ("name", "columns")}}
        tables.append({**entry, "columns": columns})
    raw["tables"] = tables
    document = {"version": document.get("version", 2), "sources": sources}
    return _SOURCES_HEADER + "\n" + _dump(document)


def _dump(document: dict) -> str:
    """YAML as people write dbt properties: nested lists indented, a column or a meta
    mapping on one line when it fits, long descriptions folded."""
    import yaml

    class Flow(dict):
        pass

    class Folded(str):
        pass

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    Dumper.add_representer(
        Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
    )
    Dumper.add_representer(
        Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=">")
    )

    def styled(node, key=None):
        if isinstance(node, dict):
            mapping = {k: styled(v, k) for k, v in node.items()}
            one_line = len(yaml.safe_dump(node, default_flow_style=True, width=10**6)) < 80
            if key == "meta" or (set(node) <= {"name", "data_type"} and one_line):
                return Flow(mapping)
            return mapping
        if isinstance(node, list):
            return [styled(item) for item in node]
        if key == "description" and isinstance(node, str) and len(node) > 80:
            return Folded(node)
        return node

    text = yaml.dump(styled(document), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=88)
    # a blank line after the version and between tables, as the other properties files have
    text = text.replace("version: 2\n", "version: 2\n\n", 1)
    return re.sub(r"\n(      - name: )", r"\n\n\1", text).replace("tables:\n\n", "tables:\n")


def main(argv: list[str] | None = None) -> int:
    """`--sources-yml`: rewrite the dbt sources file from RAW_TABLES; `--check`: only say
    whether it is up to date (exit 1 when it is not)."""
    import argparse
    from pathlib import Path

    from orchestration.settings import DBT_PROJECT_DIR

    parser = argparse.ArgumentParser(prog="python -m orchestration.raw_schema")
    parser.add_argument("--sources-yml", action="store_true", help="rewrite " + SOURCES_YML)
    parser.add_argument("--check", action="store_true", help="exit 1 if it is out of date")
    parser.add_argument("--project-dir", type=Path, default=DBT_PROJECT_DIR)
    args = parser.parse_args(argv)
    if not args.sources_yml:
        parser.error("nothing to do: pass --sources-yml")
    path = args.project_dir / SOURCES_YML
    current = path.read_text(encoding="utf-8")
    wanted = sources_yml(current)
    if current == wanted:
        print(f"{path} is up to date")
        return 0
    if args.check:
        print(f"{path} is out of date: run python -m orchestration.raw_schema --sources-yml")
        return 1
    path.write_text(wanted, encoding="utf-8")
    print(f"{path} written from RAW_TABLES")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
