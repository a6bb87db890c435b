"""Free text never reaches the warehouse: names written in a title, a pair's value, a sheet's
name, an unknown header, a notes row, an unknown label and a day are found nowhere a reader
of the warehouse, the reports, the Data Docs or Dagster's event log could see them; the
figures beside them still load; the steward still sees the texts, kept apart, and a
superseded version of the file keeps none.

Proved by looking at every byte: of every table of the build and published databases, of
every file under the warehouse folder, and of the Dagster instance's storage."""

from __future__ import annotations

import stat

import dagster as dg
import duckdb
import pytest

from corpus.hostile import FREE_TEXT_NAMES, free_text_workbook
from orchestration.ingest.versions import reader_version
from orchestration.ingest.vocabulary import cached_vocabulary
from orchestration.landing import withheld
from orchestration.landing.land import land_operations
from orchestration.load import run_load
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw, make_operation
from tests.hostile.test_privacy import leaks

FILE = "HR_free_text.xlsx"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("free-text")
    raw = copy_raw(root / "raw")
    (raw / SEED_OPERATION / "submissions" / FILE).write_bytes(free_text_workbook())
    paths = Paths(raw_dir=raw, warehouse=root / "warehouse" / "jad.duckdb")
    home = root / "dagster"
    home.mkdir()
    instance = dg.DagsterInstance.local_temp(tempdir=str(home))
    run_load(paths, instance=instance)
    instance.dispose()
    return paths, home


def _files_holding(folder, name: str, outside=None) -> list[str]:
    return [
        str(path)
        for path in folder.rglob("*")
        if path.is_file()
        and (outside is None or outside not in path.parents)
        and name.encode() in path.read_bytes()
    ]


@pytest.mark.parametrize("name", FREE_TEXT_NAMES)
def test_no_name_is_in_any_table(loaded, name):
    paths, _ = loaded
    for database in (paths.build_database, paths.warehouse):
        if database.exists():
            assert leaks(database, name) == [], f"{name!r} reached {database}"


@pytest.mark.parametrize("name", FREE_TEXT_NAMES)
def test_no_name_is_in_any_file_a_reader_can_open(loaded, name):
    """The databases' bytes, the reports, the Data Docs, the publish records, the event log."""
    paths, home = loaded
    assert _files_holding(paths.warehouse.parent, name, outside=paths.withheld_dir) == []
    assert _files_holding(home, name) == []


def test_the_figures_beside_the_names_still_load(loaded):
    paths, _ = loaded
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        figures = con.execute(
            """select sheet_name, cell_ref, value_number, mapping_status
               from intermediate.int_observations_mapped where file_name = ?""",
            [FILE],
        ).fetchall()
    finally:
        con.close()
    by_cell = {(sheet, cell): (value, status) for sheet, cell, value, status in figures}
    # the sheet named after a person is shown by its place; its figures count
    assert by_cell[("[sheet 1]", "B5")] == (10.0, "mapped")
    assert by_cell[("[sheet 1]", "B6")] == (12.0, "mapped")
    assert by_cell[("Arrests", "B2")] == (3.0, "mapped")
    # what no seed knows is held back, by its place, never counted
    assert by_cell[("Arrests", "B3")][1] in ("unknown_label", "unknown_charge")
    assert by_cell[("[sheet 1]", "C5")][1] == "unknown_label"


def test_the_steward_sees_the_texts_kept_apart(loaded):
    paths, _ = loaded
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        file_id, labels = con.execute(
            """select file_id, unknown_labels from intermediate.int_observations_mapped
               where file_name = ? and sheet_name = 'Arrests' and cell_ref = 'B3'""",
            [FILE],
        ).fetchone()
    finally:
        con.close()
    assert labels == "[withheld: A3]"
    revealer = withheld.Revealer(paths.withheld_dir)
    assert revealer.reveal(file_id, "Arrests", labels) == "Goran Perić"
    assert revealer.sheet(file_id, "[sheet 1]") == "Horvat Ivan"
    kept = paths.withheld_dir / SEED_OPERATION / f"{file_id}.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.withheld_dir.stat().st_mode) == 0o700


def test_a_superseded_version_keeps_no_text(tmp_path, vocabulary):
    """Landing alone: the corrected file replaces the one with names; their texts go."""
    raw = tmp_path / "raw"
    operation_dir = make_operation(raw, {FILE: free_text_workbook()})
    folder = tmp_path / "withheld"
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    try:
        land_operations(con, [operation_dir], vocabulary, reader_version(), withheld_dir=folder)
        assert {r["text"] for r in withheld.kept_texts(folder)} >= {"Goran Perić", "Horvat Ivan"}
        (operation_dir / "submissions" / FILE).unlink()
        land_operations(con, [operation_dir], vocabulary, reader_version(), withheld_dir=folder)
    finally:
        con.close()
    assert withheld.kept_texts(folder) == []


def test_what_the_vocabulary_knows_is_published_as_written():
    """The committed files keep their labels and sheet names: only unknown text is screened."""
    from orchestration.ingest.screening import Screen

    screen = Screen(cached_vocabulary().screen_words)
    for text in ("Persons checked", "Migrant smuggling", "Tabelle1", "Seizures", "n/a", "32 254"):
        assert screen.keeps(text), text
    for text in ("Goran Perić", "Passport 12345678", "Horvat, 14.03.2022", "Report by officer"):
        assert not screen.keeps(text), text
