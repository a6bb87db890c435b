"""Land one operation folder into the `raw` schema: idempotent, by content hash.

A file's identity is the sha256 of its bytes. A file already landed by the same reader
(same ingestion code and seeds) is not read again; a file read by an older reader is
replaced as a whole, in one transaction with the rest of the batch. Files are never
modified; a file that left raw/ is kept in history and marked absent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.build_state import mark_pending
from orchestration.ingest.records import QuarantineItem, SubmissionReading
from orchestration.ingest.submission import OperationWindow, read_submission
from orchestration.ingest.vocabulary import Vocabulary
from orchestration.landing.manifest import Operation, read_manifest
from orchestration.landing.raw_tables import FILE_TABLES, append, as_rows, create_raw_schema
from orchestration.progress import LoadProgress, current

MANIFEST = "operation.yaml"
SUBMISSIONS = "submissions"


@dataclass
class LandingSummary:
    operation_id: str
    files_seen: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_rejected: int = 0
    observations: int = 0
    quarantined: int = 0
    read_seconds: float = 0.0
    rejected: list[str] = field(default_factory=list)
    changed: bool = False  # anything new, changed or gone: its models must be rebuilt


def discover_operations(raw_dir: Path) -> list[Path]:
    """Every `raw/<operation_id>/` that holds a manifest, in name order."""
    if not raw_dir.is_dir():
        return []
    return sorted(p.parent for p in raw_dir.glob(f"*/{MANIFEST}"))


def submission_files(operation_dir: Path) -> list[Path]:
    folder = operation_dir / SUBMISSIONS
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))
    )


def land_operation(
    con: duckdb.DuckDBPyConnection,
    operation_dir: Path,
    vocabulary: Vocabulary,
    reader_version: str,
    progress: LoadProgress | None = None,
) -> LandingSummary:
    """Land the manifest and every new or changed submission of one operation."""
    operation = read_manifest(operation_dir / MANIFEST)
    create_raw_schema(con)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    summary = LandingSummary(operation.operation_id)
    known = _landed_files(con, operation.operation_id, reader_version)
    manifest_changed = _manifest_changed(con, operation)
    first_seen = _first_seen(con, operation.operation_id)
    window = OperationWindow(operation.start_date, operation.end_date)

    readings: list[tuple[str, str, int, SubmissionReading]] = []
    sightings: list[dict] = []
    present_ids: set[str] = set()
    files = submission_files(operation_dir)
    progress = progress or current()
    progress.files_found(operation.operation_id, len(files))
    for path in files:
        data = path.read_bytes()
        relative = path.relative_to(operation_dir).as_posix()
        file_id = hashlib.sha256(data).hexdigest()
        summary.files_seen += 1
        sightings.append(
            dict(
                operation_id=operation.operation_id,
                file_id=file_id,
                relative_path=relative,
                first_seen_at=first_seen.get((file_id, relative), now),
                last_seen_at=now,
                is_present=True,
            )
        )
        if file_id in present_ids:
            progress.file_done(operation.operation_id, relative, read=False)
            continue  # the same bytes under a second name: one file, two sightings
        present_ids.add(file_id)
        if file_id in known:
            summary.files_unchanged += 1
            progress.file_done(operation.operation_id, relative, read=False)
            continue
        started = dt.datetime.now()
        reading = read_submission(data, path.name, window, vocabulary)
        summary.read_seconds += (dt.datetime.now() - started).total_seconds()
        if reading.status == "accepted" and reading.country_code is None:
            _reject_unidentified(reading)
        readings.append((file_id, relative, len(data), reading))
        progress.file_done(operation.operation_id, relative, read=True)

    con.execute("begin transaction")
    try:
        _write_operation(con, operation, operation_dir, now)
        for file_id, relative, size, reading in readings:
            _write_file(
                con,
                operation.operation_id,
                file_id,
                relative,
                size,
                reading,
                first_seen.get((file_id, None), now),
                now,
                reader_version,
            )
            summary.files_read += 1
            summary.files_rejected += reading.status == "rejected"
            summary.observations += len(reading.observations)
            summary.quarantined += len(reading.quarantine)
            if reading.status == "rejected":
                summary.rejected.append(f"{relative}: {reading.quarantine[0].message}")
        left = _write_sightings(con, operation.operation_id, sightings, present_ids)
        summary.changed = bool(readings) or manifest_changed or left
        if summary.changed:
            mark_pending(con, operation.operation_id, now)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return summary


def _reject_unidentified(reading: SubmissionReading) -> None:
    """A file whose sender is unknown must never count, nor pass for anyone's resubmission."""
    reading.status = "rejected"
    reading.quarantine = [
        QuarantineItem(
            "unknown_country",
            f"{reading.file_name}: no cell names the sending country (a 'Country: <name>' pair "
            "or a title naming it) and the file name holds no country name or ISO code; add "
            "the country's spelling to country_aliases.csv or put its code in the file name",
        )
    ]
    reading.sheets, reading.cells, reading.observations, reading.ignored = [], [], [], []


