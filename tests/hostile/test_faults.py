"""Faults of the machine, not of the files: a load killed at random moments, a disk that
fills up, a warehouse path that cannot be written. The published warehouse stays the last
good one, the next load completes, and nothing is counted twice."""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw

JADWH = str(Path(sys.executable).parent / "jadwh")
FIGURES = """select operation_id, country_code, report_date, metric_code, value
             from marts.fct_country_results order by all"""
DUPLICATES = """select count(*) from (
    select operation_id, country_code, report_date, metric_code
    from marts.fct_country_results group by all having count(*) > 1)"""


def environment(paths: Paths) -> dict[str, str]:
    env = {**os.environ, "JAD_RAW_DIR": str(paths.raw_dir), "JAD_WAREHOUSE": str(paths.warehouse)}
    env.pop("DAGSTER_HOME", None)
    env["COLUMNS"] = "200"
    return env


def start(paths: Paths, *args: str, limit_file_bytes: int | None = None) -> subprocess.Popen:
    def limited():
        if limit_file_bytes is not None:  # a full disk: writes past the limit fail (EFBIG)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.Popen(
        [JADWH, "load", *args],
        env=environment(paths),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a kill takes dbt with it
        preexec_fn=limited,
    )


def figures(database: Path) -> tuple[list, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(FIGURES).fetchall(), con.execute(DUPLICATES).fetchone()[0]
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def like_seed(seed_warehouse: Paths, root: Path) -> Paths:
    """A copy of the published seed warehouse and its build over a copy of raw/."""
    shutil.copytree(seed_warehouse.warehouse.parent, root / "warehouse")
    return Paths(raw_dir=copy_raw(root / "raw"), warehouse=root / "warehouse" / "jad.duckdb")


def resend(paths: Paths, times: int) -> None:
    """A country sends its file again (a new version, the same figures): a load with work
    to do, in which counting both versions would double the country's figures."""
    submissions = paths.raw_dir / SEED_OPERATION / "submissions"
    original = (submissions / "IE_results.csv").read_bytes()
    (submissions / f"IE_results_v{times}.csv").write_bytes(original + b"\r\n" * times)


def test_loads_killed_at_random_moments_never_break_the_warehouse(seed_warehouse, tmp_path):
    paths = like_seed(seed_warehouse, tmp_path)
    last_good, _ = figures(paths.warehouse)
    resend(paths, 1)
    began = time.monotonic()
    whole = start(paths)
    assert whole.wait(timeout=600) == 0, whole.stderr.read()
    duration = time.monotonic() - began
    assert figures(paths.warehouse) == (last_good, 0)
    rng = random.Random(20200924)
    for trial in range(2, 5):
        resend(paths, trial)
        load = start(paths)
        time.sleep(rng.uniform(0.5, duration))  # anywhere: landing, dbt, checks, the copy
        os.killpg(load.pid, signal.SIGKILL)
        load.wait(timeout=60)

        published, duplicates = figures(paths.warehouse)  # opens, whole, the same figures
        assert (published, duplicates) == (last_good, 0), f"trial {trial}"

        after = start(paths)  # the next ordinary load finishes the work
        assert after.wait(timeout=600) == 0, after.stderr.read()
        assert figures(paths.warehouse) == (last_good, 0), f"trial {trial}"
        assert list(paths.warehouse.parent.glob(".*.tmp")) == []  # no half copy left behind
        versions = figures_of_file(paths, f"IE_results_v{trial}.csv")
        assert versions == 1, f"trial {trial}: the latest version is the one that counts"


def figures_of_file(paths: Paths, file_name: str) -> int:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(
            """select count(*) from intermediate.int_submissions_ranked r
               join raw.submissions s using (operation_id, file_id)
               where s.file_name = ? and r.precedence_rank = 1""",
            [file_name],
        ).fetchone()[0]
    finally:
        con.close()


def test_a_full_disk_fails_clearly_and_publishes_nothing(seed_warehouse, tmp_path):
    paths = like_seed(seed_warehouse, tmp_path)
    published = sha256(paths.warehouse)
    size = paths.build_database.stat().st_size
    full = start(paths, "--force", limit_file_bytes=size // 2)
    assert full.wait(timeout=600) != 0
    errors = full.stderr.read()
    assert "File too large" in errors or "No space left" in errors, errors
    assert "is unchanged" in errors
    assert sha256(paths.warehouse) == published
    assert list(paths.warehouse.parent.glob(".*.tmp")) == []
    recovered = start(paths)  # room again: the next load publishes
    assert recovered.wait(timeout=600) == 0, recovered.stderr.read()
    assert figures(paths.warehouse) == figures(seed_warehouse.warehouse)


def test_an_unwritable_warehouse_path_fails_with_a_clear_message(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the warehouse folder should be\n")
    paths = Paths(raw_dir=copy_raw(tmp_path / "raw"), warehouse=blocker / "jad.duckdb")
    load = start(paths)
    assert load.wait(timeout=600) != 0
    errors = load.stderr.read()
    assert str(blocker) in errors and "Traceback" not in errors, errors
    assert blocker.read_text() == "a file where the warehouse folder should be\n"
