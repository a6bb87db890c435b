"""The rows that reading a file produces, as plain dataclasses (no Dagster, no DuckDB).

Every non-empty cell of an accepted file ends in exactly one of: an `Observation`, an
`IgnoredCell` (with the rule that ignored it), or a cell-level `QuarantineItem`. The landing
layer writes them to the `raw` schema; the conservation check proves the 'exactly one'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class CellRecord:
    """One non-empty cell, as found, before any interpretation: the inventory."""

    sheet_name: str
    cell_ref: str
    row_number: int  # 1-based, as a spreadsheet shows it
    column_number: int
    raw_text: str | None  # None where the content must not be kept (personal data)
    cell_type: str


@dataclass
class SheetRecord:
    sheet_index: int
    sheet_name: str
    n_rows: int
    n_columns: int
    non_empty_cells: int
    tables: int
    form_pairs: int


@dataclass
class Observation:
    sheet_name: str
    cell_ref: str
    row_number: int
    column_number: int
    layout: str  # wide, transposed, long, table, record_list, form
    table_index: int | None
    row_label: str | None
    column_label: str | None
    measure_labels: list[str]  # what the cell measures, most specific last
    context_labels: list[str]  # what qualifies it: parent header, title, section, sheet
    period_text: str | None
    period_date: dt.date | None
    is_total: bool
    raw_text: str
    value_number: float | None
    value_status: str  # number, zero_marker, not_available, record
    unit_text: str | None
    # A TOTAL cell sums its 'column' (it stands in a TOTAL row) or its 'row' (TOTAL column).
    total_of: str | None = None
    # Decimals as written ('3,48' -> 2): a written figure is exact to half its last digit.
    value_decimals: int | None = None
    period_cell_ref: str | None = None  # the cell that gave the day (a row label or a header)
    unit_cell_ref: str | None = None  # the cell the unit is written in
    # how the cell makes a figure: its 'value', one 'record' of a list, the 'quantity' of an item
    counted_as: str = "value"
    # the cell of the figure this one is part of ('of which' under a total): never added to it
    part_of: str | None = None
    template_hints: list[str] = field(default_factory=list)  # hints that shaped the reading


@dataclass
class IgnoredCell:
    sheet_name: str
    cell_ref: str
    rule: str  # title, header, row_label, heading, label, metadata, note, free_text, ...


@dataclass
class PrivacyDrop:
    """A column of personal data left out of the warehouse: where, and how many values."""

    sheet_name: str
    column_letter: str
    header_text: str | None
    values_dropped: int
    detected_by: str  # header (its vocabulary) or values (their pattern)


@dataclass
class QuarantineItem:
    reason_code: str
    message: str
    sheet_name: str | None = None
    cell_ref: str | None = None
    raw_text: str | None = None
    # what the problem is about, for a steward's groups: the unknown label, the day text
    # that cannot be read, the header above an unattached figure ('' or None: the cell)
    subject: str | None = None


@dataclass
class SubmissionReading:
    """All that reading one file produced."""

    file_name: str
    status: str  # accepted, rejected
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    language: str | None = None
    decimal_separator: str | None = None
    date_order: str | None = None
    country_code: str | None = None
    country_evidence: str | None = None
    report_date: dt.date | None = None
    content_version: int | None = None
    name_version: int = 0
    hint_ids: list[str] = field(default_factory=list)  # file-wide template hints applied
    sheets: list[SheetRecord] = field(default_factory=list)
    cells: list[CellRecord] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    ignored: list[IgnoredCell] = field(default_factory=list)
    quarantine: list[QuarantineItem] = field(default_factory=list)
    privacy: list[PrivacyDrop] = field(default_factory=list)
