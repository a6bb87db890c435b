"""Read one submitted file: structure first, then the file's locale, then every cell's fate.

1. sniff the format, read the sheets, classify every cell;
2. find the tables of each sheet, then the form pairs among what is left;
3. decide what the file says about itself (country, report date, version, language) and
   its conventions (decimal separator, day-month order) from the cells that are values;
4. give every non-empty cell exactly one fate: observation, ignored (with its rule) or
   quarantine (with a reason and a sentence naming file, sheet and cell).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from orchestration.ingest import hints, identity
from orchestration.ingest.cells import CellInfo, classify_sheet
from orchestration.ingest.dates import DateText, decide_date_order, find_date
from orchestration.ingest.forms import METADATA_ROLES, PAIRED_ROLES, FormReading, Pair, read_form
from orchestration.ingest.grid import Sheet, a1, column_letters
from orchestration.ingest.limits import Deadline, Limits
from orchestration.ingest.numbers import NumberText, decide_decimal_separator, to_float
from orchestration.ingest.problems import UnreadableFile
from orchestration.ingest.records import (
    CellRecord,
    IgnoredCell,
    Observation,
    PrivacyDrop,
    QuarantineItem,
    SheetRecord,
    SubmissionReading,
)
from orchestration.ingest.sniff import sniff_format
from orchestration.ingest.tables import Column, Table, find_tables
from orchestration.ingest.values import (
    CellProblem,
    FileLocale,
    day_in_text,
    inline_cell,
    read_period,
    read_value,
)
from orchestration.ingest.vocabulary import Vocabulary
from orchestration.ingest.workbook import read_workbook


@dataclass(frozen=True)
class OperationWindow:
    """What ingestion needs to know of the operation: its days (to read '24.09.')."""

    start_date: dt.date
    end_date: dt.date


@dataclass
class SheetLayout:
    """One sheet, its classified cells, and the structure found in it."""

    index: int
    sheet: Sheet
    cells: dict[tuple[int, int], CellInfo]
    tables: list[Table]
    form: FormReading
    table_cells: set[tuple[int, int]] = field(default_factory=set)
    # the day the whole sheet is for, when its name is one ('05.09.2021', 'Mon 28 Nov')
    sheet_day: dt.date | None = None
    ignored_by: hints.TemplateHint | None = None  # an ignore_sheet hint


def read_submission(
    data: bytes,
    file_name: str,
    operation: OperationWindow,
    vocabulary: Vocabulary,
    limits: Limits | None = None,
) -> SubmissionReading:
    """Everything one file holds, or its rejection with the reason (nothing of a rejected
    file is kept but the reason)."""
    limits = limits or Limits()
    reading = SubmissionReading(file_name=file_name, status="accepted")
    deadline = Deadline(limits.max_seconds_per_file)
    try:
        if len(data) > limits.max_file_bytes:
            raise UnreadableFile(
                "file_too_large",
                f"the file has {len(data) // (1024 * 1024)} MiB, over the limit of "
                f"{limits.max_file_bytes // (1024 * 1024)} MiB (JAD_LIMIT_FILE_MB)",
            )
        reading.format = sniff_format(data, limits).kind
        sender = identity.country_from_file_name(file_name, vocabulary)
        book = read_workbook(
            data,
            reading.format,
            PurePath(file_name).stem,
            vocabulary,
            limits,
            sender.country_code if sender else None,
        )
        deadline.check("reading the sheets")
        reading.encoding, reading.delimiter = book.encoding, book.delimiter
        file_hints = hints.for_file(vocabulary.hints, file_name)
        reading.hint_ids = [h.hint_id for h in file_hints if h.kind in hints.FILE_KINDS]
        layouts = []
        for i, sheet in enumerate(book.sheets):
            sheet_hints = hints.for_sheet(file_hints, file_name, sheet.name)
            layouts.append(_lay_out(i, sheet, vocabulary, sheet_hints))
            deadline.check(f"sheet '{sheet.name}'")
        _describe_file(reading, layouts, vocabulary, operation)
        locale = _decide_locale(reading, layouts, vocabulary, operation)
        _apply_file_hints(reading, file_hints)
        locale = _with_hints(locale, file_hints)
        reading.decimal_separator, reading.date_order = locale.decimal_separator, locale.date_order
        for layout in layouts:
            _emit_sheet(reading, layout, locale, vocabulary, operation)
            deadline.check(f"sheet '{layout.sheet.name}'")
    except UnreadableFile as problem:
        return _rejected(file_name, reading.format, problem)
    return reading


def _rejected(file_name: str, format_: str | None, problem: UnreadableFile) -> SubmissionReading:
    reading = SubmissionReading(file_name=file_name, status="rejected", format=format_)
    reading.quarantine.append(QuarantineItem(problem.reason, f"{file_name}: {problem.message}"))
    return reading


def _lay_out(
    index: int, sheet: Sheet, vocabulary: Vocabulary, sheet_hints: list[hints.TemplateHint]
) -> SheetLayout:
    cells = classify_sheet(sheet, vocabulary)
    if ignored := hints.first(sheet_hints, "ignore_sheet"):
        return SheetLayout(index, sheet, cells, [], FormReading([], [], [], []), ignored_by=ignored)
    tables = find_tables(cells, sheet.merged, sheet_hints)
    in_tables = {
        (r, col.col)
        for t in tables
        for r in t.header_rows + t.body_rows
        for col in t.columns
        if (r, col.col) in cells
    } | {(t.title.row, t.title.col) for t in tables if t.title}
    rest = [cell for key, cell in cells.items() if key not in in_tables]
    form = read_form(
        rest,
        match_label=lambda text: vocabulary.match(text).matches,
        is_metadata_label=lambda cell: bool(cell.field_roles & PAIRED_ROLES),
    )
    return SheetLayout(index, sheet, cells, tables, form, in_tables)


# --- what the file says about itself -----------------------------------------------------


def _describe_file(
    reading: SubmissionReading,
    layouts: list[SheetLayout],
    vocabulary: Vocabulary,
    operation: OperationWindow,
) -> None:
    languages: Counter[str] = Counter()
    for layout in layouts:
        for cell in layout.cells.values():
            languages.update({m.language for m in cell.matches if m.language})
    reading.language = languages.most_common(1)[0][0] if languages else None

    pair_country = None
    for layout in layouts:
        for pair in layout.form.pairs:
            roles = _pair_roles(pair, vocabulary)
            if "country" in roles and pair_country is None:
                code = identity.country_from_pair(pair.value_text, vocabulary)
                if code:
                    pair_country = identity.CountryEvidence(
                        code,
                        "content",
                        f"sheet '{layout.sheet.name}' {pair.label.ref}: "
                        f"{pair.label_text!r} = {pair.value_text!r}",
                    )
            if roles & {"report_date", "date"} and reading.report_date is None:
                reading.report_date = _metadata_date(pair, vocabulary, operation)
            if "version" in roles and reading.content_version is None:
                digits = "".join(ch for ch in pair.value_text if ch.isdigit())
                reading.content_version = int(digits) if digits else None

    column_country = _country_from_columns(layouts, vocabulary)
    titles = [
        cell
        for layout in layouts
        for cell in (
            [t.title for t in layout.tables if t.title]
            + layout.form.sections
            + [c for c in layout.form.leftovers if c.kind == "text"]
        )
    ]
    sheet_of = {id(c): lay.sheet.name for lay in layouts for c in lay.cells.values()}
    evidence = (
        pair_country
        or column_country
        or identity.country_from_titles(titles, lambda c: sheet_of.get(id(c), "?"), vocabulary)
        or identity.country_from_file_name(reading.file_name, vocabulary)
    )
    if evidence:
        reading.country_code = evidence.country_code
        reading.country_evidence = f"{evidence.source}: {evidence.detail}"
    reading.name_version = identity.version_in_file_name(reading.file_name, vocabulary)


def _country_from_columns(
    layouts: list[SheetLayout], vocabulary: Vocabulary
) -> identity.CountryEvidence | None:
    """A 'Country' column of a list whose every row names the same country."""
    for layout in layouts:
        for table in layout.tables:
            for column in table.columns:
                if column.field_role != "country":
                    continue
                cells = [
                    layout.cells[(r, column.col)]
                    for r in table.body_rows
                    if (r, column.col) in layout.cells
                ]
                codes = {identity.country_from_pair(c.text, vocabulary) for c in cells}
                if len(codes) == 1 and None not in codes:
                    first = cells[0]
                    return identity.CountryEvidence(
                        codes.pop(),
                        "content",
                        f"sheet '{layout.sheet.name}' column {column_letters(first.col)}: {first.text!r}",
                    )
    return None


def _pair_roles(pair: Pair, vocabulary: Vocabulary) -> set[str]:
    return vocabulary.field_roles(pair.label_text)


def _metadata_date(
    pair: Pair, vocabulary: Vocabulary, operation: OperationWindow
) -> dt.date | None:
    cell = (
        pair.value
        if pair.value is not None
        else inline_cell(pair.label, pair.inline_value, vocabulary)
    )
    locale = FileLocale(None, None, operation.start_date.year, None)
    try:
        return read_period(cell, locale, vocabulary, None)
    except CellProblem:
        return None


def _decide_locale(
    reading: SubmissionReading,
    layouts: list[SheetLayout],
    vocabulary: Vocabulary,
    operation: OperationWindow,
) -> FileLocale:
    """Decimal separator and day-month order from the file's own value and date cells."""
    numbers: list[NumberText] = []
    dates: list[DateText] = []
    for layout in layouts:
        for cell in _value_cells(layout):
            if isinstance(cell.number, NumberText):
                numbers.append(cell.number)
        dates.extend(c.date for c in layout.cells.values() if isinstance(c.date, DateText))
        for text in [layout.sheet.name] + [c.text for c in layout.form.sections]:
            if (found := find_date(text, vocabulary.month_number)) is not None:
                dates.append(found)
    # Where the file's cells show nothing: the language its labels are in, then the sending
    # country's habit ('2,666' in an English file from a decimal-comma country is 2666).
    convention = vocabulary.languages.get(reading.language or "") or vocabulary.conventions.get(
        reading.country_code or ""
    )
    reading.decimal_separator = decide_decimal_separator(
        numbers, convention.decimal_separator if convention else None
    )
    reading.date_order = decide_date_order(
        dates,
        convention.date_order if convention else None,
        (operation.start_date, operation.end_date),
    )
    return FileLocale(
        reading.decimal_separator,
        reading.date_order,
        operation.start_date.year,
        (operation.start_date, operation.end_date),
    )


