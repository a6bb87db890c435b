"""Bytes -> sheets of typed cells: python-calamine for workbooks, text_files for text.

Workbooks are read once, from the bytes already in memory (the same bytes that were hashed).
The size limits are checked against what is materialised, before it is: calamine builds the
used range of a sheet (not the grid from A1), so a lone cell at `XFD1048576` costs one cell
and a sheet whose used range is too large is refused before a Python object exists. Error
values, which calamine returns as empty strings, are laid over the grid from the file's own
parts (error_cells.py) so that no cell vanishes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import python_calamine

from orchestration.ingest.error_cells import ErrorCells, find_error_cells
from orchestration.ingest.grid import MergedRange, Sheet, SpreadsheetError
from orchestration.ingest.limits import Limits
from orchestration.ingest.problems import UnreadableFile
from orchestration.ingest.text_files import decode_text, sniff_delimiter, text_sheet
from orchestration.ingest.vocabulary import Vocabulary


@dataclass
class Workbook:
    sheets: list[Sheet]
    encoding: str | None = None
    delimiter: str | None = None


def read_workbook(
    data: bytes,
    kind: str,
    text_name: str,
    vocabulary: Vocabulary,
    limits: Limits | None = None,
    sender: str | None = None,
) -> Workbook:
    """Read every sheet. `text_name` names the single sheet of a text file; `sender` is the
    country its file name suggests (it breaks a tie between two code pages, nothing more)."""
    limits = limits or Limits()
    if kind == "csv":
        decoded = decode_text(data, vocabulary, sender)
        _check_size(decoded.text.count("\n") + 1, 0, limits)
        delimiter = sniff_delimiter(decoded.text)
        sheet = text_sheet(decoded.text, delimiter, text_name)
        _check_size(sheet.height, sheet.height * sheet.width, limits)
        return Workbook([sheet], decoded.encoding, delimiter)
    try:
        errors = find_error_cells(data, kind)
    except Exception:  # noqa: BLE001 - a part calamine can read but we cannot parse
        errors = {}
    try:
        return Workbook(_calamine_sheets(data, errors, limits))
    except UnreadableFile:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # calamine's panics derive from BaseException
        if kind == "ods" and (unindented := _without_indentation(data)) is not None:
            try:
                return Workbook(_calamine_sheets(unindented, errors, limits))
            except (UnreadableFile, KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - the first error is the one to report
                pass
        raise UnreadableFile(
            "corrupt_file", f"the {kind} workbook cannot be read ({_first_line(error)})"
        ) from None


def _calamine_sheets(data: bytes, errors: ErrorCells, limits: Limits) -> list[Sheet]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [_calamine_sheet(book, name, errors, limits) for name in book.sheet_names]


_INDENTATION = re.compile(rb">\s+<(?!/text:)")


def _without_indentation(data: bytes) -> bytes | None:
    """An ods whose content.xml is pretty-printed (KSpread writes it so): calamine expects
    no text between table elements. The same workbook with that indentation removed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
                for entry in source.infolist():
                    part = source.read(entry.filename)
                    if entry.filename == "content.xml":
                        part = _INDENTATION.sub(b"><", part)
                    stored = (
                        zipfile.ZIP_STORED if entry.filename == "mimetype" else zipfile.ZIP_DEFLATED
                    )
                    target.writestr(entry.filename, part, compress_type=stored)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return buffer.getvalue()


def _calamine_sheet(
    book: python_calamine.CalamineWorkbook, name: str, errors: ErrorCells, limits: Limits
) -> Sheet:
    sheet = book.get_sheet_by_name(name)
    _check_size(sheet.height, sheet.height * sheet.width, limits)  # before any Python object
    used = sheet.to_python(skip_empty_area=True) if sheet.height else []
    top, left = sheet.start or (0, 0)
    sheet_errors = errors.get(name, {})
    if sheet_errors:  # an error cell is inside the used range; be sure nothing is cut off
        top = min([top] + [r for r, _ in sheet_errors]) if used else min(r for r, _ in sheet_errors)
        left = (
            min([left] + [c for _, c in sheet_errors]) if used else min(c for _, c in sheet_errors)
        )
    start_row, start_col = sheet.start or (0, 0)
    rows: list[list] = [[] for _ in range(start_row - top)] if used else []
    for values in used:
        rows.append([None] * (start_col - left) + [None if _is_blank(v) else v for v in values])
    for (row, col), code in sheet_errors.items():
        r, c = row - top, col - left
        while len(rows) <= r:
            rows.append([])
        if len(rows[r]) <= c:
            rows[r].extend([None] * (c + 1 - len(rows[r])))
        if rows[r][c] is None:
            rows[r][c] = SpreadsheetError(code)
    merged = [
        MergedRange(top_, left_, bottom, right)
        for (top_, left_), (bottom, right) in (sheet.merged_cell_ranges or [])
    ]
    return Sheet(name=name, rows=_trim(rows), merged=merged, origin=(top, left))


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


# What makes a text cell look empty: spaces and line breaks, not control characters.
_BLANKS = " \t\r\n\u00a0\u2007\u202f\u3000"


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(_BLANKS))


def _trim(rows: list[list]) -> list[list]:
    """Drop trailing empty rows and columns, so the grid ends where the content ends."""
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]
