"""Which operations a load must cover: the ones whose inputs changed since a load last
published them, never all of them by default. The command line, the nightly schedule and
the sensor on raw/ all decide with `plan_load`.

An operation's fingerprint is one hash of its files' contents (files.scan, by sha256),
the reader version (ingestion code and vocabulary seeds) and the dbt model version. A
load records the fingerprints of the operations it published; the next load covers only
operations whose fingerprint differs, or that an interrupted load left landed but not
published. Cost then grows with what is new, not with the years already loaded: Dagster
stores a few events per asset and partition of a run, and a run over 300 unchanged
operations spent most of its minute writing them (docs/performance.md).

Every record the plan reads is a JSON file outside any DuckDB file, so a plan never opens
the build database (a reader there would make a running load fail) and never waits:

- the landed record (`.build/jad.landed.json`): operation -> the fingerprint landing read,
  written by landing;
- the publish record (`jad.published.json`, beside the warehouse): under `fingerprints`,
  what the warehouse holds of each operation (`published`) and what failed its checks
  (`held_back`), written after the warehouse was swapped in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from orchestration import writing
from orchestration.changes import build, files
from orchestration.ingest.versions import reader_version
from orchestration.settings import Paths, dbt_project_dir

FINGERPRINTS = "fingerprints"
PUBLISHED = "published"
HELD_BACK = "held_back"  # operations whose last load failed their checks
# where earlier versions kept the fingerprints, inside the build database: no longer read
_FORMER_KEYS = ["landed_fingerprints", "published_fingerprints", "held_back_fingerprints"]


@dataclass(frozen=True)
class LoadPlan:
    operations: list[str]  # what this load covers, in discovery order
    up_to_date: int  # operations left alone: published with these very inputs
    # operation -> its fingerprint now (empty when forced: nothing was compared)
    fingerprints: dict[str, str] = field(default_factory=dict)
    # operation -> the fingerprint it was last published or held back with
    recorded: dict[str, str] = field(default_factory=dict)

    def run_key(self, operation: str) -> str:
        """One content-derived key per load of an operation: from what was recorded to
        what is there now (a file put back as it was before is a new load, not a repeat)."""
        before = self.recorded.get(operation, "-")
        return f"{operation}:{before}>{self.fingerprints.get(operation, '-')}"


def versions() -> str:
    """The reader and the models, as they are now (the models hashed: ~1 ms, once a plan)."""
    return f"{reader_version()}:{build.model_version(dbt_project_dir())}"


def fingerprint(digest: str, versions_now: str) -> str:
    """An operation's files (files.digest) with the reader and the models."""
    return hashlib.sha256(f"{versions_now}:{digest}".encode()).hexdigest()[:16]


def fingerprints(paths: Paths) -> dict[str, str]:
    """operation -> fingerprint, of every operation of raw/ as it is now (files whose size,
    times and inode are unchanged since the last plan keep their hash)."""
    states = files.scan_remembered(paths.raw_dir, paths.raw_files_memory)
    digests = files.operation_digests(states)
    versions_now = versions()
    return {operation: fingerprint(digest, versions_now) for operation, digest in digests.items()}


def landed_record(paths: Paths) -> Path:
    return paths.build_database.with_suffix(".landed.json")


def landed_fingerprints(paths: Paths) -> dict[str, str]:
    """operation -> the fingerprint of what landing last read (empty: none yet)."""
    try:
        return dict(json.loads(landed_record(paths).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


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
    if set(last) - set(operations):
        # an operation left raw/: the next load takes it out of the build and the warehouse
        return LoadPlan(list(operations), 0, current, last)
    # landed but neither published nor held back since: an interrupted load left it
    interrupted = {
        op
        for op, f in landed_fingerprints(paths).items()
        if f not in (published.get(op), held.get(op))
    }
    # an operation held back with these very inputs would be held back again: it waits for
    # a change of its files, the reader or the models (or --force)
    needed = [
        op
        for op in operations
        if op in interrupted or current.get(op) not in (published.get(op), held.get(op))
    ]
    return LoadPlan(needed, len(operations) - len(needed), current, last)


def record_landed(paths: Paths, contents: dict[str, dict[str, str]]) -> None:
    """Landing saw these files (operation -> path -> sha256): what it landed is what the
    next publish will publish (a file changed since has another fingerprint)."""
    versions_now = versions()
    landed = {op: fingerprint(files.digest(found), versions_now) for op, found in contents.items()}
    _write(landed_record(paths), landed_fingerprints(paths) | landed)


def record_publish(paths: Paths, operations: list[str], held: list[str]) -> dict:
    """At a publish (the warehouse swapped in, its record about to be written): the
    operations of the warehouse not `held`, as landed, are published; the `held` ones, as
    landed, failed their checks. Returns the entry of the publish record that says so, for
    the next plan to read without opening the build database."""
    landed = landed_fingerprints(paths)
    published, held_back = recorded_fingerprints(paths) or ({}, {})
    published |= {op: landed[op] for op in operations if op not in held and op in landed}
    held_back = {op: f for op, f in held_back.items() if op in held}
    held_back |= {op: landed[op] for op in held if op in landed}
    present = set(operations) | set(held)  # an operation that left raw/ left the warehouse
    return {
        FINGERPRINTS: {
            PUBLISHED: {op: f for op, f in sorted(published.items()) if op in present},
            HELD_BACK: {op: f for op, f in sorted(held_back.items()) if op in present},
        }
    }


def forget_operations(paths: Paths, operations: list[str]) -> None:
    """Operations that left raw/: nothing of them is landed (the next publish record holds
    none of them either)."""
    kept = {op: f for op, f in landed_fingerprints(paths).items() if op not in operations}
    _write(landed_record(paths), kept)


def forget_former_state(con) -> None:
    """Fingerprints that earlier versions kept in raw.build_state: gone."""
    for name in _FORMER_KEYS:
        build.delete_state(con, name)


def _write(target: Path, fingerprints_by_operation: dict[str, str]) -> None:
    writing.write_atomically(target, json.dumps(fingerprints_by_operation, sort_keys=True) + "\n")
