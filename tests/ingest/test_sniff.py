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
