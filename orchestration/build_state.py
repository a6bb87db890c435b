"""What the build database remembers about itself between loads, so that a load does only
the work its changes need:

- `raw.pending_operations`: operations whose raw data changed since a dbt build last
  covered them (landing adds, a successful dbt build removes);
- `raw.build_state`: the version of the dbt models last built (a changed model rebuilds
  every operation) and the operations the last build covered (the checks validate those);
- `raw.build_scope`: the operations the running dbt build rebuilds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb

from orchestration.raw_schema import create_raw_schema

ALL = "all"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def next_landing(con: duckdb.DuckDBPyConnection) -> int:
    """A new landing's number: landings are ordered by it, never by their clock (a clock
    that jumps would make a landing look older, or newer, than a build)."""
    number = landings(con) + 1
    write_state(con, "landings", str(number))
    return number


def landings(con: duckdb.DuckDBPyConnection) -> int:
    """The number of the latest landing (0: none yet)."""
    value = read_state(con, "landings")
    return int(value) if value and value.isdigit() else 0


def mark_pending(
    con: duckdb.DuckDBPyConnection,
    operation_id: str,
    at: dt.datetime,
    landing: int | None = None,
) -> None:
    """The operation changed in landing number `landing` (a new one when not given); `at`
    is shown to people, never compared."""
    landing = next_landing(con) if landing is None else landing
    con.execute("delete from raw.pending_operations where operation_id = ?", [operation_id])
    con.execute(
        "insert into raw.pending_operations (operation_id, changed_at, landing_number) "
        "values (?, ?, ?)",
        [operation_id, at, landing],
    )


def pending_operations(con: duckdb.DuckDBPyConnection) -> set[str]:
    create_raw_schema(con)
    return {r[0] for r in con.execute("select operation_id from raw.pending_operations").fetchall()}


def clear_pending(
    con: duckdb.DuckDBPyConnection, operation_ids: list[str] | None, up_to_landing: int
) -> None:
    """A dbt build covered these operations (None: all) as landed up to landing number
    `up_to_landing` (read when it began); what a later landing marked stays pending. A
    row from before landings were numbered was covered by any build."""
    covered = "(landing_number <= ? or landing_number is null)"
    if operation_ids is None:
        con.execute(f"delete from raw.pending_operations where {covered}", [up_to_landing])
        return
    con.execute(
        "delete from raw.pending_operations where operation_id in (select unnest(?::varchar[])) "
        f"and {covered}",
        [operation_ids, up_to_landing],
    )


def read_state(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    create_raw_schema(con)
    row = con.execute("select value from raw.build_state where name = ?", [name]).fetchone()
    return row[0] if row else None


def write_state(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    create_raw_schema(con)
    con.execute("delete from raw.build_state where name = ?", [name])
    con.execute("insert into raw.build_state values (?, ?)", [name, value])


def write_scope(con: duckdb.DuckDBPyConnection, operation_ids: list[str]) -> None:
    """The operations the next dbt build rebuilds (macros/operation_scope.sql reads it)."""
    create_raw_schema(con)
    con.execute("delete from raw.build_scope")
    if operation_ids:
        con.execute("insert into raw.build_scope select unnest(?::varchar[])", [operation_ids])


def last_scope(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """The operations the last dbt build covered; None when it covered all of them."""
    value = read_state(con, "last_scope")
    return None if value in (None, ALL) else json.loads(value)


def seeds_version(project_dir: Path) -> str:
    """A hash of the vocabulary seeds: unchanged seeds need not be loaded again."""
    digest = hashlib.sha256()
    for path in sorted((project_dir / "seeds").glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_version(project_dir: Path) -> str:
    """A hash of the dbt project's SQL, macros, tests and configuration (not the seeds,
    whose changes reach every operation through the reader version)."""
    digest = hashlib.sha256()
    files = [project_dir / "dbt_project.yml"] + sorted(
        p
        for folder in ("models", "macros", "tests")
        for p in (project_dir / folder).rglob("*")
        if p.is_file()
    )
    for path in files:
        digest.update(str(path.relative_to(project_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
