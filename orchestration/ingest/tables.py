"""Find the tables of a sheet: header band, body rows, and what each column holds.

A header row is a row of labels that the vocabulary knows (metrics, charges, field names such
as 'Date' or 'Total') or of dates, with nothing numeric in it. Above it there may be a parent
row (a label merged over its sub-columns); below it, body rows until a blank line or a note.
Each column is then one of:

    measure   its body cells are values (a metric per column, a day per column, a Total)
    period    its body cells are the days of the rows (wide daily, tidy long)
    labels    its body cells name what the row measures (transposed, tidy long, records)
    unit      its body cells are units of the row's values
    free_text descriptions, places, remarks: kept as ignored, never figures

The same rules read a wide daily table, a transposed one, a tidy long list and a list of
records, wherever they start on the sheet and whatever the wording of their headers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from orchestration.ingest.cells import CellInfo
from orchestration.ingest.grid import MergedRange, column_letters
from orchestration.ingest.hints import TemplateHint
from orchestration.ingest.labels import OUTLINE_NUMBER
from orchestration.ingest.numbers import NumberText
from orchestration.ingest.vocabulary import VALUE_ROLES

HEADER_KINDS = ("metric", "charge", "field")
LABEL_ROLES = frozenset({"indicator", "charge", "category"})
PERIOD_ROLES = frozenset({"date"})
UNIT_ROLES = frozenset({"unit"})
# Field roles whose column is kept as ignored text, without its text.
FREE_TEXT_ROLES = frozenset({"description", "note", "place", "nationality", "record_no", "country"})
PERSONAL_ROLES = frozenset({"personal_data"})
# Passport and identity card numbers, personal numbers (JMBG, PESEL, EGN...): 8 to 13 digits,
# perhaps after one to three letters. No figure of an operation's day looks like that in a
# column whose header names no metric.
_IDENTIFIER = re.compile(r"^[A-Z]{0,3}[ -]?\d{8,13}$")


@dataclass
class Column:
    col: int
    kind: str  # measure, period, labels, unit, free_text, personal_data, numbering
    header: CellInfo | None = None
    parents: list[CellInfo] = field(default_factory=list)
    total: bool = False
    field_role: str | None = None
    unknown_header: bool = False  # a text column whose header no seed knows
    names_the_rows: bool = False  # a labels column whose header names what its rows count
    fills_down: bool = False  # a group label written once over the rows it holds for
    # a list's numbers that may be a quantity or a running number: neither is taken
    ambiguous_quantity: bool = False

    @property
    def period_header(self) -> CellInfo | None:
        """The header cell when it is a day (transposed tables)."""
        if self.header and (self.header.is_datelike or self.header.possible_serial):
            return self.header
        return None


@dataclass
class Table:
    index: int
    header_rows: list[int]
    body_rows: list[int]
    columns: list[Column]
    title: CellInfo | None = None
    hint_ids: list[str] = field(default_factory=list)  # template hints that shaped it

    @property
    def is_record_list(self) -> bool:
        """No value column: every body row is one record (an arrest, a seizure) counting 1."""
        return not any(c.kind == "measure" for c in self.columns)

    def total_rows(self, cells: dict[tuple[int, int], CellInfo]) -> set[int]:
        label_cols = [c.col for c in self.columns if c.kind in ("labels", "period")]
        return {
            r
            for r in self.body_rows
            for c in label_cols
            if (cell := cells.get((r, c))) and cell.is_total
        }


def is_header_like(cell: CellInfo) -> bool:
    """A cell that can head a column: a known label, a day, or a date serial."""
    if cell.kind == "date":
        return True
    if cell.possible_serial:
        return True  # is_header_run asks for several: one large count is not a day
    if cell.kind != "text" or cell.text.rstrip().endswith(":"):
        return False  # 'Country:' is the label of a form pair, not a column header
    return any(m.kind in HEADER_KINDS for m in cell.matches)


def right_edge(cell: CellInfo, merged: list[MergedRange]) -> int:
    """The last column a cell covers: its merged range's, or its own."""
    for block in merged:
        if block.top == cell.row and block.left == cell.col:
            return block.right
    return cell.col


