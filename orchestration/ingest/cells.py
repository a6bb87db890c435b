"""What each cell holds, before anyone knows which table it belongs to.

A cell is a number (typed, or text such as `1.234,5` or `2,5 kg`), a date (typed, or text
such as `24.09.2020`), a marker (`-`, `n/a`), or text; text is looked up in the vocabulary.
Nothing is parsed to a final value here: the decimal separator and the day-month order are
decided per file, from the cells that turn out to be values (numbers.py, dates.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from orchestration.ingest.dates import DateText, from_serial, scan_date
from orchestration.ingest.error_cells import is_error_text
from orchestration.ingest.grid import CellValue, Sheet, SpreadsheetError, a1
from orchestration.ingest.labels import label_key, normalise_space
from orchestration.ingest.numbers import NumberText, split_number
from orchestration.ingest.vocabulary import Match, Vocabulary

# A unit or a short qualifier may follow a number in its cell ('2,5 kg', '12 kom'); a
# sentence may not ('3 persons arrested at the border' is a note).
_MAX_NUMBER_TAIL = 12


@dataclass
class CellInfo:
    row: int
    col: int
    value: CellValue
    text: str  # the cell as written (typed values rendered plainly)
    kind: str  # number, date, marker, text, bool, error (a spreadsheet error value)
    number: float | NumberText | None = None  # float when typed, NumberText when written as text
    date: dt.date | DateText | None = None  # dt.date when typed, DateText when written as text
    label: str = ""  # cleaned label (text cells), without its unit
    matches: tuple[Match, ...] = ()
    unit: str | None = None  # a unit written with the label: 'Drogen (g)' -> 'g'
    parts: tuple[str, ...] = ()  # the label as the seeds know it (vocabulary.LabelReading)

    @property
    def measure_parts(self) -> list[str]:
        """What this label contributes to an observation's measure labels."""
        return list(self.parts) if self.parts else [self.label or self.text]

    @cached_property
    def ref(self) -> str:
        return a1(self.row, self.col)

    def has(self, kind: str, code: str | None = None) -> bool:
        return any(m.kind == kind and (code is None or m.code == code) for m in self.matches)

    @property
    def field_roles(self) -> set[str]:
        return {m.code for m in self.matches if m.kind == "field"}

    @property
    def is_total(self) -> bool:
        return self.has("field", "total")

    @property
    def possible_serial(self) -> dt.date | None:
        """A typed number that would be an Excel date serial in a date position."""
        return from_serial(self.number) if isinstance(self.number, float) else None

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("number", "marker")

    @property
    def is_datelike(self) -> bool:
        return self.kind == "date"


def render(value: CellValue) -> str:
    """The text a person sees in the cell, for provenance (`raw_text`)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def classify(row: int, col: int, value: CellValue, vocabulary: Vocabulary) -> CellInfo:
    text = render(value)
    if isinstance(value, SpreadsheetError) or (isinstance(value, str) and is_error_text(value)):
        return CellInfo(row, col, value, text.strip(), "error")
    if isinstance(value, bool):
        return CellInfo(row, col, value, text, "bool")
    if isinstance(value, int | float):
        return CellInfo(row, col, value, text, "number", number=float(value))
    if isinstance(value, dt.datetime):
        return CellInfo(row, col, value, text, "date", date=value.date())
    if isinstance(value, dt.date):
        return CellInfo(row, col, value, text, "date", date=value)
    if not isinstance(value, str):  # times and durations carry no figure of ours
        return CellInfo(row, col, value, text, "text", label=normalise_space(text))
    kind, number, date, label, matches, unit, parts = _read_text(value, vocabulary)
    return CellInfo(row, col, value, text, kind, number, date, label, matches, unit, parts)


def _read_text(value: str, vocabulary: Vocabulary) -> tuple:
    """What a text holds, remembered per vocabulary: the same labels, dates and markers
    recur in every file of an operation, and in every operation."""
    cache = vocabulary.text_cache
    if (known := cache.get(value)) is not None:
        return known
    stripped = normalise_space(value)
    matches = vocabulary.lookup(stripped)
    if any(m.kind == "marker" for m in matches):
        found = ("marker", None, None, stripped, matches, None, ())
    elif date := scan_date(stripped, vocabulary.month_number):
        found = ("date", None, date, "", (), None, ())
    elif (number := split_number(stripped)) and _is_number_tail(number, vocabulary):
        found = ("number", number, None, "", (), None, ())
    else:
        reading = vocabulary.match(stripped)
        found = ("text", None, None, reading.label, reading.matches, reading.unit, reading.parts)
    if len(cache) < 200_000:
        cache[value] = found
    return found


def _is_number_tail(number: NumberText, vocabulary: Vocabulary) -> bool:
    """What may follow a figure in its cell: a known unit ('2,5 kg', '25kg'), or one short
    word that may be a unit no seed knows yet ('3 kom.', '12 pcs': quarantined by dbt as an
    unknown unit, with the seed to extend). Not a phrase ('65 and over', '3 persons arrested
    at the border'), nor letters glued to the digits that are no unit ('105A'): those are
    labels."""
    rest = number.rest
    if not rest:
        return True
    if vocabulary.is_unit(rest) or rest[0] in "%‰°":
        return True
    if number.glued or len(rest) > _MAX_NUMBER_TAIL or len(rest.split()) > 1:
        return False
    return rest[0].isalpha()


def classify_sheet(sheet: Sheet, vocabulary: Vocabulary) -> dict[tuple[int, int], CellInfo]:
    """Every non-empty cell of a sheet, classified, by (row, col)."""
    return {(r, c): classify(r, c, v, vocabulary) for r, c, v in sheet.non_empty()}


def key_of(cell: CellInfo) -> str:
    return label_key(cell.label or cell.text)
