"""A sheet as a grid of typed cells, with A1 references."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class SpreadsheetError:
    """An error value a spreadsheet shows in a cell (`#N/A`, `#REF!`): no figure."""

    code: str

    def __str__(self) -> str:
        return self.code


CellValue = (
    str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | SpreadsheetError
)


@cache
def column_letters(col: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 26 -> AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> A1 reference."""
    return f"{column_letters(col)}{row + 1}"


@dataclass(frozen=True)
class MergedRange:
    """A merged block, 0-based and inclusive, as python-calamine reports it."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass
class Sheet:
    """One sheet: its used range as a dense grid (empty cells are None), where that range
    starts (`origin`, 0-based row and column of the grid's first cell), and merged ranges.
    Coordinates given and returned are the sheet's own (A1 is (0, 0))."""

    name: str
    rows: list[list[CellValue | None]]
    merged: list[MergedRange] = field(default_factory=list)
    origin: tuple[int, int] = (0, 0)

    @property
    def height(self) -> int:
        """Rows from the top of the sheet to the last used one."""
        return self.origin[0] + len(self.rows) if self.rows else 0

    @property
    def width(self) -> int:
        widest = max((len(r) for r in self.rows), default=0)
        return self.origin[1] + widest if widest else 0

    def value(self, row: int, col: int) -> CellValue | None:
        r, c = row - self.origin[0], col - self.origin[1]
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def non_empty(self) -> list[tuple[int, int, CellValue]]:
        """Every non-empty cell, row by row, in the sheet's coordinates."""
        top, left = self.origin
        return [
            (top + r, left + c, v)
            for r, row in enumerate(self.rows)
            for c, v in enumerate(row)
            if v is not None
        ]