def header_runs(row_cells: list[CellInfo], merged: list[MergedRange]) -> list[list[CellInfo]]:
    """Cells of a row split at gaps of two or more empty columns: side-by-side tables.
    A merged cell covers its range ('Arrests' over its charges is no gap)."""
    runs: list[list[CellInfo]] = []
    edge = -10
    for cell in sorted(row_cells, key=lambda c: c.col):
        if runs and cell.col - edge <= 2:
            runs[-1].append(cell)
        else:
            runs.append([cell])
        edge = max(edge, right_edge(cell, merged))
    return runs


# Rows below a header in which a column must stay empty for it to separate two tables.
_SEPARATOR_DEPTH = 6


def _split_at_empty_columns(
    run: list[CellInfo], by_row: dict[int, list[CellInfo]], merged: list[MergedRange]
) -> list[list[CellInfo]]:
    """Split a header where a column is empty in it and in the rows below it: two tables
    side by side, one blank column apart ('Datum | ... | Drogen (kg)' and, after an empty
    column, 'Totalt för operationen'). A column without a header but with figures below
    belongs to the table."""
    if len(run) < 2:
        return [run]
    header_row = run[0].row
    used = {
        c.col
        for r in range(header_row + 1, header_row + 1 + _SEPARATOR_DEPTH)
        for c in by_row.get(r, [])
    }
    parts = [[run[0]]]
    for previous, cell in zip(run, run[1:], strict=False):
        gap = range(right_edge(previous, merged) + 1, cell.col)
        if gap and not any(col in used for col in gap):
            parts.append([cell])
        else:
            parts[-1].append(cell)
    return parts


def _bridge_runs(runs: list[list[CellInfo]], below: list[CellInfo]) -> list[list[CellInfo]]:
    """Join runs whose gap is filled by labels in the next row: a group label that is not
    merged ('Arrests' over three charges in a csv) leaves a gap above its sub-columns."""
    if len(runs) < 2:
        return runs
    labels_below = {c.col for c in below if c.kind == "text"}
    joined = [runs[0]]
    for run in runs[1:]:
        gap = range(joined[-1][-1].col + 1, run[0].col)
        if labels_below and all(col in labels_below or col - 1 in labels_below for col in gap):
            joined[-1] = joined[-1] + run
        else:
            joined.append(run)
    return joined


def is_header_run(run: list[CellInfo]) -> bool:
    """Enough known labels (or days) and nothing numeric: a header the vocabulary knows."""
    serials = [c for c in run if c.possible_serial]
    if len(serials) == 1:
        return False  # '70732' beside a label is a figure, not a day
    header_like = [c for c in run if is_header_like(c)]
    numbers = [c for c in run if c.kind == "number" and not c.possible_serial]
    return len(header_like) >= 2 and not numbers and len(header_like) * 2 >= len(run)


# How far below a header in unknown words the reader looks for the rows it heads.
_LOOK_BELOW = 12


def is_unknown_header_run(run: list[CellInfo], by_row: dict[int, list[CellInfo]]) -> bool:
    """A header in words no seed knows, recognised by what lies under it: a row of plain
    labels above rows that keep to its columns, with figures under one of them and words
    (or days) under another one before it, in at least two rows (section rows such as '2. Controls'
    may stand between them). The table is then read by what its columns hold, and its
    unknown labels are quarantined by dbt with the seed to extend, instead of the table
    being taken for a form."""
    if len(run) < 2 or any(c.kind != "text" or c.text.rstrip().endswith(":") for c in run):
        return False
    columns = sorted(c.col for c in run)
    first = 1
    band = by_row.get(run[0].row + 1, [])
    if is_label_band(band, by_row) and all(
        columns[0] <= c.col <= columns[-1] + len(band) for c in band
    ):
        # a second header level in unknown words ('Festnahmen' over its offences): its
        # labels head the columns under them, and the rows below it are the body
        columns = sorted(set(columns) | {c.col for c in band})
        first = 2
    rows_with_figures, blanks = 0, 0
    for offset in range(first, _LOOK_BELOW + 1):
        row = {c.col: c for c in by_row.get(run[0].row + offset, [])}
        if not row:
            blanks += 1
            if blanks > 1:
                break
            continue
        blanks = 0
        if any(col not in columns for col in row if columns[0] <= col <= columns[-1] + 1):
            return False  # cells between or just beside the header's columns: another shape
        figures = [col for col in columns if col in row and row[col].is_numeric]
        words = [col for col in columns if col in row and row[col].kind in ("text", "date")]
        if figures and words and min(words) < max(figures):
            rows_with_figures += 1
    return rows_with_figures >= 2


