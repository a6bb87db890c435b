"""One load at a time: an exclusive lock on the build folder.

Two loads writing one build database would fight over DuckDB's lock (FIELD-NOTES); the
second load waits for the first, or, asked not to wait, is refused with one sentence.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class LoadInProgress(RuntimeError):
    pass


@contextlib.contextmanager
def exclusive_load(lock_path: Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the load lock; wait up to `wait_seconds` (None: forever, 0: not at all)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    holder = _holder(lock_path)
                    raise LoadInProgress(
                        f"another load is running{holder} and holds {lock_path}; "
                        "wait for it to finish or run again with --wait"
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _holder(lock_path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(lock_path.read_text().strip())
        return f" (process {pid})"
    return ""
