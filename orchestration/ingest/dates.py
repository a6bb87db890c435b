"""Dates as services write them: `24.09.2020`, `24. 9. 2020`, `09/24/2020`, `2020-09-24`,
`24 septembre 2020`, `24 Σεπ 2020`, `24.09.`, Excel serials, real date cells.

Day-month order is a fact about the file: a date such as `09/24/2020` shows it, and the
others are read the same way. Month names come from the month seed, so a new language is a
seed row, not code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials between 1982 and 2119: a bare number in a date column is an Excel serial.
SERIAL_RANGE = (30000, 80000)

_ISO = re.compile(
    r"^(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})\.?(?:[T ]\d.*)?$"
)
_NUMERIC = re.compile(
    r"^(?P<a>\d{1,2})\s*(?P<sep>[./-])\s*(?P<b>\d{1,2})\s*(?:(?P=sep)\s*(?P<y>\d{4}|\d{2})?)?\.?$"
)
_NAMED_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})\.?\s+(?P<month>[^\W\d_]+\.?)\s*,?\s*(?P<y>\d{4})?$")
_NAMED_MONTH_FIRST = re.compile(
    r"^(?P<month>[^\W\d_]+\.?)\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s*(?P<y>\d{4})?$"
)
_LEADING_WEEKDAY = re.compile(r"^[^\W\d_]{2,}\.?,?\s+(?=\d)")
# 'г.' (godina), 'r.' (rok), 'god.': the word for 'year' after a full date.
_TRAILING_YEAR_WORD = re.compile(r"(?<=\d{4})\.?\s*[^\W\d_]{1,4}\.?$")


@dataclass(frozen=True)
class DateText:
    """A text that is a date, before its day-month order is known."""

    first: int
    second: int
    year: int | None
    order_fixed: str | None  # 'ymd', 'dmy' or 'mdy' when the text itself says it
    has_year: bool
    separator: str  # '.', '/', '-', ' ' (named month), 'iso'

    @property
    def order_vote(self) -> str | None:
        if self.order_fixed:
            return None
        if self.first > 12 >= self.second:
            return "dmy"
        if self.second > 12 >= self.first:
            return "mdy"
        return None


def scan_date(text: str, month_of: Callable[[str], int | None]) -> DateText | None:
    """Recognise a date-shaped text; `month_of` maps a month word to 1..12 (the seed)."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    found = _scan(text, month_of)
    if found is None and (without_weekday := _LEADING_WEEKDAY.sub("", text)) != text:
        found = _scan(without_weekday, month_of)  # 'Thursday, 24.09.2020', 'Čet 24.9.'
    if found is None and (without_year_word := _TRAILING_YEAR_WORD.sub("", text)) != text:
        found = _scan(without_year_word, month_of)  # '24.09.2020 г.', '24.09.2020 r.'
        if found is not None and not found.has_year:
            found = None
    return found


def _scan(text: str, month_of: Callable[[str], int | None]) -> DateText | None:
    if m := _ISO.match(text):
        return DateText(int(m["m"]), int(m["d"]), int(m["y"]), "ymd", True, "iso")
    if m := _NUMERIC.match(text):
        year = _full_year(m["y"]) if m["y"] else None
        if m["y"] is None and m["sep"] == "." and not text.endswith("."):
            return None  # '24.09' alone is a decimal number as often as a date
        if m["y"] is None and m["sep"] == "-":
            return None
        return DateText(int(m["a"]), int(m["b"]), year, None, year is not None, m["sep"])
    for pattern in (_NAMED_DAY_FIRST, _NAMED_MONTH_FIRST):
        if (m := pattern.match(text)) and (month := month_of(m["month"].rstrip("."))):
            year = int(m["y"]) if m["y"] else None
            return DateText(int(m["d"]), month, year, "named", year is not None, " ")
    return None


_TOKEN = re.compile(r"\S+")
_BARE_DAY_MONTH = re.compile(r"^(?P<a>\d{1,2})\.(?P<b>\d{1,2})$")


def find_date(text: str, month_of: Callable[[str], int | None]) -> DateText | None:
    """A date written inside a longer text: a sheet named 'E hënë 14.03' or 'Mon 28 Nov', a
    heading 'Day 1 / Lá 1 – Monday 14 March 2022'. Only where a date is expected (the names
    of sheets, headings over figures): in a value cell '24.09' is a number. The longest
    run of words that reads as a date wins; None when no run does, or two different ones do."""
    tokens = [m.group().strip(",;()[]–—-") for m in _TOKEN.finditer(text)]
    found: list[DateText] = []
    for length in (4, 3, 2, 1):
        for start in range(len(tokens) - length + 1):
            piece = " ".join(t for t in tokens[start : start + length] if t)
            if not piece or not any(ch.isdigit() for ch in piece):
                continue
            date = scan_date(piece, month_of) if length > 1 else _one_token_date(piece, month_of)
            if date is not None:
                found.append(date)
        if found:
            break
    days = {(d.first, d.second) for d in found}
    years = {d.year for d in found if d.year}
    if len(days) != 1 or len(years) > 1:
        return None  # two different days in one text: not this reader's to choose
    return max(found, key=lambda d: d.has_year)


