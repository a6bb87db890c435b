"""Turn a workbook grid into file bytes: xlsx (openpyxl), ods (odfpy), xls (xlwt), csv.

Every writer is byte-deterministic. openpyxl and odfpy stamp the current time into the
document properties and into every zip entry, and odfpy writes its namespace
declarations in the order the process first used them; so the document dates are set
to the file's report date, the zip is rewritten with fixed entry times, and odfpy's
namespace table is reset to one fixed order before each save.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from pathlib import Path

from corpus.grid import Book, Sheet


def write_book(
    book: Book,
    path: Path,
    fmt: str,
    *,
    when: dt.datetime,
    author: str,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> None:
    """Write `book` to `path` in `fmt`; `when` is the document's creation time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        _write_xlsx(book, path, when, author)
    elif fmt == "ods":
        _write_ods(book, path, when, author)
    elif fmt == "xls":
        _write_xls(book, path)
    elif fmt == "csv":
        path.write_bytes(csv_bytes(book, encoding or "utf-8", delimiter or ","))
    else:
        raise ValueError(f"unknown format {fmt!r}")


def normalise_zip(path: Path, when: dt.datetime, rewrite=None) -> None:
    """Rewrite a zip container with fixed entry times, keeping the writer's entry order
    (ODF requires `mimetype` first) and compression; `rewrite(name, data)` may patch entries."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info, data in entries:
            if rewrite is not None:
                data = rewrite(info.filename, data)
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            out.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())


# --- xlsx ---------------------------------------------------------------------------------


def _write_xlsx(book: Book, path: Path, when: dt.datetime, author: str) -> None:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name[:31])
        for (r, c), cell in sorted(sheet.cells.items()):
            if cell.value == "":  # a figure left blank: no cell at all, as in Excel
                continue
            target = ws.cell(row=r + 1, column=c + 1, value=cell.value)
            if isinstance(cell.value, str):
                target.data_type = "s"  # never let openpyxl read "=..." as a formula
            if cell.number_format:
                target.number_format = cell.number_format
            if cell.bold:
                target.font = bold
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for c, width in sorted(sheet.widths.items()):
            ws.column_dimensions[get_column_letter(c + 1)].width = width
    wb.properties.creator = author or None
    wb.properties.lastModifiedBy = author or None
    wb.properties.created = when
    wb.properties.modified = when
    wb.save(path)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def fix_core(name: str, data: bytes) -> bytes:
        if name == "docProps/core.xml":  # openpyxl sets `modified` to now when saving
            data = re.sub(
                rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                rb"\g<1>" + stamp + rb"\g<2>",
                data,
            )
        return data

    normalise_zip(path, when, fix_core)


# --- ods ----------------------------------------------------------------------------------


def _date_style(name: str, number_format: str):
    """An ODF date style from an Excel-like format such as DD.MM.YYYY. or DD/MM/YYYY."""
    from odf import number

    style = number.DateStyle(name=name)
    for token in re.findall(r"YYYY|MM|DD|[^YMD]+", number_format.upper()):
        if token == "DD":
            style.addElement(number.Day(style="long"))
        elif token == "MM":
            style.addElement(number.Month(style="long"))
        elif token == "YYYY":
            style.addElement(number.Year(style="long"))
        else:
            style.addElement(number.Text(text=token))
    return style


def _write_ods(book: Book, path: Path, when: dt.datetime, author: str) -> None:
    from odf import dc, meta, teletype
    from odf.element import Element
    from odf.namespaces import nsdict
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S")
    if author:
        doc.meta.addElement(meta.InitialCreator(text=author))
        doc.meta.addElement(dc.Creator(text=author))
    doc.meta.addElement(meta.CreationDate(text=stamp))
    doc.meta.addElement(dc.Date(text=stamp))

    bold = Style(name="ceBold", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(bold)
    cell_styles: dict[tuple, Style] = {}
    column_styles: dict[float, Style] = {}

    def cell_style(number_format: str | None, is_bold: bool):
        if not number_format:
            return bold if is_bold else None
        key = (number_format, is_bold)
        if key not in cell_styles:
            data_name = f"N{len(cell_styles) + 1}"
            doc.automaticstyles.addElement(_date_style(data_name, number_format))
            st = Style(
                name=f"ceDate{len(cell_styles) + 1}", family="table-cell", datastylename=data_name
            )
            st.addElement(TableCellProperties())
            if is_bold:
                st.addElement(TextProperties(fontweight="bold"))
            doc.automaticstyles.addElement(st)
            cell_styles[key] = st
        return cell_styles[key]

    for sheet in book.sheets:
        table = Table(name=sheet.name)
        for c in range(sheet.n_cols):
            width = sheet.widths.get(c, 10)
            if width not in column_styles:
                st = Style(name=f"co{len(column_styles) + 1}", family="table-column")
                st.addElement(TableColumnProperties(columnwidth=f"{width * 0.19:.2f}cm"))
                doc.automaticstyles.addElement(st)
                column_styles[width] = st
            table.addElement(TableColumn(stylename=column_styles[width]))
        covered = _covered(sheet)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sheet.merges}
        for r in range(sheet.n_rows):
            tr = TableRow()
            for c in range(sheet.n_cols):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                cell = sheet.cells.get((r, c))
                attrs = {}
                if (r, c) in spans:
                    attrs["numberrowsspanned"], attrs["numbercolumnsspanned"] = spans[(r, c)]
                if cell is None or cell.value == "":
                    tr.addElement(TableCell(**attrs))
                    continue
                style = cell_style(
                    cell.number_format if isinstance(cell.value, dt.date) else None, cell.bold
                )
                if style is not None:
                    attrs["stylename"] = style
                value = cell.value
                if isinstance(value, dt.date):
                    tc = TableCell(valuetype="date", datevalue=value.isoformat(), **attrs)
                    shown = _shown_date(value, cell.number_format or "YYYY-MM-DD")
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    tc = TableCell(valuetype="float", value=value, **attrs)
                    shown = str(value)
                else:
                    tc = TableCell(valuetype="string", **attrs)
                    shown = str(value)
                p = P()
                teletype.addTextToElement(p, shown)
                tc.addElement(p)
                tr.addElement(tc)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)

    # odfpy declares namespaces in the order the process first used them: fix the order.
    Element.namespaces.clear()
    Element.namespaces.update(sorted(nsdict.items(), key=lambda kv: kv[1]))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp) / "out.ods"
        doc.save(str(tmp_path))
        normalise_zip(tmp_path, when)
        path.write_bytes(tmp_path.read_bytes())


def _shown_date(day: dt.date, number_format: str) -> str:
    """The text a spreadsheet shows for a date cell (ODF stores it next to the value)."""
    fmt = number_format.upper()
    return (
        fmt.replace("YYYY", f"{day.year:04d}")
        .replace("MM", f"{day.month:02d}")
        .replace("DD", f"{day.day:02d}")
    )


def _covered(sheet: Sheet) -> set[tuple[int, int]]:
    cells = set()
    for r1, c1, r2, c2 in sheet.merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    cells.add((r, c))
    return cells


# --- xls ----------------------------------------------------------------------------------


def _write_xls(book: Book, path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    styles: dict[tuple, xlwt.XFStyle] = {}

    def style(number_format: str | None, bold: bool) -> xlwt.XFStyle:
        key = (number_format, bold)
        if key not in styles:
            st = xlwt.XFStyle()
            if number_format:
                st.num_format_str = number_format
            if bold:
                font = xlwt.Font()
                font.bold = True
                st.font = font
            styles[key] = st
        return styles[key]

    for sheet in book.sheets:
        if sheet.n_cols > 256 or sheet.n_rows > 65536:
            raise ValueError(
                f"{path.name}: a legacy xls sheet holds at most 256 columns and 65,536 rows"
            )
        ws = wb.add_sheet(sheet.name[:31], cell_overwrite_ok=True)
        origins = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
        covered = _covered(sheet)
        for (r, c), cell in sorted(sheet.cells.items()):
            if (r, c) in covered or cell.value == "":
                continue
            st = style(cell.number_format, cell.bold)
            if (r, c) in origins:
                r1, c1, r2, c2 = origins[(r, c)]
                ws.write_merge(r1, r2, c1, c2, cell.value, st)
            else:
                ws.write(r, c, cell.value, st)
        for c, width in sorted(sheet.widths.items()):
            ws.col(c).width = int(256 * width)
    wb.save(str(path))


# --- csv ----------------------------------------------------------------------------------


def csv_bytes(book: Book, encoding: str, delimiter: str) -> bytes:
    """One sheet as a csv export: rows padded to the used width, CRLF, in `encoding`."""
    if len(book.sheets) != 1:
        raise ValueError("a csv file holds exactly one sheet")
    sheet = book.sheets[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for r in range(sheet.n_rows):
        row = []
        for c in range(sheet.n_cols):
            cell = sheet.cells.get((r, c))
            row.append("" if cell is None else str(cell.value))
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)
