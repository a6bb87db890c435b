"""Template hints: where the file's own evidence cannot decide, a steward's declaration does,
scoped to a file-name pattern and a sheet, and every figure it shapes names it."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest

from orchestration.ingest.hints import HINTS_FILE, HintError
from orchestration.ingest.submission import OperationWindow, read_submission
from orchestration.ingest.vocabulary import load_vocabulary
from orchestration.settings import seeds_dir
from tests.fixtures.workbooks import xlsx

WINDOW = OperationWindow(dt.date(2021, 9, 5), dt.date(2021, 9, 9))
COLUMNS = ["hint_id", "file_pattern", "sheet_pattern", "hint", "value", "note"]


def vocabulary_with(tmp_path, rows: list[dict]):
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    with (seeds / HINTS_FILE).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({"sheet_pattern": "*", "note": "", **row})
    return load_vocabulary(seeds)


def seizure_list() -> bytes:
    """A list of seized items whose '#' column holds 3, 1, 2: a running number would start at
    1 and run; quantities would be added up. Nothing in the file says which."""
    return xlsx(
        {
            "Seizures": [
                ["Country: Croatia"],
                [],
                ["Date", "Item", "#"],
                ["06.09.2021", "pistol", 3],
                ["07.09.2021", "rifle", 1],
                ["08.09.2021", "pistol", 2],
            ]
        }
    )


def test_undecidable_list_is_quarantined_with_both_readings(vocabulary):
    reading = read_submission(seizure_list(), "HR_seizures.xlsx", WINDOW, vocabulary)
    assert not reading.observations
    reasons = {q.reason_code for q in reading.quarantine}
    assert reasons == {"ambiguous_quantity"}
    message = reading.quarantine[0].message
    assert "gives 3" in message and "add up to 6" in message


def test_a_quantity_hint_decides_and_is_named_by_every_figure(tmp_path):
    vocabulary = vocabulary_with(
        tmp_path,
        [
            {
                "hint_id": "hr-seizures-qty",
                "file_pattern": "HR_*.xlsx",
                "hint": "quantity_column",
                "value": "#",
            }
        ],
    )
    reading = read_submission(seizure_list(), "HR_seizures.xlsx", WINDOW, vocabulary)
    assert sorted(o.value_number for o in reading.observations) == [1.0, 2.0, 3.0]
    assert all(o.counted_as == "quantity" for o in reading.observations)
    assert all(o.template_hints == ["hr-seizures-qty"] for o in reading.observations)
    assert not reading.quarantine


def test_a_count_hint_counts_the_rows(tmp_path):
    vocabulary = vocabulary_with(
        tmp_path,
        [{"hint_id": "hr-count", "file_pattern": "hr_*", "hint": "count_rows", "value": "C"}],
    )
    reading = read_submission(seizure_list(), "HR_seizures.xlsx", WINDOW, vocabulary)
    assert [o.value_number for o in reading.observations] == [1.0, 1.0, 1.0]
    assert all(o.counted_as == "record" for o in reading.observations)


def test_a_hint_is_scoped_to_its_files_and_sheets(tmp_path):
    vocabulary = vocabulary_with(
        tmp_path,
        [
            {
                "hint_id": "other-file",
                "file_pattern": "AT_*",
                "hint": "quantity_column",
                "value": "#",
            },
            {
                "hint_id": "other-sheet",
                "file_pattern": "HR_*",
                "sheet_pattern": "Summary",
                "hint": "quantity_column",
                "value": "#",
            },
        ],
    )
    reading = read_submission(seizure_list(), "HR_seizures.xlsx", WINDOW, vocabulary)
    assert not reading.observations
    assert {q.reason_code for q in reading.quarantine} == {"ambiguous_quantity"}


def test_file_conventions_and_sender_from_hints(tmp_path):
    data = xlsx(
        {
            "Results": [
                ["Datum", "Kontrollierte Personen"],
                ["05/09/2021", 10],
                ["06/09/2021", 20],
            ]
        }
    )
    vocabulary = vocabulary_with(
        tmp_path,
        [
            {
                "hint_id": "x-order",
                "file_pattern": "export*.xlsx",
                "hint": "date_order",
                "value": "mdy",
            },
            {
                "hint_id": "x-country",
                "file_pattern": "export*.xlsx",
                "hint": "country",
                "value": "AT",
            },
        ],
    )
    reading = read_submission(
        data, "export.xlsx", OperationWindow(dt.date(2021, 5, 9), dt.date(2021, 6, 9)), vocabulary
    )
    assert reading.country_code == "AT"
    assert reading.date_order == "mdy"
    assert [o.period_date for o in reading.observations] == [
        dt.date(2021, 5, 9),
        dt.date(2021, 6, 9),
    ]
    assert all(set(o.template_hints) == {"x-order", "x-country"} for o in reading.observations)


def test_an_ignored_sheet_gives_no_figure_and_loses_no_cell(tmp_path):
    data = xlsx({"Units": [["Unit", "Officers"], ["Border police", 60], ["Customs", 49]]})
    vocabulary = vocabulary_with(
        tmp_path,
        [
            {
                "hint_id": "units",
                "file_pattern": "CH_*",
                "sheet_pattern": "Units",
                "hint": "ignore_sheet",
                "value": "",
            }
        ],
    )
    reading = read_submission(data, "CH_report.xlsx", WINDOW, vocabulary)
    assert not reading.observations
    assert {i.rule for i in reading.ignored} == {"template_hint"}
    assert len(reading.ignored) == 6


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ({"hint_id": "a", "file_pattern": "X_*", "hint": "header", "value": "3"}, "unknown hint"),
        (
            {"hint_id": "a", "file_pattern": "X_*", "hint": "header_row", "value": "third"},
            "not a row number",
        ),
        (
            {"hint_id": "a", "file_pattern": "X_*", "hint": "date_order", "value": "ymd"},
            "dmy or mdy",
        ),
        (
            {"hint_id": "a", "file_pattern": "X_*", "hint": "country", "value": "ZZ"},
            "countries.csv",
        ),
        ({"hint_id": "a", "file_pattern": "*", "hint": "date_order", "value": "dmy"}, "vocabulary"),
    ],
)
def test_a_hint_that_cannot_be_applied_stops_with_its_line(tmp_path, row, said):
    with pytest.raises(HintError) as problem:
        vocabulary_with(tmp_path, [row])
    assert "template_hints.csv line 2" in str(problem.value) and said in str(problem.value)


def test_a_header_row_hint_puts_the_table_where_the_steward_says(tmp_path, vocabulary):
    """One row of figures under words no seed knows: the reader sees no table (a row of
    words over a single row of numbers could be anything); the steward's hint says it is."""
    data = xlsx(
        {
            "S": [
                ["Country: Croatia"],
                [],
                ["Kontrolirano prolaznika", "Privedeno na razgovor"],
                [120, 3],
            ]
        }
    )
    plain = read_submission(data, "HR_x.xlsx", WINDOW, vocabulary)
    assert not any(o.layout == "table" for o in plain.observations)
    hinted_vocabulary = vocabulary_with(
        tmp_path,
        [{"hint_id": "hr-header", "file_pattern": "HR_x.xlsx", "hint": "header_row", "value": "3"}],
    )
    hinted = read_submission(data, "HR_x.xlsx", WINDOW, hinted_vocabulary)
    figures = {o.cell_ref: o for o in hinted.observations}
    assert set(figures) == {"A4", "B4"}
    assert figures["A4"].measure_labels == ["Kontrolirano prolaznika"]
    assert all(o.template_hints == ["hr-header"] for o in figures.values())
