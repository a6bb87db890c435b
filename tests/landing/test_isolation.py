"""A file that crashes its reader, exhausts its memory or its time costs only itself: it is
refused with the reason, and the files after it are read."""

from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl

from orchestration.ingest.submission import OperationWindow, read_submission
from orchestration.landing.isolation import read_isolated
from tests.landing import isolation_probes

MIB = 1024 * 1024


def outcomes(tmp_path, behaviours: list[str], seconds: float = 30.0, workers: int = 1):
    items = []
    for number, behaviour in enumerate(behaviours):
        path = tmp_path / f"{number}_{behaviour}.bin"
        path.write_bytes(b"x" * (number + 1))
        items.append((behaviour, str(path)))
    found = read_isolated(
        items,
        isolation_probes.read,
        isolation_probes.path_of,
        workers=workers,
        seconds_per_file=seconds,
        memory_bytes=512 * MIB,
    )
    return [(item[0], outcome) for item, outcome in found]


def test_every_kind_of_failure_costs_only_its_file(tmp_path):
    results = outcomes(tmp_path, ["ok", "abort", "ok", "panic", "bug", "memory", "ok"])
    reasons = [outcome.reason for _, outcome in results]
    assert reasons == [
        None,
        "reader_crashed",
        None,
        "reader_crashed",
        "reader_crashed",
        "over_memory_limit",
        None,
    ]
    assert results[2][1].result == "read 3 bytes" and results[6][1].result == "read 7 bytes"
    assert "signal 6" in results[1][1].message  # the worker died; a new one read on
    assert "Panic" in results[3][1].message and "IndexError" in results[4][1].message


def test_a_file_over_its_time_is_stopped_and_the_next_is_read(tmp_path):
    started = time.monotonic()
    results = outcomes(tmp_path, ["ok", "slow", "ok"], seconds=2.0)
    assert [outcome.reason for _, outcome in results] == [None, "over_time_limit", None]
    assert time.monotonic() - started < 45  # stopped at its limit, not after its minute


def test_two_workers_give_the_files_back_in_order(tmp_path):
    behaviours = ["ok", "abort", "ok", "ok", "bug", "ok", "ok"]
    results = outcomes(tmp_path, behaviours, workers=2)
    assert [b for b, _ in results] == behaviours
    assert [o.result for b, o in results if b == "ok"] == [
        f"read {n + 1} bytes" for n, b in enumerate(behaviours) if b == "ok"
    ]


def test_each_outcome_carries_the_hash_of_the_bytes_read(tmp_path):
    import hashlib

    (behaviour, outcome), *_ = outcomes(tmp_path, ["ok"])
    assert outcome.sha256 == hashlib.sha256(b"x").hexdigest()


def _one_cell(ref: str) -> bytes:
    book = openpyxl.Workbook()
    book.active[ref] = 7
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_lone_cell_in_the_far_corner_costs_one_cell(vocabulary):
    """The used range is what is built, not the grid from A1: a cell at XFD1048576 or
    AAA100000 is one cell to read, not billions (and never a panic)."""
    window = OperationWindow(dt.date(2020, 9, 24), dt.date(2020, 9, 27))
    for ref in ("XFD1048576", "AAA100000", "A1048576"):
        started = time.monotonic()
        reading = read_submission(_one_cell(ref), f"AT_{ref}.xlsx", window, vocabulary)
        assert time.monotonic() - started < 5
        assert [c.cell_ref for c in reading.cells] == [ref]
