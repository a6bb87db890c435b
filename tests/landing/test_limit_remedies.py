"""Advice that works, for the reasons a reader's limits and processes give: the file is
refused with a message that names the remedy (a limit to raise, the sender to ask, the
disk to check, nothing to do but load again), the remedy is applied, the file is read
again and its figure is right."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path

import pytest

from orchestration.ingest.limits import Limits
from orchestration.ingest.submission import OperationWindow
from orchestration.ingest.vocabulary import load_vocabulary
from orchestration.landing.isolation import read_isolated
from orchestration.landing.land import _read_all
from orchestration.landing.reading import ToRead, path_of, read_one, start_worker
from orchestration.settings import seeds_dir
from tests.fixtures.remedies import good
from tests.landing import isolation_probes

WINDOW = OperationWindow(dt.date(2021, 9, 6), dt.date(2021, 9, 9))
PERSONS = 77


def _item(path: Path, file_id: str | None = None, limits: Limits | None = None) -> ToRead:
    data = path.read_bytes() if path.exists() else b""
    return ToRead(
        "op",
        file_id or hashlib.sha256(data).hexdigest(),
        path.name,
        path,
        len(data),
        WINDOW,
        limits or Limits(),
    )


def _persons(reading) -> list[float]:
    return [o.value_number for o in reading.observations if o.measure_labels == ["Persons checked"]]


def _landed_persons(landed) -> list[float]:
    columns = landed.columns["observations"]
    return [
        value
        for value, labels in zip(columns["value_number"], columns["measure_labels"], strict=True)
        if labels == ["Persons checked"]
    ]


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary()


LIMITS = [
    ("file_too_large", "JAD_LIMIT_FILE_MB", "0.001", "5"),
    ("too_large_uncompressed", "JAD_LIMIT_UNCOMPRESSED_MB", "0.001", "5"),
    ("too_many_rows", "JAD_LIMIT_ROWS", "2", "100"),
    ("too_many_cells", "JAD_LIMIT_CELLS", "2", "100"),
    ("over_time_limit", "JAD_LIMIT_SECONDS", "0.0000001", "60"),
]
LIMIT_REASONS = [reason for reason, *_ in LIMITS]
# proved below, one test each
PROCESS_REASONS = [
    "over_memory_limit",
    "reader_crashed",
    "read_error",
    "file_changed",
    "unaccounted_cell",
]


@pytest.mark.parametrize("reason, variable, low, high", LIMITS)
def test_a_limit_the_message_names_once_raised_reads_the_figure(
    tmp_path, monkeypatch, vocabulary, reason, variable, low, high
):
    path = tmp_path / "AT_results.xlsx"
    path.write_bytes(good("Austria", PERSONS))
    monkeypatch.setenv(variable, low)
    refused = read_one(_item(path, limits=Limits.from_environment()), path.read_bytes(), vocabulary)
    assert refused.status == "rejected"
    assert [q.reason_code for q in refused.quarantine] == [reason]
    assert variable in refused.quarantine[0].message
    monkeypatch.setenv(variable, high)
    read = read_one(_item(path, limits=Limits.from_environment()), path.read_bytes(), vocabulary)
    assert read.status == "accepted" and _persons(read) == [PERSONS]


def _isolated(items: list[ToRead], read, memory_bytes: int = 1024 * 1024 * 1024):
    return list(
        read_isolated(
            items,
            read,
            path_of,
            workers=1,
            seconds_per_file=120,
            memory_bytes=memory_bytes,
            setup=functools.partial(start_worker, str(seeds_dir())),
        )
    )


def test_over_the_memory_limit_then_read_once_it_is_raised(tmp_path, monkeypatch):
    """A workbook of 30,000 cells needs more than 2 MiB to read: refused, with the limit's
    name; with the limit raised, the same file is read."""
    from tests.fixtures.workbooks import xlsx

    rows = [["Country:", "Austria"], [], ["Persons checked", PERSONS]]
    rows += [[None, None, None, *range(300)] for _ in range(100)]
    path = tmp_path / "AT_results.xlsx"
    path.write_bytes(xlsx({"Results": rows}))
    monkeypatch.setenv("JAD_LIMIT_MEMORY_MB", "2")
    limit = Limits.from_environment().max_memory_bytes
    [(_, refused)] = _isolated([_item(path)], isolation_probes.crash_or_read, limit)
    assert refused.reason == "over_memory_limit"
    assert "JAD_LIMIT_MEMORY_MB" in refused.message
    monkeypatch.setenv("JAD_LIMIT_MEMORY_MB", "1024")
    limit = Limits.from_environment().max_memory_bytes
    [(_, read)] = _isolated([_item(path)], isolation_probes.crash_or_read, limit)
    assert read.reason is None and _landed_persons(read.result) == [PERSONS]


def test_a_file_that_crashes_the_reader_then_its_re_saved_copy(tmp_path):
    """reader_crashed: report the file; ask the sender for a re-saved copy, which reads."""
    crashing = tmp_path / "AT_results.xlsx"
    crashing.write_bytes(b"CRASH" + b"\0" * 100)
    resaved = tmp_path / "AT_results_resaved.xlsx"
    resaved.write_bytes(good("Austria", PERSONS))
    [(_, crashed), (_, read)] = _isolated(
        [_item(crashing), _item(resaved)], isolation_probes.crash_or_read
    )
    assert crashed.reason == "reader_crashed" and "signal 6" in crashed.message
    assert read.reason is None and _landed_persons(read.result) == [PERSONS]


def test_a_file_that_cannot_be_read_from_disk_then_restored(tmp_path):
    """read_error: check the file's permissions and the disk; once it can be read, it is."""
    path = tmp_path / "AT_results.xlsx"
    item = _item(path, file_id="0" * 64)  # listed, then gone from the disk
    [(_, failed)] = _isolated([item], isolation_probes.crash_or_read)
    assert failed.reason == "read_error"
    path.write_bytes(good("Austria", PERSONS))
    [(_, read)] = _isolated([_item(path)], isolation_probes.crash_or_read)
    assert read.reason is None and _landed_persons(read.result) == [PERSONS]


