"""A format-neutral workbook: sheets of cells with merges, before any file format.

Layouts build this; writers turn it into xlsx, ods, xls or csv bytes. Cells that carry a
figure, a label, a date or a unit are tagged with what they mean, so that the fault
injector can find "the TOTAL cell of persons checked" without knowing any layout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tag:
    """What a cell means in the truth (never written to the file).

    role: "header" (a metric's column/row label in a table), "label" (a metric's label in
    a form or summary), "detail" (a daily figure), "total" (a TOTAL row/column cell),
    "summary" (a whole-operation figure), "date" (the date of a daily row), "unit" (a drug
    unit cell), "quantity" (a drug quantity with its unit inside the cell), "charge" (the
    charge of one arrest in a list).
    """

    role: str
    metric: str | None = None
    date: dt.date | None = None
    charge: str | None = None
    value: float | None = None  # the true figure, in `unit`
    unit: str | None = None


@dataclass
class Cell:
    value: object  # str | int | float | datetime.date
    number_format: str | None = None
    bold: bool = False
    tag: Tag | None = None


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    widths: dict[int, float] = field(default_factory=dict)

    def put(
        self,
        row: int,
        col: int,
        value,
        *,
        fmt: str | None = None,
        bold: bool = False,
        tag: Tag | None = None,
    ) -> None:
        if value is None or value == "":
            if tag is None:
                self.cells.pop((row, col), None)
                return
            value = ""
        self.cells[(row, col)] = Cell(value, fmt, bold, tag)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    @property
    def n_rows(self) -> int:
        return 1 + max((r for r, _ in self.cells), default=-1)

    @property
    def n_cols(self) -> int:
        return 1 + max((c for _, c in self.cells), default=-1)

    def tagged(self):
        """(row, col, cell) of every tagged cell, in reading order."""
        for r, c in sorted(self.cells):
            cell = self.cells[(r, c)]
            if cell.tag is not None:
                yield r, c, cell


@dataclass
class Book:
    sheets: list[Sheet]


def a1(row: int, col: int) -> str:
    """Zero-based (row, col) to an A1 reference."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"
