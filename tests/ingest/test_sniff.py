import pytest

from orchestration.ingest.problems import UnreadableFile
from orchestration.ingest.sniff import sniff_format
from orchestration.ingest.text_files import decode_text, sniff_delimiter, text_sheet
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


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Datum;Kontrolirane osobe;Uhićenja\n24.09.2020;1200;3\n", "cp1250"),
        ("Дата;Проверени лица;Задържани\n24.09.2020;1200;3\n", "cp1251"),
        ("Ημερομηνία;Ελεγχθέντα άτομα;Συλλήψεις\n24/09/2020;1200;3\n", "cp1253"),
    ],
)
def test_the_code_page_whose_words_are_known_wins(vocabulary, text, encoding):
    decoded = decode_text(text.encode(encoding), vocabulary)
    assert decoded.text == text


def test_a_tie_between_code_pages_goes_to_the_language_of_the_words(vocabulary):
    """'diseño' is 'diseńo' in cp1250: both look like words; the Spanish labels decide."""
    text = "Fecha;Personas controladas;Detenidos;Observaciones\n24/09/2020;1200;3;diseño\n"
    decoded = decode_text(text.encode("cp1252"), vocabulary)
    assert decoded.encoding == "cp1252" and "diseño" in decoded.text


def test_a_code_page_nothing_decides_is_refused_not_guessed(vocabulary):
    with pytest.raises(UnreadableFile) as problem:
        decode_text("Zzz;Qqq\n1;ñandú\n".encode("cp1252"), vocabulary)
    assert problem.value.reason == "undetectable_encoding"


def test_mojibake_is_never_accepted(vocabulary):
    """Big5 bytes decode under the single-byte code pages, but not into words."""
    text = "日期;檢查人數;逮捕\n2020/09/24;1200;3\n"
    try:
        decoded = decode_text(text.encode("big5"), vocabulary)
    except UnreadableFile as problem:
        assert problem.reason == "undetectable_encoding"
    else:
        assert decoded.text == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark(vocabulary, encoding):
    text = "Country\tÖsterreich\n\nDatum\tKontrollierte Personen\n24.09.2020\t1200\n"
    data = text.encode(encoding)
    assert sniff_format(data).kind == "csv"
    assert decode_text(data, vocabulary).text == text


def test_delimiters():
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","


def test_a_stray_quote_neither_flips_the_delimiter_nor_swallows_the_file():
    lines = ["Datum;Personen;Notiz"] + [f"2{i}.09.2020;{i}00;ok" for i in range(4, 8)]
    lines.insert(2, '25.09.2020;300;"Grenze Nord')  # opened, never closed
    text = "\n".join(lines + [f"x{i};{i};y" for i in range(500)]) + "\n"
    assert sniff_delimiter(text) == ";"
    rows = text_sheet(text, ";", "t").rows
    assert len(rows) == len(lines) + 500
    assert rows[2][:2] == ["25.09.2020", "300"]


def test_a_quoted_note_may_span_lines():
    rows = text_sheet('Datum;Notiz\n24.09.2020;"Zeile 1\nZeile 2"\n', ";", "t").rows
    assert rows == [["Datum", "Notiz"], ["24.09.2020", "Zeile 1\nZeile 2"]]


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "unsupported_format"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "unsupported_format"),
        (
            b'<?xml version="1.0"?><office:document xmlns:office="urn:oasis:names:tc:opendocument'
            b':xmlns:office:1.0" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">',
            "unsupported_format",
        ),
    ],
)
def test_documents_that_are_no_spreadsheet_are_refused_by_name(data, what):
    with pytest.raises(UnreadableFile) as problem:
        sniff_format(data)
    assert problem.value.reason == what


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
