"""The layouts services use, each a function from one country's truth to a workbook grid.

A layout knows nothing about any particular country: wordings, conventions and knobs
come from the profile. While it writes a figure, a layout also records what that cell
states (`Facts`), so the ground truth's "reported" is exactly what the file says, at the
grain the file says it. TOTAL rows and columns are written (as Excel's SUM would compute
them, officers included) but not recorded: they restate their detail cells.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from corpus.formatting import Formatter
from corpus.grid import Book, Sheet, Tag
from corpus.model import CHARGES, METRICS, OPERATION_ONLY, CountryTruth, Operation, to_kg
from corpus.profiles import Profile, vocabulary

DRUGS = "drugs_seized_kg"


class Facts:
    """What a file states, summed per (metric, date, charge) (records, drug types)."""

    def __init__(self) -> None:
        self._values: dict[tuple, float] = defaultdict(float)

    def add(
        self, metric: str, date: dt.date | None, value: float, charge: str | None = None
    ) -> None:
        self._values[(metric, date, charge)] += value

    def rows(self) -> list[dict]:
        def order(key):
            metric, date, charge = key
            return (
                METRICS.index(metric),
                date or dt.date.min,
                CHARGES.index(charge) if charge else -1,
            )

        rows = []
        for key in sorted(self._values, key=order):
            metric, date, charge = key
            value = self._values[key]
            value = round(value, 6) if metric == DRUGS else int(round(value))
            rows.append(
                {
                    "metric": metric,
                    "date": date.isoformat() if date else None,
                    "value": value,
                    "unit": "kg" if metric == DRUGS else "count",
                    "charge": charge,
                }
            )
        return rows


@dataclass
class Context:
    """Everything a layout needs to write one file."""

    operation: Operation
    profile: Profile
    truth: CountryTruth  # as this file states it (a superseded file may carry a mistake)
    report_date: dt.date
    version: int
    previous_report_date: dt.date | None
    file_notes: tuple[str, ...]
    fmt: Formatter
    facts: Facts = field(default_factory=Facts)

    def __post_init__(self) -> None:
        self.words = vocabulary(self.profile, "words")
        self.charge_names = vocabulary(self.profile, "charges")
        self.item_names = vocabulary(self.profile, "items")

    def word(self, key: str, default: str | None = None) -> str:
        if key in self.words:
            return self.words[key]
        if default is not None:
            return default
        raise KeyError(
            f"profile {self.profile.code} ({self.profile.language}) has no word for {key!r}"
        )

    def label(self, metric: str) -> str:
        return self.profile.labels[metric]

    def text(self, template: str) -> str:
        """Fill a title/note template with the operation's and file's particulars."""
        op, fmt = self.operation, self.fmt
        return template.format(
            name=op.name,
            short=op.short_name,
            start=fmt.text_date(op.start),
            end=fmt.text_date(op.end),
            year=op.start.year,
            country=self.profile.country,
            report_date=fmt.text_date(self.report_date),
            version=self.version,
            previous_report_date=fmt.text_date(self.previous_report_date)
            if self.previous_report_date
            else "",
        )

    def shown_metrics(self) -> list[str]:
        """Metrics that appear in the file: reported ones and those marked not available."""
        p = self.profile
        return [m for m in METRICS if m in p.metrics or m in p.na_metrics]

    def charges(self) -> list[str]:
        """Charges broken down in the file: the whole template, or those that occurred."""
        if self.profile.options.get("charges", "used") == "all":
            return list(CHARGES)
        used = {a.charge for a in self.truth.arrests}
        return [c for c in CHARGES if c in used]

    def column_unit(self) -> str:
        """The single unit of a drugs column or summary line."""
        return "kg" if self.profile.drug_unit == "mixed" else self.profile.drug_unit

    def day_value(self, metric: str, day: dt.date | None, charge: str | None = None) -> float:
        """The figure of a metric on a day (None: whole operation) as this service counts it."""
        t = self.truth
        if metric == "arrests":
            return t.arrests_on(day, charge)
        if metric == DRUGS:
            return t.drugs_on(day, self.column_unit())
        if day is None:
            return t.operation_value(metric)
        return t.day_value(metric, day)


# --- cell helpers ------------------------------------------------------------------------


def put_figure(
    sheet: Sheet,
    row: int,
    col: int,
    ctx: Context,
    metric: str,
    value: float,
    *,
    date: dt.date | None = None,
    charge: str | None = None,
    role: str = "detail",
    unit: str | None = None,
) -> None:
    """Write a figure as the service writes it, and record what the cell states."""
    if unit is None:
        unit = ctx.column_unit() if metric == DRUGS else "count"
    cell, number_format = ctx.fmt.figure(value)
    sheet.put(row, col, cell, fmt=number_format, tag=Tag(role, metric, date, charge, value, unit))
    if role != "total" and cell != "":
        ctx.facts.add(metric, date, to_kg(value, unit) if metric == DRUGS else value, charge)


def put_na(sheet: Sheet, row: int, col: int, ctx: Context) -> None:
    sheet.put(row, col, ctx.profile.na)


def put_date(
    sheet: Sheet, row: int, col: int, ctx: Context, day: dt.date, *, bold: bool = False
) -> None:
    value, number_format = ctx.fmt.date(day)
    sheet.put(row, col, value, fmt=number_format, bold=bold, tag=Tag("date", date=day))


def title_block(sheet: Sheet, ctx: Context, width: int) -> int:
    """Ministry, operation and country lines above the table, merged across it."""
    p, row = ctx.profile, 0
    for line in p.title:
        sheet.put(row, 0, ctx.text(line), bold=True)
        if width > 1:
            sheet.merge(row, 0, row, width - 1)
        row += 1
    for line in (p.identity, p.report_line, p.version_line):
        if line:
            sheet.put(row, 0, ctx.text(line))
            row += 1
    return row + 1 if row else 0


def notes_block(sheet: Sheet, ctx: Context, row: int) -> int:
    """Footnotes below the table ("* provisional figures", "Source: ...")."""
    lines = ctx.profile.notes + ctx.file_notes
    if lines:
        row += 1
    for line in lines:
        sheet.put(row, 0, ctx.text(line))
        row += 1
    return row


def sheet_name(ctx: Context) -> str:
    return ctx.profile.options.get("sheet") or ctx.word("sheet", "Sheet1")


# --- layouts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    metric: str
    charge: str | None = None
    available: bool = True


def _daily_columns(ctx: Context) -> list[Column]:
    columns = []
    for m in ctx.shown_metrics():
        if m in OPERATION_ONLY:
            continue
        if m not in ctx.profile.metrics:
            columns.append(Column(m, available=False))
        elif m == "arrests" and ctx.charges():
            columns.extend(Column(m, c) for c in ctx.charges())
        else:
            columns.append(Column(m))
    return columns


def _whole_operation_lines(sheet: Sheet, ctx: Context, row: int, value_col: int) -> int:
    """Figures that exist only for the whole operation (iARMS), as label/value lines."""
    for m in ctx.profile.metrics:
        if m in OPERATION_ONLY:
            sheet.put(row, 0, ctx.label(m), tag=Tag("label", m))
            put_figure(sheet, row, value_col, ctx, m, ctx.day_value(m, None), role="summary")
            row += 1
    return row


def wide_daily(ctx: Context) -> Book:
    """A row per day, a column per metric, a TOTAL row; arrests merged over charge columns."""
    columns = _daily_columns(ctx)
    days = ctx.truth.days
    sheet = Sheet(sheet_name(ctx))
    width = len(columns) + 1
    row = title_block(sheet, ctx, width)

    two_level = any(c.charge for c in columns)
    depth = 2 if two_level else 1
    sheet.put(row, 0, ctx.word("date"), bold=True)
    sheet.merge(row, 0, row + depth - 1, 0)
    group_start = None
    for j, col in enumerate(columns, start=1):
        if col.charge:
            if group_start is None:
                group_start = j
                sheet.put(row, j, ctx.label("arrests"), bold=True, tag=Tag("header", "arrests"))
            sheet.put(
                row + 1,
                j,
                ctx.charge_names[col.charge],
                bold=True,
                tag=Tag("header", "arrests", charge=col.charge),
            )
        else:
            sheet.put(row, j, ctx.label(col.metric), bold=True, tag=Tag("header", col.metric))
            sheet.merge(row, j, row + depth - 1, j)
    if group_start is not None:
        group_end = max(j for j, c in enumerate(columns, start=1) if c.charge)
        sheet.merge(row, group_start, row, group_end)
    row += depth

    sums = [0.0] * len(columns)
    for day in days:
        put_date(sheet, row, 0, ctx, day)
        for j, col in enumerate(columns, start=1):
            if not col.available:
                put_na(sheet, row, j, ctx)
                continue
            value = ctx.day_value(col.metric, day, col.charge)
            sums[j - 1] += value
            put_figure(sheet, row, j, ctx, col.metric, value, date=day, charge=col.charge)
        row += 1

    sheet.put(row, 0, ctx.word("total"), bold=True)
    for j, col in enumerate(columns, start=1):
        if col.available:
            put_figure(
                sheet,
                row,
                j,
                ctx,
                col.metric,
                round(sums[j - 1], 6),
                charge=col.charge,
                role="total",
            )
        else:
            put_na(sheet, row, j, ctx)
    row += 2
    row = _whole_operation_lines(sheet, ctx, row, ctx.profile.options.get("value_offset", 1))
    notes_block(sheet, ctx, row)
    sheet.widths = {0: 16, **{j: 18 for j in range(1, width)}}
    return Book([sheet])


def transposed(ctx: Context) -> Book:
    """Metrics as rows, days as columns, a Total column; charges as indented sub-rows."""
    p, days = ctx.profile, ctx.truth.days
    sheet = Sheet(sheet_name(ctx))
    width = len(days) + 2
    total_col = len(days) + 1
    row = title_block(sheet, ctx, width)

    sheet.put(row, 0, ctx.word("indicator"), bold=True)
    for j, day in enumerate(days, start=1):
        put_date(sheet, row, j, ctx, day, bold=True)
    sheet.put(row, total_col, ctx.word("total"), bold=True)
    row += 1

    def figure_row(
        label: str, metric: str, charge: str | None, tag_charge: str | None = None
    ) -> None:
        nonlocal row
        sheet.put(row, 0, label, tag=Tag("header", metric, charge=tag_charge))
        total = 0.0
        for j, day in enumerate(days, start=1):
            value = ctx.day_value(metric, day, charge)
            total += value
            put_figure(sheet, row, j, ctx, metric, value, date=day, charge=charge)
        put_figure(sheet, row, total_col, ctx, metric, round(total, 6), charge=charge, role="total")
        row += 1

    for m in ctx.shown_metrics():
        if m not in p.metrics:
            sheet.put(row, 0, ctx.label(m), tag=Tag("header", m))
            for j in range(1, total_col + 1):
                put_na(sheet, row, j, ctx)
            row += 1
        elif m in OPERATION_ONLY:
            sheet.put(row, 0, ctx.label(m), tag=Tag("header", m))
            put_figure(sheet, row, total_col, ctx, m, ctx.day_value(m, None), role="summary")
            row += 1
        elif m == "arrests" and ctx.charges():
            if p.options.get("arrest_group", "heading") == "sum_row":
                figure_row(ctx.label(m), m, None)
            else:
                sheet.put(row, 0, ctx.label(m), bold=True, tag=Tag("header", m))
                row += 1
            prefix = p.options.get("charge_prefix", "  ")
            for c in ctx.charges():
                figure_row(prefix + ctx.charge_names[c], m, c, tag_charge=c)
        else:
            figure_row(ctx.label(m), m, None)
    notes_block(sheet, ctx, row)
    sheet.widths = {0: 46, **{j: 13 for j in range(1, width)}}
    return Book([sheet])


def tidy_long(ctx: Context) -> Book:
    """One row per (date, indicator, value): the shape of a database export."""
    p, days = ctx.profile, ctx.truth.days
    sheet = Sheet(sheet_name(ctx))
    country_column = p.options.get("country_column")
    lead = 1 if country_column else 0
    row = title_block(sheet, ctx, lead + 3)
    headers = ([country_column[0]] if country_column else []) + [
        ctx.word("date"),
        ctx.word("indicator"),
        ctx.word("value"),
    ]
    for j, h in enumerate(headers):
        sheet.put(row, j, h, bold=True)
    row += 1

    pattern = p.options.get("arrest_pattern", "{arrests}: {charge}")
    entries = []  # (day, metric position, label, metric, charge)
    for k, m in enumerate(ctx.shown_metrics()):
        if m in OPERATION_ONLY:
            continue
        if m == "arrests" and m in p.metrics and ctx.charges():
            for c in ctx.charges():
                label = pattern.format(arrests=ctx.label(m), charge=ctx.charge_names[c])
                entries.extend((day, k, label, m, c) for day in days)
        else:
            entries.extend((day, k, ctx.label(m), m, None) for day in days)
    if p.options.get("order", "date") == "date":
        entries.sort(key=lambda e: (e[0], e[1]))
    else:
        entries.sort(key=lambda e: (e[1], e[2], e[0]))

    for day, _, label, metric, charge in entries:
        if country_column:
            sheet.put(row, 0, country_column[1])
        put_date(sheet, row, lead, ctx, day)
        sheet.put(row, lead + 1, label, tag=Tag("label", metric, charge=charge))
        if metric in p.metrics:
            put_figure(
                sheet,
                row,
                lead + 2,
                ctx,
                metric,
                ctx.day_value(metric, day, charge),
                date=day,
                charge=charge,
            )
        else:
            put_na(sheet, row, lead + 2, ctx)
        row += 1
    for m in p.metrics:
        if m in OPERATION_ONLY:
            if country_column:
                sheet.put(row, 0, country_column[1])
            sheet.put(row, lead + 1, ctx.label(m), tag=Tag("label", m))
            put_figure(sheet, row, lead + 2, ctx, m, ctx.day_value(m, None), role="summary")
            row += 1
    notes_block(sheet, ctx, row)
    sheet.widths = {j: (44 if j == lead + 1 else 14) for j in range(lead + 3)}
    return Book([sheet])


def _drug_lines(ctx: Context) -> list[tuple[str, float, str]]:
    """Drugs per type for a form: (item, quantity, unit), the unit chosen as a person would."""
    per_item: dict[str, float] = defaultdict(float)
    for s in ctx.truth.seizures:
        if s.kind == "drug":
            per_item[s.item] += s.kg
    lines = []
    for item in sorted(per_item, key=lambda i: (-per_item[i], i)):
        kg = round(per_item[item], 6)
        if ctx.profile.options.get("unit_in_cell") and kg < 1:
            lines.append((item, round(kg * 1000, 3), "g"))
        else:
            lines.append((item, kg, "kg"))
    return lines


def multi_sheet(ctx: Context) -> Book:
    """A summary sheet of whole-operation figures, a sheet of arrests, a sheet of seizures."""
    p, t, w = ctx.profile, ctx.truth, ctx.word
    unit_in_cell = p.options.get("unit_in_cell", False)

    summary = Sheet(w("sheet_summary"))
    row = title_block(summary, ctx, 2)
    summary.put(row, 0, w("indicator"), bold=True)
    summary.put(row, 1, w("value"), bold=True)
    row += 1
    for m in ctx.shown_metrics():
        summary.put(row, 0, ctx.label(m), tag=Tag("label", m))
        if m in p.metrics:
            put_figure(summary, row, 1, ctx, m, ctx.day_value(m, None), role="summary")
        else:
            put_na(summary, row, 1, ctx)
        row += 1
    notes_block(summary, ctx, row)
    summary.widths = {0: 52, 1: 14}

    arrests = Sheet(w("sheet_arrests"))
    heads = [w("no"), w("date"), w("charge"), w("nationality"), w("place")]
    for j, h in enumerate(heads):
        arrests.put(0, j, h, bold=True)
    ordered = sorted(
        t.arrests, key=lambda a: (a.date, CHARGES.index(a.charge), a.nationality, a.place)
    )
    for i, a in enumerate(ordered, start=1):
        arrests.put(i, 0, i)
        put_date(arrests, i, 1, ctx, a.date)
        arrests.put(
            i,
            2,
            ctx.charge_names[a.charge],
            tag=Tag("charge", "arrests", date=a.date, charge=a.charge),
        )
        arrests.put(i, 3, a.nationality)
        arrests.put(i, 4, a.place)
        ctx.facts.add("arrests", a.date, 1, a.charge)
    if not ordered:
        arrests.put(1, 0, w("no_arrests"))
    arrests.widths = {0: 6, 1: 12, 2: 52, 3: 12, 4: 30}

    seizures = Sheet(w("sheet_seizures"))
    heads = [w("no"), w("date"), w("category"), w("description"), w("quantity")] + (
        [] if unit_in_cell else [w("unit")]
    )
    for j, h in enumerate(heads):
        seizures.put(0, j, h, bold=True)
    ordered = sorted(t.seizures, key=lambda s: (s.date, s.kind, s.item, s.quantity))
    for i, s in enumerate(ordered, start=1):
        seizures.put(i, 0, i)
        put_date(seizures, i, 1, ctx, s.date)
        seizures.put(i, 2, w("drug") if s.kind == "drug" else w("weapon"))
        seizures.put(i, 3, ctx.item_names[s.item])
        unit = w("pcs") if s.kind == "weapon" else s.unit
        if unit_in_cell and s.kind == "weapon":
            seizures.put(i, 4, ctx.fmt.with_unit(s.quantity, unit))
        elif unit_in_cell:
            seizures.put(
                i,
                4,
                ctx.fmt.with_unit(s.quantity, unit),
                tag=Tag("quantity", DRUGS, s.date, value=s.quantity, unit=s.unit),
            )
        else:
            value, number_format = ctx.fmt.number(s.quantity)
            seizures.put(i, 4, value, fmt=number_format)
            seizures.put(
                i,
                5,
                unit,
                tag=Tag("unit", DRUGS, s.date, value=s.quantity, unit=s.unit)
                if s.kind == "drug"
                else None,
            )
        if s.kind == "drug":
            ctx.facts.add(DRUGS, s.date, s.kg)
        else:
            ctx.facts.add("weapons_seized", s.date, s.quantity)
    seizures.widths = {0: 6, 1: 12, 2: 18, 3: 28, 4: 12, 5: 10}
    return Book([summary, arrests, seizures])


@dataclass
class _Line:
    """One line of a form: a label and, maybe, something written to its right."""

    label: str
    tag: Tag | None = None
    write: Callable[[int], None] | None = None  # writes the value cell of a given row


def form(ctx: Context) -> Book:
    """A questionnaire: numbered sections of label/value pairs, values off to the right."""
    p, w = ctx.profile, ctx.word
    numbered = p.options.get("numbered", False)
    unit_in_cell = p.options.get("unit_in_cell", False)
    label_col = 1 if numbered else 0
    value_col = label_col + p.options.get("value_offset", 1)
    sheet = Sheet(sheet_name(ctx))
    row = title_block(sheet, ctx, value_col + 1)
    shown = ctx.shown_metrics()
    section_no = 0

    def section(key: str, lines: list[_Line]) -> None:
        nonlocal row, section_no
        if not lines:
            return
        section_no += 1
        sheet.put(row, 0, w(key), bold=True)
        row += 1
        for item_no, line in enumerate(lines, start=1):
            if numbered:
                sheet.put(row, 0, f"{section_no}.{item_no}")
            sheet.put(row, label_col, line.label, tag=line.tag)
            if line.write is not None:
                line.write(row)
            row += 1
        row += 1

    def figure(metric: str, charge: str | None = None, label: str | None = None) -> _Line:
        tag = Tag("label", metric, charge=charge)
        label = label or ctx.label(metric)
        if metric not in p.metrics:
            return _Line(label, tag, lambda r: put_na(sheet, r, value_col, ctx))
        value = ctx.day_value(metric, None, charge)
        return _Line(
            label,
            tag,
            lambda r: put_figure(
                sheet, r, value_col, ctx, metric, value, charge=charge, role="summary"
            ),
        )

    def drug(quantity: float, unit: str) -> Callable[[int], None]:
        def write(r: int) -> None:
            if unit_in_cell:
                text = ctx.fmt.with_unit(quantity, unit)
                sheet.put(r, value_col, text, tag=Tag("quantity", DRUGS, value=quantity, unit=unit))
                ctx.facts.add(DRUGS, None, to_kg(quantity, unit))
            else:
                put_figure(sheet, r, value_col, ctx, DRUGS, quantity, role="summary", unit=unit)

        return write

    controls = ("persons_checked", "vehicles_checked", "db_searches", "db_hits")
    section("sec_resources", [figure(m) for m in ("officers_deployed",) if m in shown])
    section("sec_controls", [figure(m) for m in controls if m in shown])

    arrests: list[_Line] = []
    if "arrests" in shown:
        arrests.append(figure("arrests"))
        if "arrests" in p.metrics and ctx.charges():
            arrests.append(_Line(w("of_which")))
            arrests += [figure("arrests", c, "   " + ctx.charge_names[c]) for c in ctx.charges()]
    section("sec_arrests", arrests)

    seizures: list[_Line] = []
    if "weapons_seized" in shown:
        seizures.append(figure("weapons_seized"))
    if DRUGS in shown:
        seizures.append(_Line(ctx.label(DRUGS), Tag("label", DRUGS)))
        lines = _drug_lines(ctx) or [(None, 0, "kg")]
        for item, quantity, unit in lines:
            name = ctx.item_names[item] if item else "–"
            seizures.append(_Line("   " + name, None, drug(quantity, unit)))
    section("sec_seizures", seizures)
    section("sec_other", [figure(m) for m in OPERATION_ONLY if m in shown])
    section("sec_remarks", [_Line(ctx.text(line)) for line in p.notes + ctx.file_notes])
    sheet.widths = {0: 8 if numbered else 50, label_col: 50, value_col: 16}
    return Book([sheet])


LAYOUTS = {
    "tidy_long": tidy_long,
    "wide_daily": wide_daily,
    "transposed": transposed,
    "multi_sheet": multi_sheet,
    "form": form,
}


def render(ctx: Context) -> Book:
    return LAYOUTS[ctx.profile.layout](ctx)
