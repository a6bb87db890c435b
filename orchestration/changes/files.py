"""What is in raw/ now, by content: what every plan (CLI, schedule, sensor) compares.

A file is identified by the sha256 of its bytes, never by its modification
time: a fresh clone gives every file the same time. To keep a plan cheap, a file whose
size, modification time, change time and inode are unchanged since the last plan keeps its
known hash; any other file is hashed again (so a touched but unchanged file triggers
nothing). The change time is set by the system on every write, rename or `touch -r`, and
no tool can set it back: copying tools that keep modification times are still seen.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from orchestration import writing
from orchestration.raw_entries import kind_of, placeholder_id, sha256_of, submission_files
from orchestration.raw_layout import MANIFEST, discover_operations


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str
    ctime_ns: int = 0  # 0: not known (a cursor written before it was kept)
    inode: int = 0

    def unchanged(self, stat: os.stat_result) -> bool:
        return (self.size, self.mtime_ns, self.ctime_ns, self.inode) == (
            stat.st_size,
            stat.st_mtime_ns,
            stat.st_ctime_ns,
            stat.st_ino,
        )


def scan(raw_dir: Path, known: dict[str, FileState]) -> dict[str, FileState]:
    """relative path -> state, for every manifest and submission under raw/."""
    states: dict[str, FileState] = {}
    for operation_dir in discover_operations(raw_dir):
        for path in [operation_dir / MANIFEST, *submission_files(operation_dir)]:
            relative = path.relative_to(raw_dir).as_posix()
            if (kind := kind_of(path)) is not None:  # never opened: a FIFO would block
                in_operation = path.relative_to(operation_dir).as_posix()
                states[relative] = FileState(0, 0, placeholder_id(in_operation, kind))
                continue
            stat = path.stat()
            before = known.get(relative)
            if before and before.unchanged(stat):
                states[relative] = before
            else:
                states[relative] = FileState(
                    stat.st_size, stat.st_mtime_ns, sha256_of(path), stat.st_ctime_ns, stat.st_ino
                )
    return states


# A file modified less than this before a scan may change again within the same
# modification time; its hash is not remembered, so the next scan reads it again.
SETTLE_NS = 2_000_000_000


def scan_remembered(raw_dir: Path, memory: Path) -> dict[str, FileState]:
    """`scan`, remembering the states in `memory` (a JSON file) for the next call: a load
    of one new file among thousands hashes that file, not all of them. Only files that had
    settled when they were scanned are remembered."""
    known: dict[str, FileState] = {}
    try:
        raw_dir_then, cursor = memory.read_text().split("\n", 1)
        if raw_dir_then == str(raw_dir):
            known = decode(cursor)
    except (OSError, ValueError, TypeError, AttributeError):
        known = {}  # none yet, or unreadable: hash everything
    started_ns = time.time_ns()
    states = scan(raw_dir, known)
    finished_ns = time.time_ns()
    settled = {k: v for k, v in states.items() if _settled(v.ctime_ns, started_ns, finished_ns)}
    _remember(memory, f"{raw_dir}\n{encode(settled)}")
    return states


def _settled(ctime_ns: int, started_ns: int, finished_ns: int) -> bool:
    """Whether a file's state may be remembered: it changed well before the scan began, or
    its change time lies ahead of the clock (stamped before the clock was set back: the
    system stamps every change with the clock of its moment, so a file changing now would
    not carry a time from the future). Only a change time close to the scan is doubtful."""
    return ctime_ns < started_ns - SETTLE_NS or ctime_ns > finished_ns + SETTLE_NS


def _remember(memory: Path, text: str) -> None:
    """Replace the memory atomically; when it cannot be written (a full disk, no folder),
    leave nothing half-written: it is only a cache, the next scan hashes what it lacks."""
    with contextlib.suppress(OSError):
        writing.write_atomically(memory, text)


def operation_digests(states: dict[str, FileState]) -> dict[str, str]:
    """operation -> one hash of the (path, content) of all its files."""
    by_operation: dict[str, dict[str, str]] = {}
    for relative, state in states.items():
        by_operation.setdefault(relative.split("/", 1)[0], {})[relative] = state.sha256
    return {op: digest(contents) for op, contents in by_operation.items()}


def digest(contents: dict[str, str]) -> str:
    """One hash of an operation's files: path under raw/ -> sha256 of its bytes."""
    lines = "\n".join(f"{relative}:{sha256}" for relative, sha256 in sorted(contents.items()))
    return hashlib.sha256(lines.encode()).hexdigest()[:16]


def encode(states: dict[str, FileState]) -> str:
    return json.dumps(
        {k: [v.size, v.mtime_ns, v.sha256, v.ctime_ns, v.inode] for k, v in sorted(states.items())}
    )


def decode(cursor: str | None) -> dict[str, FileState]:
    if not cursor:
        return {}
    return {k: FileState(*v) for k, v in json.loads(cursor).items()}
