"""The `raw` schema: the interface between ingestion (Python) and dbt (meaning).

One long table per kind of row, not a table per sheet (measured here: 111 tiny tables
were 37x larger and slower than one long table). Rows are appended in bulk through Arrow.
Every table is keyed by (operation_id, file_id) so that a file is replaced as a whole.
"""

from __future__ import annotations

import functools

import duckdb
import pyarrow as pa

from orchestration.raw_schema import (  # noqa: F401 - the schema, re-exported
    FILE_TABLES,
    RAW_TABLES,
    SOURCE_TABLES,
    STATE_TABLES,
    as_columns,
    column_types,
    create_raw_schema,
    split_columns,
)

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
        pa.field(name, _ARROW_TYPES[sql_type]) for name, sql_type in column_types(table)
    )


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