def test_a_file_that_changed_while_read_is_read_at_the_next_load(tmp_path, vocabulary):
    """file_changed: nothing to do; the next load reads the file as it is then."""
    path = tmp_path / "AT_results.xlsx"
    path.write_bytes(good("Austria", 1))
    planned = _item(path)  # the load saw this content ...
    path.write_bytes(good("Austria", PERSONS))  # ... and the sender replaced it meanwhile
    [(_, changed)] = list(_read_all([planned], vocabulary, Limits(), 1))
    assert changed.reading.status == "changed"
    assert changed.reading.quarantine[0].reason_code == "file_changed"
    assert "next load" in changed.reading.quarantine[0].message
    [(_, landed)] = list(_read_all([_item(path)], vocabulary, Limits(), 1))
    assert landed.reading.status == "accepted" and _landed_persons(landed) == [PERSONS]


def test_a_cell_the_reader_loses_is_caught_and_a_fixed_reader_reads_it(monkeypatch, vocabulary):
    """unaccounted_cell: no file causes it, a reader defect does ('report it'). With a
    defect put in on purpose (forms forgotten), every cell of the form is quarantined, none
    is lost in silence; with the reader as it is, the figure is read."""
    from orchestration.ingest import submission

    data = good("Austria", PERSONS)
    monkeypatch.setattr(submission, "_emit_form", lambda *args, **kwargs: None)
    broken = submission.read_submission(data, "AT_results.xlsx", WINDOW, vocabulary)
    assert {q.reason_code for q in broken.quarantine} == {"unaccounted_cell"}
    assert all("reader" in q.message for q in broken.quarantine)
    monkeypatch.undo()
    fixed = submission.read_submission(data, "AT_results.xlsx", WINDOW, vocabulary)
    assert not fixed.quarantine and _persons(fixed) == [PERSONS]
