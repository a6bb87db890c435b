"""What a load plan knows of raw/ between loads: size, modification time and hash."""

import hashlib
import os
import time
from pathlib import Path

from orchestration.automation.raw_files import scan_remembered

HOUR_NS = 3600 * 1_000_000_000


def _operation(raw: Path, name: str = "OP-1") -> Path:
    submissions = raw / name / "submissions"
    submissions.mkdir(parents=True)
    (raw / name / "operation.yaml").write_text("operation_id: OP-1\n")
    return submissions


def _rewrite(path: Path, content: bytes, mtime_ns: int) -> None:
    path.write_bytes(content)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_settled_files_keep_their_hash_and_any_new_stat_is_hashed_again(tmp_path):
    raw, memory = tmp_path / "raw", tmp_path / "build" / "jad.raw_files.json"
    settled = _operation(raw) / "HR.csv"
    an_hour_ago = time.time_ns() - HOUR_NS
    _rewrite(settled, b"HR;1\n", an_hour_ago)
    assert scan_remembered(raw, memory)["OP-1/submissions/HR.csv"].sha256 == _sha(b"HR;1\n")

    # Same size, same time: the remembered hash stands (the file was not read again) ...
    _rewrite(settled, b"HR;2\n", an_hour_ago)
    assert scan_remembered(raw, memory)["OP-1/submissions/HR.csv"].sha256 == _sha(b"HR;1\n")
    # ... any other modification time, or size, and the file is hashed again.
    _rewrite(settled, b"HR;2\n", an_hour_ago + 1)
    assert scan_remembered(raw, memory)["OP-1/submissions/HR.csv"].sha256 == _sha(b"HR;2\n")


def test_a_file_still_being_written_is_not_remembered(tmp_path):
    raw, memory = tmp_path / "raw", tmp_path / "build" / "jad.raw_files.json"
    fresh = _operation(raw) / "IE.csv"
    now = time.time_ns()
    _rewrite(fresh, b"IE;1\n", now)
    scan_remembered(raw, memory)
    _rewrite(fresh, b"IE;9\n", now)  # changed again within the same modification time
    assert scan_remembered(raw, memory)["OP-1/submissions/IE.csv"].sha256 == _sha(b"IE;9\n")


def test_what_is_remembered_of_another_raw_folder_is_not_used(tmp_path):
    memory = tmp_path / "build" / "jad.raw_files.json"
    an_hour_ago = time.time_ns() - HOUR_NS
    for name, content in (("raw_a", b"a;1\n"), ("raw_b", b"b;1\n")):
        _rewrite(_operation(tmp_path / name) / "HR.csv", content, an_hour_ago)
    scan_remembered(tmp_path / "raw_a", memory)
    states = scan_remembered(tmp_path / "raw_b", memory)
    assert states["OP-1/submissions/HR.csv"].sha256 == _sha(b"b;1\n")


def test_an_unreadable_memory_means_hashing_everything(tmp_path):
    raw, memory = tmp_path / "raw", tmp_path / "build" / "jad.raw_files.json"
    _rewrite(_operation(raw) / "HR.csv", b"HR;1\n", time.time_ns() - HOUR_NS)
    memory.parent.mkdir(parents=True)
    memory.write_text("not what a scan writes")
    assert scan_remembered(raw, memory)["OP-1/submissions/HR.csv"].sha256 == _sha(b"HR;1\n")
