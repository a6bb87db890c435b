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
from dataclasses import dataclass, field

import duckdb

from orchestration import build_state, connections
from orchestration.automation import raw_files
from orchestration.landing.versions import reader_version
from orchestration.publish.lock import unless_loading
from orchestration.settings import Paths, dbt_project_dir

LANDED = "landed_fingerprints"  # in raw.build_state: what landing read, not yet published
# In the publish record (jad.published.json), beside the warehouse and outside any DuckDB
# file: what the warehouse holds of each operation, and what failed its checks. Written
# after the warehouse was swapped in, so that whoever plans (the CLI, the schedule, the
# sensor) reads it without opening the build database a load may be writing.
FINGERPRINTS = "fingerprints"
PUBLISHED = "published"
HELD_BACK = "held_back"  # operations whose last load failed their checks
_FORMER_KEYS = ["published_fingerprints", "held_back_fingerprints"]


@dataclass(frozen=True)
class LoadPlan:
    operations: list[str]  # what this load covers, in discovery order
    up_to_date: int  # operations left alone: published with these very inputs
    # operation -> its fingerprint now (empty when forced: nothing was compared)
    fingerprints: dict[str, str] = field(default_factory=dict)
    # operation -> the fingerprint it was last published or held back with
    recorded: dict[str, str] = field(default_factory=dict)
    # a load held the build database: what it left pending could not be read
    loading: bool = False

    def run_key(self, operation: str) -> str:
        """One content-derived key per load of an operation: from what was recorded to
        what is there now (a file put back as it was before is a new load, not a repeat)."""
        return f"{operation}:{self.recorded.get(operation, '-')}>{self.fingerprints.get(operation, '-')}"


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


def recorded_fingerprints(paths: Paths) -> tuple[dict[str, str], dict[str, str]] | None:
    """(published, held back) as the last publish recorded them; None when nothing was
    published yet, or by a version that did not record them."""
    try:
        record = json.loads(paths.publish_record.read_text(encoding="utf-8"))
        kept = record[FINGERPRINTS]
        return dict(kept[PUBLISHED]), dict(kept[HELD_BACK])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def plan_load(paths: Paths, operations: list[str], force: bool = False) -> LoadPlan:
    """The operations among `operations` that need a load (all of them when forced, when
    nothing was published yet, or when the build database is new)."""
    if force:
        return LoadPlan(list(operations), 0)
    current = fingerprints(paths)
    recorded = recorded_fingerprints(paths)
    if recorded is None or not paths.warehouse.exists() or not paths.build_database.exists():
        return LoadPlan(list(operations), 0, current)
    published, held = recorded
    last = published | held
    pending, loading = _pending(paths)
    if (set(published) | set(held)) - set(operations):
        # an operation left raw/: the next load takes it out of the build and the warehouse
        return LoadPlan(list(operations), 0, current, last, loading)
    # an operation held back with these very inputs would be held back again: it waits for
    # a change of its files, the reader or the models (or --force)
    needed = [
        op
        for op in operations
        if op in pending or current.get(op) not in (published.get(op), held.get(op))
    ]
    return LoadPlan(needed, len(operations) - len(needed), current, last, loading)


def _pending(paths: Paths) -> tuple[set[str], bool]:
    """(the operations an interrupted load left pending, whether a load holds the build).
    Read under the load lock (re-entrant: a load holds it already), with a short wait: a
    tick that opened the build while a load runs would make that load fail."""
    with unless_loading(paths.load_lock) as free:
        if not free:  # a load is writing it: what it leaves pending, it builds
            return set(), True
        try:
            con = connections.connect(str(paths.build_database), read_only=True)
        except duckdb.IOException:  # opened elsewhere
            return set(), True
        try:
            rows = con.execute("select operation_id from raw.pending_operations").fetchall()
        except duckdb.CatalogException:
            rows = []
        finally:
            con.close()
    return {r[0] for r in rows}, False


def record_landed(con: duckdb.DuckDBPyConnection, contents: dict[str, dict[str, str]]) -> None:
    """Landing saw these files (operation -> path -> sha256): what it landed is what the
    next publish will publish (a file changed since has another fingerprint)."""
    known = json.loads(build_state.read_state(con, LANDED) or "{}")
    versions_now = versions()
    landed = {
        op: fingerprint(raw_files.digest(files), versions_now) for op, files in contents.items()
    }
    build_state.write_state(con, LANDED, json.dumps(known | landed, sort_keys=True))


def record_publish(
    paths: Paths, con: duckdb.DuckDBPyConnection, operations: list[str], held: list[str]
) -> None:
    """After a publish (the record written, the warehouse swapped in): the operations of
    the warehouse not `held`, as landed, are published; the `held` ones, as landed, failed
    their checks. Kept in the publish record, for the next plan to read without the build.
    A crash before this only makes the next load repeat work."""
    landed = json.loads(build_state.read_state(con, LANDED) or "{}")
    # where earlier versions kept them, inside the build database: no longer read
    con.execute("delete from raw.build_state where name in (?, ?)", _FORMER_KEYS)
    published, held_back = recorded_fingerprints(paths) or ({}, {})
    published |= {op: landed[op] for op in operations if op not in held and op in landed}
    held_back = {op: f for op, f in held_back.items() if op in held}
    held_back |= {op: landed[op] for op in held if op in landed}
    present = set(operations) | set(held)  # an operation that left raw/ left the warehouse
    record = json.loads(paths.publish_record.read_text(encoding="utf-8"))
    record[FINGERPRINTS] = {
        PUBLISHED: {op: f for op, f in sorted(published.items()) if op in present},
        HELD_BACK: {op: f for op, f in sorted(held_back.items()) if op in present},
    }
    text = json.dumps(record, indent=2, default=str) + "\n"
    raw_files.write_atomically(paths.publish_record, text)


def forget_operations(con: duckdb.DuckDBPyConnection, operations: list[str]) -> None:
    """Operations that left raw/: nothing of them is landed (the next publish record holds
    none of them either)."""
    known = json.loads(build_state.read_state(con, LANDED) or "{}")
    kept = {op: f for op, f in known.items() if op not in operations}
    build_state.write_state(con, LANDED, json.dumps(kept, sort_keys=True))
