import pytest

from orchestration.ingest.sniff import UnreadableFile, sniff_format
from orchestration.ingest.workbook import decode_text, sniff_delimiter
from tests.fixtures.workbooks import irish_wide_daily


def test_format_comes_from_the_bytes_not_the_name():
    assert sniff_format(irish_wide_daily()).kind == "xlsx"
    assert sniff_format(b"Datum;Wert\n").kind == "csv"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b"\x00\x01\x02binary" * 50, "not_a_spreadsheet"),
        (b"PK\x03\x04garbage", "corrupt_file"),
    ],
)
def test_unreadable_files_say_why(data, reason):
    with pytest.raises(UnreadableFile) as problem:
        sniff_format(data)
    assert problem.value.reason == reason


def test_the_code_page_whose_words_are_known_wins(vocabulary):
    text = "Date;Persons checked;Vehicles checked\n"
    for encoding in ("cp1250", "cp1251", "cp1253"):
        decoded, _ = decode_text(text.encode(encoding), vocabulary.known_word_count)
        assert decoded == text


def test_delimiters():
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","


def _with_sheet_xml(transform) -> bytes:
    """The Irish workbook with its first sheet's XML rewritten by `transform`."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(irish_wide_daily()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = transform(data)
            target.writestr(entry, data)
    return buffer.getvalue()


DOCTYPE = b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def _before_root(xml: bytes, prolog: bytes) -> bytes:
    xml = xml if xml.startswith(b"<?xml") else DECLARATION + xml
    return xml.replace(b"?>", b"?>" + prolog, 1)


@pytest.mark.parametrize(
    "transform",
    [
        lambda xml: _before_root(xml, DOCTYPE),
        # padded past any fixed-size peek by a long comment before the declaration
        lambda xml: _before_root(xml, b"<!--" + b" <row/>" * 2000 + b"-->" + DOCTYPE),
        # the same in UTF-16, where the bytes '<!DOCTYPE' never occur
        lambda xml: (
            _before_root(xml, DOCTYPE)
            .replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
            .decode()
            .encode("utf-16")
        ),
    ],
    ids=["plain", "after-a-long-comment", "utf-16"],
)
def test_xml_entities_are_refused_however_they_are_hidden(transform):
    with pytest.raises(UnreadableFile) as problem:
        sniff_format(_with_sheet_xml(transform))
    assert problem.value.reason == "unsafe_xml"


def test_a_plain_workbook_has_no_prolog_to_refuse():
    assert sniff_format(_with_sheet_xml(lambda xml: xml)).kind == "xlsx"
