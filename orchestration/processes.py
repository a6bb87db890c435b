"""Which process runs a load: the run tags that let a later load tell whether that process
still exists (automation/recovery.py judges them; landing and `jadwh load` set them).

The identity of a process is the machine's boot id, its pid and its start time in clock
ticks since boot: a pid reused by another process, a reboot or a wall clock that jumped
cannot fool it. Plain Python (/proc), below every package that tags a run.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

PROCESS_TAG = "jad/process"
HOST_TAG = "jad/host"

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def boot_id() -> str | None:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:
        return None


def process_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks since boot) of a process, or None when there is
    no such process. The command name, in parentheses, may itself hold spaces."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])  # fields 3 and 22 of proc(5)


def process_identity(pid: int | None = None) -> str | None:
    """'<boot id>:<pid>:<start ticks>' of a process (this one by default); None where /proc
    does not tell (not Linux)."""
    pid = os.getpid() if pid is None else pid
    boot, stat = boot_id(), process_stat(pid)
    if boot is None or stat is None:
        return None
    return f"{boot}:{pid}:{stat[1]}"


def process_tags() -> dict[str, str]:
    """The run tags that let a later load tell whether this process still runs its run."""
    identity = process_identity()
    return {PROCESS_TAG: identity, HOST_TAG: socket.gethostname()} if identity else {}
