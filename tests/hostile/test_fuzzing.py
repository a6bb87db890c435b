"""Mutated files (truncated, bytes flipped, zip members corrupted, a cell moved to a sheet's
far corner, stray quotes) read as a load reads them: each gives a reading or a refusal
with a reason, within its limits; none raises and none stops the load."""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from orchestration.ingest.limits import Limits
from orchestration.ingest.submission import OperationWindow
from orchestration.landing.isolation import read_isolated
from orchestration.landing.reading import ToRead, path_of, read_in_worker, start_worker
from orchestration.settings import seeds_dir
from tests.conftest import RAW_DIR, SEED_OPERATION

SEED = 20261201
MUTATIONS_PER_FILE = 6
WINDOW = OperationWindow(dt.date(2020, 9, 24), dt.date(2020, 9, 27))
SOURCES = sorted((RAW_DIR / SEED_OPERATION / "submissions").iterdir())


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, max(2, len(data)))]


def flipped(data: bytes, rng: random.Random) -> bytes:
    mutable = bytearray(data)
    for _ in range(rng.randrange(1, 16)):
        mutable[rng.randrange(len(mutable))] ^= 1 << rng.randrange(8)
    return bytes(mutable)


def corrupted_member(data: bytes, rng: random.Random) -> bytes:
    """A zip whose one member is garbage (or a text whose lines are shuffled)."""
    if not data.startswith(b"PK\x03\x04"):
        lines = data.splitlines(keepends=True)
        rng.shuffle(lines)
        return b"".join(lines)
    source = zipfile.ZipFile(io.BytesIO(data))
    victim = rng.choice(source.namelist())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            part = source.read(name)
            if name == victim:
                part = bytes(rng.randrange(256) for _ in range(min(len(part), 400)))
            target.writestr(name, part)
    return buffer.getvalue()


def far_corner(data: bytes, rng: random.Random) -> bytes:
    """An xlsx with one more cell far out: at the last column or row Excel allows."""
    if not data.startswith(b"PK\x03\x04"):
        return data + b"\n" + b";" * rng.randrange(1, 5000) + b"1\n"
    try:
        book = openpyxl.load_workbook(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - an ods or a broken one: flip bytes instead
        return flipped(data, rng)
    sheet = book.worksheets[0]
    sheet[rng.choice(["XFD1048576", "A1048576", "XFD1", "AAA100000"])] = rng.choice([7, "x", 3.5])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stray_quotes(data: bytes, rng: random.Random) -> bytes:
    mutable = bytearray(data)
    for _ in range(rng.randrange(1, 6)):
        mutable.insert(rng.randrange(len(mutable)), ord('"'))
    return bytes(mutable)


MUTATIONS = [truncated, flipped, corrupted_member, far_corner, stray_quotes]
WITHIN_LIMITS = frozenset({"over_memory_limit", "over_time_limit"})


@pytest.fixture(scope="module")
def mutated(tmp_path_factory) -> list[Path]:
    rng = random.Random(SEED)
    folder = tmp_path_factory.mktemp("mutated")
    paths = []
    for source in SOURCES:
        data = source.read_bytes()
        for number in range(MUTATIONS_PER_FILE):
            mutation = MUTATIONS[(number + len(paths)) % len(MUTATIONS)]
            path = folder / f"{mutation.__name__}_{number}_{source.name}"
            path.write_bytes(mutation(data, rng))
            paths.append(path)
    return paths


def test_no_mutated_file_raises_or_stops_the_load(mutated):
    limits = Limits(max_seconds_per_file=30.0)
    items = [
        ToRead(SEED_OPERATION, "", path.name, path, path.stat().st_size, WINDOW, limits)
        for path in mutated
    ]
    outcomes = list(
        read_isolated(
            items,
            read_in_worker,
            path_of,
            workers=2,
            seconds_per_file=limits.max_seconds_per_file,
            memory_bytes=limits.max_memory_bytes,
            setup=functools.partial(start_worker, str(seeds_dir())),
        )
    )
    assert len(outcomes) == len(mutated)
    crashed = [
        (item.relative, outcome.reason, outcome.message)
        for item, outcome in outcomes
        if outcome.reason is not None and outcome.reason not in WITHIN_LIMITS
    ]
    # the reader never fails: every file is read, refused by the reader with its reason,
    # or stopped at a limit (its worker then ends and another takes the next file)
    assert crashed == [], "\n".join(map(str, crashed))
    for item, outcome in outcomes:
        reading = outcome.result.reading
        assert reading.status in ("accepted", "rejected"), item.relative
        if reading.status == "rejected":
            assert reading.quarantine and reading.quarantine[0].reason_code, item.relative


def test_the_mutations_are_the_same_every_run(tmp_path):
    """The corpus of mutations is fixed by its seed: a failure found once is found again."""
    rng_a, rng_b = random.Random(SEED), random.Random(SEED)
    data = SOURCES[0].read_bytes()
    assert flipped(data, rng_a) == flipped(data, rng_b)