def _apply_file_hints(reading: SubmissionReading, file_hints: list[hints.TemplateHint]) -> None:
    """The sender, when a steward declared it for this template (nothing in it says so)."""
    if country := hints.first(file_hints, "country"):
        reading.country_code = country.value.upper()
        reading.country_evidence = f"template hint {country.hint_id}"


def _with_hints(locale: FileLocale, file_hints: list[hints.TemplateHint]) -> FileLocale:
    """The file's conventions where a steward declared them: they outweigh every guess."""
    order = hints.first(file_hints, "date_order")
    decimal = hints.first(file_hints, "decimal_separator")
    return FileLocale(
        decimal.value if decimal else locale.decimal_separator,
        order.value if order else locale.date_order,
        locale.default_year,
        locale.window,
    )


def _value_cells(layout: SheetLayout) -> list[CellInfo]:
    found = []
    for table in layout.tables:
        measure_cols = [c.col for c in table.columns if c.kind == "measure"]
        found += [
            layout.cells[(r, c)]
            for r in table.body_rows
            for c in measure_cols
            if (r, c) in layout.cells
        ]
    found += [p.value for p in layout.form.pairs if p.value is not None]
    return found


# --- every cell's fate ---------------------------------------------------------------------


@dataclass
class _RowDay:
    """The day a table row is for, as read from its period cell (or why it cannot be)."""

    date: dt.date | None = None
    text: str | None = None
    ref: str | None = None
    problem: CellProblem | None = None