def is_label_band(row_cells: list[CellInfo], by_row: dict[int, list[CellInfo]]) -> bool:
    """A row of plain labels with figures in the row under it, under its own columns: the
    second level of a header band, whether or not its words are in the seeds."""
    if not row_cells or any(
        c.kind != "text" or c.is_total or c.text.rstrip().endswith(":") for c in row_cells
    ):
        return False
    under = {c.col for c in by_row.get(row_cells[0].row + 1, []) if c.is_numeric}
    return bool(under) and any(c.col in under for c in row_cells)


def find_tables(
    cells: dict[tuple[int, int], CellInfo],
    merged: list[MergedRange],
    sheet_hints: list[TemplateHint] | None = None,
) -> list[Table]:
    """Every table of one sheet, top to bottom. A steward's `header_row` hint puts a table's
    header where the hint says, whatever the vocabulary makes of it (hints.py)."""
    sheet_hints = sheet_hints or []
    by_row: dict[int, list[CellInfo]] = {}
    for cell in cells.values():
        by_row.setdefault(cell.row, []).append(cell)
    taken: set[tuple[int, int]] = set()
    tables: list[Table] = []
    for hint in (h for h in sheet_hints if h.kind == "header_row"):
        run = sorted(by_row.get(hint.row_index, []), key=lambda c: c.col)
        table = (
            _build_table(len(tables), run, cells, by_row, merged, taken, sheet_hints)
            if run
            else None
        )
        if table is not None:
            table.hint_ids.append(hint.hint_id)
            tables.append(table)
            taken.update(_table_cells(table, cells))
    for row in sorted(by_row):
        free = [c for c in by_row[row] if (c.row, c.col) not in taken]
        below = by_row.get(row + 1, [])
        if not (any(is_header_like(c) for c in below) or is_label_band(below, by_row)):
            below = []  # only a row of labels bridges a gap, not a row of figures
        runs = _bridge_runs(header_runs(free, merged), below)
        runs = [part for run in runs for part in _split_at_empty_columns(run, by_row, merged)]
        for run in runs:
            if not (is_header_run(run) or is_unknown_header_run(run, by_row)):
                continue
            table = _build_table(len(tables), run, cells, by_row, merged, taken, sheet_hints)
            if table is None:
                continue
            tables.append(table)
            taken.update(_table_cells(table, cells))
    return tables


def _build_table(
    index: int,
    run: list[CellInfo],
    cells: dict[tuple[int, int], CellInfo],
    by_row: dict[int, list[CellInfo]],
    merged: list[MergedRange],
    taken: set[tuple[int, int]],
    sheet_hints: list[TemplateHint] | None = None,
) -> Table | None:
    first_col, last_col = run[0].col, max(right_edge(c, merged) for c in run)
    header_row = run[0].row
    parents: int | None = None
    if _is_sub_header(header_row + 1, run, first_col, last_col, by_row, taken, merged):
        parents, header_row = header_row, header_row + 1
    header_band = [header_row] if parents is None else [parents, header_row]
    body = _body_rows(header_band, first_col, last_col, cells, by_row, taken)
    if not body and not is_header_run(run):
        return None  # an empty table is only believed when the vocabulary knows its header
    # Label columns without a header (a blank top-left corner) belong to the table too.
    while first_col > 0 and any((r, first_col - 1) in cells for r in body):
        first_col -= 1
    if parents is None:
        parents = _parent_row(header_row, first_col, last_col, cells, taken)
    columns = [
        _column(col, header_row, body, cells, parents, merged)
        for col in range(first_col, last_col + 1)
        if (header_row, col) in cells or any((r, col) in cells for r in body)
    ]
    used = _apply_column_hints(columns, sheet_hints or [])
    _label_column_by_position(columns, body, cells)
    if not any(h.kind in ("quantity_column", "count_rows") for h in used):
        _quantity_column(columns, body, cells)
    header_rows = [header_row] if parents is None else [parents, header_row]
    table = Table(index, header_rows, body, columns, hint_ids=[h.hint_id for h in used])
    table.title = _title_above(min(header_rows), first_col, last_col, cells, taken)
    return table


