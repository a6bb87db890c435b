"""A sheet as a grid of typed cells, with A1 references."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

CellValue = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta


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
    """One sheet: a dense grid from A1 (empty cells are None) and its merged ranges."""

    name: str
    rows: list[list[CellValue | None]]
    merged: list[MergedRange] = field(default_factory=list)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int) -> CellValue | None:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def non_empty(self) -> list[tuple[int, int, CellValue]]:
        """Every non-empty cell, row by row."""
        return [
            (r, c, v) for r, row in enumerate(self.rows) for c, v in enumerate(row) if v is not None
        ]
