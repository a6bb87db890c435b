"""The warehouse to publish: every operation as of its last load that passed its own checks.

An operation is the unit of trust (docs/architecture.md): a broken new operation holds back
itself, never tonight's corrections to the others. The build database holds what this load
made of every operation; the composed copy takes it as it is, except for the operations
held back, whose rows come from the warehouse published last (or are left out, when they
never passed). One file, written privately and swapped in whole: analysts never see a mix
of two loads of one operation, and `audit.operation_status` says which operations are
current, which are held back, since when, and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration import connections, writing

STATUS_TABLE = "audit.operation_status"
# the reasons kept per held-back operation (the rest are counted)
KEPT_REASONS = 20


@dataclass
class OperationStatus:
    operation_id: str
    status: str  # current, held_back (an earlier load of it is published), never_published
    published_at: dt.datetime | None  # when the figures it shows were published
    held_back_since: dt.datetime | None = None
    findings: int = 0
    reasons: list[str] = field(default_factory=list)


def compose(
    build: Path,
    previous: Path | None,
    target: Path,
    held: dict[str, list[str]],
    now: dt.datetime,
) -> list[OperationStatus]:
    """Write to `target` the build with each held-back operation replaced by its rows in
    `previous` (the warehouse published last); returns every operation's status, which is
    also written to audit.operation_status in `target`."""
    writing.copy_file(build, target)
    con = connections.connect(str(target))
    try:
        operations = sorted(set(_operations(con)) | set(held))
        earlier = _earlier_statuses(con, previous) if previous else {}
        kept = _operations_in(con, "previous") if previous else set()
        tables = _operation_tables(con)
        _keep_attempt_quarantine(con, sorted(held))
        statuses = []
        for operation in operations:
            if operation not in held:
                statuses.append(OperationStatus(operation, "current", now))
                continue
            before = earlier.get(operation)
            restored = operation in kept
            _replace(con, tables, operation, restored)
            statuses.append(
                OperationStatus(
                    operation,
                    "held_back" if restored else "never_published",
                    before.published_at if before and restored else None,
                    before.held_back_since if before and before.held_back_since else now,
                    len(held[operation]),
                    held[operation][:KEPT_REASONS],
                )
            )
        _write_statuses(con, statuses)
        if previous:
            con.execute("detach previous")
        con.execute("checkpoint")
    finally:
        con.close()
    return statuses


ATTEMPT_TABLE = "audit.attempt_quarantine"


def _keep_attempt_quarantine(con: duckdb.DuckDBPyConnection, held: list[str]) -> None:
    """What this load found in the operations it holds back (their quarantine, the labels
    of their rejected files), before their rows give way to the last good ones: a failed
    load is as much news to a steward as a published one (the report shows it). Made after
    the list of operation tables, so that holding back does not empty it."""
    con.execute("create schema if not exists audit")
    con.execute(f"drop table if exists {ATTEMPT_TABLE}")
    names = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'audit'"
        ).fetchall()
    }
    parts = []
    if "quarantine" in names:
        parts.append(
            """select operation_id, file_name, sheet_name, cell_ref, reason_code, severity,
                      message, subjects, language, country_code, steward_action,
                      false as in_rejected_file, raw_text, file_id
               from audit.quarantine where list_contains($held, operation_id)"""
        )
    if "rejected_file_labels" in names:
        parts.append(
            """select operation_id, file_name, sheet_name, cell_ref, reason_code,
                      'file_rejected', message, subjects, language, null, null, true, null,
                      file_id
               from audit.rejected_file_labels where list_contains($held, operation_id)"""
        )
    if not parts:
        return
    con.execute(
        f"create table {ATTEMPT_TABLE} as " + " union all ".join(parts),
        {"held": held},
    )
    con.execute(
        f"comment on table {ATTEMPT_TABLE} is 'For each operation held back by the last load: "
        "what that load quarantined (the warehouse shows the operation as published last, or "
        "not at all; this is why).'"
    )


def _operations(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("select operation_id from raw.operations order by 1").fetchall()
    ]


def _operations_in(con: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    try:
        rows = con.execute(f"select operation_id from {database}.raw.operations").fetchall()
    except duckdb.Error:
        return set()
    return {r[0] for r in rows}


def _operation_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    """(schema, table, columns) of every table of the build that holds operations' rows."""
    rows = con.execute(
        """
        select t.schema_name, t.table_name, list(c.column_name order by c.column_index)
        from duckdb_tables() as t
        join duckdb_columns() as c
            on c.database_name = t.database_name and c.schema_name = t.schema_name
            and c.table_name = t.table_name
        where t.database_name = current_database()
        group by t.schema_name, t.table_name
        having list_contains(list(c.column_name), 'operation_id')
        order by 1, 2
        """
    ).fetchall()
    return [(schema, table, columns) for schema, table, columns in rows]


def _replace(
    con: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str, list[str]]],
    operation: str,
    restored: bool,
) -> None:
    """The operation's rows, as published last (or none): this load's rows of it go."""
    for schema, table, columns in tables:
        con.execute(f'delete from "{schema}"."{table}" where operation_id = ?', [operation])
        if not restored:
            continue
        earlier = _columns(con, "previous", schema, table)
        shared = [c for c in columns if c in earlier]
        if not shared:
            continue  # a table the earlier warehouse did not have
        names = ", ".join(f'"{c}"' for c in shared)
        con.execute(
            f'insert into "{schema}"."{table}" ({names}) '
            f'select {names} from previous."{schema}"."{table}" where operation_id = ?',
            [operation],
        )


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            """select column_name from duckdb_columns()
               where database_name = ? and schema_name = ? and table_name = ?""",
            [database, schema, table],
        ).fetchall()
    }


def _earlier_statuses(con: duckdb.DuckDBPyConnection, previous: Path) -> dict[str, OperationStatus]:
    """Attach the warehouse published last (read-only) and read its operations' statuses."""
    con.execute(f"attach '{_quoted(previous)}' as previous (read_only)")
    try:
        rows = con.execute(
            f"""select operation_id, status, published_at, held_back_since
                from previous.{STATUS_TABLE}"""
        ).fetchall()
    except duckdb.Error:
        return {}  # published before statuses were kept
    return {
        operation: OperationStatus(operation, status, published_at, held_back_since)
        for operation, status, published_at, held_back_since in rows
    }


def _write_statuses(con: duckdb.DuckDBPyConnection, statuses: list[OperationStatus]) -> None:
    con.execute("create schema if not exists audit")
    con.execute(f"drop table if exists {STATUS_TABLE}")
    con.execute(
        f"""
        create table {STATUS_TABLE} (
            operation_id varchar primary key,
            status varchar not null,
            published_at timestamp,
            held_back_since timestamp,
            findings integer not null,
            reasons varchar[]
        )
        """
    )
    if statuses:
        con.executemany(
            f"insert into {STATUS_TABLE} values (?, ?, ?, ?, ?, ?)",
            [
                (s.operation_id, s.status, s.published_at, s.held_back_since, s.findings, s.reasons)
                for s in statuses
            ],
        )
    con.execute(
        f"comment on table {STATUS_TABLE} is 'One row per operation: current (this load passed "
        "its checks), held_back (an earlier load of it is what the warehouse shows) or "
        "never_published (no load of it has passed), since when, and why.'"
    )


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
