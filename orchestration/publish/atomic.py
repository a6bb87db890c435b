"""Replace the published warehouse in one step, so that nobody sees half of it.

DuckDB locks a file open for writing against every other process (FIELD-NOTES), so a load
never writes the published file: it copies the checkpointed build file beside it and
`os.replace`s it over the published path. Analysts holding the old file keep their snapshot;
new connections see the new data; a crash before the rename leaves the old file untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from orchestration import connections
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


def replace_atomically(source: Path, target: Path) -> None:
    """Copy `source` to a temporary file beside `target`, flush it, rename it over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)  # a load killed while copying (we hold the load lock)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with source.open("rb") as reader, temporary.open("wb") as writer:
            shutil.copyfileobj(reader, writer, length=16 * 1024 * 1024)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(temporary, target)
        _fsync_dir(target.parent)
    finally:
        temporary.unlink(missing_ok=True)


def write_json_atomically(record: dict, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, target)


def publish(paths: Paths, run_id: str, summary: dict) -> dict:
    """Publish the build database as the warehouse; returns the publish record."""
    checkpoint(paths.build_database)
    replace_atomically(paths.build_database, paths.warehouse)
    record = {
        "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "warehouse": str(paths.warehouse),
        "size_bytes": paths.warehouse.stat().st_size,
        **summary,
    }
    write_json_atomically(record, paths.publish_record)
    return record


def last_publish(paths: Paths) -> dict | None:
    if not paths.publish_record.exists():
        return None
    return json.loads(paths.publish_record.read_text(encoding="utf-8"))
