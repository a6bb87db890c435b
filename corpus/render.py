"""From an operation's truth to the files its services send (seed, synthetic and faults).

Each profile's submissions are rendered in order; all but the last are superseded, and a
superseded file states the truth with the mistake its service later corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.formatting import Formatter
from corpus.grid import Book
from corpus.layouts import Context, render
from corpus.model import Operation, OperationTruth, with_mistake
from corpus.profiles import Profile, months
from corpus.writers import write_book


@dataclass
class RenderedFile:
    name: str
    country: str
    profile: Profile
    status: str  # current | superseded
    report_date: dt.date
    book: Book
    facts: list[dict]
    fmt: Formatter

    def write(self, directory: Path) -> Path:
        p = self.profile
        path = directory / self.name
        write_book(
            self.book,
            path,
            p.format,
            when=dt.datetime.combine(self.report_date, dt.time(10, 0)),
            author=p.author,
            encoding=p.encoding,
            delimiter=p.delimiter,
        )
        return path


def load_operation(manifest_path: Path, tag: str = "JAD") -> tuple[Operation, dict]:
    """The operation as its manifest (operation.yaml) describes it, and the raw manifest."""
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    operation = Operation(
        operation_id=manifest["operation_id"],
        name=manifest["name"],
        start=_as_date(manifest["start_date"]),
        end=_as_date(manifest["end_date"]),
        participants=tuple(manifest["participants"]),
        tag=tag,
    )
    return operation, manifest


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def formatter_for(p: Profile) -> Formatter:
    full, short = months(p)
    return Formatter(
        p.numbers, p.dates, p.zero, text_only=p.format == "csv", months=full, months_short=short
    )


def render_operation(truth: OperationTruth, profiles: dict[str, Profile]) -> list[RenderedFile]:
    operation = truth.operation
    files: list[RenderedFile] = []
    for code in sorted(operation.participants):
        p = profiles[code]
        previous = None
        for k, submission in enumerate(p.files):
            report_date = operation.end + dt.timedelta(days=submission.report_after)
            country_truth = truth.countries[code]
            if submission.mistake is not None:
                country_truth = with_mistake(country_truth, submission.mistake)
            fmt = formatter_for(p)
            ctx = Context(
                operation, p, country_truth, report_date, k + 1, previous, submission.notes, fmt
            )
            book = render(ctx)
            name = submission.filename.format(
                tag=operation.tag, year=operation.start.year, report_iso=report_date.isoformat()
            )
            status = "current" if k == len(p.files) - 1 else "superseded"
            files.append(
                RenderedFile(name, code, p, status, report_date, book, ctx.facts.rows(), fmt)
            )
            previous = report_date
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate file names in {operation.operation_id}")
    return files


def write_submissions(
    files: list[RenderedFile], directory: Path, *, clean: bool = True
) -> list[Path]:
    """Write every file into `directory`; with `clean`, remove files the corpus no longer has."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [f.write(directory) for f in files]
    if clean:
        keep = {p.name for p in written}
        for stale in directory.iterdir():
            if stale.is_file() and stale.name not in keep:
                stale.unlink()
    return written
