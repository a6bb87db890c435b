"""Turning a value cell into a number and a period cell into a day, the file's way.

`FileLocale` holds what was decided for the whole file (decimal separator, day-month order,
the operation's year and window). A cell that cannot be read raises `CellProblem` with the
quarantine reason code and a sentence a data steward can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from orchestration.ingest.cells import CellInfo, classify
from orchestration.ingest.dates import AmbiguousDate, DateText, find_date, from_serial, resolve_date
from orchestration.ingest.numbers import AmbiguousNumber, NumberText, to_float
from orchestration.ingest.problems import CellProblem
from orchestration.ingest.vocabulary import Vocabulary

_DAY_NUMBER = re.compile(r"^(?P<word>[^\W\d_]+\.?)\s*(?P<n>\d{1,2})\.?$")


@dataclass(frozen=True)
class FileLocale:
    decimal_separator: str | None
    date_order: str | None
    default_year: int
    window: tuple[dt.date, dt.date] | None


@dataclass(frozen=True)
class Value:
    number: float | None
    status: str  # number, zero_marker, not_available
    unit_text: str | None  # a unit written in the cell ('2,5 kg')
    decimals: int = 0  # digits written after the decimal separator


def read_value(cell: CellInfo, locale: FileLocale, vocabulary: Vocabulary) -> Value:
    """The figure in a value cell; raises CellProblem when it is not one."""
    if cell.kind == "marker":
        meaning = next(m.code for m in cell.matches if m.kind == "marker")
        if meaning == "zero":
            return Value(0.0, "zero_marker", None)
        return Value(None, "not_available", None)
    if cell.kind == "error":
        raise CellProblem(
            "error_value",
            f"the cell shows the spreadsheet error {cell.text}: the sender's formula failed, "
            "so the figure is unknown; ask the sender for the figure",
        )
    if cell.kind == "text" and (answer := _answer_in_text(cell, vocabulary)) is not None:
        return read_value(answer, locale, vocabulary)  # 'Odgovor: 25.191', 'Answer – 512'
    if cell.kind != "number":
        raise CellProblem("not_a_number", not_a_number(cell))
    if isinstance(cell.number, float):
        fraction = repr(cell.number).partition(".")[2]
        return Value(cell.number, "number", None, 0 if fraction in ("", "0") else len(fraction))
    number: NumberText = cell.number
    try:
        value = to_float(number, locale.decimal_separator)
    except AmbiguousNumber:
        raise CellProblem(
            "ambiguous_number",
            f"{cell.text!r} can be read with '.' or ',' as the decimal separator and no other "
            "cell of the file says which; declare the template's separator in "
            "template_hints.csv (hint decimal_separator, value ',' or '.', for this file's "
            "name pattern)",
        ) from None
    except ValueError as error:
        raise CellProblem(
            "not_a_number", f"{cell.text!r} is not a well-formed number ({error})"
        ) from None
    decimal = number.decimal_vote or locale.decimal_separator
    digits = number.body.rpartition(decimal)[2] if decimal and decimal in number.body else ""
    # '1,23E+04' is exact to the hundred: two decimals, four places to the left
    return Value(value, "number", number.rest or None, len(digits) - number.exponent)


def read_period(
    cell: CellInfo, locale: FileLocale, vocabulary: Vocabulary, operation_start: dt.date | None
) -> dt.date:
    """The day a period cell names: a date, a date text, an Excel serial, or 'Day 2'."""
    if isinstance(cell.date, dt.date):
        return cell.date
    if isinstance(cell.date, DateText):
        try:
            return resolve_date(cell.date, locale.date_order, locale.default_year, locale.window)
        except AmbiguousDate:
            raise CellProblem(
                "ambiguous_date",
                f"{cell.text!r} can be day-month or month-day and the file never shows which; "
                "declare the template's date order in template_hints.csv (hint date_order, "
                "value dmy or mdy, for this file's name pattern)",
            ) from None
        except ValueError:
            raise CellProblem(
                "unreadable_date",
                f"{cell.text!r} is not a calendar date (no such day); correct the cell or ask "
                "the sender",
            ) from None
    if isinstance(cell.number, float) and (serial := from_serial(cell.number)):
        return serial
    if isinstance(cell.number, NumberText) and not cell.number.rest:
        try:
            serial = from_serial(to_float(cell.number, "."))
        except ValueError:
            serial = None
        if serial:
            return serial
    match = _DAY_NUMBER.match(cell.text.strip())
    if match and operation_start and "date" in vocabulary.field_roles(match["word"]):
        return operation_start + dt.timedelta(days=int(match["n"]) - 1)
    raise CellProblem("unreadable_date", unreadable_day(cell, vocabulary))


_LETTERS = re.compile(r"[^\W\d_]+\.?")


def unreadable_day(cell: CellInfo, vocabulary: Vocabulary) -> str:
    """Why a day cell cannot be read, and what would make it readable: a word with no digit
    is no date whatever its month ('Toplam', 'Celkem': a total row); a number beside an
    unknown word is a day in a month name no seed knows ('24 Eylül')."""
    text = cell.text.strip()
    unknown = [w for w in _LETTERS.findall(text) if vocabulary.month_number(w) is None]
    if not any(ch.isdigit() for ch in text):
        return (
            f"{text!r} stands where a day is expected, but it holds no digit: no month name "
            "makes it a date. If it closes the table (a total: 'Toplam', 'Totale', 'Celkem'), "
            "add it to field_labels.csv with the role total: the row is then checked against "
            "the days above it, never counted; if it is a day, ask the sender for its date"
        )
    if unknown:
        word = max(unknown, key=len).rstrip(".")
        return (
            f"{text!r} stands where a day is expected; {word!r} is no month name the seeds "
            f"know. If it is one, add it to month_labels.csv with its month's number (the "
            "operation's month, if it is a day of it); otherwise write the day as a date "
            "(e.g. 2020-09-24)"
        )
    return (
        f"{text!r} stands where a day is expected but is no date this reader can read; "
        "write it as a date (e.g. 2020-09-24), or ask the sender"
    )


def not_a_number(cell: CellInfo) -> str:
    """Why a value cell holds no figure, and what would decide it: a label the seeds know
    standing where a figure is expected is a misread structure, not a wrong cell; words
    may say that there is no figure; digits among words are a figure with a remark."""
    text = cell.text.strip()
    if cell.has("metric") or cell.has("charge") or cell.has("field"):
        known = ", ".join(sorted({m.code for m in cell.matches}))
        return (
            f"the value cell holds {text!r}, a label the seeds know ({known}), where a figure "
            "is expected: the table's structure was misread, not the cell. Declare which "
            "column holds the labels (label_column) or which row is the header (header_row) "
            "in template_hints.csv for this file's name pattern"
        )
    if not any(ch.isdigit() for ch in text):
        return (
            f"the value cell holds {text!r}: words, not a figure. If they say there is no "
            "figure ('not available', 'none'), add them to value_markers.csv with the meaning "
            "not_available or zero; if they are a label, the table's structure was misread: "
            "declare its label_column or header_row in template_hints.csv"
        )
    return (
        f"the value cell holds {text!r}: digits among words, so which figure is meant is the "
        "sender's to say; ask for the figure alone (a remark belongs in a note), or correct "
        "the cell"
    )


def day_in_text(text: str, locale: FileLocale, vocabulary: Vocabulary) -> dt.date | None:
    """The day a sheet name or a heading names ('Mon 28 Nov', 'Day 1 – 14 March 2022'),
    when it is near the operation; else None (a 'Report of 13.10.2021' is no day of it)."""
    found = find_date(text, vocabulary.month_number)
    if found is None:
        return None
    try:
        day = resolve_date(found, locale.date_order, locale.default_year, locale.window)
    except ValueError:
        return None
    if locale.window is None:
        return day
    margin = dt.timedelta(days=31)
    return day if locale.window[0] - margin <= day <= locale.window[1] + margin else None


_ANSWER = re.compile(r"^(?P<word>[^\W\d_][^:：=–—]{0,30}?)\s*[:：=–—]\s*(?P<value>[-+−]?\d.*)$")


def _answer_in_text(cell: CellInfo, vocabulary: Vocabulary) -> CellInfo | None:
    """The figure of a value cell that says what it is first ('Odgovor: 25.191'): a word or
    two and a colon or dash, then a number. Only in a value cell; the words are dropped."""
    match = _ANSWER.match(cell.text.strip())
    if not match:
        return None
    value = classify(cell.row, cell.col, match["value"].strip(), vocabulary)
    return value if value.kind == "number" else None


def inline_cell(cell: CellInfo, text: str, vocabulary: Vocabulary) -> CellInfo:
    """The value part of a one-cell pair ('Officers: 512'), classified as a cell of its own."""
    return classify(cell.row, cell.col, text, vocabulary)
