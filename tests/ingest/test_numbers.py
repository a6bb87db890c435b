import pytest

from orchestration.ingest.numbers import (
    AmbiguousNumber,
    decide_decimal_separator,
    split_number,
    to_float,
)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234,5", None, 1234.5),
        ("1\u00a0234,5", None, 1234.5),
        ("1\u202f234,5", None, 1234.5),
        ("1,234.5", None, 1234.5),
        ("1'234", ".", 1234.0),
        ("12,5", None, 12.5),
        ("0.250", None, 0.25),
        ("1.234.567", None, 1234567.0),
        ("1.234", ",", 1234.0),
        ("1.234", ".", 1.234),
        ("-17", None, -17.0),
        ("2,5 kg", None, 2.5),
        ("12*", None, 12.0),
    ],
)
def test_numbers_in_every_convention(text, decimal, expected):
    assert to_float(split_number(text), decimal) == pytest.approx(expected)


def test_unit_after_the_number_is_kept_apart():
    assert split_number("850 g").rest == "g"
    assert split_number("2,5 kg").rest == "kg"


@pytest.mark.parametrize("text", ["2020-09-24", "24/09", "10:30", "ca. 50", "n/a", ""])
def test_dates_times_and_words_are_not_numbers(text):
    assert split_number(text) is None


def test_ambiguous_number_without_a_file_convention_is_refused():
    with pytest.raises(AmbiguousNumber):
        to_float(split_number("1.234"), None)


def test_the_file_decides_the_separator_from_its_unambiguous_cells():
    cells = [split_number(t) for t in ("1.234", "12,5", "3.400")]
    assert decide_decimal_separator(cells, fallback=".") == ","
    assert decide_decimal_separator([split_number("1.234")], fallback=",") == ","


def test_a_file_that_contradicts_itself_decides_nothing():
    cells = [split_number(t) for t in ("12,5", "7.25")]
    assert decide_decimal_separator(cells, fallback=".") is None


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [("1,23E+04", None, 12300.0), ("1.5e3", None, 1500.0), ("2E-3", None, 0.002)],
)
def test_scientific_notation(text, decimal, expected):
    assert to_float(split_number(text), decimal) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["65 and over", "2011 to 2016", "105A", "3 persons arrested"])
def test_a_number_inside_a_label_is_a_label(vocabulary, text):
    from orchestration.ingest.cells import classify

    assert classify(0, 0, text, vocabulary).kind == "text"


@pytest.mark.parametrize("text", ["3 kom.", "25kg", "12 pcs", "1 db", "6 stk."])
def test_a_figure_keeps_its_unit(vocabulary, text):
    from orchestration.ingest.cells import classify

    assert classify(0, 0, text, vocabulary).kind == "number"
