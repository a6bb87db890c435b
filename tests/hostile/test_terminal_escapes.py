"""Text from the files never drives the terminal: cell text, file and sheet names
and messages that carry ESC sequences (CSI, OSC), other C0/C1 controls or bidirectional
overrides reach the screen as visible escapes through `jadwh sql`, `jadwh quarantine`,
`jadwh status` and `jadwh load`. One test per command, with planted sequences."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.reports.terminal import shown, visible
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, make_operation

runner = CliRunner()
# clear the screen, set the window title (OSC), a bell, a C1 CSI, a right-to-left override
PLANTED = "A\x1b[2J\x1b]0;owned\x07B\x9b31m\u202eC\x00D"
NAMED = PLANTED.replace("\x00", "")  # a file name holds anything but NUL
CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\x00")


def _clean(output: str) -> None:
    for control in CONTROLS:
        assert control not in output, repr(output)
    assert "\\x1b" in output  # shown, not swallowed: a steward sees something is there


def test_visible_writes_every_control_as_an_escape():
    assert visible(PLANTED) == "A\\x1b[2J\\x1b]0;owned\\x07B\\x9b31m\\u202eC\\x00D"
    assert visible("two\nlines") == "two\\x0alines"
    assert visible("two\nlines", keep_newlines=True) == "two\nlines"
    assert shown("[bold]x[/]") == "\\[bold]x\\[/]"  # no Rich markup either


@pytest.fixture
def published(seed_warehouse, tmp_path, monkeypatch) -> Paths:
    """A copy of the seed warehouse and its build, the CLI pointed at it."""
    shutil.copytree(seed_warehouse.warehouse.parent, tmp_path / "warehouse")
    paths = Paths(raw_dir=seed_warehouse.raw_dir, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setenv("JAD_RAW_DIR", str(paths.raw_dir))
    monkeypatch.setenv("JAD_WAREHOUSE", str(paths.warehouse))
    return paths


def _plant_quarantine(database) -> None:
    con = duckdb.connect(str(database))
    try:
        con.execute(
            """insert into audit.quarantine (operation_id, file_id, file_name, sheet_name,
                   cell_ref, reason_code, message, raw_text, severity, steward_action)
               values (?, 'f', ?, ?, 'B2', 'unknown_label', ?, ?, 'warning', ?)""",
            [
                SEED_OPERATION,
                f"AL{PLANTED}.csv",
                f"Sheet{PLANTED}",
                f"label {PLANTED}",
                PLANTED,
                PLANTED,
            ],
        )
    finally:
        con.close()


def test_sql_shows_cell_text_and_column_names_escaped(published):
    result = runner.invoke(app, ["sql", f"select '{PLANTED}' as \"col{PLANTED}\""])
    assert result.exit_code == 0, result.output
    _clean(result.output)
    failed = runner.invoke(app, ["sql", f'select * from "{PLANTED}"'])  # in the error too
    assert failed.exit_code == 4
    _clean(failed.output)


def test_quarantine_shows_names_and_messages_escaped(published):
    _plant_quarantine(published.build_database)
    result = runner.invoke(app, ["quarantine"])
    assert result.exit_code == 0, result.output
    assert "unknown_label" in result.output
    _clean(result.output)


def test_status_shows_operations_reasons_and_errors_escaped(published):
    con = duckdb.connect(str(published.warehouse))
    con.execute("update marts.dim_operation set operation_id = ?", [f"op{PLANTED}"])
    con.close()
    _plant_quarantine(published.warehouse)
    record = json.loads(published.publish_record.read_text())
    record["operations"][f"op{PLANTED}"] = {
        "status": "never_published",
        "published_at": None,
        "held_back_since": "2020-10-01 00:00:00",
        "findings": 1,
        "reasons": [f"quarantine: {PLANTED}"],
    }
    published.publish_record.write_text(json.dumps(record))
    published.attempt_record.write_text(
        json.dumps({"run_id": "another", "failed_steps": [PLANTED], "errors": [PLANTED]})
    )
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "did not publish" in result.output
    _clean(result.output)


def test_load_shows_file_names_labels_and_findings_escaped(tmp_path, monkeypatch):
    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    # in a csv, no ';' (the delimiter) and enough text that a few controls do not make it binary
    label = "PersonsA\x1b[2J\x1b[31mB\x9b1m\u202eC\x07 checked"
    notes = "Notes;" + "The figures were collected by the regional units. " * 150 + "\n"
    make_operation(
        paths.raw_dir,
        {
            "IE_results.csv": (
                "Country;Date;Indicator;Value\n"
                f"Ireland;24.09.2020;{label};12\n"
                "Ireland;24.09.2020;Persons checked;30\n" + notes
            ).encode(),
            f"LV{NAMED}.csv": b"Country;Date;Indicator;Value\nLatvia;24.09.2020;Arrests;1\n",
        },
    )
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setenv("JAD_RAW_DIR", str(paths.raw_dir))
    monkeypatch.setenv("JAD_WAREHOUSE", str(paths.warehouse))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = runner.invoke(app, ["load"])
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    assert result.exit_code == 1, result.output  # held back: an unknown label, too few countries
    assert "unsafe_file_name" in result.output or "control characters" in result.output
    # the findings show the unknown label by its place (free text is withheld) ...
    assert "[withheld: " in result.output
    _clean(result.output)
    # ... and the steward's view reveals it, escaped
    result = runner.invoke(app, ["quarantine"])
    assert result.exit_code == 0, result.output
    assert "PersonsA\\x1b[2J" in result.output
    _clean(result.output)
