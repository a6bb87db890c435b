"""Read files in worker processes where a crash, an abort or running out of memory or time
costs only the file being read.

python-calamine can panic (a `BaseException`) or abort the process on a hostile workbook, a
malformed file can send any reader into a long loop, and one sheet can ask for gigabytes.
Each file is therefore read in a worker process under a memory limit (`RLIMIT_AS`), with a
time limit kept by the parent. A file that kills its worker, or outlives its time, is
refused with the reason (`reader_crashed`, `over_memory_limit`, `over_time_limit`); a new
worker takes the next file and the load goes on.

A worker reads each file's bytes once: the sha256 it reports is of the bytes it read, so a
file that changed between the load plan and the read is never landed under the old hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
# A worker waits this long for its first file after it started (imports, seeds).
START_GRACE_SECONDS = 60.0


@dataclass(frozen=True)
class Outcome:
    """What a worker made of one file: `result`, or a refusal (`reason`, `message`)."""

    sha256: str | None
    result: Any = None
    reason: str | None = None
    message: str | None = None


def read_isolated(
    items: list,
    read: Callable[[Any, bytes], Any],
    path_of: Callable[[Any], Path],
    workers: int,
    seconds_per_file: float,
    memory_bytes: int,
    setup: Callable[[], None] | None = None,
) -> Iterator[tuple[Any, Outcome]]:
    """(item, Outcome) for each item, in order. `read(item, data)` runs in a worker on the
    bytes of `path_of(item)`; both must be importable top-level functions (spawned workers)."""
    if not items:
        return
    pool = _Pool(max(1, min(workers, len(items))), read, path_of, memory_bytes, setup)
    try:
        yield from pool.run(items, seconds_per_file)
    finally:
        pool.close()


class _Worker:
    def __init__(self, context, read, path_of, memory_bytes, setup, folder: Path):
        self.memory_bytes = memory_bytes
        self.stderr_path = Path(tempfile.mkstemp(dir=folder, suffix=".stderr")[1])
        parent, child = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(child, read, path_of, memory_bytes, setup, str(self.stderr_path)),
            daemon=True,
        )
        self.process.start()
        child.close()
        self.connection: Connection = parent
        self.job: tuple[int, Any, float] | None = None  # (index, item, started at)
        self.served = 0

    def send(self, index: int, item) -> None:
        self.job = (index, item, time.monotonic())
        self.connection.send(item)

    def finished(self) -> None:
        self.job = None
        self.served += 1

    def death(self) -> Outcome:
        """Why the worker ended while reading its file."""
        self.process.join(5)
        code = self.process.exitcode
        try:
            said = self.stderr_path.read_bytes()[-4000:].decode("utf-8", "replace")
        except OSError:
            said = ""
        if "memory allocation" in said or "MemoryError" in said or "Cannot allocate" in said:
            return Outcome(
                None,
                reason="over_memory_limit",
                message=f"reading the file needed more than the memory limit of "
                f"{self.memory_bytes // MIB} MiB (JAD_LIMIT_MEMORY_MB); ask for a smaller file",
            )
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        last = [line for line in said.splitlines() if line.strip()][-1:] or [""]
        detail = f": {last[0].strip()[:200]}" if last[0] else ""
        return Outcome(
            None,
            reason="reader_crashed",
            message=f"the reader's process ended ({how}) while reading this file{detail}",
        )

    def kill(self) -> None:
        if self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        self.connection.close()
        self.stderr_path.unlink(missing_ok=True)


class _Pool:
    def __init__(self, size, read, path_of, memory_bytes, setup):
        self.context = get_context("spawn")
        self.folder = Path(tempfile.mkdtemp(prefix="jad-readers-"))
        self.args = (read, path_of, memory_bytes, setup, self.folder)
        self.workers = [self._start() for _ in range(size)]

    def _start(self) -> _Worker:
        return _Worker(self.context, *self.args)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.workers[self.workers.index(worker)] = self._start()

    def run(self, items: list, seconds: float) -> Iterator[tuple[Any, Outcome]]:
        waiting = deque(enumerate(items))
        done: dict[int, Outcome] = {}
        next_out = 0
        ahead = 2 * len(self.workers)  # read at most this far past the next to hand out
        while next_out < len(items):
            for worker in self.workers:
                if worker.job is None and waiting and waiting[0][0] < next_out + ahead:
                    worker.send(*waiting.popleft())
            busy = [w for w in self.workers if w.job is not None]
            timeout = min((self._deadline(w, seconds) for w in busy), default=0.0)
            ready = wait([w.connection for w in busy], timeout=max(0.0, timeout - time.monotonic()))
            for worker in busy:
                index, item, _ = worker.job
                if worker.connection in ready:
                    try:
                        outcome = worker.connection.recv()
                    except (EOFError, OSError):
                        outcome = worker.death()
                        self._replace(worker)
                    else:
                        worker.finished()
                    done[index] = outcome
                elif time.monotonic() > self._deadline(worker, seconds):
                    done[index] = Outcome(
                        None,
                        reason="over_time_limit",
                        message=f"reading the file took longer than {seconds:.0f} s "
                        "(JAD_LIMIT_SECONDS); it was stopped",
                    )
                    self._replace(worker)
            while next_out in done:
                yield items[next_out], done.pop(next_out)
                next_out += 1

    @staticmethod
    def _deadline(worker: _Worker, seconds: float) -> float:
        _, _, started = worker.job
        # the first file of a new worker also waits for its imports
        return started + seconds + (START_GRACE_SECONDS if worker.served == 0 else 0.0)

    def close(self) -> None:
        for worker in self.workers:
            try:
                if worker.job is None and worker.process.is_alive():
                    worker.connection.send(None)
                    worker.process.join(5)
            except OSError:
                pass
            worker.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def _serve(connection, read, path_of, memory_bytes, setup, stderr_path: str) -> None:
    """A worker: read the files it is sent, one at a time, until it is sent None. What it
    says on stderr (a Rust panic, an abort) goes to a file the parent reads if it dies."""
    stderr = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(stderr, 2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a load stops
    if setup is not None:
        setup()
    _limit_memory(memory_bytes)
    while (item := connection.recv()) is not None:
        connection.send(_read_one(item, read, path_of))


def _read_one(item, read, path_of) -> Outcome:
    digest = None
    try:
        data = Path(path_of(item)).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        return Outcome(digest, read(item, data))
    except MemoryError:
        return Outcome(
            digest, reason="over_memory_limit", message="reading the file ran out of memory"
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except OSError as error:
        return Outcome(
            digest, reason="read_error", message=f"the file cannot be read ({error.strerror})"
        )
    except BaseException as error:  # a reader defect or a panic: this file only
        return Outcome(
            digest,
            reason="reader_crashed",
            message=f"the reader failed on this file ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:200] if str(error) else ''}); this is a reader "
            "defect, report it with the file",
        )


def _limit_memory(memory_bytes: int) -> None:
    """Cap the address space at what the worker uses now plus the limit per file."""
    if memory_bytes <= 0:
        return
    try:
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        size = 0
    limit = size + memory_bytes
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