def _body_rows(
    header_band: list[int],
    first_col: int,
    last_col: int,
    cells: dict[tuple[int, int], CellInfo],
    by_row: dict[int, list[CellInfo]],
    taken: set[tuple[int, int]],
) -> list[int]:
    """Rows under the header, until a note, a new header, or a gap after which no row fits
    the header any more. A table goes on across blank rows and section headings ('ARRESTS'
    alone in the label column) while the rows after them still have their figures under
    the header's columns; a TOTAL row may follow one blank."""
    header_row = header_band[-1]
    header_cols = {
        c.col for r in header_band for c in by_row.get(r, []) if first_col <= c.col <= last_col
    }
    body: list[int] = []
    row, last_row = header_row + 1, max(by_row, default=header_row)

    def inside(r: int) -> list[CellInfo]:
        return [
            c
            for c in by_row.get(r, [])
            if first_col - 1 <= c.col <= last_col and (c.row, c.col) not in taken
        ]

    while row <= last_row:
        cells_in_row = inside(row)
        if not cells_in_row or (body and _is_heading_row(cells_in_row)):
            following = _next_fitting_row(row, last_row, inside, header_cols, body, by_row)
            if following is None:
                if cells_in_row:
                    break
                total = _total_after_gap(row, last_row, inside)
                if total is not None:
                    body.append(total)
                break
            body.extend(r for r in range(row, following) if inside(r))  # headings
            row = following
            continue
        if _is_note_row(cells_in_row):
            break
        if (
            body
            and is_header_run(sorted(cells_in_row, key=lambda c: c.col))
            and _new_header(cells_in_row)
        ):
            break
        body.append(row)
        row += 1
    return body


# Rows a table may skip between its parts: blank lines and section headings.
_MAX_GAP_ROWS = 3


def _next_fitting_row(
    row, last_row, inside, header_cols: set[int], body: list[int], by_row
) -> int | None:
    """The first row after a gap (blank rows and headings, a few at most) that continues the
    table: its figures stand under the header's columns and each of its cells is of the kind
    its column holds above the gap (a label where the labels are, a day where the days are,
    figures under figures). None when the table ends at the gap: a summary block below a
    table of days is a block of its own."""
    kinds = _column_kinds(body, by_row)
    for following in range(row, min(row + _MAX_GAP_ROWS + 1, last_row + 1)):
        cells_in_row = inside(following)
        if not cells_in_row or _is_heading_row(cells_in_row):
            continue
        numbers = [c for c in cells_in_row if c.is_numeric]
        fits = numbers and all(c.col in header_cols for c in numbers)
        alike = all(kinds.get(c.col) == _kind_of(c) for c in cells_in_row)
        keep = fits and alike and len(cells_in_row) >= 2 and not _is_note_row(cells_in_row)
        return following if keep else None
    return None


def _kind_of(cell: CellInfo) -> str:
    if cell.is_numeric and not cell.possible_serial:
        return "figure"
    if cell.is_datelike or cell.possible_serial:
        return "day"
    return "text"


def _column_kinds(body: list[int], by_row) -> dict[int, str]:
    """The kind of cell most of each column holds in the rows read so far."""
    seen: dict[int, Counter] = {}
    for r in body:
        for cell in by_row.get(r, []):
            seen.setdefault(cell.col, Counter())[_kind_of(cell)] += 1
    return {col: counts.most_common(1)[0][0] for col, counts in seen.items()}


def _total_after_gap(row, last_row, inside) -> int | None:
    """A TOTAL row set one blank line below the table."""
    following = row + 1
    if following > last_row:
        return None
    cells_in_row = inside(following)
    return following if any(c.is_total for c in cells_in_row) else None


def _is_heading_row(cells_in_row: list[CellInfo]) -> bool:
    """One text and nothing else: a section heading ('ARRESTS', '2. Seizures')."""
    return (
        len(cells_in_row) == 1 and cells_in_row[0].kind == "text" and not cells_in_row[0].is_total
    )


