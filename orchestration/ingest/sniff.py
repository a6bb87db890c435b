"""What a file really is, from its bytes: the extension is a hint, never the proof.

A `.csv` may be binary garbage, an `.xlsx` may be an encrypted OLE container or a zip of
something else, and a legacy `.xls` may be named `.xlsx`. The reader picks its path from
the magic bytes and the container's table of contents.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass

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


def sniff_format(data: bytes) -> Format:
    """xlsx, ods, xls or csv from the content; raises UnreadableFile for anything else."""
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
        return Format(_zip_kind(data))
    if _looks_binary(data):
        raise UnreadableFile(
            "not_a_spreadsheet",
            "the content is binary and neither xlsx, ods, xls nor text (csv)",
        )
    return Format("csv")


def _zip_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
            return "ods"
    except zipfile.BadZipFile as error:
        raise UnreadableFile(
            "corrupt_file", f"the file is a damaged zip container ({error})"
        ) from error
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise UnreadableFile(
        "not_a_spreadsheet", "the file is a zip archive but not an xlsx or ods workbook"
    )


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return control > len(head) * 0.01