class _Fates:
    """Collects the fate of each cell of one sheet and refuses to give a cell two."""

    def __init__(self, reading: SubmissionReading, layout: SheetLayout):
        self.reading = reading
        self.sheet = layout.sheet.name
        self.decided: set[str] = set()
        self.rule_of: dict[str, str] = {}

    def observe(self, observation: Observation) -> None:
        if self._claim(observation.cell_ref):
            observation.template_hints = self.reading.hint_ids + observation.template_hints
            self.reading.observations.append(observation)

    def ignore(self, cell: CellInfo, rule: str) -> None:
        if self._claim(cell.ref):
            self.rule_of[cell.ref] = rule
            self.reading.ignored.append(IgnoredCell(self.sheet, cell.ref, rule))

    def drop_personal(self, column: Column, values: int) -> None:
        """Record that a column of personal data was dropped: where and how many, not what."""
        detected_by = (
            "header" if column.header is not None and column.header.field_roles else "values"
        )
        self.reading.privacy.append(
            PrivacyDrop(
                self.sheet,
                column_letters(column.col),
                column.header.text if column.header is not None else None,
                values,
                detected_by,
            )
        )

    def quarantine(
        self, cell: CellInfo, reason: str, message: str, subject: str | None = None
    ) -> None:
        """`subject`: what the problem is about, when it is not the cell's own text (the
        day that cannot be read, the header over an unattached figure)."""
        if self._claim(cell.ref):
            self.reading.quarantine.append(
                QuarantineItem(
                    reason,
                    f"{self.reading.file_name}, sheet '{self.sheet}', cell {cell.ref}: {message}",
                    self.sheet,
                    cell.ref,
                    cell.text,
                    subject,
                )
            )

    def _claim(self, ref: str) -> bool:
        if ref in self.decided:
            return False
        self.decided.add(ref)
        return True


# Ignore rules under which a cell's text is not kept in the inventory.
TEXT_NOT_KEPT = frozenset({"personal_data", "free_text", "note"})


def _mark_birth_dates(
    table: Table, cells: dict[tuple[int, int], CellInfo], operation: OperationWindow
) -> None:
    """A column of dates of birth is personal data, whatever its header says, and never
    the days of the operation."""
    for column in table.columns:
        if column.kind == "period" and _birth_dates(column, table, cells, operation):
            column.kind = "personal_data"
    for column in table.columns:
        if (
            column.kind == "measure"
            and not column.total
            and _birth_years(column, table, cells, operation)
        ):
            column.kind, column.field_role = "personal_data", "personal_data"


