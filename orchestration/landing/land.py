"""Land operation folders into the `raw` schema: idempotent, by content hash, in bulk.

A file's identity is the sha256 of its bytes. A file already landed by the same reader
(same ingestion code and seeds) is not read again; a file read by an older reader is
replaced as a whole. Files are never modified; a file that left raw/ is kept in history
and marked absent.

What the load does per file is only the reading: everything the warehouse already knows
is asked once per load, and rows are written in batches of files (one Arrow append per
table and batch, one transaction per batch), never file by file (measured here:
executemany is 740x slower than an append). Many files are read on every core.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.build_state import mark_pending, next_landing
from orchestration.ingest.limits import Limits
from orchestration.ingest.records import QuarantineItem
from orchestration.ingest.submission import OperationWindow
from orchestration.ingest.vocabulary import Vocabulary
from orchestration.landing import withheld
from orchestration.landing.isolation import Outcome, read_isolated
from orchestration.landing.manifest import ManifestError, Operation, read_manifest
from orchestration.landing.raw_tables import (
    FILE_TABLES,
    append,
    as_rows,
    create_raw_schema,
    to_arrow,
)
from orchestration.landing.reading import (
    Landed,
    ToRead,
    landed,
    path_of,
    read_in_worker,
    refusal,
    start_worker,
)
from orchestration.landing.safety import (
    kind_of,
    listed_files,
    placeholder_id,
    safe_name,
    sha256_of,
)
from orchestration.landing.safety import (
    refusal as refusal_before_reading,
)
from orchestration.progress import LoadProgress, current
from orchestration.raw_layout import MANIFEST, SUBMISSIONS

BATCH_FILES = 200  # files whose rows are written together, in one transaction
PARALLEL_FROM = 200  # below this many files to read, one reading process reads them all


@dataclass
class LandingSummary:
    operation_id: str
    files_seen: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_rejected: int = 0
    observations: int = 0
    quarantined: int = 0
    rejected: list[str] = field(default_factory=list)
    changed: bool = False  # anything new, changed or gone: its models must be rebuilt
    # path under raw/ -> sha256, of the manifest and every submission, as landing saw them
    contents: dict[str, str] = field(default_factory=dict)


def submission_files(operation_dir: Path) -> list[Path]:
    """Every entry of `submissions/`, links and special files included (refused by name)."""
    return listed_files(operation_dir / SUBMISSIONS)


@dataclass
class _Known:
    """What the build database knows before the load: one query each, for all operations."""

    landed: set[tuple[str, str]]  # (operation, file_id) read by this reader
    present: dict[str, set[str]]  # operation -> file_ids present at the last load
    first_seen: dict[tuple, dt.datetime]  # (operation, file_id, path|None) -> first sighting
    manifests: dict[str, str]  # operation -> manifest sha256
    stored: set[tuple[str, str]]  # (operation, file_id) with rows, whichever reader


def land_operations(
    con: duckdb.DuckDBPyConnection,
    operation_dirs: Iterable[Path],
    vocabulary: Vocabulary,
    reader_version: str,
    progress: LoadProgress | None = None,
    workers: int | None = None,
    on_reading=None,
    withheld_dir: Path | None = None,
) -> list[LandingSummary]:
    """Land the manifests and every new or changed submission of the given operations; the
    texts screening withheld go to `withheld_dir` (none kept when it is None)."""
    progress = progress or current()
    limits = Limits.from_environment()
    create_raw_schema(con)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    known = _known(con, reader_version)
    summaries: dict[str, LandingSummary] = {}
    batch = _Batch(now, reader_version, known)
    to_read: list[ToRead] = []
    problems: dict[str, str] = {}
    presence: dict[str, set[str]] = {}
    for operation_dir in operation_dirs:
        try:
            operation = read_manifest(operation_dir / MANIFEST)
        except ManifestError as problem:
            # a manifest that breaks the interface holds back its own operation only
            problems[operation_dir.name] = str(problem)
            summaries[operation_dir.name] = LandingSummary(operation_dir.name, changed=True)
            summaries[operation_dir.name].rejected.append(f"{MANIFEST}: {problem}")
            continue
        op = operation.operation_id
        summary = summaries[op] = LandingSummary(op)
        summary.contents[f"{op}/{MANIFEST}"] = operation.manifest_sha256
        window = OperationWindow(operation.start_date, operation.end_date)
        files = submission_files(operation_dir)
        progress.files_found(op, len(files))
        present = presence[op] = set()
        for path in files:
            relative = path.relative_to(operation_dir).as_posix()
            file_id, size = _identity(path, relative)
            summary.contents[f"{op}/{relative}"] = file_id
            summary.files_seen += 1
            batch.sighting(op, file_id, relative)
            if file_id in present or (op, file_id) in known.landed:
                summary.files_unchanged += file_id not in present
                present.add(file_id)
                progress.file_done(op, relative, read=False)
                continue  # the same bytes under a second name are one file, two sightings
            present.add(file_id)
            to_read.append(
                ToRead(
                    op,
                    file_id,
                    relative,
                    path,
                    size,
                    window,
                    limits,
                    refusal_before_reading(path, size, limits),
                )
            )
        manifest_changed = known.manifests.get(op) != operation.manifest_sha256
        left = bool(known.present.get(op, set()) - present)
        summary.changed = manifest_changed or left
        batch.operation(operation, operation_dir, present)
    if to_read and on_reading:
        on_reading()  # e.g. start importing what the checks of a changed load will need
    for item, read in _read_all(to_read, vocabulary, limits, workers):
        if read.reading.status == "changed":
            summary = summaries[item.operation_id]
            summary.contents[f"{item.operation_id}/{item.relative}"] = "changed while read"
            summary.changed = True
            summary.rejected.append(f"{item.relative}: {read.reading.quarantine[0].message}")
            progress.file_done(item.operation_id, item.relative, read=True)
            continue  # nothing of it lands; the next load reads it as it is then
        landed = read
        reading = landed.reading
        summary = summaries[item.operation_id]
        summary.files_read += 1
        summary.changed = True
        summary.files_rejected += reading.status == "rejected"
        summary.observations += landed.rows("observations")
        summary.quarantined += len(reading.quarantine)
        if reading.status == "rejected":
            summary.rejected.append(f"{item.relative}: {reading.quarantine[0].message}")
        batch.file(item, landed)
        if withheld_dir is not None:
            withheld.keep(
                withheld_dir, item.operation_id, item.file_id, reading.file_name, landed.withheld
            )
        progress.file_done(item.operation_id, item.relative, read=True)
        if batch.files >= BATCH_FILES:
            batch.flush(con)
    batch.flush(con, final=True, changed=[s.operation_id for s in summaries.values() if s.changed])
    if withheld_dir is not None:
        for op, present in presence.items():
            withheld.prune(withheld_dir, op, present)
    record_manifest_problems(con, [d.name for d in operation_dirs], problems, now)
    return list(summaries.values())


def record_manifest_problems(
    con: duckdb.DuckDBPyConnection, operations: list[str], problems: dict[str, str], at
) -> None:
    """The manifests of these operations as they stand now: a problem holds back its
    operation (quality/gate.py) until the manifest is mended."""
    con.execute(
        "delete from raw.manifest_problems where operation_id in (select unnest(?::varchar[]))",
        [operations],
    )
    if problems:
        con.executemany(
            "insert into raw.manifest_problems values (?, ?, ?)",
            [(op, message, at) for op, message in problems.items()],
        )


def purge_operations(con: duckdb.DuckDBPyConnection, operations: list[str]) -> None:
    """Operations whose folder left raw/: every row of them leaves the build (the warehouse
    published next no longer has them); their files were never touched."""
    if not operations:
        return
    tables = con.execute(
        """
        select t.schema_name, t.table_name from duckdb_tables() t
        join duckdb_columns() c using (database_name, schema_name, table_name)
        where c.column_name = 'operation_id' and t.database_name = current_database()
        """
    ).fetchall()
    for schema, table in tables:
        con.execute(
            f'delete from "{schema}"."{table}" where operation_id in (select unnest(?::varchar[]))',
            [operations],
        )


def _read_all(
    items: list[ToRead], vocabulary: Vocabulary, limits: Limits, workers: int | None
) -> Iterator[tuple[ToRead, Landed]]:
    """(item, Landed) for each file, in order, read in isolated processes (one per core once
    there are enough files to repay starting them): a file that crashes, exhausts memory or
    time costs only itself (isolation.py)."""
    if workers is None:
        workers = (os.cpu_count() or 1) if len(items) >= PARALLEL_FROM else 1
    refused = {id(item) for item in items if item.refused is not None}
    outcomes = read_isolated(
        [item for item in items if id(item) not in refused],
        read_in_worker,
        path_of,
        workers,
        limits.max_seconds_per_file,
        limits.max_memory_bytes,
        functools.partial(start_worker, str(vocabulary.seeds_dir)),
    )
    for item in items:
        if id(item) in refused:
            yield item, landed(item, refusal(item, item.refused))
            continue
        read_item, outcome = next(outcomes)
        assert read_item is item
        yield item, _as_landed(item, outcome)


def _as_landed(item: ToRead, outcome: Outcome) -> Landed:
    """A reading, or the refusal the reading process reported, as rows to land."""
    if outcome.sha256 is not None and outcome.sha256 != item.file_id:
        changed = refusal(
            item,
            QuarantineItem(
                "file_changed",
                f"{safe_name(item.path.name)}: the file changed while the load read it; "
                "the next load reads it as it is then",
            ),
        )
        changed.status = "changed"
        return landed(item, changed)
    if outcome.reason is not None:
        problem = QuarantineItem(outcome.reason, f"{safe_name(item.path.name)}: {outcome.message}")
        return landed(item, refusal(item, problem))
    return outcome.result


def _identity(path: Path, relative: str) -> tuple[str, int]:
    """sha256 of the content (streamed: a huge file is hashed, not loaded) and size; an
    entry that is not a regular file is never opened (a FIFO would block the load)."""
    if (kind := kind_of(path)) is not None:
        return placeholder_id(relative, kind), 0
    return sha256_of(path), path.stat().st_size


def _known(con: duckdb.DuckDBPyConnection, reader_version: str) -> _Known:
    landed, stored, present = set(), set(), defaultdict(set)
    for op, file_id, version, is_present in con.execute(
        "select operation_id, file_id, reader_version, is_present from raw.submissions"
    ).fetchall():
        stored.add((op, file_id))
        if version == reader_version:
            landed.add((op, file_id))
        if is_present:
            present[op].add(file_id)
    first_seen: dict[tuple, dt.datetime] = {}
    for op, file_id, path, first in con.execute(
        "select operation_id, file_id, relative_path, first_seen_at from raw.file_sightings"
    ).fetchall():
        first_seen[(op, file_id, path)] = first
        first_seen[(op, file_id, None)] = min(first, first_seen.get((op, file_id, None), first))
    manifests = dict(
        con.execute("select operation_id, manifest_sha256 from raw.operations").fetchall()
    )
    return _Known(landed, dict(present), first_seen, manifests, stored)


class _Batch:
    """Rows of many files, written together: one delete and one append per table."""

    def __init__(self, now: dt.datetime, reader_version: str, known: _Known):
        self.now, self.reader_version, self.known = now, reader_version, known
        self._reset()

    def _reset(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.columns: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.replaced: list[dict] = []  # (operation, file) whose earlier rows go
        self.operations: list[tuple[Operation, Path, set[str]]] = []
        self.sightings: list[dict] = []
        self.files = 0

    def sighting(self, op: str, file_id: str, relative: str) -> None:
        first = self.known.first_seen.get((op, file_id, relative), self.now)
        self.sightings.append(
            dict(
                operation_id=op,
                file_id=file_id,
                relative_path=relative,
                first_seen_at=first,
                last_seen_at=self.now,
                is_present=True,
            )
        )

    def operation(self, operation: Operation, operation_dir: Path, present: set[str]) -> None:
        self.operations.append((operation, operation_dir, present))

    def file(self, item: ToRead, landed: Landed) -> None:
        reading = landed.reading
        key = dict(operation_id=item.operation_id, file_id=item.file_id)
        if (item.operation_id, item.file_id) in self.known.stored:
            self.replaced.append(key)
        self.files += 1
        self.rows["submissions"].append(
            dict(
                **key,
                file_name=reading.file_name,
                relative_path=item.relative,
                size_bytes=item.size,
                status=reading.status,
                format=reading.format,
                encoding=reading.encoding,
                delimiter=reading.delimiter,
                language=reading.language,
                decimal_separator=reading.decimal_separator,
                date_order=reading.date_order,
                country_code=reading.country_code,
                country_evidence=reading.country_evidence,
                report_date=reading.report_date,
                content_version=reading.content_version,
                name_version=reading.name_version,
                sheets=landed.rows("sheets"),
                non_empty_cells=landed.rows("cells"),
                observations=landed.rows("observations"),
                ignored_cells=landed.rows("ignored_cells"),
                quarantined=len(reading.quarantine),
                is_present=True,
                first_seen_at=self.known.first_seen.get(
                    (item.operation_id, item.file_id, None), self.now
                ),
                loaded_at=self.now,
                reader_version=self.reader_version,
            )
        )
        for table, columns in landed.columns.items():
            for name, values in columns.items():
                self.columns[table][name] += values
        self.rows["quarantine"] += as_rows(
            reading.quarantine, **key, file_name=reading.file_name, detected_at=self.now
        )
        self.rows["privacy_drops"] += as_rows(reading.privacy, **key)

    def flush(
        self, con: duckdb.DuckDBPyConnection, final: bool = False, changed: list[str] = ()
    ) -> None:
        """Write the files the batch holds in one transaction. The final flush also writes
        the operations, the sightings and presence, and marks the changed operations
        pending: a load killed before it leaves them to be found changed again."""
        con.execute("begin transaction")
        try:
            if self.replaced:
                _delete_files(con, self.replaced)
            for table in FILE_TABLES:
                append(con, table, self.rows.get(table, []))
                if table in self.columns:
                    append(con, table, to_arrow(table, self.columns[table]))
            if final and self.operations:
                _write_operations(con, self.operations, self.now)
                _write_sightings(con, self.sightings, self.operations)
                landing = next_landing(con) if changed else None
                for op in changed:
                    mark_pending(con, op, self.now, landing)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        operations, sightings = self.operations, self.sightings
        self._reset()
        self.operations, self.sightings = operations, sightings  # written by the final flush


def _delete_files(con: duckdb.DuckDBPyConnection, keys: list[dict]) -> None:
    con.register("_replaced", pa.Table.from_pylist(keys))
    try:
        for table in FILE_TABLES:
            con.execute(
                f"delete from raw.{table} as t using _replaced as r "
                "where t.operation_id = r.operation_id and t.file_id = r.file_id"
            )
    finally:
        con.unregister("_replaced")


def _write_operations(
    con, operations: list[tuple[Operation, Path, set[str]]], now: dt.datetime
) -> None:
    ids = [operation.operation_id for operation, _, _ in operations]
    for table in ("operations", "participants", "published_sources", "published_figures"):
        con.execute(
            f"delete from raw.{table} where operation_id in (select unnest(?::varchar[]))", [ids]
        )
    append(
        con,
        "operations",
        [
            dict(
                operation_id=o.operation_id,
                name=o.name,
                start_date=o.start_date,
                end_date=o.end_date,
                lead=o.lead,
                coordinated_by=list(o.coordinated_by),
                supported_by=list(o.supported_by),
                published_source=o.published_source,
                manifest_path=(folder / MANIFEST).as_posix(),
                manifest_sha256=o.manifest_sha256,
                loaded_at=now,
            )
            for o, folder, _ in operations
        ],
    )
    append(
        con,
        "participants",
        [
            dict(operation_id=o.operation_id, country_code=c)
            for o, _, _ in operations
            for c in o.participants
        ],
    )
    append(
        con,
        "published_sources",
        [
            dict(
                operation_id=o.operation_id,
                source_number=n,
                source=s.name,
                publisher=s.publisher,
                published_date=s.date,
                url=s.url,
                is_primary=s.primary,
                countries_named=list(s.countries) or None,
                note=s.note,
            )
            for o, _, _ in operations
            for n, s in enumerate(o.sources, start=1)
        ],
    )
    # figure_number runs over the whole manifest: (operation_id, figure_number) is a key
    append(
        con,
        "published_figures",
        [
            dict(
                operation_id=o.operation_id,
                figure_number=i,
                metric_code=f.metric,
                charge_code=f.charge,
                published_value=f.value,
                qualifier=f.qualifier,
                scope=f.scope,
                source_number=n,
                source=s.name,
            )
            for o, _, _ in operations
            for i, (n, s, f) in enumerate(
                ((n, s, f) for n, s in enumerate(o.sources, start=1) for f in s.figures), start=1
            )
        ],
    )


def _write_sightings(
    con, sightings: list[dict], operations: list[tuple[Operation, Path, set[str]]]
) -> None:
    """Replace the operations' sightings; files no longer in raw/ stay, marked absent."""
    ids = [operation.operation_id for operation, _, _ in operations]
    presence = [
        dict(operation_id=o.operation_id, file_id=file_id)
        for o, _, present in operations
        for file_id in present
    ]
    con.execute(
        "update raw.file_sightings set is_present = false where operation_id in (select unnest(?::varchar[]))",
        [ids],
    )
    if sightings:
        con.register("_seen_now", pa.Table.from_pylist(sightings))
        try:
            con.execute(
                """delete from raw.file_sightings as kept using _seen_now as seen
                   where kept.operation_id = seen.operation_id and kept.file_id = seen.file_id
                     and kept.relative_path = seen.relative_path"""
            )
        finally:
            con.unregister("_seen_now")
    append(con, "file_sightings", sightings)
    con.execute(
        "update raw.submissions set is_present = false where operation_id in (select unnest(?::varchar[]))",
        [ids],
    )
    if presence:
        con.register("_present", pa.Table.from_pylist(presence))
        try:
            con.execute(
                """update raw.submissions as s set is_present = true from _present as p
                   where s.operation_id = p.operation_id and s.file_id = p.file_id"""
            )
        finally:
            con.unregister("_present")
