"""`jadwh sql`: a query on the published warehouse, read-only, to the screen or a file.

CSV cells that begin with '=', '+', '-' or '@' are prefixed with an apostrophe: a
spreadsheet would otherwise run them as formulas (text from the submissions reaches the
warehouse, and analysts open exports in the same spreadsheets).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orchestration import connections

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$")


class QueryFailed(RuntimeError):
    pass


def neutralise(value: object) -> object:
    """A text that a spreadsheet would read as a formula, made inert; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def run_query(
    console: Console,
    database: Path,
    query: str,
    *,
    csv: Path | None,
    parquet: Path | None,
    limit: int,
) -> None:
    con = connections.connect(database, read_only=True)
    try:
        try:
            cursor = con.execute(query)
        except duckdb.Error as error:
            raise QueryFailed(f"the query failed: {str(error).splitlines()[0]}") from None
        if cursor.description is None:
            console.print("done (no rows returned)")
            return
        names = [d[0] for d in cursor.description]
        if parquet:
            query_text = query.strip().rstrip(";")
            con.execute(f"copy ({query_text}) to '{_quoted(parquet)}' (format parquet)")
            count = con.execute(
                f"select count(*) from read_parquet('{_quoted(parquet)}')"
            ).fetchone()[0]
            console.print(f"wrote {count} rows to {parquet}")
            return
        rows = cursor.fetchall()
    finally:
        con.close()
    if csv:
        _write_csv(csv, names, rows)
        console.print(f"wrote {len(rows)} rows to {csv}")
        return
    table = Table(show_lines=False)
    for name in names:
        table.add_column(escape(name))
    for row in rows[:limit]:
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    console.print(table)
    if len(rows) > limit:
        console.print(
            f"[dim]{len(rows)} rows; the first {limit} shown (--limit, or --csv for all)[/]"
        )


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _write_csv(path: Path, names: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows([neutralise(v) for v in row] for row in rows)