def _birth_dates(
    column: Column, table: Table, cells: dict[tuple[int, int], CellInfo], operation: OperationWindow
) -> bool:
    """Most dates years before the operation began; or, under a window wide enough to hold
    them, dates spread over years and most of them a person's age (10 years or more) before
    its end. The days an operation reports fall within weeks, never across decades."""
    years = [
        year
        for r in table.body_rows
        if (cell := cells.get((r, column.col))) is not None and (year := _year_of(cell)) is not None
    ]
    if len(years) < 2:
        return False
    before_start = sum(1 for y in years if y < operation.start_date.year - 5)
    of_age_at_end = sum(1 for y in years if y <= operation.end_date.year - 10)
    spread = max(years) - min(years) >= 5
    return before_start * 10 >= len(years) * 8 or (spread and of_age_at_end * 10 >= len(years) * 8)


def _birth_years(
    column: Column, table: Table, cells: dict[tuple[int, int], CellInfo], operation: OperationWindow
) -> bool:
    """A column of whole numbers that are all years a person of working age or older was
    born in ('Godina rođenja': 1985, 1970 ...), under a header that names no figure: years
    of birth, never a count to add up."""
    header = column.header
    if header is not None and (header.has("metric") or header.has("charge")):
        return False
    values = [
        cell.number
        for r in table.body_rows
        if (cell := cells.get((r, column.col))) is not None and cell.kind == "number"
    ]
    if len(values) < 2 or not all(isinstance(v, float) for v in values):
        return False
    year = operation.start_date.year
    return all(v.is_integer() and year - 100 <= v <= year - 10 for v in values)


def _year_of(cell: CellInfo) -> int | None:
    if isinstance(cell.date, dt.date):
        return cell.date.year
    if isinstance(cell.date, DateText) and cell.date.year:
        return cell.date.year
    return None


def _emit_sheet(
    reading: SubmissionReading,
    layout: SheetLayout,
    locale: FileLocale,
    vocabulary: Vocabulary,
    operation: OperationWindow,
) -> None:
    sheet = layout.sheet
    reading.sheets.append(
        SheetRecord(
            layout.index,
            sheet.name,
            sheet.height,
            sheet.width,
            len(layout.cells),
            len(layout.tables),
            len(layout.form.pairs),
        )
    )
    fates = _Fates(reading, layout)
    if layout.ignored_by is not None:  # a steward's ignore_sheet hint: no figure here
        for cell in layout.cells.values():
            fates.ignore(cell, "template_hint")
    layout.sheet_day = day_in_text(sheet.name, locale, vocabulary)
    for table in layout.tables:
        _emit_table(fates, layout, table, locale, vocabulary, operation)
    _emit_form(fates, layout, locale, vocabulary)
    for cell in layout.cells.values():  # nothing may be lost, even by a reader bug
        if cell.ref not in fates.decided:
            fates.quarantine(cell, "unaccounted_cell", "the reader found no place for this cell")
    # The inventory keeps what cells say only where it is needed: figures, labels, titles.
    # Personal data, free text and notes are counted, never kept (they may name people).
    reading.cells.extend(
        CellRecord(
            sheet.name,
            c.ref,
            c.row + 1,
            c.col + 1,
            None if fates.rule_of.get(c.ref) in TEXT_NOT_KEPT else c.text,
            c.kind,
        )
        for c in sorted(layout.cells.values(), key=lambda c: (c.row, c.col))
    )


