"""What a file really is, from its bytes: the extension is a hint, never the proof.

A `.csv` may be binary garbage, an `.xlsx` may be an encrypted OLE container or a zip of
something else, and a legacy `.xls` may be named `.xlsx`. The reader picks its path from
the magic bytes and the container's table of contents.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from orchestration.ingest.limits import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# Single-byte code pages that European services still send; the vocabulary picks among them.
CANDIDATE_ENCODINGS = ("cp1250", "cp1251", "cp1253", "cp1252", "cp1257", "iso-8859-2")


class UnreadableFile(Exception):
    """The file cannot be read at all; `reason` is the quarantine reason code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Format:
    kind: str  # xlsx, ods, xls, csv


def sniff_format(data: bytes, limits: Limits | None = None) -> Format:
    """xlsx, ods, xls or csv from the content; raises UnreadableFile for anything else,
    and for a workbook that is a zip bomb or carries XML entities."""
    limits = limits or Limits()
    if not data:
        raise UnreadableFile("empty_file", "the file is empty (0 bytes)")
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
            raise UnreadableFile(
                "password_protected",
                "the workbook is encrypted (password-protected); ask the sender for an "
                "unprotected copy",
            )
        return Format("xls")
    if data.startswith(ZIP_MAGIC):
        return Format(_zip_kind(data, limits))
    if _looks_binary(data):
        raise UnreadableFile(
            "not_a_spreadsheet",
            "the content is binary and neither xlsx, ods, xls nor text (csv)",
        )
    return Format("csv")


def _zip_kind(data: bytes, limits: Limits) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        _check_expansion(entries, len(data), limits)
        names = {entry.filename for entry in entries}
        if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
            kind = "ods"
        elif "xl/workbook.xml" in names:
            kind = "xlsx"
        else:
            raise UnreadableFile(
                "not_a_spreadsheet", "the file is a zip archive but not an xlsx or ods workbook"
            )
        _check_xml(archive, entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise UnreadableFile(
            "corrupt_file", f"the file is a damaged zip container ({error})"
        ) from error
    return kind


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
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return control > len(head) * 0.01
