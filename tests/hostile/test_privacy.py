"""Personal data never reaches the warehouse: an arrest sheet with names, dates of birth,
passport and personal numbers loads its charges, drops those columns before landing, and
records each drop without its values. Proved by looking at every value of every table."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import pytest

from corpus.hostile import PERSONAL_VALUES, personal_data_workbook, xlsx_workbook
from orchestration.ingest.submission import OperationWindow, read_submission
from orchestration.load import run_load
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw

FILE = "HR_uhicenja.xlsx"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Paths:
    root = tmp_path_factory.mktemp("privacy")
    raw = copy_raw(root / "raw")
    (raw / SEED_OPERATION / "submissions" / FILE).write_bytes(personal_data_workbook())
    paths = Paths(raw_dir=raw, warehouse=root / "warehouse" / "jad.duckdb")
    run_load(paths, instance=dg.DagsterInstance.ephemeral())
    return paths


def databases(paths: Paths) -> list:
    """The build database (what any publish copies) and the published one, if any."""
    return [p for p in (paths.build_database, paths.warehouse) if p.exists()]


def leaks(database, value: str) -> list[str]:
    """Every table column (any type, as text) in which `value` appears."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        columns = con.execute(
            """select table_schema, table_name, column_name from information_schema.columns
               join information_schema.tables using (table_catalog, table_schema, table_name)
               where table_type = 'BASE TABLE'"""
        ).fetchall()
        found = []
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" '
                f'where contains(cast("{column}" as varchar), ?)',
                [value],
            ).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
        return found
    finally:
        con.close()


def test_the_file_is_read_and_its_charges_count(loaded):
    con = duckdb.connect(str(loaded.build_database), read_only=True)
    status, observations = con.execute(
        "select status, observations from raw.submissions where file_name = ?", [FILE]
    ).fetchone()
    con.close()
    assert status == "accepted" and observations == 3


@pytest.mark.parametrize("value", PERSONAL_VALUES)
def test_no_personal_value_is_anywhere_in_the_warehouse(loaded, value):
    for database in databases(loaded):
        assert leaks(database, value) == [], f"{value!r} reached {database}"
        assert value.encode() not in database.read_bytes()


def test_each_drop_is_recorded_without_its_values(loaded):
    con = duckdb.connect(str(loaded.build_database), read_only=True)
    drops = con.execute(
        """select sheet_name, column_letter, header_text, values_dropped, detected_by
           from audit.privacy_drops where file_name = ? order by column_letter""",
        [FILE],
    ).fetchall()
    con.close()
    assert drops == [
        ("Uhićenja", "C", "Ime i prezime", 3, "header"),
        ("Uhićenja", "D", "Datum rođenja", 3, "header"),
        ("Uhićenja", "E", "Passport no.", 3, "header"),
        ("Uhićenja", "F", None, 3, "values"),  # no header: found by its identifier-like values
    ]


@pytest.mark.parametrize("header", ["Datum rođenja", "Rođen", "Datum 2"])
def test_dates_of_birth_are_never_report_days_even_under_a_window_of_decades(header, vocabulary):
    """A manifest whose window spans 1950-2030 holds every date of birth: the column is
    still personal data (its dates spread over years, each a person's age before the end),
    whatever its header, and the arrests keep the days they were made."""
    rows = [["Država:", "Hrvatska"], [], ["Br.", "Datum", "Ime", header, "Kazneno djelo"]]
    births = ["1985-03-14", "1990-11-02", "1992-04-15", "1978-01-30", "2001-07-07"]
    for number, born in enumerate(births, start=1):
        rows.append([number, "25.09.2020", "[name]", born, "Krijumčarenje migranata"])
    window = OperationWindow(dt.date(1950, 1, 1), dt.date(2030, 12, 31))
    reading = read_submission(xlsx_workbook(rows, "Uhićenja"), FILE, window, vocabulary)
    assert len(reading.observations) == 5
    assert {(o.period_date, o.period_cell_ref[0]) for o in reading.observations} == {
        (dt.date(2020, 9, 25), "B")
    }
    assert [
        (p.column_letter, p.values_dropped) for p in reading.privacy if p.column_letter == "D"
    ] == [("D", 5)]
