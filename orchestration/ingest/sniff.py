"""What a file really is, from its bytes: the extension is a hint, never the proof.

A `.csv` may be binary garbage, an `.xlsx` may be an encrypted OLE container or a zip of
something else, and a legacy `.xls` may be named `.xlsx`. The reader picks its path from
the magic bytes and the container's table of contents.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from orchestration.ingest.error_cells import workbook_part
from orchestration.ingest.limits import Limits
from orchestration.ingest.problems import UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# Single-byte code pages that European services still send; the vocabulary picks among them.
CANDIDATE_ENCODINGS = (
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1253",
    "cp1254",
    "cp1257",
    "iso-8859-2",
    "iso-8859-7",
)

# What a text or binary file that is no spreadsheet often is: named, so the steward knows
# what was sent (prefix of the first 1 KiB, lower-cased, after a BOM and blanks).
_KNOWN_NOT_SPREADSHEETS = (
    (b"%pdf", "a PDF document"),
    (b"{\\rtf", "an RTF document"),
    (b"<!doctype html", "an HTML page (a web table saved with a spreadsheet's name)"),
    (b"<html", "an HTML page (a web table saved with a spreadsheet's name)"),
    (b"<table", "an HTML table saved with a spreadsheet's name"),
    (
        b"mime-version:",
        "a web archive (MHTML, a 'single file web page') saved with a spreadsheet's name",
    ),
)


@dataclass(frozen=True)
class Format:
    kind: str  # xlsx, xlsb, ods, xls, csv


def sniff_format(data: bytes, limits: Limits | None = None) -> Format:
    """xlsx, xlsb, ods, xls or csv from the content; raises UnreadableFile for anything
    else (naming what it is where it can), for an encrypted workbook, and for a workbook
    that is a zip bomb or carries XML entities."""
    limits = limits or Limits()
    if not data:
        raise UnreadableFile("empty_file", "the file is empty (0 bytes)")
    if data.startswith(OLE_MAGIC):
        return Format(_ole_kind(data))
    if data.startswith(ZIP_MAGIC):
        return Format(_zip_kind(data, limits))
    if data[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04") and data[2:4] in (
        b"\x04\x00",
        b"\x06\x00",
    ):
        raise UnreadableFile(
            "unsupported_format",
            "the file is an Excel 2-4 worksheet (BIFF2-4, before 1995); save it as .xlsx",
        )
    if _looks_binary(data):
        raise UnreadableFile(
            "not_a_spreadsheet",
            "the content is binary and neither xlsx, xlsb, ods, xls nor text (csv)",
        )
    _refuse_other_text(data)
    return Format("csv")


def _ole_kind(data: bytes) -> str:
    """An OLE container: a legacy xls, an encrypted OOXML workbook, or another document."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
            if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
                raise _password_protected()
            name = next((n for n in ("Workbook", "Book") if n in streams), None)
            if name is None:
                what = "a Word document" if "WordDocument" in streams else "an OLE document"
                raise UnreadableFile(
                    "not_a_spreadsheet", f"the file is {what}, not an xls workbook"
                )
            head = ole.openstream(name).read(64 * 1024)
    except UnreadableFile:
        raise
    except Exception as error:  # olefile raises OSError and its own errors on damage
        raise UnreadableFile(
            "corrupt_file", f"the file is a damaged OLE container ({error})"
        ) from error
    if _biff_is_encrypted(head):
        raise _password_protected()
    return "xls"


def _biff_is_encrypted(stream: bytes) -> bool:
    """A FILEPASS record among the first records of the workbook globals: encrypted."""
    offset = 0
    for _ in range(64):
        if offset + 4 > len(stream):
            return False
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == 0x002F:
            return True
        if kind == 0x0085:  # BOUNDSHEET: past where FILEPASS would stand
            return False
        offset += 4 + length
    return False


def _password_protected() -> UnreadableFile:
    return UnreadableFile(
        "password_protected",
        "the workbook is encrypted (password-protected); ask the sender for an unprotected copy",
    )


