"""What a reading process does with one file: read it, and shape its rows as columns.

Imported by the worker processes of isolation.py, so it imports ingestion and the raw
schema's column names only: no DuckDB, no Arrow, no Dagster (a worker starts in ~0.4 s).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from orchestration.ingest.limits import Limits
from orchestration.ingest.records import QuarantineItem, SubmissionReading
from orchestration.ingest.screening import WithheldText, screen_reading
from orchestration.ingest.submission import OperationWindow, read_submission
from orchestration.ingest.vocabulary import Vocabulary, cached_vocabulary
from orchestration.landing.raw_schema import as_columns
from orchestration.landing.safety import safe_name


@dataclass
class ToRead:
    """One file a load will read, and what it needs to read it."""

    operation_id: str
    file_id: str  # sha256 as the load plan saw it
    relative: str
    path: Path
    size: int
    window: OperationWindow
    limits: Limits
    refused: QuarantineItem | None = None  # rejected before reading (name, size, kind)


@dataclass
class Landed:
    """One file as it will be landed: its reading without the long row lists, and those rows
    as columns, made in the process that read the file. Lists of plain values cross between
    processes cheaply and the landing process only extends them; with the rows as objects,
    unpickling and transposing them in the landing process was the bottleneck, and a second
    reading process bought nothing (bench: landing_workers_1 vs _2)."""

    reading: SubmissionReading  # sheets, cells, observations and ignored moved to columns
    columns: dict[str, dict[str, list]] = field(default_factory=dict)
    withheld: list[WithheldText] = field(default_factory=list)  # texts the warehouse won't hold

    def rows(self, table: str) -> int:
        return len(self.columns.get(table, {}).get("file_id", []))


COLUMNAR = {  # raw table -> the SubmissionReading field that fills it
    "sheets": "sheets",
    "cells": "cells",
    "observations": "observations",
    "ignored_cells": "ignored",
}

_vocabulary: Vocabulary | None = None


def start_worker(seeds_dir: str) -> None:
    """Run once in each reading process: the vocabulary, parsed once."""
    global _vocabulary
    _vocabulary = cached_vocabulary(Path(seeds_dir))


def path_of(item: ToRead) -> Path:
    return item.path


def read_in_worker(item: ToRead, data: bytes) -> Landed:
    """Read, then screen: no text the vocabulary does not know leaves this process."""
    reading = read_one(item, data, _vocabulary)
    return landed(item, reading, screen_reading(reading, _vocabulary))


def read_one(item: ToRead, data: bytes, vocabulary: Vocabulary) -> SubmissionReading:
    if item.refused is not None:
        return refusal(item, item.refused)
    reading = read_submission(data, item.path.name, item.window, vocabulary, item.limits)
    if reading.status == "accepted" and reading.country_code is None:
        _reject_unidentified(reading)
    return reading


def refusal(item: ToRead, problem: QuarantineItem) -> SubmissionReading:
    return SubmissionReading(
        file_name=safe_name(item.path.name), status="rejected", quarantine=[problem]
    )


def landed(
    item: ToRead, reading: SubmissionReading, withheld: list[WithheldText] | None = None
) -> Landed:
    key = dict(operation_id=item.operation_id, file_id=item.file_id)
    columns = {
        table: as_columns(table, getattr(reading, field_name), **key)
        for table, field_name in COLUMNAR.items()
    }
    return Landed(replace(reading, **{f: [] for f in COLUMNAR.values()}), columns, withheld or [])


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


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
