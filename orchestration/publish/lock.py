"""One writer at a time: an exclusive lock on the build folder.

Two loads writing one build database would fight over DuckDB's lock (one writing process per file). Every
step that opens the build database holds this lock while it does, and `jadwh load` holds it
for its whole run, so a second load waits for the first, or, asked not to wait, is refused
with one sentence. The lock is re-entrant within a process: the steps of a load run inside
the load's own hold.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class LoadInProgress(RuntimeError):
    pass


_held: dict[Path, tuple[IO, int]] = {}  # lock file -> (open handle, depth) in this process


@contextlib.contextmanager
def exclusive_load(lock_path: Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the load lock; wait up to `wait_seconds` (None: forever, 0: not at all)."""
    lock_path = lock_path.resolve()
    if lock_path in _held:
        handle, depth = _held[lock_path]
        _held[lock_path] = (handle, depth + 1)
        try:
            yield
        finally:
            handle, depth = _held[lock_path]
            _held[lock_path] = (handle, depth - 1)
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    try:
        _acquire(handle, lock_path, wait_seconds)
        _held[lock_path] = (handle, 1)
        yield
    finally:
        _held.pop(lock_path, None)
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _acquire(handle: IO, lock_path: Path, wait_seconds: float | None) -> None:
    deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                raise LoadInProgress(
                    f"another load is running{_holder(lock_path)} and holds {lock_path}; "
                    "wait for it to finish or run again with --wait"
                ) from None
            time.sleep(0.5)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()


def _holder(lock_path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        return f" (process {int(lock_path.read_text().strip())})"
    return ""