def _refuse_other_text(data: bytes) -> None:
    """Text that is a known kind of document, not delimited values."""
    head = data[:1024]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if b"\x00" in head[:64]:
        head = head.replace(b"\x00", b"")
    start = head.lstrip().lower()
    for prefix, what in _KNOWN_NOT_SPREADSHEETS:
        if start.startswith(prefix):
            raise UnreadableFile("unsupported_format", f"the file is {what}, not a spreadsheet")
    if start.startswith(b"<?xml"):
        if b"opendocument.spreadsheet" in head or b"office:document" in head:
            what = "a flat OpenDocument spreadsheet (.fods); save it as .ods or .xlsx"
        elif (
            b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"<?mso-application" in head
        ):
            what = "an Excel 2003 XML spreadsheet; save it as .xlsx"
        else:
            what = "an XML document"
        raise UnreadableFile("unsupported_format", f"the file is {what}, not a format read here")


def _zip_kind(data: bytes, limits: Limits) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        _check_expansion(entries, len(data), limits)
        names = {entry.filename for entry in entries}
        if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
            if _ods_is_encrypted(archive, names):
                raise _password_protected()
            kind = "ods"
        else:
            kind = _ooxml_kind(archive, names)
        _check_xml(archive, entries)
        if kind == "xlsx":
            _check_dimensions(archive, limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,  # a compression method zipfile does not know
        EOFError,
        ValueError,
        KeyError,
    ) as error:
        raise UnreadableFile(
            "corrupt_file", f"the file is a damaged zip container ({error})"
        ) from error
    return kind


def _calamine_opens(archive: zipfile.ZipFile) -> bool:
    names = {name.replace("\\", "/").lower() for name in archive.namelist()}
    return "xl/workbook.xml" in names or "xl/workbook.bin" in names


def _ods_is_encrypted(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if "META-INF/manifest.xml" not in names:
        return False
    return b"encryption-data" in archive.read("META-INF/manifest.xml")


def _ooxml_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    """xlsx (xlsm, xltx) or xlsb, by the workbook part the package names, wherever it is."""
    part = workbook_part(archive)
    if part and part in names and part.endswith(".bin"):
        return "xlsb"
    if part and part in names and part.endswith(".xml"):
        return "xlsx"
    if _calamine_opens(archive):
        return "xlsx"  # parts at paths of its own ('xl\\workbook.xml'): calamine finds them
    if "word/document.xml" in names:
        what = "a Word document (docx)"
    elif "ppt/presentation.xml" in names:
        what = "a PowerPoint presentation (pptx)"
    elif "mimetype" in names:
        what = f"an OpenDocument file of type {archive.read('mimetype')[:80].decode('ascii', 'replace')}"
    else:
        what = "a zip archive"
    raise UnreadableFile("not_a_spreadsheet", f"the file is {what}, not an xlsx or ods workbook")


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?P<ref>[A-Z0-9:$]+)"')
_CORNER = re.compile(rb"^\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


def _check_dimensions(archive: zipfile.ZipFile, limits: Limits) -> None:
    """A worksheet that declares a used range beyond the cell limit ('A1:XFD1048576') is
    refused before calamine builds it: calamine holds a sheet's used range as one dense
    block, so a lone far cell would cost billions of cells of memory."""
    for entry in archive.infolist():
        name = entry.filename.replace("\\", "/").lower()
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(entry) as part:
            head = part.read(4096)
        match = _DIMENSION.search(head)
        if not match or b":" not in match["ref"]:
            continue
        first, last = (_CORNER.match(corner) for corner in match["ref"].split(b":", 1))
        if not (first and last):
            continue
        rows = int(last["row"]) - int(first["row"]) + 1
        columns = _column_number(last["col"]) - _column_number(first["col"]) + 1
        if rows * columns <= limits.max_cells_per_file and rows <= limits.max_rows_per_sheet:
            continue
        # the declared range may overstate: what counts is where the cells really are
        with archive.open(entry) as part:
            refs = [_CORNER.match(r) for r in _CELL_REF.findall(part.read())]
        refs = [r for r in refs if r]
        if not refs:
            continue
        row_numbers = [int(r["row"]) for r in refs]
        col_numbers = [_column_number(r["col"]) for r in refs]
        rows = max(row_numbers) - min(row_numbers) + 1
        columns = max(col_numbers) - min(col_numbers) + 1
        match = {
            "ref": f"{_letters(min(col_numbers))}{min(row_numbers)}:{_letters(max(col_numbers))}{max(row_numbers)}".encode()
        }
        if rows * columns > limits.max_cells_per_file or rows > limits.max_rows_per_sheet:
            raise UnreadableFile(
                "too_many_rows" if rows > limits.max_rows_per_sheet else "too_many_cells",
                f"the sheet {entry.filename} spans {match['ref'].decode()} ({rows:,} rows by "
                f"{columns:,} columns), over the limits of {limits.max_rows_per_sheet:,} rows and "
                f"{limits.max_cells_per_file:,} cells (JAD_LIMIT_ROWS, JAD_LIMIT_CELLS)",
            )


_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3}\d+)"')


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def _check_expansion(entries: list[zipfile.ZipInfo], size: int, limits: Limits) -> None:
    """A workbook is a zip: what it claims to unpack to is checked before anything unpacks."""
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_uncompressed_bytes:
        raise UnreadableFile(
            "too_large_uncompressed",
            f"the workbook unpacks to {unpacked // (1024 * 1024)} MiB, over the limit of "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MiB (JAD_LIMIT_UNCOMPRESSED_MB)",
        )
    if unpacked > 1024 * 1024 and unpacked / max(size, 1) > limits.max_compression_ratio:
        raise UnreadableFile(
            "zip_bomb",
            f"the workbook unpacks {unpacked / max(size, 1):.0f} times its size: a zip bomb, "
            "not a spreadsheet (JAD_LIMIT_COMPRESSION_RATIO)",
        )


