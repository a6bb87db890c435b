"""Hostile files in a real load: every one lands in the quarantine with its reason, the
other files load, and the published warehouse is never put at risk.

The committed cases are tests/fixtures/hostile/ (`python -m corpus hostile` writes them);
the ones too big or too strangely named to commit are made here. Loads run through the
command line, in their own process, as the nightly load does.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from corpus.hostile import CELL_LEVEL, FILE_LEVEL, badly_named, million_rows_xlsx
from orchestration.settings import Paths
from tests.conftest import PROJECT_ROOT, SEED_OPERATION, copy_raw

HOSTILE = PROJECT_ROOT / "tests" / "fixtures" / "hostile"
EXPECTED = json.loads((HOSTILE / "expected.json").read_text())
DUPLICATE_OF = "IE_results.csv"  # a committed country file, sent again under a new name
COPY = "IE_results (copy).csv"
JADWH = str(Path(sys.executable).parent / "jadwh")


def jadwh(paths: Paths, *args: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "JAD_RAW_DIR": str(paths.raw_dir),
        "JAD_WAREHOUSE": str(paths.warehouse),
    }
    environment.pop("DAGSTER_HOME", None)
    environment["COLUMNS"] = "200"
    return subprocess.run(
        [JADWH, *args], env=environment, capture_output=True, text=True, timeout=600
    )


def rows(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The committed raw/ plus every file-level hostile file, loaded once."""
    root = tmp_path_factory.mktemp("hostile")
    raw = copy_raw(root / "raw")
    submissions = raw / SEED_OPERATION / "submissions"
    assert (submissions / DUPLICATE_OF).exists()
    for name in FILE_LEVEL:
        shutil.copy(HOSTILE / name, submissions / name)
    million_rows_xlsx(submissions / "million_rows.xlsx")
    strange = [p.name for p in badly_named(submissions)]
    (submissions / "~$IE_results.xlsx").write_bytes(b"\x0bcoordinator" + b" " * 150)  # Office lock
    shutil.copy(submissions / DUPLICATE_OF, submissions / COPY)
    paths = Paths(raw_dir=raw, warehouse=root / "warehouse" / "jad.duckdb")
    return paths, jadwh(paths, "load"), strange


def test_the_load_publishes_and_no_other_figure_moves(hostile, seed_warehouse):
    paths, load, _ = hostile
    assert load.returncode == 0, load.stderr
    sql = """select operation_id, country_code, report_date, metric_code, value
             from marts.fct_country_results order by all"""
    assert rows(paths.warehouse, sql) == rows(seed_warehouse.warehouse, sql)
    charges = "select * from marts.fct_arrests_by_charge order by all"
    assert rows(paths.warehouse, charges) == rows(seed_warehouse.warehouse, charges)


@pytest.mark.parametrize("name", sorted(FILE_LEVEL) + ["million_rows.xlsx"])
def test_each_hostile_file_is_quarantined_with_its_reason(hostile, name):
    paths, _, _ = hostile
    reason = EXPECTED.get(name, "too_many_rows")
    found = rows(
        paths.warehouse,
        "select reason_code, message from audit.quarantine where file_name = ?",
        [name],
    )
    assert [r for r, _ in found] == [reason]
    assert name in found[0][1]  # the message names the file


def test_a_file_name_with_control_characters_is_refused_by_its_safe_name(hostile):
    paths, _, strange = hostile
    found = rows(
        paths.warehouse,
        "select file_name, reason_code from audit.quarantine where reason_code = 'unsafe_file_name'",
    )
    assert len(found) == len(strange)
    names = sorted(file_name for file_name, _ in found)
    assert names == ["..\\..\\HR_escape.xlsx", "IE_results\\x07bell.xlsx"]  # printable, escaped
    assert all(name.isprintable() for name in names)


def test_a_lock_file_is_skipped_with_a_warning_not_silently(hostile):
    paths, _, _ = hostile
    assert rows(
        paths.warehouse,
        "select file_name, severity from audit.quarantine where reason_code = 'hidden_file'",
    ) == [("~$IE_results.xlsx", "warning")]