def _is_sub_header(
    row: int,
    run: list[CellInfo],
    first_col: int,
    last_col: int,
    by_row: dict[int, list[CellInfo]],
    taken: set[tuple[int, int]],
    merged: list[MergedRange],
) -> bool:
    """The row under a header is its second level when it holds only labels and either
    some header cells are merged down over it (the header band is two rows deep), some
    of its labels stand under a gap of the first level ('Arrests' over its charges), or
    each of its labels is a charge straight under a metric (one charge, no merges: csv)."""
    below = [
        c
        for c in by_row.get(row, [])
        if first_col <= c.col <= last_col and (c.row, c.col) not in taken
    ]
    if not below or any(c.kind != "text" for c in below):
        return False
    merged_down = any(
        block.top == cell.row and block.left == cell.col and block.bottom >= row
        for cell in run
        for block in merged
    )
    if merged_down:
        return True
    above = {c.col: c for c in run}
    if any(c.col not in above for c in below):
        return any(is_header_like(c) for c in below) or is_label_band(below, by_row)
    return all(c.has("charge") and above[c.col].has("metric") for c in below)


def _new_header(inside: list[CellInfo]) -> bool:
    """A row of field names or metric labels (not days or charges) starts a new table."""
    return sum(1 for c in inside if c.has("field") or c.has("metric")) >= 2 and not any(
        c.kind == "date" for c in inside
    )


def _is_note_row(inside: list[CellInfo]) -> bool:
    """A single stray text ('* provisional figures', 'Source: ...') ends a table."""
    if len(inside) != 1:
        return False
    cell = inside[0]
    return cell.kind == "text" and not cell.matches


def _parent_row(
    header_row: int,
    first_col: int,
    last_col: int,
    cells: dict[tuple[int, int], CellInfo],
    taken: set[tuple[int, int]],
) -> int | None:
    """The row above the header when it groups sub-columns ('Arrests' over its charges)."""
    row = header_row - 1
    above = [
        cells[(row, c)]
        for c in range(first_col, last_col + 1)
        if (row, c) in cells and (row, c) not in taken
    ]
    if not above or any(c.kind in ("number", "date", "marker") for c in above):
        return None
    beyond = [c for (r, c_), c in cells.items() if r == row and not first_col <= c_ <= last_col]
    if beyond:
        return None
    if len(above) == 1 and above[0].col == first_col:
        return None  # a title over the whole table, not a group of columns
    return row


def _column(
    col: int,
    header_row: int,
    body: list[int],
    cells: dict[tuple[int, int], CellInfo],
    parent_row: int | None,
    merged: list[MergedRange],
) -> Column:
    header = cells.get((header_row, col))
    parents = (
        [p] if parent_row is not None and (p := _parent_of(parent_row, col, cells, merged)) else []
    )
    body_cells = [cells[(r, col)] for r in body if (r, col) in cells]
    roles = header.field_roles if header else set()
    column = Column(col, "measure", header, parents)
    if _outline_numbers(body_cells):
        column.kind = "numbering"  # '1.', '1.1', '2.': the questions' numbers, no figures
        return column
    if roles & PERSONAL_ROLES or (not _names_a_figure(header) and _identifiers(body_cells)):
        column.kind, column.field_role = "personal_data", "personal_data"
        return column
    if header and (header.is_datelike or header.possible_serial):
        return column
    if header and header.is_total:
        column.total = True
        return column
    if roles & VALUE_ROLES:
        column.field_role = next(iter(roles & VALUE_ROLES))
        return column
    for role_set, kind in (
        (PERIOD_ROLES, "period"),
        (LABEL_ROLES, "labels"),
        (UNIT_ROLES, "unit"),
        (FREE_TEXT_ROLES, "free_text"),
    ):
        if roles & role_set:
            column.kind, column.field_role = kind, next(iter(roles & role_set))
            return column
    if header and (header.has("metric") or header.has("charge")):
        if _holds_words(body_cells):
            # 'Arrests' over a column of offences (a small table of charges beside the
            # days): the header names what the rows count; the column holds their labels
            column.kind, column.names_the_rows = "labels", True
        return column
    column.kind = _kind_from_body(body_cells)
    if column.kind == "free_text" and header is not None:
        column.unknown_header = True
    return column


