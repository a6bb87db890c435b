"""A full disk or a folder that cannot be written is named in the error: the file that
failed and the setting that put it there (a full disk's OSError names no file of its own)."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.publish.atomic import write_json_atomically
from orchestration.writing import copy_file

JADWH = str(Path(sys.executable).parent / "jadwh")


@contextlib.contextmanager
def disk_full_beyond(size: int):
    """Writes past `size` bytes fail with EFBIG, as on a full disk (soft limit, restored)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_record_that_does_not_fit_names_itself_and_leaves_the_old_one(tmp_path):
    record = tmp_path / "jad.published.json"
    write_json_atomically({"run_id": "old"}, record)
    with disk_full_beyond(64), pytest.raises(OSError) as failed:
        write_json_atomically({"run_id": "new", "padding": "x" * 4096}, record)
    assert failed.value.filename == str(record)
    assert str(record) in str(failed.value)
    assert '"old"' in record.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jad.published.json"]


def test_a_copy_that_does_not_fit_names_the_copy_not_its_source(tmp_path):
    source, target = tmp_path / "build.duckdb", tmp_path / "warehouse.duckdb"
    source.write_bytes(b"x" * 100_000)
    with disk_full_beyond(4096), pytest.raises(OSError) as failed:
        copy_file(source, target)
    assert failed.value.filename == str(target)


def test_an_unusable_dagster_home_is_blamed_on_dagster_home(tmp_path):
    """Not on JAD_WAREHOUSE, which is fine: the user must know which folder to fix."""
    (tmp_path / "a-file").write_text("where DAGSTER_HOME's parent folder should be\n")
    home = tmp_path / "a-file" / "dagster_home"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "JAD_WAREHOUSE": str(tmp_path / "warehouse" / "jad.duckdb"),
        "COLUMNS": "300",
    }
    done = subprocess.run([JADWH, "load"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert f"cannot write {home}" in done.stderr and "check DAGSTER_HOME" in done.stderr
    assert "JAD_WAREHOUSE" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "warehouse" / "jad.duckdb").exists()
