"""Files written whole, and errors that name them.

A full disk's OSError names no file (`Path.write_text`), and `shutil.copyfile`'s names the
file it read: a user told "File too large" cannot tell which folder to free. Every file the
load writes beside the warehouse goes through here, so its error names the file written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Errors that only a write can raise: they concern the destination, whatever file they name.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS})


@contextlib.contextmanager
def naming(target: Path) -> Iterator[None]:
    """Re-raise an OSError of writing `target` with `target` as its file name."""
    try:
        yield
    except OSError as problem:
        if problem.filename is None or problem.errno in _WRITE_ERRORS:
            raise OSError(problem.errno, problem.strerror, str(target)) from problem
        raise


def write_atomically(target: Path, text: str) -> None:
    """Replace `target` with `text` in one step: a reader sees the old or the new, never
    half of it; when it cannot be written, nothing half-written is left and the error
    names `target`."""
    partial = None
    with naming(target):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w",
                dir=target.parent,
                prefix=f".{target.name}.",
                suffix=".partial",
                delete=False,
                encoding="utf-8",
            ) as partial:
                partial.write(text)
            os.replace(partial.name, target)
        except OSError:
            if partial is not None:
                with contextlib.suppress(OSError):
                    os.unlink(partial.name)
            raise


def copy_file(source: Path, target: Path) -> None:
    """`shutil.copyfile`, whose write errors name `target` (not the source it read)."""
    with naming(target):
        shutil.copyfile(source, target)