def _label_column_by_position(
    columns: list[Column], body: list[int], cells: dict[tuple[int, int], CellInfo]
) -> None:
    """A table with value columns names what each row counts in a text column before them,
    whatever its header says ('Delikt / Tag', 'Rubriek'): that column holds row labels, and
    labels no seed knows are quarantined by name. Were it free text, every row's figure would
    lose its label without a word. A text column further left that is written only where a
    group starts ('Aanhoudingen' once over 'vuurwapens', 'drugs' ...) holds group labels,
    which hold for the rows below them until the next one (a merge without a merge)."""
    measures = [c.col for c in columns if c.kind == "measure"]
    if not measures:
        return
    texts = [
        c
        for c in columns
        if c.col < min(measures) and c.kind == "free_text" and _mostly_words(c, body, cells)
    ]
    labels = [c for c in columns if c.kind == "labels"]
    if not labels and texts:
        # the text beside most of the rows' figures (not a 'Yes/No' column written once),
        # the nearest of them on a tie
        with_figures = [r for r in body if any((r, m) in cells for m in measures)]
        chosen = max(
            reversed(texts), key=lambda c: sum(1 for r in with_figures if (r, c.col) in cells)
        )
        texts.remove(chosen)
        chosen.kind, chosen.unknown_header = "labels", False
        labels = [chosen]
    if not labels:
        return
    for group in texts:
        if group.col < labels[0].col and any((r, group.col) not in cells for r in body):
            group.kind, group.unknown_header, group.fills_down = "labels", False, True


def _mostly_words(column: Column, body: list[int], cells: dict[tuple[int, int], CellInfo]) -> bool:
    texts = [cells[(r, column.col)] for r in body if (r, column.col) in cells]
    words = [c for c in texts if c.kind == "text" and not OUTLINE_NUMBER.match(c.text)]
    return bool(words) and len(words) * 2 >= len(texts)


def _apply_column_hints(columns: list[Column], hints: list[TemplateHint]) -> list[TemplateHint]:
    """A steward's word on what a column is: the labels, the quantity of a list, or a
    running number whose rows are counted. The hints that named a column are returned."""
    used = []
    for hint in hints:
        if hint.kind == "count_rows" and not hint.value:
            for column in columns:
                if column.kind == "measure":
                    column.kind, column.field_role = "free_text", "record_no"
            used.append(hint)
            continue
        for column in columns:
            header = column.header.text if column.header is not None else None
            if hint.kind not in ("label_column", "quantity_column", "count_rows"):
                continue
            if not hint.names_column(column.col, header, column_letters(column.col)):
                continue
            if hint.kind == "label_column":
                column.kind, column.unknown_header = "labels", False
            elif hint.kind == "quantity_column":
                column.kind, column.field_role = "measure", "quantity"
            else:
                column.kind, column.field_role = "free_text", "record_no"
            column.unknown_header = column.ambiguous_quantity = False
            used.append(hint)
    if any(h.kind == "count_rows" for h in used):
        for column in columns:  # the list counts rows: no other column is its quantity
            if column.kind == "measure" and column.field_role == "quantity":
                column.kind = "free_text"
    return used


def _quantity_column(
    columns: list[Column], body: list[int], cells: dict[tuple[int, int], CellInfo]
) -> None:
    """In a list of items with no figure column, a column of numbers is the quantity of each
    item ('634 g', '1 db', '3,4 kg', or plain numbers), whatever its header: the list's
    figure is their sum, not the number of rows. A running number (1, 2, 3 ...) is not a
    quantity. Plain numbers under a header that names a running number ('#', 'No.') but
    that do not run are either: the column is marked ambiguous and neither is taken."""
    if any(c.kind == "measure" for c in columns):
        return
    numeric = []
    for column in columns:
        if (
            column.kind in ("labels", "period", "personal_data", "unit")
            and column.field_role != "record_no"
        ):
            continue
        values = [cells[(r, column.col)] for r in body if (r, column.col) in cells]
        if len(values) < 1 or not all(c.kind == "number" for c in values):
            continue
        if _runs(values):
            continue  # a running number: one row, one record
        numeric.append((column, values))
    if len(numeric) != 1:
        for column, _ in numeric:
            column.ambiguous_quantity = True  # two columns of numbers: which is the quantity?
        return
    column, values = numeric[0]
    with_units = any(isinstance(c.number, NumberText) and c.number.rest for c in values)
    if column.field_role == "record_no" and not with_units:
        column.ambiguous_quantity = True
        return
    column.kind, column.field_role, column.unknown_header = "measure", "quantity", False


