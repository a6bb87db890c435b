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
from orchestration.landing.safety import safe_name
from orchestration.raw_schema import as_columns


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
        _reject_unidentified(reading, vocabulary)
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


def _reject_unidentified(reading: SubmissionReading, vocabulary: Vocabulary) -> None:
    """A file whose sender is unknown must never count, nor pass for anyone's resubmission.
    Its figures are dropped; its labels no seed knows are kept (label text only, with the
    cell of the figure they name) so that a steward sees them in this round, and the
    countries its cells name say whether the cause is a spelling or a misread structure."""
    named = _countries_named(reading, vocabulary)
    reading.status = "rejected"
    reading.quarantine = [
        QuarantineItem(
            "unknown_country",
            f"{reading.file_name}: {_no_sender(named)}",
            subject=next(iter(named)) if len(named) == 1 else None,
        ),
        *_unknown_labels(reading, vocabulary),
    ]
    reading.sheets, reading.cells, reading.observations, reading.ignored = [], [], [], []


def _countries_named(reading: SubmissionReading, vocabulary: Vocabulary) -> dict[str, str]:
    """country code -> the first cell that names it ("sheet 'X' B3: 'Österreich'")."""
    from orchestration.ingest.identity import countries_in_text

    named: dict[str, str] = {}
    for cell in reading.cells:
        if not cell.raw_text or cell.cell_type != "text":
            continue
        for code in sorted(countries_in_text(cell.raw_text, vocabulary)):
            named.setdefault(code, f"sheet '{cell.sheet_name}' {cell.cell_ref}: {cell.raw_text!r}")
    return named


def _no_sender(named: dict[str, str]) -> str:
    hint = (
        "declare the sender with a template hint (template_hints.csv: this file's name as "
        "file_pattern, hint country, value its ISO code), or put its ISO code in the file name"
    )
    if len(named) == 1:
        code, where = next(iter(named.items()))
        return (
            f"no 'Country: <name>' pair, title or country column names the sender, although "
            f"{where} names {code}: the file's structure was read otherwise than it is written, "
            f"so where the sender is named was not found. If {code} sent it, {hint}"
        )
    if named:
        listed = "; ".join(f"{code} in {where}" for code, where in sorted(named.items()))
        return (
            f"no 'Country: <name>' pair or title names one sender, and its cells name several "
            f"countries ({listed}): which one sent it is ambiguous. The sender decides: {hint}"
        )
    return (
        "no cell names the sending country (a 'Country: <name>' pair or a title naming it) "
        "and the file name holds no country name or ISO code. If the file writes the "
        "country's name in a way the seeds do not know, add that spelling to "
        f"country_aliases.csv; otherwise {hint}"
    )


def _unknown_labels(reading: SubmissionReading, vocabulary: Vocabulary) -> list[QuarantineItem]:
    """The labels and units no seed knows, cell by cell: never a figure, never personal
    data (only measure labels and units reach an observation)."""
    items = []
    for obs in reading.observations:
        where = f"{reading.file_name}, sheet '{obs.sheet_name}', cell {obs.cell_ref}"
        for part in obs.measure_labels:
            kinds = {m.kind for m in vocabulary.lookup(part)}
            if not kinds & {"metric", "charge", "field"}:
                items.append(
                    QuarantineItem(
                        "unknown_label",
                        f"{where}: the label {part!r} is in no seed (the file is rejected "
                        "until its sender is known; then this label counts too)",
                        obs.sheet_name,
                        obs.cell_ref,
                        None,
                        part,
                    )
                )
        if obs.unit_text and not vocabulary.is_unit(obs.unit_text.strip()):
            items.append(
                QuarantineItem(
                    "unknown_unit",
                    f"{where}: the unit {obs.unit_text.strip()!r} is in no seed (the file is "
                    "rejected until its sender is known)",
                    obs.sheet_name,
                    obs.cell_ref,
                    None,
                    obs.unit_text.strip(),
                )
            )
    return items


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
