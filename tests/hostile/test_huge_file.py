"""A 3 GiB file dropped into raw/ costs the load plan (and so the sensor and the schedule,
which decide with it) no more memory than a small one: it is hashed as a stream, never read
whole, and landing refuses it by its size before opening it."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from orchestration.changes.files import SETTLE_NS, decode
from orchestration.ingest.limits import Limits
from orchestration.raw_entries import refusal
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw

GIB = 1024**3
ZEROS_3_GIB = "305b66a59d15b252092fbda9d09711230c429f351897cbd430e7b55a35fd3b97"

PLAN = """
import json, sys
from pathlib import Path
from orchestration.changes.plan import plan_load
from orchestration.raw_layout import discover_operations
from orchestration.settings import Paths

paths = Paths(raw_dir=Path(sys.argv[1]), warehouse=Path(sys.argv[2]))
operations = [p.name for p in discover_operations(paths.raw_dir)]
plan = plan_load(paths, operations)
# VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's peak when it was forked
# (a test session that has grown to 550 MiB), VmHWM is this process's own
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({"peak_kib": peak, "operations": plan.operations}))
"""


def test_the_plan_over_a_3_gib_file_peaks_under_200_mib(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    huge = raw / SEED_OPERATION / "submissions" / "SI_export.csv"
    with huge.open("wb") as handle:  # sparse: 3 GiB to read, nothing on the disk
        handle.truncate(3 * GIB)
    time.sleep(SETTLE_NS / 1e9 + 0.5)  # a file changed this moment is hashed, not remembered
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    done = subprocess.run(
        [sys.executable, "-c", PLAN, str(paths.raw_dir), str(paths.warehouse)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    measured = json.loads(done.stdout)
    assert measured["operations"] == [SEED_OPERATION]
    assert measured["peak_kib"] < 200 * 1024, measured  # about 40 MiB; read whole, 3 GiB
    # it was hashed, to the last byte (remembered: it had settled before the scan began)
    hashed = decode(paths.raw_files_memory.read_text().split("\n", 1)[1])
    assert hashed[f"{SEED_OPERATION}/submissions/SI_export.csv"].sha256 == ZEROS_3_GIB

    refused = refusal(huge, huge.stat().st_size, Limits())
    assert refused is not None and refused.reason_code == "file_too_large"
