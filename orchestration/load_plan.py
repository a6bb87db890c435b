"""Which operations a load must cover: the ones whose inputs changed since a load last
published them, never all of them by default.

An operation's fingerprint is one hash of its files' contents (raw_files.scan, by sha256),
the reader version (ingestion code and vocabulary seeds) and the dbt model version. A
load records the fingerprints of the operations it published; the next load covers only
operations whose fingerprint differs, or that an interrupted load left pending. Cost then
grows with what is new, not with the years already loaded: Dagster stores a few events
per asset and partition of a run, and a run over 300 unchanged operations spent most of
its minute writing them (docs/performance.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import duckdb

from orchestration import build_state, connections
from orchestration.automation import raw_files
from orchestration.ingest.versions import reader_version
from orchestration.load_lock import unless_loading
from orchestration.settings import Paths, dbt_project_dir

LANDED = "landed_fingerprints"
PUBLISHED = "published_fingerprints"
HELD_BACK = "held_back_fingerprints"  # operations whose last load failed their checks


@dataclass(frozen=True)
class LoadPlan:
    operations: list[str]  # what this load covers, in discovery order
    up_to_date: int  # operations left alone: published with these very inputs


def versions() -> str:
    """The reader and the models, as they are now (the models hashed: ~1 ms, once a plan)."""
    return f"{reader_version()}:{build_state.model_version(dbt_project_dir())}"


def fingerprint(digest: str, versions_now: str) -> str:
    """An operation's files (raw_files.digest) with the reader and the models."""
    return hashlib.sha256(f"{versions_now}:{digest}".encode()).hexdigest()[:16]


def fingerprints(paths: Paths) -> dict[str, str]:
    """operation -> fingerprint, of every operation of raw/ as it is now (files whose size,
    times and inode are unchanged since the last plan keep their hash)."""
    states = raw_files.scan_remembered(paths.raw_dir, paths.raw_files_memory)
    digests = raw_files.operation_digests(states)
    versions_now = versions()
    return {operation: fingerprint(digest, versions_now) for operation, digest in digests.items()}


def plan_load(paths: Paths, operations: list[str], force: bool = False) -> LoadPlan:
    """The operations among `operations` that need a load (all of them when forced, when
    nothing was published yet, or when the build database is new)."""
    if force or not paths.warehouse.exists() or not paths.build_database.exists():
        return LoadPlan(list(operations), 0)
    current = fingerprints(paths)
    # under the load lock (re-entrant: a load holds it already): a schedule tick that opened
    # the build while a load runs would make that load fail
    with unless_loading(paths.load_lock) as free:
        if not free:  # a load is writing it: cover everything, the run will wait for it
            return LoadPlan(list(operations), 0)
        try:
            con = connections.connect(str(paths.build_database), read_only=True)
        except duckdb.IOException:  # opened elsewhere: cover everything, the run will wait
            return LoadPlan(list(operations), 0)
        try:
            published = json.loads(_read(con, PUBLISHED) or "{}")
            held = json.loads(_read(con, HELD_BACK) or "{}")
            pending = _pending(con)
        finally:
            con.close()
    if (set(published) | set(held)) - set(operations):
        # an operation left raw/: the next load takes it out of the build and the warehouse
        return LoadPlan(list(operations), 0)
    # an operation held back with these very inputs would be held back again: it waits for
    # a change of its files, the reader or the models (or --force)
    needed = [
        op
        for op in operations
        if op in pending or current.get(op) not in (published.get(op), held.get(op))
    ]
    return LoadPlan(needed, len(operations) - len(needed))


def record_landed(con: duckdb.DuckDBPyConnection, contents: dict[str, dict[str, str]]) -> None:
    """Landing saw these files (operation -> path -> sha256): what it landed is what the
    next publish will publish (a file changed since has another fingerprint)."""
    known = json.loads(build_state.read_state(con, LANDED) or "{}")
    versions_now = versions()
    landed = {
        op: fingerprint(raw_files.digest(files), versions_now) for op, files in contents.items()
    }
    build_state.write_state(con, LANDED, json.dumps(known | landed, sort_keys=True))


def record_published(con: duckdb.DuckDBPyConnection, operations: list[str]) -> None:
    """After a publish: these operations, as landed, are built, checked and published."""
    _move(con, LANDED, PUBLISHED, operations)
    _drop(con, HELD_BACK, operations)


def record_held_back(con: duckdb.DuckDBPyConnection, operations: list[str]) -> None:
    """After a publish: these operations, as landed, failed their checks."""
    _move(con, LANDED, HELD_BACK, operations)


def forget_operations(con: duckdb.DuckDBPyConnection, operations: list[str]) -> None:
    """Operations that left raw/: nothing of them is landed, published or held back."""
    for name in (LANDED, PUBLISHED, HELD_BACK):
        _drop(con, name, operations)


def _move(con: duckdb.DuckDBPyConnection, source: str, target: str, operations: list[str]) -> None:
    landed = json.loads(build_state.read_state(con, source) or "{}")
    known = json.loads(build_state.read_state(con, target) or "{}")
    known |= {op: landed[op] for op in operations if op in landed}
    build_state.write_state(con, target, json.dumps(known, sort_keys=True))


def _drop(con: duckdb.DuckDBPyConnection, name: str, operations: list[str]) -> None:
    known = json.loads(build_state.read_state(con, name) or "{}")
    kept = {op: f for op, f in known.items() if op not in operations}
    build_state.write_state(con, name, json.dumps(kept, sort_keys=True))


def _read(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """build_state.read_state without creating the schema (the connection is read-only)."""
    try:
        row = con.execute("select value from raw.build_state where name = ?", [name]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def _pending(con: duckdb.DuckDBPyConnection) -> set[str]:
    try:
        rows = con.execute("select operation_id from raw.pending_operations").fetchall()
    except duckdb.CatalogException:
        return set()
    return {r[0] for r in rows}
