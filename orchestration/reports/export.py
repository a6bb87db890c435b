"""`jadwh sql`: a query on the published warehouse, read-only, to the screen or a file.

The connection can read the warehouse's own tables and nothing else (`sandboxed`): DuckDB's
external access is off, so `COPY ... TO`, `read_csv('/etc/passwd')`, `read_text`, `glob`,
`ATTACH`, `EXPORT DATABASE`, `INSTALL` and `LOAD` are refused; the configuration is locked,
so `SET memory_limit` (or any other setting) is refused; memory is limited
(JAD_DUCKDB_MEMORY_LIMIT, 512MB by default); and a query that runs longer than its time
(`--timeout`, JAD_SQL_TIMEOUT_SECONDS, 60 s by default) is interrupted. DuckDB has no
statement timeout: the query runs in a thread and is interrupted from outside. Exports are
written by Python, never by DuckDB: `--csv` and `--parquet` need no file access in SQL.

CSV cells that begin with '=', '+', '-' or '@' are prefixed with an apostrophe: a
spreadsheet would otherwise run them as formulas (text from the submissions reaches the
warehouse, and analysts open exports in the same spreadsheets).
"""

from __future__ import annotations

import csv
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
from rich.console import Console
from rich.table import Table

from orchestration import connections, settings
from orchestration.reports.terminal import shown

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$")
TIMEOUT_VARIABLE = "JAD_SQL_TIMEOUT_SECONDS"
T = TypeVar("T")


class QueryFailed(RuntimeError):
    pass


def default_timeout() -> float:
    """JAD_SQL_TIMEOUT_SECONDS, else 60 s; a bad value is refused (settings.SettingError)."""
    return settings.sql_timeout_seconds()


def sandboxed(database: Path) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only, with no way to the file system, the network,
    extensions or the settings."""
    return duckdb.connect(
        str(database),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": connections.memory_limit(),
            "lock_configuration": True,  # last: the settings above are then fixed
        },
    )


def _within(con: duckdb.DuckDBPyConnection, seconds: float, work: Callable[[], T]) -> T:
    """`work()` on `con`, interrupted after `seconds`."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name="jadwh-sql", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        con.interrupt()
        thread.join(10)
        raise QueryFailed(
            f"the query was stopped after {seconds:g} s (raise it with --timeout or "
            f"{TIMEOUT_VARIABLE})"
        )
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _failure(error: duckdb.Error) -> QueryFailed:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, duckdb.PermissionException) or "configuration has been locked" in first:
        first += (
            "; jadwh sql reads the warehouse's own tables only (no files, ATTACH, COPY, "
            "extensions or settings: export with --csv or --parquet)"
        )
    elif isinstance(error, duckdb.InterruptException):
        first = "the query was interrupted"
    return QueryFailed(f"the query failed: {shown(first)}")


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
    timeout: float | None = None,
) -> None:
    seconds = timeout if timeout and timeout > 0 else default_timeout()
    try:
        con = sandboxed(database)
    except duckdb.Error as error:
        raise _failure(error) from None
    try:
        try:
            if parquet:
                table = _within(con, seconds, lambda: _arrow(con, query))
                names, rows = (None, None) if table is None else (table.column_names, None)
            else:
                names, rows = _within(con, seconds, lambda: _fetch(con, query))
        except duckdb.Error as error:
            raise _failure(error) from None
    finally:
        con.close()
    if names is None:
        console.print("done (no rows returned)")
        return
    if parquet:
        import pyarrow.parquet as pq

        pq.write_table(table, parquet)
        console.print(f"wrote {table.num_rows} rows to {shown(str(parquet))}")
        return
    if csv:
        _write_csv(csv, names, rows)
        console.print(f"wrote {len(rows)} rows to {shown(str(csv))}")
        return
    table = Table(show_lines=False)
    for name in names:
        table.add_column(shown(name))
    for row in rows[:limit]:
        table.add_row(*(shown("" if v is None else str(v)) for v in row))
    console.print(table)
    if len(rows) > limit:
        console.print(
            f"[dim]{len(rows)} rows; the first {limit} shown (--limit, or --csv for all)[/]"
        )


def _arrow(con: duckdb.DuckDBPyConnection, query: str):
    relation = con.sql(query)
    return None if relation is None else relation.to_arrow_table()


def _fetch(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str] | None, list[tuple]]:
    cursor = con.execute(query)
    if cursor.description is None:
        return None, []
    return [d[0] for d in cursor.description], cursor.fetchall()


def _write_csv(path: Path, names: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows([neutralise(v) for v in row] for row in rows)