def _manifest_changed(con, operation: Operation) -> bool:
    row = con.execute(
        "select manifest_sha256 from raw.operations where operation_id = ?",
        [operation.operation_id],
    ).fetchone()
    return row is None or row[0] != operation.manifest_sha256


def _landed_files(con, operation_id: str, reader_version: str) -> set[str]:
    rows = con.execute(
        "select file_id from raw.submissions where operation_id = ? and reader_version = ?",
        [operation_id, reader_version],
    ).fetchall()
    return {r[0] for r in rows}


def _first_seen(con, operation_id: str) -> dict:
    """When the warehouse first saw each file (by content) and each (content, path)."""
    seen: dict = {}
    for file_id, path, first in con.execute(
        "select file_id, relative_path, first_seen_at from raw.file_sightings where operation_id = ?",
        [operation_id],
    ).fetchall():
        seen[(file_id, path)] = first
        seen[(file_id, None)] = min(first, seen.get((file_id, None), first))
    return seen


def _write_operation(con, operation: Operation, operation_dir: Path, now: dt.datetime) -> None:
    op_id = operation.operation_id
    for table in ("operations", "participants", "published_figures"):
        con.execute(f"delete from raw.{table} where operation_id = ?", [op_id])
    append(
        con,
        "operations",
        [
            dict(
                operation_id=op_id,
                name=operation.name,
                start_date=operation.start_date,
                end_date=operation.end_date,
                lead=operation.lead,
                coordinated_by=list(operation.coordinated_by),
                supported_by=list(operation.supported_by),
                published_source=operation.published_source,
                manifest_path=(operation_dir / MANIFEST).as_posix(),
                manifest_sha256=operation.manifest_sha256,
                loaded_at=now,
            )
        ],
    )
    append(
        con,
        "participants",
        [dict(operation_id=op_id, country_code=c) for c in operation.participants],
    )
    append(
        con,
        "published_figures",
        [
            dict(
                operation_id=op_id,
                figure_number=i,
                metric_code=f.metric,
                charge_code=f.charge,
                published_value=f.value,
                qualifier=f.qualifier,
                scope=f.scope,
            )
            for i, f in enumerate(operation.figures, start=1)
        ],
    )


def _write_file(
    con,
    operation_id,
    file_id,
    relative,
    size,
    reading: SubmissionReading,
    first_seen,
    now,
    reader_version,
) -> None:
    for table in FILE_TABLES:
        con.execute(
            f"delete from raw.{table} where operation_id = ? and file_id = ?",
            [operation_id, file_id],
        )
    key = dict(operation_id=operation_id, file_id=file_id)
    append(
        con,
        "submissions",
        [
            dict(
                **key,
                file_name=reading.file_name,
                relative_path=relative,
                size_bytes=size,
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
                sheets=len(reading.sheets),
                non_empty_cells=len(reading.cells),
                observations=len(reading.observations),
                ignored_cells=len(reading.ignored),
                quarantined=len(reading.quarantine),
                is_present=True,
                first_seen_at=first_seen,
                loaded_at=now,
                reader_version=reader_version,
            )
        ],
    )
    append(con, "sheets", as_rows(reading.sheets, **key))
    append(con, "cells", as_rows(reading.cells, **key))
    append(con, "observations", as_rows(reading.observations, **key))
    append(con, "ignored_cells", as_rows(reading.ignored, **key))
    append(
        con,
        "quarantine",
        as_rows(reading.quarantine, **key, file_name=reading.file_name, detected_at=now),
    )


def _write_sightings(con, operation_id: str, sightings: list[dict], present_ids: set[str]) -> bool:
    """Replace the operation's sightings; files no longer in raw/ stay, marked absent.
    Returns whether a file that was present has left raw/."""
    left = con.execute(
        """select count(*) from raw.submissions where operation_id = ? and is_present
           and file_id not in (select unnest(?::varchar[]))""",
        [operation_id, sorted(present_ids)],
    ).fetchone()[0]
    con.execute(
        "update raw.file_sightings set is_present = false where operation_id = ?", [operation_id]
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
        """update raw.submissions set is_present = file_id in (select unnest(?::varchar[]))
           where operation_id = ?""",
        [sorted(present_ids), operation_id],
    )
    return bool(left)
