"""How a service writes numbers and dates: the conventions a profile chooses.

A figure becomes either a native number (with an Excel number format) or text such as
`1.234`, `1 234,5` or `1'234`; a date becomes a local string, an ISO or US string, an
Excel serial (a bare number) or a real date cell. Every rendering is exact: the text
states the true value, so the ground truth can say what each cell states.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EXCEL_EPOCH = dt.date(1899, 12, 30)
NBSP = "\u00a0"
NNBSP = "\u202f"


@dataclass(frozen=True)
class NumberStyle:
    """thousands: the grouping separator written in text numbers ("" for none).
    as_text: numbers are stored as text cells (always true in csv).
    int_format / dec_format: number formats of native cells in xlsx/ods/xls.
    """

    thousands: str = ""
    decimal: str = "."
    as_text: bool = False
    int_format: str | None = None
    dec_format: str | None = None


def excel_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def number_text(value: float, style: NumberStyle) -> str:
    """`value` written as text in the style, with as few decimals as state it exactly."""
    negative = value < 0
    value = abs(value)
    if float(value).is_integer():
        whole, frac = str(int(value)), ""
    else:
        whole, _, frac = f"{round(value, 6):.6f}".rstrip("0").partition(".")
    if style.thousands and len(whole) > 3:
        groups = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = style.thousands.join(groups)
    text = whole + (style.decimal + frac if frac else "")
    return "-" + text if negative else text


def date_text(
    day: dt.date, pattern: str, months: tuple[str, ...] = (), months_short: tuple[str, ...] = ()
) -> str:
    """Render a date with a small pattern language: {d} {dd} {m} {mm} {yyyy} {mon} {mon3}."""
    return pattern.format(
        d=day.day,
        dd=f"{day.day:02d}",
        m=day.month,
        mm=f"{day.month:02d}",
        yyyy=day.year,
        mon=months[day.month - 1] if months else "",
        mon3=months_short[day.month - 1] if months_short else "",
    )


class Formatter:
    """Renders figures and dates the way one profile writes them.

    `dates` is a pattern for date_text, or "serial" (Excel serial number without date
    format), or "cell:<format>" (a real date cell with that number format).
    `zero` is how the service writes a zero figure: "0", "-" or "" (left blank).
    """

    def __init__(
        self,
        numbers: NumberStyle,
        dates: str,
        zero: str = "0",
        *,
        text_only: bool = False,
        months: tuple[str, ...] = (),
        months_short: tuple[str, ...] = (),
        title_dates: str = "{dd}.{mm}.{yyyy}",
    ):
        self.numbers = numbers
        self.dates = dates
        self.zero = zero
        self.text_only = text_only  # csv: every cell is text
        self.months = months
        self.months_short = months_short
        self.title_dates = title_dates

    # numbers -------------------------------------------------------------------------
    def figure(self, value: float) -> tuple[object, str | None]:
        """A figure cell: (cell value, number format). Zero follows the zero convention."""
        if value == 0 and self.zero != "0":
            return self.zero, None
        return self.number(value)

    def number(self, value: float) -> tuple[object, str | None]:
        if self.text_only or self.numbers.as_text:
            return number_text(value, self.numbers), None
        if float(value).is_integer():
            return int(value), self.numbers.int_format
        return round(float(value), 6), self.numbers.dec_format

    def with_unit(self, value: float, unit: str) -> str:
        """A quantity with its unit inside the cell, e.g. `2,5 kg`."""
        return f"{number_text(value, self.numbers)} {unit}"

    # dates ---------------------------------------------------------------------------
    def date(self, day: dt.date) -> tuple[object, str | None]:
        if self.dates == "serial":
            return (str(excel_serial(day)) if self.text_only else excel_serial(day)), None
        if self.dates.startswith("cell:"):
            if self.text_only:
                return self.text_date(day), None
            return day, self.dates[len("cell:") :]
        return date_text(day, self.dates, self.months, self.months_short), None

    def text_date(self, day: dt.date) -> str:
        """A date inside running text (titles, report lines)."""
        if "{" in self.dates:
            pattern = self.dates
        elif self.dates.startswith("cell:"):  # the date cells' format, as a text pattern
            pattern = (
                self.dates[len("cell:") :]
                .replace("DD", "{dd}")
                .replace("MM", "{mm}")
                .replace("YYYY", "{yyyy}")
            )
        else:
            pattern = self.title_dates
        return date_text(day, pattern, self.months, self.months_short)
