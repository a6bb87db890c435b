"""Readers that misbehave on purpose, for tests/landing/test_isolation.py: each runs in a
worker process of isolation.py, as the real reader does (top-level, so spawn can find it)."""

from __future__ import annotations

import os
import time
from pathlib import Path


class Panic(BaseException):
    """What python-calamine's pyo3 panics are: a BaseException, not an Exception."""


def path_of(item: tuple[str, str]) -> Path:
    return Path(item[1])


def read(item: tuple[str, str], data: bytes) -> str:
    behaviour = item[0]
    if behaviour == "abort":
        os.abort()  # a native crash: the process dies with SIGABRT
    if behaviour == "panic":
        raise Panic("called `Option::unwrap()` on a `None` value")
    if behaviour == "bug":
        raise IndexError("list index out of range")
    if behaviour == "memory":
        hog = bytearray(4 * 1024 * 1024 * 1024)  # far over any test's limit
        return str(len(hog))
    if behaviour == "slow":
        time.sleep(60)
    return f"read {len(data)} bytes"


def crash_or_read(item, data: bytes):
    """The real reader, except on a file that kills its process (as a native crash would)."""
    if data.startswith(b"CRASH"):
        os.abort()
    from orchestration.landing.reading import read_in_worker

    return read_in_worker(item, data)