def _runs(values: list[CellInfo]) -> bool:
    """1, 2, 3 ... (or 0, 1, 2 ...), one per row: a running number."""
    numbers = [c.number for c in values]
    if not all(isinstance(n, float) and n.is_integer() for n in numbers):
        plain = [c.number for c in values if isinstance(c.number, NumberText) and not c.number.rest]
        if len(plain) != len(numbers):
            return False
        try:
            numbers = [float(n.body) for n in plain]
        except ValueError:
            return False
    start = numbers[0]
    return start in (0.0, 1.0) and all(n == start + i for i, n in enumerate(numbers))


def _outline_numbers(body_cells: list[CellInfo]) -> bool:
    """Most cells are outline numbers ('1.', '1.1', '4.7') and at least one is written as
    one (a trailing dot or a second level), so that a column of 1, 2, 3 is not taken."""
    if len(body_cells) < 2:
        return False
    outline = [
        c
        for c in body_cells
        if c.kind != "date"
        and OUTLINE_NUMBER.match(c.text)
        and all(len(part) <= 2 for part in c.text.strip().rstrip(".)").split("."))
    ]  # '4.7', not '12.345' (a thousand) nor '05.09.2021' (a day)
    written = [c for c in outline if c.text.strip().endswith((".", ")")) or c.text.count(".") > 1]
    return len(outline) * 10 >= len(body_cells) * 8 and bool(written)


def _holds_words(body_cells: list[CellInfo]) -> bool:
    """Text in every cell, no figure: a column of labels."""
    return bool(body_cells) and all(c.kind == "text" for c in body_cells)


def _names_a_figure(header: CellInfo | None) -> bool:
    return header is not None and (header.has("metric") or header.has("charge"))


def _identifiers(body_cells: list[CellInfo]) -> bool:
    """Most of a column looks like passport or personal numbers."""
    values = [c.text.strip() for c in body_cells]
    if len(values) < 2:
        return False
    return sum(1 for v in values if _IDENTIFIER.match(v)) * 10 >= len(values) * 6


def _kind_from_body(body_cells: list[CellInfo]) -> str:
    """A column with an unknown or empty header is what its cells are."""
    if not body_cells:
        return "measure"
    counts = Counter(
        "number"
        if c.is_numeric
        else "date"
        if c.is_datelike
        else "unit"
        if c.has("unit")
        else "label"
        if c.matches
        else "text"
        for c in body_cells
    )
    kind, _ = counts.most_common(1)[0]
    return {
        "number": "measure",
        "date": "period",
        "unit": "unit",
        "label": "labels",
    }.get(kind, "free_text")


def _parent_of(
    parent_row: int, col: int, cells: dict[tuple[int, int], CellInfo], merged: list[MergedRange]
) -> CellInfo | None:
    """The parent label over `col`: from the merged range when known, else filled rightwards."""
    for block in merged:
        if block.top <= parent_row <= block.bottom and block.left <= col <= block.right:
            return cells.get((block.top, block.left))
    if merged:
        return cells.get((parent_row, col))
    for c in range(col, -1, -1):
        if (parent_row, c) in cells:
            return cells[(parent_row, c)]
    return None


def _title_above(
    top_row: int,
    first_col: int,
    last_col: int,
    cells: dict[tuple[int, int], CellInfo],
    taken: set[tuple[int, int]],
) -> CellInfo | None:
    """A lone text just above the table (within two rows) names it: 'Arrests by offence'."""
    for row in (top_row - 1, top_row - 2):
        in_row = [c for (r, _), c in cells.items() if r == row and (r, c.col) not in taken]
        if len(in_row) == 1 and in_row[0].kind == "text" and first_col <= in_row[0].col <= last_col:
            return in_row[0]
        if in_row:
            return None
    return None


def _table_cells(table: Table, cells: dict[tuple[int, int], CellInfo]) -> set[tuple[int, int]]:
    cols = [c.col for c in table.columns]
    rows = table.header_rows + table.body_rows
    found = {(r, c) for r in rows for c in cols if (r, c) in cells}
    if table.title is not None:
        found.add((table.title.row, table.title.col))
    return found
