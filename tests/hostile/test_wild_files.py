"""Real files from the wild (tests/fixtures/wild/: 155 spreadsheets and text exports that
other projects ship on PyPI): none crashes a load, none loses a cell, none is misread in
silence, and each is read or refused with a reason. An independent reading of each file
(oracle.json: openpyxl, xlrd, pyxlsb, odfpy) says what the reader must find."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import python_calamine

from orchestration.ingest.grid import SpreadsheetError
from orchestration.ingest.problems import UnreadableFile
from orchestration.ingest.sniff import sniff_format
from orchestration.ingest.submission import OperationWindow, read_submission
from orchestration.ingest.workbook import read_workbook
from orchestration.load import run_load
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw, query

WILD = Path(__file__).resolve().parents[1] / "fixtures" / "wild"
ORACLE = json.loads((WILD / "oracle.json").read_text(encoding="utf-8"))
WORKBOOKS = sorted(k for k, v in ORACLE.items() if k != "_meta" and "sheets" in v)
ALL_FILES = sorted(k for k in ORACLE if k != "_meta")
# Cells an independent reader counts that no reader of ours can see, and why.
BEYOND_CALAMINE = {
    "files/tablib/unknown_value_type.ods": "calamine drops a cell whose value type it does not know",
}
# Cells both readers see, typed differently: the count of numbers is not comparable.
TYPED_OTHERWISE = {
    "files/xls2xlsx/timedelta1.xls": "durations: xlrd takes two as numbers by their format, calamine all as times",
}
WINDOW = OperationWindow(dt.date(2020, 9, 24), dt.date(2020, 9, 27))


def _is_number(value) -> bool:
    """A number as the oracle's readers count them: durations are numbers of days there."""
    return isinstance(value, int | float | dt.timedelta) and not isinstance(value, bool)


def _number(value) -> float:
    return value.total_seconds() / 86400 if isinstance(value, dt.timedelta) else value


def _calamine_reads(path: Path) -> bool:
    try:
        python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001
        return False
    return True


def _blank_cells(path: Path, sheet: str) -> int:
    """Cells holding only spaces or line breaks: blank by the reader's rule, counted by
    the oracle (workbook.py, _BLANKS)."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - read only through the reader's fallback: no blanks to tell
        return 0
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=True)
    return sum(
        1
        for row in rows
        for value in row
        if isinstance(value, str) and value and not value.strip(" \t\r\n\u00a0\u2007\u202f\u3000")
    )


@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_cell_of_a_real_workbook_is_read(vocabulary, name):
    """Numbers exactly (count and sum), error values (#N/A, #REF!) as errors, and every
    non-empty cell but those blank by rule."""
    path = WILD / name
    data = path.read_bytes()
    try:
        book = read_workbook(data, sniff_format(data).kind, path.stem, vocabulary)
    except UnreadableFile as refusal:
        if refusal.reason == "unsupported_format" and not _calamine_reads(path):
            return  # refused by name: a format no reader of ours reads (Excel 2-4)
        pytest.fail(f"{name}: refused ({refusal.reason}: {refusal.message}) but readable")
    for expected in ORACLE[name]["sheets"]:
        sheet = next((s for s in book.sheets if s.name == expected["name"]), None)
        assert sheet is not None, f"{name}: sheet {expected['name']!r} not read"
        cells = [value for *_, value in sheet.non_empty()]
        numbers = [_number(v) for v in cells if _is_number(v)]
        assert sum(isinstance(v, SpreadsheetError) for v in cells) == expected["errors"]
        if name not in TYPED_OTHERWISE:
            assert len(numbers) == expected["numbers"]
            assert sum(numbers) == pytest.approx(expected["number_sum"], rel=1e-9, abs=1e-9)
        if name in BEYOND_CALAMINE:
            continue
        assert len(cells) == expected["non_empty"] - _blank_cells(path, expected["name"])


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_real_file_is_read_or_refused_with_a_reason(vocabulary, name):
    path = WILD / name
    reading = read_submission(path.read_bytes(), path.name, WINDOW, vocabulary)
    if reading.status == "rejected":
        assert reading.quarantine and reading.quarantine[0].reason_code
        assert path.name in reading.quarantine[0].message
        return
    numbers = sum(1 for c in reading.cells if c.cell_type == "number")
    # no silent zero: a file with numbers gives figures, or says why it does not
    assert reading.observations or not numbers or reading.quarantine


def test_the_wild_files_load_beside_the_committed_operation(tmp_path):
    """The committed operation publishes with every check passing; the wild operation's
    files are each accepted or refused with a reason; nothing ends in a traceback."""
    raw = copy_raw(tmp_path / "raw")
    wild = raw / "2099-01-wild-files"
    (wild / "submissions").mkdir(parents=True)
    for name in ALL_FILES:
        target = wild / "submissions" / name.replace("files/", "").replace("/", "__")
        shutil.copyfile(WILD / name, target)
    (wild / "operation.yaml").write_text(
        "operation_id: 2099-01-wild-files\nname: Real files from the wild\n"
        "start_date: 2020-09-24\nend_date: 2020-09-27\nparticipants: [US, IT, CA, GB]\n",
        encoding="utf-8",
    )
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    outcome = run_load(paths, instance=dg.DagsterInstance.ephemeral())

    assert outcome.published
    statuses = dict(query(paths, "select operation_id, status from audit.operation_status"))
    assert statuses[SEED_OPERATION] == "current"
    failing = query(
        paths,
        "select count(*) from marts.reconciliation where operation_id = ? and status = 'fail' and blocking",
        [SEED_OPERATION],
    )
    assert failing == [(0,)]
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        files = con.execute(
            """select s.file_name, s.status, count(q.reason_code)
               from raw.submissions s left join raw.quarantine q using (operation_id, file_id)
               where s.operation_id = '2099-01-wild-files' group by all"""
        ).fetchall()
    finally:
        con.close()
    assert len(files) == len(ALL_FILES)
    assert all(status == "accepted" or reasons for _, status, reasons in files)
    # the load's peak memory is measured by make bench (bench/run.py, real_files), alone
    # in its process: here the test process's peak holds every test run before this one
