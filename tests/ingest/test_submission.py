"""Reading real files end to end in Python: every cell gets exactly one fate."""

from orchestration.ingest.submission import read_submission
from tests.fixtures.workbooks import croatian_long_csv, irish_wide_daily


def _fates(reading):
    refs = [(o.sheet_name, o.cell_ref) for o in reading.observations]
    refs += [(i.sheet_name, i.cell_ref) for i in reading.ignored]
    refs += [(q.sheet_name, q.cell_ref) for q in reading.quarantine if q.cell_ref]
    return refs


def test_wide_daily_table_with_title_total_and_footnote(vocabulary, window):
    reading = read_submission(irish_wide_daily(), "results.xlsx", window, vocabulary)
    assert reading.status == "accepted"
    assert reading.country_code == "IE"
    assert "Country" in reading.country_evidence
    by_cell = {o.cell_ref: o for o in reading.observations}
    assert by_cell["C5"].measure_labels == ["Persons checked"]
    assert by_cell["C5"].period_date.isoformat() == "2020-09-24"
    assert by_cell["C5"].value_number == 1234
    assert by_cell["E5"].unit_text == "g"
    assert by_cell["E6"].value_status == "zero_marker" and by_cell["E6"].value_number == 0
    assert by_cell["E8"].value_status == "not_available" and by_cell["E8"].value_number is None
    assert by_cell["C9"].is_total and by_cell["C9"].period_date is None
    rules = {(i.cell_ref, i.rule) for i in reading.ignored}
    assert ("A1", "title") in rules and ("D4", "header") in rules
    assert not reading.quarantine


def test_every_non_empty_cell_has_exactly_one_fate(vocabulary, window):
    for name, data in (("IE.xlsx", irish_wide_daily()), ("HR_rezultati.csv", croatian_long_csv())):
        reading = read_submission(data, name, window, vocabulary)
        fates = _fates(reading)
        assert len(fates) == len(set(fates)) == len(reading.cells)


def test_long_csv_in_a_code_page_with_the_decimal_comma(vocabulary, window):
    reading = read_submission(croatian_long_csv(), "HR_rezultati.csv", window, vocabulary)
    assert reading.country_code == "HR" and reading.country_evidence.startswith("file name")
    assert reading.decimal_separator == ","
    values = {
        (o.measure_labels[0], o.period_date.day): o.value_number for o in reading.observations
    }
    assert values[("Persons checked", 24)] == 1500
    assert values[("Drugs seized", 24)] == 2.5


def test_a_table_whose_header_no_seed_knows_is_still_read_as_a_table(vocabulary, window):
    data = croatian_long_csv().replace(b"Date;Indicator;Value", b"Zorf;Blimp;Quax")
    reading = read_submission(data, "HR_rezultati.csv", window, vocabulary)
    observation = next(o for o in reading.observations if o.cell_ref == "C2")
    assert observation.layout == "long"
    assert observation.period_date.isoformat() == "2020-09-24"
    # the unknown header stays among the labels, so that dbt quarantines it by name
    assert observation.measure_labels == ["Persons checked", "Quax"]


def test_one_charge_under_the_arrests_header_is_a_breakdown_not_a_value(vocabulary, window):
    """A csv has no merged cells: a lone charge straight under 'Arrests' qualifies it
    (found by the 300-operation benchmark, where an operation had a single charge)."""
    from tests.fixtures.workbooks import csv_bytes

    data = csv_bytes(
        [
            ["Country: Ireland", "", ""],
            ["Date", "Persons checked", "Arrests"],
            ["", "", "Migrant smuggling"],
            ["24.09.2020", "1 200", "4"],
            ["25.09.2020", "900", "3"],
        ]
    )
    reading = read_submission(data, "IE_results.csv", window, vocabulary)
    assert not reading.quarantine
    by_cell = {o.cell_ref: o for o in reading.observations}
    assert by_cell["C4"].value_number == 4
    assert by_cell["C4"].measure_labels == ["Migrant smuggling"]
    assert "Arrests" in by_cell["C4"].context_labels
    assert by_cell["B4"].measure_labels == ["Persons checked"]
    assert by_cell["C4"].period_date.isoformat() == "2020-09-24"
    assert "A4" not in by_cell
