"""Layouts no committed template has, each on a file written for it by someone who never read the
reader (tests/fixtures/unseen/): read by general rules, never by a rule for the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from orchestration.ingest.submission import OperationWindow, read_submission

UNSEEN = Path(__file__).resolve().parents[1] / "fixtures" / "unseen"


def read(operation: str, name: str, vocabulary):
    manifest = yaml.safe_load((UNSEEN / operation / "operation.yaml").read_text(encoding="utf-8"))
    window = OperationWindow(manifest["start_date"], manifest["end_date"])
    path = UNSEEN / operation / "submissions" / name
    return read_submission(path.read_bytes(), name, window, vocabulary)


def test_a_list_of_items_adds_up_its_quantities_not_its_rows(vocabulary):
    """'#' holds '634 g', '1 db', '1,29 kg': quantities with their units, not a count."""
    reading = read("2022-11-baltic-jad", "NNI_JAD_Balti_2022_lefoglalasok.xlsx", vocabulary)
    items = [o for o in reading.observations if o.sheet_name == "Lefoglalások"]
    assert len(items) == 15
    assert all(o.counted_as == "quantity" and o.unit_text for o in items)
    by_cell = {o.cell_ref: (o.value_number, o.unit_text) for o in items}
    assert by_cell["E4"] == (634.0, "g") and by_cell["E7"] == (1.29, "kg")
    assert by_cell["E16"] == (3.0, "db")  # three shotguns in one row: 3, not 1


def test_a_small_table_of_charges_beside_the_days(vocabulary):
    """'Затримано | осіб' two empty columns right of the daily table: the offences are the
    rows' labels, the arrests word names what they count, 'Разом' is their total."""
    reading = read("2022-11-baltic-jad", "NPU_DMPS_JAD_Baltic_2022.xlsx", vocabulary)
    charges = {o.cell_ref: o for o in reading.observations if o.cell_ref.startswith("I")}
    assert set(charges) == {f"I{r}" for r in range(5, 11)}
    assert charges["I7"].value_number == 3.0
    assert "незаконне переправлення осіб через державний кордон" in charges["I7"].measure_labels
    assert "Затримано" in charges["I7"].context_labels
    assert charges["I10"].is_total and charges["I10"].value_number == 9.0
    assert not [q for q in reading.quarantine if q.cell_ref and q.cell_ref.startswith("H")]


def test_a_key_value_row_above_a_utf16_table_is_not_its_header(vocabulary):
    reading = read("2021-09-danube-jad", "IGP_export_JAD_Danube.txt", vocabulary)
    assert reading.status == "accepted"
    assert reading.encoding in ("utf-16", "utf-16-le", "utf-16-be")
    assert reading.country_code == "MD"
    days = {o.period_date for o in reading.observations}
    assert days == {dt.date(2021, 9, d) for d in range(5, 10)}
    assert {o.row_number for o in reading.observations} == {4, 5, 6, 7, 8}


def test_a_transposed_table_goes_on_under_a_section_heading(vocabulary):
    reading = read("2022-03-aegean-jad", "NP_DLR_JAD_Aegean_2022_def.xlsx", vocabulary)
    assert not reading.quarantine
    arrests = [o for o in reading.observations if o.row_number >= 15]
    assert len(arrests) == 6 * 4
    assert all("AANHOUDINGEN" in o.context_labels for o in arrests)
    assert {o.period_date for o in arrests} == {dt.date(2022, 3, d) for d in range(14, 18)}


def test_days_without_a_year_are_read_by_the_operations_window(vocabulary):
    """'09.09.', '08.09.' ... most recent first, from a country whose habit is month first:
    the operation (5-9 September) decides, not the habit."""
    reading = read("2021-09-danube-jad", "ORFK_NNI_JAD_Duna_2021.xls", vocabulary)
    assert reading.date_order == "dmy"
    assert {o.period_date for o in reading.observations if o.period_date} == {
        dt.date(2021, 9, d) for d in range(5, 10)
    }
    assert not [q for q in reading.quarantine if "date" in q.reason_code]


