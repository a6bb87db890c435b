"""What may be read from raw/ at all: regular files with safe names, within the size limit.

Below landing and the record of what changed, which both list and hash raw/'s entries.

Checked before a byte is read. A symbolic link could point anywhere (`/etc/passwd`), a
FIFO blocks whoever opens it, a device never ends: none is a submission, each is refused
with its reason and nothing of it is read. Names that could mislead a person or a shell,
hidden files and lock files are refused by name.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from pathlib import Path

from orchestration.ingest.limits import Limits
from orchestration.ingest.records import QuarantineItem
from orchestration.raw_layout import SUBMISSIONS

# What desktops leave in shared folders: never a submission, skipped without a word.
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
# Lock files of open documents and files still being copied (rsync, browsers): refused,
# with a warning, until they are renamed.
HIDDEN_PREFIXES = (".", "~$")


def safe_name(name: str) -> str:
    """A file name as it may be shown and stored: control characters escaped."""
    return "".join(
        ch.encode("unicode_escape").decode() if unicodedata.category(ch) in ("Cc", "Cf") else ch
        for ch in name
    )


def listed_files(folder: Path) -> list[Path]:
    """Every entry under `folder` that is not a folder, links and special files included
    (so that they are refused by name, not skipped in silence); linked folders are not
    entered."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        for name in dirs:
            if (base / name).is_symlink():
                found.append(base / name)  # a link to a folder: refused like any link
        found.extend(base / name for name in files if name not in SYSTEM_FILES)
    return sorted(found)


def kind_of(path: Path) -> str | None:
    """None for a regular file; else what it is ('a symbolic link', 'a FIFO' ...)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "gone (it vanished while the load listed it)"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def placeholder_id(relative: str, kind: str) -> str:
    """The identity of an entry that is never read: from its place and kind, not its bytes."""
    return hashlib.sha256(f"not a regular file\n{kind}\n{relative}".encode()).hexdigest()


def sha256_of(path: Path) -> str:
    """The hash of a regular file's bytes, streamed: a huge file is hashed, not loaded."""
    with open(path, "rb", buffering=0) as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def refusal(path: Path, size: int, limits: Limits) -> QuarantineItem | None:
    """Why a file is refused before its bytes are read, or None."""
    name = path.name
    if (kind := kind_of(path)) is not None:
        return QuarantineItem(
            "not_a_regular_file",
            f"{safe_name(name)}: the entry is {kind}, not a file; only regular files are read "
            "(copy the file itself into submissions/)",
        )
    if safe_name(name) != name or "\\" in name or name.startswith("-"):
        return QuarantineItem(
            "unsafe_file_name",
            f"{safe_name(name)}: the file name holds control characters, a backslash or a "
            "leading dash; rename the file (the sender's name is kept escaped)",
        )
    if name.startswith(HIDDEN_PREFIXES):
        return QuarantineItem(
            "hidden_file",
            f"{name}: a hidden file, a lock file or a file still being copied; not read "
            "(rename it without the leading '.' or '~$' to load it)",
        )
    if size > limits.max_file_bytes:
        return QuarantineItem(
            "file_too_large",
            f"{name}: the file has {size // (1024 * 1024)} MiB, over the limit of "
            f"{limits.max_file_bytes // (1024 * 1024)} MiB (JAD_LIMIT_FILE_MB)",
        )
    return None


def submission_files(operation_dir: Path) -> list[Path]:
    """Every entry of `submissions/`, links and special files included (refused by name)."""
    return listed_files(operation_dir / SUBMISSIONS)