def test_a_file_without_a_country_never_passes_for_a_resubmission(hostile):
    paths, _, _ = hostile
    assert rows(
        paths.warehouse,
        """select status, country_code from raw.submissions
           where file_name = 'results_without_a_country.xlsx'""",
    ) == [("rejected", None)]
    ranked = rows(
        paths.warehouse,
        """select count(*) from intermediate.int_submissions_ranked where file_id in
           (select file_id from raw.submissions where file_name = 'results_without_a_country.xlsx')""",
    )
    assert ranked == [(0,)]


def test_the_same_file_under_two_names_counts_once(hostile):
    paths, _, _ = hostile
    sightings = rows(
        paths.warehouse,
        """select count(distinct file_id), count(*) from raw.file_sightings
           where relative_path like '%/' || ? or relative_path like '%/' || ?""",
        [DUPLICATE_OF, COPY],
    )
    assert sightings == [(1, 2)]  # one content, seen under two names
    warning = rows(
        paths.warehouse,
        "select severity, message from audit.quarantine where reason_code = 'duplicate_file'",
    )
    assert len(warning) == 1 and warning[0][0] == "warning"
    assert DUPLICATE_OF in warning[0][1] and "(copy)" in warning[0][1]


def test_the_summary_tells_what_was_refused(hostile):
    _, load, _ = hostile
    for name in ("bomb.xlsx", "password.xlsx", "million_rows.xlsx"):
        assert name in load.stdout


def test_cell_level_faults_stop_the_publish_and_keep_the_last_good_warehouse(hostile, tmp_path):
    """Formulas, dates outside the window, negative and absurd counts, HTML in headers:
    each is named by file, sheet and cell, and the operation is held back: the warehouse
    keeps its last good figures."""
    paths, _, _ = hostile
    raw = tmp_path / "raw"
    shutil.copytree(paths.raw_dir, raw)
    warehouse = tmp_path / "warehouse"
    shutil.copytree(paths.warehouse.parent, warehouse)
    copy = Paths(raw_dir=raw, warehouse=warehouse / "jad.duckdb")
    figures = "select * from marts.fct_country_results order by all"
    published = rows(copy.warehouse, figures)
    for name in CELL_LEVEL | {"HR_html.csv": EXPECTED["HR_html.csv"]}:
        shutil.copy(HOSTILE / name, raw / SEED_OPERATION / "submissions" / name)

    load = jadwh(copy, "load")
    assert load.returncode == 1, load.stdout + load.stderr
    assert "Held back" in load.stderr and SEED_OPERATION in load.stderr
    assert rows(copy.warehouse, figures) == published  # the operation's last good figures
    found = rows(
        copy.build_database,
        """select file_name, cell_ref, reason_code, message from audit.quarantine
           where file_name in ('IE_formulas.csv', 'IE_late_dates.csv',
                               'IE_negative_and_absurd.csv', 'HR_html.csv')
           order by file_name, cell_ref""",
    )
    by_cell = {(f, c): r for f, c, r, _ in found}
    assert {by_cell[("IE_formulas.csv", f"D{r}")] for r in range(2, 6)} == {"not_a_number"}
    assert by_cell[("IE_late_dates.csv", "D2")] == "date_outside_window"  # names its day, B2
    assert by_cell[("IE_negative_and_absurd.csv", "D2")] == "negative_value"
    assert by_cell[("IE_negative_and_absurd.csv", "D3")] == "implausible_value"
    assert "unknown_label" in {r for (f, _), r in by_cell.items() if f == "HR_html.csv"}
    for file_name, cell_ref, _, message in found:
        assert file_name in message and cell_ref in message  # file, sheet and cell, by name


def test_exports_neutralise_formulas(hostile, tmp_path):
    """Text from spreadsheets leaves as data: a csv cell never starts a formula."""
    paths, _, _ = hostile
    target = tmp_path / "out.csv"
    query = "select '=HYPERLINK(\"http://evil.example\")' a, '+1-555' b, '-2+3' c, '@SUM(A1)' d, 'plain' e"
    assert jadwh(paths, "sql", query, "--csv", str(target)).returncode == 0
    header, values = list(csv.reader(target.open(encoding="utf-8")))
    assert header == ["a", "b", "c", "d", "e"]
    assert values == [
        '\'=HYPERLINK("http://evil.example")',
        "'+1-555",
        "'-2+3",
        "'@SUM(A1)",
        "plain",
    ]