@pytest.mark.parametrize(
    ("operation", "name", "sheet_day"),
    [
        (
            "2022-03-aegean-jad",
            "PSH_DPK_JAD_Egeu_2022.xlsx",
            ("E hënë 14.03", dt.date(2022, 3, 14)),
        ),
        (
            "2022-11-baltic-jad",
            "AGS_JAD_Baltic_daily_returns.xlsx",
            ("Mon 28 Nov", dt.date(2022, 11, 28)),
        ),
    ],
)
def test_a_sheet_per_day_gives_its_figures_its_day(vocabulary, operation, name, sheet_day):
    reading = read(operation, name, vocabulary)
    sheet, day = sheet_day
    assert {o.period_date for o in reading.observations if o.sheet_name == sheet} == {day}


def test_a_heading_naming_a_day_dates_the_lines_below_it(vocabulary):
    reading = read("2022-03-aegean-jad", "AGS_GNBCI_JAD_Aegean_return.xlsx", vocabulary)
    officers = [o for o in reading.observations if o.raw_text in ("721", "669", "572", "540")]
    assert {o.period_date for o in officers} == {dt.date(2022, 3, d) for d in range(14, 18)}


def test_a_summary_block_beside_the_days_is_not_part_of_their_table(vocabulary):
    reading = read("2022-11-baltic-jad", "NOA_JAD_Baltic_sammanstallning_v2.xlsx", vocabulary)
    summary = [o for o in reading.observations if o.cell_ref.startswith("L")]
    assert len(summary) == 12 and all(o.period_date is None for o in summary)
    assert not [q for q in reading.quarantine if q.reason_code == "unattached_value"]


def test_a_figure_in_a_sentence_is_read_or_flagged_never_dropped(vocabulary):
    """'- Beslaglagt narkotika: 29,7 kg (primært hash og kokain)', 'heraf for ...: 1'."""
    reading = read("2022-11-baltic-jad", "NSK_JAD_Baltic_situationsrapport.xlsx", vocabulary)
    figures = {o.cell_ref: (o.value_number, o.unit_text) for o in reading.observations}
    assert figures["A15"] == (29.7, "kg")
    assert figures["A12"] == (1.0, None) and figures["A14"] == (6.0, "stk.")


def test_a_year_of_birth_is_not_a_figure(vocabulary):
    reading = read("2021-09-danube-jad", "SIPA_JAD_Danube_2021_BiH.xlsx", vocabulary)
    register = [o for o in reading.observations if o.sheet_name == "Lišeni slobode"]
    assert len(register) == 11 and all(o.counted_as == "record" for o in register)
    assert {p.header_text for p in reading.privacy} >= {"Godina rođenja"}


def test_a_numbered_questionnaire(vocabulary):
    reading = read("2021-09-danube-jad", "Vprasalnik_JAD_Danube_2021_SI.xlsx", vocabulary)
    figures = {o.cell_ref: o for o in reading.observations}
    assert figures["C10"].value_number == 25191.0  # 'Odgovor: 25.191' in the answer cell
    assert "Prijetja" in figures["C17"].context_labels  # '4.2' is under '4. Prijetja'
    assert not [q for q in reading.quarantine if q.reason_code == "not_a_number"]


def test_a_questionnaire_labels_its_answers_by_the_question_not_a_yes_no_column(vocabulary):
    """'No. | Question | Yes/No | Answer | Unit': the questions label the answers; the
    'Yes/No' column, written in one row, labels nothing; the units stay units."""
    reading = read("2022-03-aegean-jad", "MPF_JAD_Aegean_questionnaire.xlsx", vocabulary)
    figures = {o.cell_ref: o for o in reading.observations}
    assert figures["D12"].measure_labels[0] == "Vehicles checked"
    assert figures["D22"].measure_labels[0] == "Drugs seized" and figures["D22"].unit_text == "kg"
    assert "Arrests" in figures["D17"].context_labels
