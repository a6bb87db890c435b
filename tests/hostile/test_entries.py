"""What raw/ may hold besides regular files, landed for real (issue of reliability.md,
"Entries"): a link, a FIFO and a name that hides a newline are refused by name with their
reason, nothing of what they point at is read, and the load does not block."""

from __future__ import annotations

import os

import pytest

from orchestration import connections
from orchestration.ingest.versions import reader_version
from orchestration.ingest.vocabulary import load_vocabulary
from orchestration.landing.land import land_operations
from orchestration.raw_layout import discover_operations
from tests.conftest import make_operation
from tests.fixtures.workbooks import csv_bytes

GOOD = csv_bytes([["Datum", "Kontrollierte Personen"], ["24.09.2020", "120"]])


def _land(tmp_path, operation_dir) -> list[tuple]:
    con = connections.connect(tmp_path / "build.duckdb")
    try:
        land_operations(
            con,
            discover_operations(operation_dir.parent),
            load_vocabulary(),
            reader_version(),
            workers=1,
        )
        quarantine = con.execute(
            "select file_name, reason_code, message from raw.quarantine order by all"
        ).fetchall()
        cells = con.execute("select count(*) from raw.cells where raw_text like '%root:%'")
        assert cells.fetchone()[0] == 0
        return quarantine
    finally:
        con.close()


def _reasons(quarantine: list[tuple]) -> dict[str, str]:
    return {name: reason for name, reason, _ in quarantine}


def test_a_link_to_a_system_file_is_refused_and_never_read(tmp_path):
    operation = make_operation(tmp_path / "raw", {"AT_results.csv": GOOD})
    os.symlink("/etc/passwd", operation / "submissions" / "AL_passwd.csv")
    quarantine = _land(tmp_path, operation)
    assert _reasons(quarantine)["AL_passwd.csv"] == "not_a_regular_file"
    (message,) = [m for n, _, m in quarantine if n == "AL_passwd.csv"]
    assert "symbolic link" in message and "passwd" not in message.split(":", 1)[1]


@pytest.mark.timeout(120)
def test_a_fifo_is_refused_without_being_opened(tmp_path):
    operation = make_operation(tmp_path / "raw", {"AT_results.csv": GOOD})
    os.mkfifo(operation / "submissions" / "BG_results.csv")  # opening it would block
    quarantine = _land(tmp_path, operation)
    assert _reasons(quarantine)["BG_results.csv"] == "not_a_regular_file"
    assert any("FIFO" in m for _, _, m in quarantine)


def test_a_name_with_a_newline_is_refused_even_as_a_second_copy(tmp_path):
    operation = make_operation(tmp_path / "raw", {"AT_results.csv": GOOD, "AT_results\n.csv": GOOD})
    reasons = _reasons(_land(tmp_path, operation))
    assert reasons.get("AT_results\\n.csv") == "unsafe_file_name", reasons
