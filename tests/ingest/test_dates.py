import datetime as dt

import pytest

from orchestration.ingest.dates import (
    AmbiguousDate,
    decide_date_order,
    from_serial,
    resolve_date,
    scan_date,
)

MONTHS = {"septembre": 9, "σεπ": 9, "sept": 9, "september": 9}
WINDOW = (dt.date(2020, 9, 24), dt.date(2020, 9, 27))


def scan(text):
    return scan_date(text, lambda word: MONTHS.get(word.lower()))


@pytest.mark.parametrize(
    "text",
    [
        "24.09.2020",
        "24. 9. 2020",
        "24.09.2020.",
        "2020-09-24",
        "2020.09.24.",
        "24/09/2020",
        "09/24/2020",
        "24 septembre 2020",
        "24 Σεπ 2020",
        "Sept. 24, 2020",
        "24.09.",
        "Thursday, 24.09.2020",
    ],
)
def test_the_way_services_write_the_first_day(text):
    assert resolve_date(scan(text), None, 2020, WINDOW) == dt.date(2020, 9, 24)


def test_a_bare_decimal_is_not_taken_for_a_date():
    assert scan("24.09") is None


def test_day_month_order_comes_from_the_file():
    texts = [scan("09/24/2020"), scan("05/09/2020")]
    order = decide_date_order(texts, fallback="dmy")
    assert order == "mdy"
    assert resolve_date(scan("05/09/2020"), order, 2020, None) == dt.date(2020, 5, 9)


def test_an_order_nobody_states_is_refused_unless_the_window_decides():
    with pytest.raises(AmbiguousDate):
        resolve_date(scan("05/09/2020"), None, 2020, None)
    near = (dt.date(2020, 5, 8), dt.date(2020, 5, 10))
    assert resolve_date(scan("05/09/2020"), None, 2020, near) == dt.date(2020, 5, 9)


def test_excel_serials():
    assert from_serial(44098.0) == dt.date(2020, 9, 24)
    assert from_serial(12.0) is None


def test_the_operation_window_decides_before_the_senders_habit():
    """'08.09.' in an operation of 5-9 September is the 8th of September, even from a
    country whose files are usually month first."""
    window = (dt.date(2021, 9, 5), dt.date(2021, 9, 9))
    texts = [scan(t) for t in ("09.09.", "08.09.", "07.09.", "06.09.", "05.09.")]
    order = decide_date_order(texts, fallback="mdy", window=window)
    assert order == "dmy"
    assert resolve_date(scan("08.09."), order, 2021, window) == dt.date(2021, 9, 8)


def test_the_habit_only_breaks_a_tie():
    window = (dt.date(2021, 9, 5), dt.date(2021, 9, 9))
    assert decide_date_order([scan("11.11.2021")], fallback="mdy", window=window) == "mdy"


def test_a_day_without_its_year_in_an_operation_over_new_year():
    window = (dt.date(2022, 12, 29), dt.date(2023, 1, 2))
    assert resolve_date(scan("02.01."), "dmy", 2022, window) == dt.date(2023, 1, 2)
    assert resolve_date(scan("30.12."), "dmy", 2022, window) == dt.date(2022, 12, 30)
