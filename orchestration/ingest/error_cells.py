"""Spreadsheet error values (`#N/A`, `#REF!`, `#DIV/0!` ...), found in the file's own parts.

python-calamine returns an error cell as an empty string, the same as a blank cell, so a
`#REF!` where a figure should be would vanish from the inventory and no check could see it.
This module finds the error cells where the formats keep them: the `t="e"` cells of an
xlsx worksheet part, the BOOLERR and FORMULA records of an xls (BIFF5/8) stream. The reader
lays them over calamine's grid; the cell then has a fate like any other.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

# (row, col) -> error code, 0-based, per sheet name
ErrorCells = dict[str, dict[tuple[int, int], str]]

ERROR_CODES = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
_BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


def is_error_text(text: str) -> bool:
    """An error code written as text (a csv exported from a sheet with errors)."""
    return text.strip().upper() in ERROR_CODES


def find_error_cells(data: bytes, kind: str) -> ErrorCells:
    """Error cells of a workbook by sheet name; {} where the format keeps none we can read
    (ods keeps the error's text, which calamine returns as text)."""
    if kind == "xlsx":
        return _xlsx_errors(data)
    if kind == "xls":
        return _xls_errors(data)
    if kind == "xlsb":
        return _xlsb_errors(data)
    return {}


# --- xlsx ---------------------------------------------------------------------------------

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def workbook_part(archive: zipfile.ZipFile) -> str | None:
    """The workbook part named by the package's root relationships (any path, not only
    xl/workbook.xml: some writers use their own)."""
    try:
        root = ElementTree.fromstring(archive.read("_rels/.rels"))
    except (KeyError, ElementTree.ParseError):
        return "xl/workbook.xml" if "xl/workbook.xml" in archive.namelist() else None
    for rel in root:
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/")
    return None


def _xlsx_errors(data: bytes) -> ErrorCells:
    found: ErrorCells = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name, part in _xlsx_sheet_parts(archive):
            xml = archive.read(part)
            if b't="e"' not in xml and b"t='e'" not in xml:
                continue  # no error cell in this sheet: nothing to parse
            cells = dict(_xlsx_error_cells(xml))
            if cells:
                found[name] = cells
    return found


def _xlsx_sheet_parts(
    archive: zipfile.ZipFile, rels_kind: str = ".xml"
) -> Iterator[tuple[str, str]]:
    book = workbook_part(archive)
    if book is None:
        return
    folder, base = posixpath.split(book)
    try:
        workbook = ElementTree.fromstring(archive.read(book))
        rels = ElementTree.fromstring(archive.read(posixpath.join(folder, "_rels", base + ".rels")))
    except (KeyError, ElementTree.ParseError):
        return
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    names = set(archive.namelist())
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL), "")
        part = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        if part in names:
            yield sheet.get("name", ""), part


def _xlsx_error_cells(xml: bytes) -> Iterator[tuple[tuple[int, int], str]]:
    row, col = -1, -1
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start" and tag == "row":
            row = int(element.get("r", row + 2)) - 1
            col = -1
        elif event == "end" and tag == "c":
            ref = element.get("r")
            if ref and (match := _CELL_REF.match(ref)):
                row, col = int(match[2]) - 1, _column_index(match[1])
            else:
                col += 1  # a cell without a reference follows the one before it
            if element.get("t") == "e":
                value = element.find(f"{_MAIN}v")
                if value is not None and (value.text or "").strip():
                    yield (row, col), value.text.strip()  # an error type with no value is empty
            element.clear()


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


# --- xls (BIFF5 and BIFF8) ----------------------------------------------------------------

_BOF, _BOUNDSHEET, _BOOLERR, _FORMULA, _FILEPASS, _CODEPAGE = (
    0x0809,
    0x0085,
    0x0205,
    0x0006,
    0x002F,
    0x0042,
)


def _xls_errors(data: bytes) -> ErrorCells:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            stream_name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if stream_name is None:
                return {}
            stream = ole.openstream(stream_name).read()
    except (OSError, ValueError):
        return {}
    records = list(_biff_records(stream))
    if any(kind == _FILEPASS for kind, _, _ in records):
        return {}  # encrypted: refused elsewhere
    sheets = _boundsheets(records)
    found: ErrorCells = {}
    current: dict[tuple[int, int], str] | None = None
    for kind, offset, body in records:
        if kind == _BOF:
            name = sheets.get(offset)
            current = found.setdefault(name, {}) if name is not None else None
        elif current is not None and kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
            row, col = struct.unpack_from("<HH", body)
            current[(row, col)] = _BIFF_ERRORS.get(body[6], "#VALUE!")
        elif current is not None and kind == _FORMULA and len(body) >= 14:
            row, col = struct.unpack_from("<HH", body)
            result = body[6:14]
            if result[6:8] == b"\xff\xff" and result[0] == 2:
                current[(row, col)] = _BIFF_ERRORS.get(result[2], "#VALUE!")
    return {name: cells for name, cells in found.items() if cells}