def _emit_table(
    fates: _Fates,
    layout: SheetLayout,
    table: Table,
    locale: FileLocale,
    vocabulary: Vocabulary,
    operation: OperationWindow,
) -> None:
    cells, sheet_name = layout.cells, layout.sheet.name
    _mark_birth_dates(table, cells, operation)
    dropped: Counter[int] = Counter()
    if table.title:
        fates.ignore(table.title, "title")
    for row in table.header_rows:
        for column in table.columns:
            if (cell := cells.get((row, column.col))) is None:
                continue
            if column.unknown_header and row == table.header_rows[-1]:
                fates.quarantine(
                    cell,
                    "unknown_column",
                    f"the column header {cell.text!r} is in no seed; its cells are words, kept "
                    "as free text, and no figure is lost. To say what it holds, add it to "
                    "field_labels.csv with a role that keeps its cells text (description, "
                    "place, note); not to metric_labels.csv: words are not figures",
                )
            else:
                fates.ignore(cell, "header")
    layout_name = _table_layout(table)
    context_tail = [
        part
        for column in table.columns
        if column.names_the_rows and column.header is not None
        for part in column.header.measure_parts
    ]
    context_tail += [table.title.label] if table.title else []
    context_tail.append(sheet_name)
    totals = table.total_rows(cells)
    lone_totals = _lone_totals(table, cells, totals)
    parents = _parent_rows(table, cells)
    undecided = _undecided_quantities(table, cells)
    groups: dict[int, list[str]] = {}  # fill-down label columns: the group each row is in
    for row in table.body_rows:
        counts_rows = table.is_record_list and not undecided
        anchor = _record_anchor(table, cells, row) if counts_rows else None
        parent = parents.get(row, _Parent([]))
        row_context = parent.context + context_tail
        for column in table.columns:
            if column.fills_down and (cell := cells.get((row, column.col))) is not None:
                groups[column.col] = cell.measure_parts
        row_labels: list[str] = [part for col in sorted(groups) for part in groups[col]]
        row_texts: list[str] = []
        row_unit: tuple[str | None, str | None] = (None, None)
        day = _RowDay()
        for column in table.columns:
            cell = cells.get((row, column.col))
            if cell is None or column.kind == "measure":
                continue
            if column.kind == "personal_data":
                fates.ignore(cell, "personal_data")  # dropped: its text is never kept
                dropped[column.col] += 1
                continue
            if column.ambiguous_quantity:
                fates.quarantine(
                    cell,
                    "ambiguous_quantity",
                    undecided,
                    column.header.text if column.header is not None else column_letters(column.col),
                )
                continue
            if column.kind == "numbering":
                fates.ignore(cell, "numbering")
                continue
            if column.kind != "free_text":
                row_texts.append(cell.text)
            if column.kind == "period" and row not in totals:
                day.text, day.ref = cell.text, cell.ref
                try:
                    day.date = read_period(cell, locale, vocabulary, operation.start_date)
                except CellProblem as problem:
                    day.problem = problem
                    if cell is not anchor:
                        fates.quarantine(cell, problem.reason, problem.message)
                    continue
            elif column.kind == "labels" and not cell.is_total:
                if column.fills_down:
                    fates.ignore(cell, "row_label")
                    continue
                row_labels.extend(cell.measure_parts)
                if row_unit[0] is None and cell.unit:
                    row_unit = (cell.unit, cell.ref)
            elif column.kind == "unit":
                row_unit = (cell.text.strip(), cell.ref)
            if cell is not anchor:
                fates.ignore(cell, "free_text" if column.kind == "free_text" else "row_label")
        base = dict(
            sheet_name=sheet_name,
            layout=layout_name,
            table_index=table.index,
            row_label=" | ".join(row_texts) or None,
            template_hints=list(table.hint_ids),
        )
        if anchor is not None:
            _emit_record(fates, anchor, table, row_labels, row_context, day, base)
            continue
        for column in table.columns:
            if column.kind != "measure" or (cell := cells.get((row, column.col))) is None:
                continue
            if day.problem:
                fates.quarantine(
                    cell,
                    day.problem.reason,
                    f"its day cannot be read: {day.problem.message}",
                    day.text,
                )
                continue
            measure, context, header_unit = _column_labels(column, vocabulary)
            cell_period, cell_period_text, cell_period_ref = day.date, day.text, day.ref
            if cell_period is None and layout.sheet_day is not None:
                cell_period, cell_period_text = layout.sheet_day, sheet_name  # a day per sheet
            if (header := column.period_header) is not None:
                try:
                    cell_period = read_period(header, locale, vocabulary, operation.start_date)
                    cell_period_text, cell_period_ref = header.text, header.ref
                except CellProblem as problem:
                    fates.quarantine(
                        cell,
                        problem.reason,
                        f"its column's day cannot be read: {problem.message}",
                        header.text,
                    )
                    continue
            try:
                value = read_value(cell, locale, vocabulary)
            except CellProblem as problem:
                fates.quarantine(cell, problem.reason, problem.message)
                continue
            is_total = (row in totals or column.total) and (row, column.col) not in lone_totals
            fates.observe(
                Observation(
                    **base,
                    cell_ref=cell.ref,
                    row_number=cell.row + 1,
                    column_number=cell.col + 1,
                    column_label=_column_text(column),
                    measure_labels=row_labels + measure,
                    context_labels=context + row_context,
                    period_text=None if row in totals or column.total else cell_period_text,
                    period_date=None if row in totals or column.total else cell_period,
                    is_total=is_total,
                    raw_text=cell.text,
                    value_number=value.number,
                    value_status=value.status,
                    **_unit(
                        (value.unit_text, cell.ref),
                        row_unit,
                        header_unit,
                    ),
                    total_of=_total_of(row in totals, column.total) if is_total else None,
                    counted_as="quantity" if column.field_role == "quantity" else "value",
                    part_of=a1(parent.row, column.col)
                    if parent.row is not None and (parent.row, column.col) in cells
                    else None,
                    value_decimals=value.decimals,
                    period_cell_ref=None if row in totals or column.total else cell_period_ref,
                )
            )
    for column in table.columns:
        if dropped[column.col]:
            fates.drop_personal(column, dropped[column.col])


def _total_of(in_total_row: bool, in_total_column: bool) -> str:
    """What a TOTAL cell sums: its column, its row, or (at both) the whole table."""
    if in_total_row and in_total_column:
        return "table"
    return "column" if in_total_row else "row"


