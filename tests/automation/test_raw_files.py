"""What a load plan knows of raw/ between loads: size, times, inode and hash of each file."""

import hashlib
import json
import os
from pathlib import Path

import pytest

from orchestration.changes import files as raw_files
from orchestration.changes.files import scan_remembered

FORGED = "f" * 64  # a hash no content has here: seen only if the memory was used


@pytest.fixture
def settled_at_once(monkeypatch):
    """Files count as settled as soon as they are written (the real rule waits 2 s)."""
    monkeypatch.setattr(raw_files, "SETTLE_NS", 0)


def _operation(raw: Path) -> Path:
    submissions = raw / "OP-1" / "submissions"
    submissions.mkdir(parents=True)
    (raw / "OP-1" / "operation.yaml").write_text("operation_id: OP-1\n")
    return submissions


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _forge(memory: Path, relative: str) -> None:
    """Put a hash in the memory that the file's content does not have."""
    raw_dir, cursor = memory.read_text().split("\n", 1)
    states = json.loads(cursor)
    states[relative][2] = FORGED
    memory.write_text(f"{raw_dir}\n{json.dumps(states)}")


def _hash_of(raw: Path, memory: Path, relative: str = "OP-1/submissions/HR.csv") -> str:
    return scan_remembered(raw, memory)[relative].sha256


def test_an_unchanged_file_keeps_its_hash_and_any_write_is_seen(tmp_path, settled_at_once):
    raw, memory = tmp_path / "raw", tmp_path / "build" / "jad.raw_files.json"
    path = _operation(raw) / "HR.csv"
    path.write_bytes(b"HR;1\n")
    assert _hash_of(raw, memory) == _sha(b"HR;1\n")

    _forge(memory, "OP-1/submissions/HR.csv")
    assert _hash_of(raw, memory) == FORGED  # unchanged: not read again

    # Same size, and the modification time put back as `rsync -a` or `touch -r` would:
    # the change time moved, so the file is read again.
    before = path.stat()
    path.write_bytes(b"HR;2\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _hash_of(raw, memory) == _sha(b"HR;2\n")


def test_a_file_still_being_written_is_not_remembered(tmp_path):
    raw, memory = tmp_path / "raw", tmp_path / "build" / "jad.raw_files.json"
    (_operation(raw) / "IE.csv").write_bytes(b"IE;1\n")  # written just now
    assert "OP-1/submissions/IE.csv" in scan_remembered(raw, memory)
    _, cursor = memory.read_text().split("\n", 1)
    assert json.loads(cursor) == {}  # it may change again within its time stamp


def test_what_is_remembered_of_another_raw_folder_is_not_used(tmp_path, settled_at_once):
    memory = tmp_path / "build" / "jad.raw_files.json"
    for name, content in (("raw_a", b"a;1\n"), ("raw_b", b"b;1\n")):
        (_operation(tmp_path / name) / "HR.csv").write_bytes(content)
    scan_remembered(tmp_path / "raw_a", memory)
    _forge(memory, "OP-1/submissions/HR.csv")
    assert _hash_of(tmp_path / "raw_b", memory) == _sha(b"b;1\n")


@pytest.mark.parametrize("damage", ["truncated", "not json", "a list"])
def test_an_unreadable_memory_means_hashing_everything(tmp_path, settled_at_once, damage):
    raw, memory = tmp_path / "raw", tmp_path / "build" / "jad.raw_files.json"
    (_operation(raw) / "HR.csv").write_bytes(b"HR;1\n")
    scan_remembered(raw, memory)
    _forge(memory, "OP-1/submissions/HR.csv")
    text = memory.read_text()
    memory.write_text(
        {
            "truncated": text[: len(text) // 2],
            "not json": f"{raw}\nnot what a scan writes",
            "a list": f"{raw}\n[]",
        }[damage]
    )
    assert _hash_of(raw, memory) == _sha(b"HR;1\n")


def test_a_memory_that_cannot_be_written_does_not_stop_the_scan(tmp_path, settled_at_once):
    raw = tmp_path / "raw"
    (_operation(raw) / "HR.csv").write_bytes(b"HR;1\n")
    blocked = tmp_path / "not a folder"
    blocked.write_text("a file where the build folder should be")
    assert _hash_of(raw, blocked / "jad.raw_files.json") == _sha(b"HR;1\n")