def _biff_records(stream: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(record type, its offset in the stream, its body)."""
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        yield kind, offset, stream[offset + 4 : offset + 4 + length]
        offset += 4 + length


def _boundsheets(records: list[tuple[int, int, bytes]]) -> dict[int, str]:
    """The offset of each sheet's BOF record -> the sheet's name."""
    biff8 = any(kind == _BOF and body[:2] == b"\x00\x06" for kind, _, body in records[:1])
    codepage = next(
        (
            f"cp{struct.unpack_from('<H', body)[0]}"
            for kind, _, body in records
            if kind == _CODEPAGE and len(body) >= 2
        ),
        "cp1252",
    )
    try:
        "".encode(codepage)
    except LookupError:
        codepage = "cp1252"
    sheets: dict[int, str] = {}
    for kind, _, body in records:
        if kind != _BOUNDSHEET or len(body) < 8:
            continue
        position = struct.unpack_from("<I", body)[0]
        length = body[6]
        if biff8:
            wide = body[7] & 1
            raw = body[8 : 8 + length * (2 if wide else 1)]
            name = raw.decode("utf-16-le" if wide else "latin-1", errors="replace")
        else:
            name = body[7 : 7 + length].decode(codepage, errors="replace")
        sheets[position] = name
    return sheets


# --- xlsb (binary records) --------------------------------------------------------------

_BRT_ROW_HDR, _BRT_CELL_ERROR, _BRT_FMLA_ERROR = 0x0000, 0x0003, 0x000B


_BRT_BUNDLE_SH = 0x009C


def _xlsb_errors(data: bytes) -> ErrorCells:
    """The BrtCellError and BrtFmlaError records of each worksheet part of an xlsb."""
    found: ErrorCells = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name, part in _xlsb_sheet_parts(archive):
            cells = dict(_xlsb_error_cells(archive.read(part)))
            if cells:
                found[name] = cells
    return found


def _xlsb_sheet_parts(archive: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(sheet name, part) from the BrtBundleSh records of workbook.bin and its relations."""
    book = workbook_part(archive)
    if book is None:
        return
    folder, base = posixpath.split(book)
    try:
        stream = archive.read(book)
        rels = ElementTree.fromstring(archive.read(posixpath.join(folder, "_rels", base + ".rels")))
    except (KeyError, ElementTree.ParseError):
        return
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    offset = 0
    while offset < len(stream):
        kind, offset = _xlsb_varint(stream, offset, 2)
        size, offset = _xlsb_varint(stream, offset, 4)
        body = stream[offset : offset + size]
        offset += size
        if kind != _BRT_BUNDLE_SH or len(body) < 12:
            continue
        rel_id, position = _wide_string(body, 8)
        name, _ = _wide_string(body, position)
        target = targets.get(rel_id, "")
        part = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        yield name, part


def _wide_string(body: bytes, offset: int) -> tuple[str, int]:
    """An XLWideString: a count of UTF-16 characters, then the characters."""
    if offset + 4 > len(body):
        return "", len(body)
    count = struct.unpack_from("<I", body, offset)[0]
    end = offset + 4 + 2 * count
    return body[offset + 4 : end].decode("utf-16-le", errors="replace"), end


def _xlsb_error_cells(stream: bytes) -> Iterator[tuple[tuple[int, int], str]]:
    row, offset = 0, 0
    while offset < len(stream):
        kind, offset = _xlsb_varint(stream, offset, 2)
        size, offset = _xlsb_varint(stream, offset, 4)
        body = stream[offset : offset + size]
        offset += size
        if kind == _BRT_ROW_HDR and len(body) >= 4:
            row = struct.unpack_from("<I", body)[0]
        elif kind in (_BRT_CELL_ERROR, _BRT_FMLA_ERROR) and len(body) >= 9:
            col = struct.unpack_from("<I", body)[0]
            yield (row, col), _BIFF_ERRORS.get(body[8], "#VALUE!")


def _xlsb_varint(stream: bytes, offset: int, most: int) -> tuple[int, int]:
    """A record type or size: 7 bits a byte, the high bit saying another byte follows."""
    value, shift = 0, 0
    for _ in range(most):
        if offset >= len(stream):
            break
        byte = stream[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, offset