def _undecided_quantities(table: Table, cells: dict[tuple[int, int], CellInfo]) -> str:
    """Why a list's figure cannot be decided: its numbers could be a running number (count
    the rows) or quantities (add them up), and the file's own evidence does not say which.
    Empty when there is nothing to decide."""
    columns = [c for c in table.columns if c.ambiguous_quantity]
    if not columns:
        return ""
    rows = len(table.body_rows)
    sums = []
    for column in columns:
        values = [cells[(r, column.col)] for r in table.body_rows if (r, column.col) in cells]
        total = sum(v.number if isinstance(v.number, float) else _plain(v) for v in values)
        header = column.header.text if column.header is not None else column_letters(column.col)
        sums.append(f"the quantities in {header!r} add up to {total:g}")
    return (
        f"the list's numbers may be a running number or quantities: counted as rows it "
        f"gives {rows}; {'; '.join(sums)}. Nothing in the file decides; a template hint "
        "(quantity_column or count_rows, template_hints.csv) does"
    )


def _plain(cell: CellInfo) -> float:
    try:
        return to_float(cell.number, None) if isinstance(cell.number, NumberText) else 0.0
    except ValueError:
        return 0.0


def _lone_totals(
    table: Table, cells: dict[tuple[int, int], CellInfo], total_rows: set[int]
) -> set[tuple[int, int]]:
    """Cells of a TOTAL row or column with no detail beside them: a 'Total' column that is
    the table's only value column, or an iARMS figure given only in the Total column. Such
    a cell is the figure for the whole operation, not a sum to check."""
    measures = [c for c in table.columns if c.kind == "measure"]
    detail_cols = [c.col for c in measures if not c.total]
    detail_rows = [r for r in table.body_rows if r not in total_rows]
    lone: set[tuple[int, int]] = set()
    for column in measures:
        for row in table.body_rows:
            if (row, column.col) not in cells:
                continue
            if (
                column.total
                and not any((row, c) in cells for c in detail_cols)
                or row in total_rows
                and not any((r, column.col) in cells for r in detail_rows)
            ):
                lone.add((row, column.col))
    return lone


def _indent(text: str) -> int:
    """How far a label is indented: leading spaces, or a bullet ('  – Firearms')."""
    stripped = text.lstrip(" \t\u00a0\u2007\u202f")
    indent = len(text) - len(stripped)
    if stripped[:1] in ("-", "–", "—", "•", "·", "▪", ">", "*"):
        indent += 2
    return indent


@dataclass(frozen=True)
class _Parent:
    """What a row is under: labels that qualify it, and the row whose figure it is part of
    (an indented or outline child of a row that has figures of its own: 'of which')."""

    context: list[str]
    row: int | None = None


def _parent_rows(table: Table, cells: dict[tuple[int, int], CellInfo]) -> dict[int, _Parent]:
    """What qualifies each row from the rows above it: a row indented under a less indented
    one ('Arrests' over '  – Firearms') takes that row's label and is part of its figure; a
    heading row of the table (a label and no figure: 'ARRESTS' between two blocks of days)
    qualifies every row after it until the next heading. Under 'Arrests', 'Weapons' is a
    charge, not a seizure."""
    label_cols = [c.col for c in table.columns if c.kind == "labels"]
    if not label_cols:
        return {}
    measure_cols = [c.col for c in table.columns if c.kind == "measure"]
    if outline := _outline_parents(table, cells, label_cols[0]):
        return outline
    stack: list[tuple[int, list[str], int]] = []  # (indent, label parts, row) of open parents
    heading: list[str] = []
    parents: dict[int, _Parent] = {}
    previous = table.header_rows[-1]
    for row in table.body_rows:
        after_gap, previous = row - previous > 1, row
        cell = cells.get((row, label_cols[0]))
        if cell is None or cell.kind != "text":
            continue
        no_figures = measure_cols and not any((row, col) in cells for col in measure_cols)
        if no_figures and after_gap and not cell.is_total:
            # after a blank line, a heading of the rows below it; within a block, a label
            # without figures is only the parent of the rows indented under it
            heading, stack = cell.measure_parts, []
            continue
        indent = _indent(cell.text)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        context = (list(stack[-1][1]) if stack else []) + heading
        if context:
            parents[row] = _Parent(context, stack[-1][2] if stack else None)
        stack.append((indent, cell.measure_parts, row))
    return parents


