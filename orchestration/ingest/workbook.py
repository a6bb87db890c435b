"""Bytes -> sheets of typed cells. python-calamine for workbooks, the csv module for text.

Workbooks are read once, from the bytes already in memory (the same bytes that were hashed).
Text files are decoded by trying the encodings that European services use and keeping the
one under which the file's words are words of the vocabulary (cp1250 and cp1251 both decode
any byte; only one of them turns the header into 'Kontrolirane osobe').
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import python_calamine

from orchestration.ingest.grid import MergedRange, Sheet
from orchestration.ingest.limits import Limits
from orchestration.ingest.sniff import CANDIDATE_ENCODINGS, UnreadableFile

DELIMITERS = (";", ",", "\t", "|")


@dataclass
class Workbook:
    sheets: list[Sheet]
    encoding: str | None = None
    delimiter: str | None = None


def read_workbook(
    data: bytes,
    kind: str,
    text_name: str,
    known_words: Callable[[str], int],
    limits: Limits | None = None,
) -> Workbook:
    """Read every sheet. `text_name` names the single sheet of a csv file."""
    limits = limits or Limits()
    if kind == "csv":
        text, encoding = decode_text(data, known_words)
        _check_size(text.count("\n") + 1, 0, limits)
        delimiter = sniff_delimiter(text)
        sheet = _csv_sheet(text, delimiter, text_name)
        _check_size(sheet.height, sheet.height * sheet.width, limits)
        return Workbook([sheet], encoding, delimiter)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [_calamine_sheet(book, name, limits) for name in book.sheet_names]
    except UnreadableFile:
        raise
    except Exception as error:  # calamine raises its own error types per format
        raise UnreadableFile(
            "corrupt_file", f"the {kind} workbook cannot be read ({_first_line(error)})"
        ) from error
    return Workbook(sheets)


def _calamine_sheet(book: python_calamine.CalamineWorkbook, name: str, limits: Limits) -> Sheet:
    sheet = book.get_sheet_by_name(name)
    _check_size(sheet.height, sheet.height * sheet.width, limits)  # before any Python object
    rows = [
        [None if _is_blank(v) else v for v in row] for row in sheet.to_python(skip_empty_area=False)
    ]
    merged = [
        MergedRange(top, left, bottom, right)
        for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])
    ]
    return Sheet(name=name, rows=_trim(rows), merged=merged)


def _check_size(rows: int, cells: int, limits: Limits) -> None:
    if rows > limits.max_rows_per_sheet:
        raise UnreadableFile(
            "too_many_rows",
            f"a sheet has {rows:,} rows, over the limit of {limits.max_rows_per_sheet:,} "
            "(JAD_LIMIT_ROWS); a country's results fit in far fewer",
        )
    if cells > limits.max_cells_per_file:
        raise UnreadableFile(
            "too_many_cells",
            f"a sheet spans {cells:,} cells, over the limit of {limits.max_cells_per_file:,} "
            "(JAD_LIMIT_CELLS)",
        )


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing empty rows and columns, so the grid ends where the content ends."""
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


# --- text files -------------------------------------------------------------------------


def decode_text(data: bytes, known_words: Callable[[str], int]) -> tuple[str, str]:
    """Decode with the BOM, UTF-8, or the code page whose text the vocabulary knows best."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    scored = []
    for encoding in CANDIDATE_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        non_ascii_words = " ".join(w for w in text.split() if not w.isascii())
        scored.append((known_words(non_ascii_words), -_implausible(text), encoding, text))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    if not scored or scored[0][0] == 0:
        tried = ", ".join(CANDIDATE_ENCODINGS)
        raise UnreadableFile(
            "undetectable_encoding",
            f"the text is not UTF-8 and none of {tried} turns its words into known "
            "labels; save the file as UTF-8 or add its labels to the seeds",
        )
    _, _, encoding, text = scored[0]
    return text, encoding


def _implausible(text: str) -> int:
    """Characters that a decoding error produces but a police spreadsheet hardly contains."""
    bad = 0
    for ch in text:
        category = unicodedata.category(ch)
        if (
            category in ("Cc", "Co", "Cn")
            and ch not in "\r\n\t"
            or category in ("So", "Sk", "Sm")
            and ch not in "°€+=<>|~"
        ):
            bad += 1
    return bad


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number of fields (> 1)."""
    lines = [line for line in text.splitlines() if line.strip()][:200]
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        multi = [w for w in widths if w > 1]
        if not multi:
            continue
        modal = max(set(multi), key=multi.count)
        score = multi.count(modal) * modal
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_sheet(text: str, delimiter: str, name: str) -> Sheet:
    rows = [
        [None if _is_blank(v) else v for v in row]
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]
    return Sheet(name=name, rows=_trim(rows))