def _check_xml(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """No document type declarations: they are how XML entities (external files, entity
    expansion) get in, and no spreadsheet needs one."""
    for entry in entries:
        if not entry.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(entry) as part:
            prolog = _prolog(part)
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            raise UnreadableFile(
                "unsafe_xml",
                f"the part {entry.filename} declares a document type or entities (an XML "
                "external-entity or expansion attack); the file is not read",
            )


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_PROLOG_LIMIT = 1024 * 1024


def _prolog(part: IO[bytes]) -> bytes:
    """What comes before the root element, where a DOCTYPE must stand: read until the root
    starts (comments may pad it out), as UTF-8 even when the part is UTF-16."""
    data = b""
    while len(data) < _PROLOG_LIMIT and (chunk := part.read(64 * 1024)):
        data += chunk
        text = _as_utf8(data)
        if (root := _ROOT_START.search(_COMMENT.sub(b"", text))) is not None:
            return _COMMENT.sub(b"", text)[: root.start()]
    return _as_utf8(data)


def _as_utf8(data: bytes) -> bytes:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4]:
        encoding = (
            "utf-16"
            if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            else ("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
        )
        return data.decode(encoding, errors="replace").encode()
    return data


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return False
    if head.count(0) > max(1, len(head) // 1000):
        return True  # a stray NUL is a damaged text; many are a binary file
    control = sum(1 for b in head if b < 32 and b not in (0, 9, 10, 11, 12, 13))
    return control > len(head) * 0.01


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text written without its byte-order mark: the
    zero high bytes of Latin, Greek or Cyrillic letters, digits and separators fall on every
    other byte, and decoding gives text without control characters."""
    head = data[:8192]
    head = head[: len(head) // 2 * 2]
    if len(head) < 8:
        return None
    even_zero = head[0::2].count(0) / (len(head) / 2)
    odd_zero = head[1::2].count(0) / (len(head) / 2)
    if odd_zero >= 0.3 and even_zero == 0:
        encoding = "utf-16-le"
    elif even_zero >= 0.3 and odd_zero == 0:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError:
        return None
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return encoding if control <= len(text) * 0.01 else None