def _outline_parents(
    table: Table, cells: dict[tuple[int, int], CellInfo], label_col: int
) -> dict[int, _Parent]:
    """In a numbered questionnaire the numbers are the outline: '4.1.1' is under '4.1' and
    '4.' ('4. Arrests' > '4.1 Arrests in total' > '4.1.1 of which for weapons offences')."""
    numbering = next((c.col for c in table.columns if c.kind == "numbering"), None)
    if numbering is None:
        return {}
    known: dict[str, tuple[list[str], int]] = {}  # outline number -> (label parts, row)
    parents: dict[int, _Parent] = {}
    for row in table.body_rows:
        number = cells.get((row, numbering))
        label = cells.get((row, label_col))
        if number is None or label is None:
            continue
        levels = [part for part in number.text.strip().rstrip(".)").split(".") if part]
        known[".".join(levels)] = (label.measure_parts, row)
        ancestors = [
            known[k] for n in range(len(levels) - 1, 0, -1) if (k := ".".join(levels[:n])) in known
        ]
        if ancestors:
            context = [part for parts, _ in ancestors for part in parts]
            parents[row] = _Parent(context, ancestors[0][1])
    return parents


def _record_anchor(
    table: Table, cells: dict[tuple[int, int], CellInfo], row: int
) -> CellInfo | None:
    """The cell a record's count is traced to: its label (charge, category) or its first cell."""
    label_cols = [c.col for c in table.columns if c.kind == "labels"]
    others = [
        c.col for c in table.columns if c.kind not in ("labels", "personal_data", "free_text")
    ]
    for col in label_cols + others:
        if (row, col) in cells:
            return cells[(row, col)]
    return None


def _emit_record(
    fates: _Fates,
    anchor: CellInfo,
    table: Table,
    row_labels: list[str],
    context_tail: list[str],
    day: _RowDay,
    base: dict,
) -> None:
    """A list of records (arrests, seizures without quantities): each row counts one."""
    if day.problem:
        fates.quarantine(
            anchor,
            day.problem.reason,
            f"its day cannot be read: {day.problem.message}",
            day.text,
        )
        return
    fates.observe(
        Observation(
            **base,
            cell_ref=anchor.ref,
            row_number=anchor.row + 1,
            column_number=anchor.col + 1,
            column_label=_column_text(next(c for c in table.columns if c.col == anchor.col)),
            measure_labels=row_labels,
            context_labels=context_tail,
            period_text=day.text,
            period_date=day.date,
            is_total=False,
            raw_text=anchor.text,
            value_number=1.0,
            value_status="record",
            unit_text=None,
            unit_cell_ref=None,
            period_cell_ref=day.ref,
            counted_as="record",
        )
    )


def _unit(*candidates: tuple[str | None, str | None]) -> dict[str, str | None]:
    """The unit of a value and the cell it is written in: the value's own cell first, then
    its row, its column header, its label or its section (nearest wins)."""
    for text, ref in candidates:
        if text:
            return {"unit_text": text, "unit_cell_ref": ref}
    return {"unit_text": None, "unit_cell_ref": None}


def _column_labels(
    column: Column, vocabulary: Vocabulary
) -> tuple[list[str], list[str], tuple[str | None, str | None]]:
    """(measure labels, context labels, (unit, its cell)) of a value column's header path."""
    unit: tuple[str | None, str | None] = (None, None)
    own: list[str] = []
    header = column.header
    if (
        header is not None
        and column.period_header is None
        and not column.total
        and column.field_role is None
    ):
        if vocabulary.is_unit(header.text):
            unit = (header.text.strip(), header.ref)
        else:
            own.extend(header.measure_parts)
            unit = (header.unit, header.ref)
    elif header is not None:
        unit = (header.unit, header.ref)  # 'Total (kg)', 'Value [g]'
    parents = []
    for parent in column.parents:
        parents.extend(parent.measure_parts)
        if unit[0] is None and parent.unit:
            unit = (parent.unit, parent.ref)
    if not own:
        return parents, [], unit  # 'Arrests' over a Total or a unit column measures arrests
    return own, parents, unit


def _column_text(column: Column) -> str | None:
    texts = [p.text for p in column.parents] + ([column.header.text] if column.header else [])
    return " | ".join(texts) or None


def _table_layout(table: Table) -> str:
    if table.is_record_list:
        return "record_list"
    measures = [c for c in table.columns if c.kind == "measure"]
    if any(c.period_header for c in measures):
        return "transposed"
    if any(c.kind == "period" for c in table.columns) and any(
        c.kind == "labels" for c in table.columns
    ):
        return "long"
    if any(c.kind == "period" for c in table.columns):
        return "wide"
    return "table"


