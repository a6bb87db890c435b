"""Each limit is configuration with a safe default, and a file over it is refused with the
limit it broke, by name, before it can cost more."""

import pytest

from orchestration.ingest.limits import MIB, Limits
from orchestration.ingest.submission import read_submission
from tests.conftest import PROJECT_ROOT
from tests.fixtures.workbooks import xlsx

HOSTILE = PROJECT_ROOT / "tests" / "fixtures" / "hostile"


def _table(rows: int) -> bytes:
    body = [[f"{24 + i % 4:02d}.09.2020", 100 + i, 10 + i] for i in range(rows)]
    return xlsx(
        {
            "Sheet1": [
                ["Country:", "Ireland"],
                ["Date", "Persons checked", "Vehicles checked"],
                *body,
            ]
        }
    )


def test_defaults_are_safe_and_each_is_an_environment_variable(monkeypatch):
    default = Limits.from_environment()
    assert default == Limits()
    assert default.max_file_bytes == 50 * MIB and default.max_rows_per_sheet == 100_000
    for name, value in {
        "JAD_LIMIT_FILE_MB": "2",
        "JAD_LIMIT_UNCOMPRESSED_MB": "3",
        "JAD_LIMIT_COMPRESSION_RATIO": "40",
        "JAD_LIMIT_ROWS": "500",
        "JAD_LIMIT_CELLS": "9000",
        "JAD_LIMIT_SECONDS": "7.5",
    }.items():
        monkeypatch.setenv(name, value)
    assert Limits.from_environment() == Limits(2 * MIB, 3 * MIB, 40.0, 500, 9000, 7.5)
    monkeypatch.setenv("JAD_LIMIT_ROWS", "lots")
    with pytest.raises(ValueError, match="JAD_LIMIT_ROWS='lots' is not a number"):
        Limits.from_environment()


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (Limits(max_file_bytes=1000), "file_too_large"),
        (Limits(max_uncompressed_bytes=2000), "too_large_uncompressed"),
        (Limits(max_rows_per_sheet=20), "too_many_rows"),
        (Limits(max_cells_per_file=60), "too_many_cells"),
        (Limits(max_seconds_per_file=1e-9), "over_time_limit"),
    ],
)
def test_a_file_over_a_limit_is_refused_with_that_limit(vocabulary, window, limits, reason):
    reading = read_submission(_table(30), "IE_results.xlsx", window, vocabulary, limits)
    assert reading.status == "rejected"
    assert [q.reason_code for q in reading.quarantine] == [reason]
    assert "IE_results.xlsx" in reading.quarantine[0].message
    assert read_submission(_table(30), "IE_results.xlsx", window, vocabulary).status == "accepted"


def test_a_zip_bomb_is_refused_by_its_compression_ratio(vocabulary, window):
    data = (HOSTILE / "bomb.xlsx").read_bytes()
    reading = read_submission(data, "bomb.xlsx", window, vocabulary)
    assert [q.reason_code for q in reading.quarantine] == ["zip_bomb"]
    tolerant = Limits(max_compression_ratio=10_000, max_uncompressed_bytes=10 * MIB)
    refused = read_submission(data, "bomb.xlsx", window, vocabulary, tolerant)
    assert [q.reason_code for q in refused.quarantine] == ["too_large_uncompressed"]