def _one_token_date(token: str, month_of: Callable[[str], int | None]) -> DateText | None:
    if m := _BARE_DAY_MONTH.match(token):  # '14.03' in a sheet name is a day, not a number
        return DateText(int(m["a"]), int(m["b"]), None, None, False, ".")
    return scan_date(token, month_of)


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def decide_date_order(
    texts: list[DateText],
    fallback: str | None,
    window: tuple[dt.date, dt.date] | None = None,
) -> str | None:
    """'dmy' or 'mdy', from the file's own evidence first:

    1. the dates that can only be read one way ('09/24/2020' is month first);
    2. the operation's days: the order under which more of the file's dates fall inside
       the operation ('08.09.' in an operation of 5-9 September is the 8th of September);
    3. only where the file shows neither, `fallback` (the sender's or language's habit)."""
    votes = Counter(v for t in texts if (v := t.order_vote))
    if len(votes) == 1:
        return next(iter(votes))
    if votes:
        return None  # the file contradicts itself: let each date that can be read stand alone
    if window is not None:
        inside = {order: sum(_falls_inside(t, order, window) for t in texts) for order in ORDERS}
        if inside["dmy"] != inside["mdy"]:
            return max(inside, key=inside.__getitem__)
    return fallback


ORDERS = ("dmy", "mdy")


def _falls_inside(text: DateText, order: str, window: tuple[dt.date, dt.date]) -> bool:
    if text.order_fixed:
        return False  # read one way whatever the order: no evidence either way
    day, month = (text.first, text.second) if order == "dmy" else (text.second, text.first)
    for year in _years(text, window):
        try:
            if window[0] <= dt.date(year, month, day) <= window[1]:
                return True
        except ValueError:
            continue
    return False


def _years(text: DateText, window: tuple[dt.date, dt.date]) -> tuple[int, ...]:
    """The year a date is in: as written, else a year of the operation (which may span
    the turn of a year: '02.01.' in an operation of 28 December - 3 January)."""
    if text.year:
        return (text.year,)
    return tuple(sorted({window[0].year, window[1].year}))


class AmbiguousDate(ValueError):
    """`05/09/2020` in a file that never shows its day-month order."""


def resolve_date(
    text: DateText, order: str | None, default_year: int, window: tuple[dt.date, dt.date] | None
) -> dt.date:
    """The calendar date, with the file's order; the operation window breaks a tie."""
    year = text.year or _nearest_year(text, default_year, window)
    if text.order_fixed == "ymd":
        return dt.date(year, text.first, text.second)
    if text.order_fixed == "named":
        return dt.date(year, text.second, text.first)
    readings = []
    for candidate_order in ("dmy", "mdy"):
        day, month = (
            (text.first, text.second) if candidate_order == "dmy" else (text.second, text.first)
        )
        try:
            readings.append((candidate_order, dt.date(year, month, day)))
        except ValueError:
            continue
    if not readings:
        raise ValueError("not a calendar date")
    if len(readings) == 1 or readings[0][1] == readings[1][1]:
        return readings[0][1]
    if order:
        return dict(readings)[order]
    if window:
        near = [
            d
            for _, d in readings
            if window[0] - dt.timedelta(days=31) <= d <= window[1] + dt.timedelta(days=31)
        ]
        if len(near) == 1:
            return near[0]
    raise AmbiguousDate(f"{text.first}/{text.second}")


def _nearest_year(text: DateText, default_year: int, window: tuple[dt.date, dt.date] | None) -> int:
    """A date written without its year is in the operation's year; in an operation over the
    turn of a year, in the year that puts it inside the operation."""
    if window is None or window[0].year == window[1].year:
        return default_year
    for year in _years(text, window):
        for order in ORDERS:
            probe = DateText(text.first, text.second, year, text.order_fixed, True, text.separator)
            if _falls_inside(probe, order, window) or (
                text.order_fixed == "named" and _named_inside(text, year, window)
            ):
                return year
    return default_year


def _named_inside(text: DateText, year: int, window: tuple[dt.date, dt.date]) -> bool:
    try:
        return window[0] <= dt.date(year, text.second, text.first) <= window[1]
    except ValueError:
        return False


def from_serial(value: float) -> dt.date | None:
    """An Excel serial day number, when it is one."""
    if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and float(value).is_integer():
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return None
