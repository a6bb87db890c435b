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


# How long a reader of the build database (`jadwh quarantine`, the load plan of a schedule
# tick) waits for a load to let go of it before it reads the published warehouse instead.
READER_WAIT_SECONDS = 2.0


_held: dict[Path, tuple[IO, int]] = {}  # lock file -> (open handle, depth) in this process


@contextlib.contextmanager
def exclusive_load(
    lock_path: Path, wait_seconds: float | None = None, reader: bool = False
) -> Iterator[None]:
    """Hold the load lock; wait up to `wait_seconds` (None: forever, 0: not at all).

    A `reader` (who only reads the build database, outside a load) gives way to any load
    that waits for the lock: a load announces itself in `<lock>.waiting` while it waits,
    and readers take the lock only when nobody is announced, so that readers one after
    the other never keep a load waiting for ever."""
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
        if reader:
            _acquire_as_reader(handle, lock_path, wait_seconds)
        else:
            with _announced(lock_path):
                _acquire(handle, lock_path, wait_seconds)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
        _held[lock_path] = (handle, 1)
        yield
    finally:
        _held.pop(lock_path, None)
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _busy(lock_path: Path) -> LoadInProgress:
    return LoadInProgress(
        f"another load is running{_holder(lock_path)} and holds {lock_path}; "
        "wait for it to finish or run again with --wait"
    )


def _acquire(handle: IO, lock_path: Path, wait_seconds: float | None) -> None:
    deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                raise _busy(lock_path) from None
            time.sleep(0.5)


def _waiting(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + ".waiting")


@contextlib.contextmanager
def _announced(lock_path: Path) -> Iterator[None]:
    """A load waiting for the lock: a shared lock on `<lock>.waiting` (loads share it; a
    reader holds it exclusively only for the instant it looks)."""
    with _waiting(lock_path).open("a+") as waiting:
        fcntl.flock(waiting, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(waiting, fcntl.LOCK_UN)


def _acquire_as_reader(handle: IO, lock_path: Path, wait_seconds: float | None) -> None:
    deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
    with _waiting(lock_path).open("a+") as waiting:
        while True:
            try:
                fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)  # no load waits
            except BlockingIOError:
                pass
            else:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    pass
                finally:
                    fcntl.flock(waiting, fcntl.LOCK_UN)
            if deadline is not None and time.monotonic() >= deadline:
                raise _busy(lock_path)
            time.sleep(0.2)


def _holder(lock_path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        return f" (process {int(lock_path.read_text().strip())})"
    return ""


@contextlib.contextmanager
def unless_loading(lock_path: Path, wait_seconds: float = READER_WAIT_SECONDS) -> Iterator[bool]:
    """For readers of the build database outside a load: hold the load lock (True) while
    the body reads, or, when a load keeps it past `wait_seconds`, hold nothing (False) and
    let the body read something else. DuckDB refuses a writer while anyone else has the file
    open, even read-only: a reader beside a load would make the load fail."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(exclusive_load(lock_path, wait_seconds, reader=True))
        except LoadInProgress:
            held = False
        else:
            held = True
        yield held


def holder(lock_path: Path) -> str:
    """' (process N)' of whoever holds the load lock, when it says."""
    return _holder(lock_path.resolve())
