"""Replace the published warehouse in one step, so that nobody sees half of it.

What is published is composed first (compose.py): the build, with each held-back
operation as it was published last.

DuckDB locks a file open for writing against every other process, so a load
never writes the published file: it copies the checkpointed build file beside it and
`os.replace`s it over the published path. Analysts holding the old file keep their snapshot;
new connections see the new data; a crash before the rename leaves the old file untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

from orchestration import connections, writing
from orchestration.publish.compose import compose
from orchestration.settings import Paths


def checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so that the file alone is the database."""
    con = connections.connect(str(database))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomically(record: dict, target: Path) -> None:
    writing.write_atomically(target, json.dumps(record, indent=2, default=str) + "\n")


def publish(
    paths: Paths,
    run_id: str,
    summary: dict,
    held: dict[str, list[str]] | None = None,
    annotate: Callable[[list[str]], dict] | None = None,
) -> dict:
    """Publish the build database as the warehouse, each held-back operation as it was
    published last (compose.py); returns the publish record, to which `annotate` adds its
    entries for the operations published (written with it, in one step)."""
    held = held or {}
    checkpoint(paths.build_database)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    target = paths.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)  # a load killed while composing (we hold the load lock)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        statuses = compose(
            paths.build_database, target if target.exists() else None, temporary, held, now
        )
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
        _fsync_dir(target.parent)
    finally:
        temporary.unlink(missing_ok=True)
    record = {
        "published_at": now.isoformat(timespec="seconds") + "Z",
        "run_id": run_id,
        "warehouse": str(paths.warehouse),
        "size_bytes": paths.warehouse.stat().st_size,
        "operations": {
            s.operation_id: {
                "status": s.status,
                "published_at": s.published_at,
                "held_back_since": s.held_back_since,
                "findings": s.findings,
                "reasons": s.reasons[:5],
            }
            for s in statuses
        },
        **summary,
    }
    if annotate is not None:
        record |= annotate(list(record["operations"]))
    write_json_atomically(record, paths.publish_record)
    return record


def last_publish(paths: Paths) -> dict | None:
    if not paths.publish_record.exists():
        return None
    return json.loads(paths.publish_record.read_text(encoding="utf-8"))