def _emit_form(
    fates: _Fates, layout: SheetLayout, locale: FileLocale, vocabulary: Vocabulary
) -> None:
    form, sheet_name = layout.form, layout.sheet.name
    first_content_row = min(
        [t.header_rows[0] for t in layout.tables] + [p.label.row for p in form.pairs], default=None
    )
    for number in form.numbering:
        fates.ignore(number, "numbering")
    for section in form.sections:
        rule = (
            "title" if first_content_row is None or section.row < first_content_row else "heading"
        )
        fates.ignore(section, rule)
    for pair in form.pairs:
        roles = vocabulary.field_roles(pair.label_text)
        if "personal_data" in roles:  # 'Name: …', 'Passport no.: …': dropped, counted
            if pair.value is not None:
                fates.ignore(pair.label, "label")
                fates.ignore(pair.value, "personal_data")
            else:
                fates.ignore(pair.label, "personal_data")
            fates.reading.privacy.append(
                PrivacyDrop(
                    sheet_name,
                    column_letters((pair.value or pair.label).col),
                    pair.label_text,
                    1,
                    "header",
                )
            )
            continue
        if roles & METADATA_ROLES or (pair.value is not None and pair.value.kind == "date"):
            fates.ignore(pair.label, "metadata")  # a fact about the file, not a figure
            if pair.value is not None:
                fates.ignore(pair.value, "metadata")
            continue
        value_cell = (
            pair.value
            if pair.value is not None
            else inline_cell(pair.label, pair.inline_value, vocabulary)
        )
        if pair.value is not None:
            fates.ignore(pair.label, "label")
        if pair.unit is not None:
            fates.ignore(pair.unit, "label")
        try:
            value = read_value(value_cell, locale, vocabulary)
        except CellProblem as problem:
            fates.quarantine(value_cell, problem.reason, problem.message)
            continue
        label_reading = vocabulary.match(pair.label_text)
        label_unit = label_reading.unit
        context = (pair.section.measure_parts if pair.section else []) + [sheet_name]
        section_day = day_in_text(pair.section.text, locale, vocabulary) if pair.section else None
        day, day_text, day_ref = (
            (section_day, pair.section.text, pair.section.ref)
            if section_day is not None
            else (layout.sheet_day, sheet_name if layout.sheet_day else None, None)
        )
        fates.observe(
            Observation(
                sheet_name=sheet_name,
                cell_ref=value_cell.ref,
                row_number=value_cell.row + 1,
                column_number=value_cell.col + 1,
                layout="form",
                table_index=None,
                row_label=pair.label.text if pair.value is not None else pair.label_text,
                column_label=None,
                measure_labels=list(label_reading.parts),
                context_labels=context,
                period_text=day_text,
                period_date=day,
                period_cell_ref=day_ref,
                is_total=False,
                raw_text=value_cell.text,
                value_number=value.number,
                value_status=value.status,
                value_decimals=value.decimals,
                **_unit(
                    (value.unit_text, value_cell.ref),
                    (
                        pair.unit.text.strip() if pair.unit else None,
                        pair.unit.ref if pair.unit else None,
                    ),
                    (label_unit, pair.label.ref),
                    (
                        pair.section.unit if pair.section else None,
                        pair.section.ref if pair.section else None,
                    ),
                ),
            )
        )
    for cell in form.leftovers:
        before = first_content_row is None or cell.row < first_content_row
        if cell.kind == "text":
            fates.ignore(cell, "title" if before else "note")
        elif cell.kind == "error":
            fates.ignore(cell, "error_value")  # no figure was expected here, and none is lost
        elif before and _letterhead(cell):
            fates.ignore(cell, "title")  # '65173 Wiesbaden', 'Wiesbaden, 05.12.2022'
        else:
            message, subject = _unattached(cell, layout.cells)
            fates.quarantine(cell, "unattached_value", message, subject)


def _letterhead(cell: CellInfo) -> bool:
    """Above the first table or pair, a date or a number run into words is part of the
    letterhead (the letter's date, a postcode and town), never a figure of the operation."""
    if cell.kind == "date":
        return True
    rest = cell.number.rest if isinstance(cell.number, NumberText) else ""
    return cell.kind == "number" and len(rest) > 3 and rest[0].isalpha()


def _unattached(cell: CellInfo, cells: dict[tuple[int, int], CellInfo]) -> tuple[str, str | None]:
    """What stands above and before a figure no table or pair took, and what would let the
    reader take it: the labels around it in words no seed knows leave no table to find."""
    above = next(
        (
            c
            for r in range(cell.row - 1, -1, -1)
            if (c := cells.get((r, cell.col))) and c.kind == "text"
        ),
        None,
    )
    before = next(
        (
            c
            for k in range(cell.col - 1, -1, -1)
            if (c := cells.get((cell.row, k))) and c.kind in ("text", "date")
        ),
        None,
    )
    if above is None and before is None:
        return (
            f"{cell.text!r} stands outside any table and has no label above it or before "
            "it, so nobody can say what it counts; ask the sender, or correct the file",
            None,
        )
    around = " and ".join(
        f"{c.text!r} {where} it ({c.ref})"
        for c, where in ((above, "above"), (before, "before"))
        if c is not None
    )
    label = above if above is not None else before
    return (
        f"{cell.text!r} has {around}, but no table was recognised around it: the labels of "
        "its header row or label column are in no seed. Add the label that names the figure "
        f"(such as {label.text!r}) to metric_labels.csv or charge_labels.csv, and the table is "
        "found by its header; or declare the table's header_row in template_hints.csv",
        label.text,
    )
