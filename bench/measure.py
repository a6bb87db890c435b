"""One measurement in its own process (so that its peak memory is its own):

    python -m bench.measure read_limit   RAW_DIR
    python -m bench.measure naive_pandas RAW_DIR
    python -m bench.measure load         RAW_DIR WAREHOUSE [OPERATION]
    python -m bench.measure landing      RAW_DIR DATABASE WORKERS

It prints one JSON line: seconds, files, and for a load the seconds of each Dagster step.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
import warnings
from pathlib import Path

SPREADSHEETS = (".xlsx", ".xls", ".ods")


def submission_files(raw_dir: Path) -> list[Path]:
    return sorted(p for p in raw_dir.glob("*/submissions/*") if p.is_file())


def read_limit(raw_dir: Path) -> dict:
    """python-calamine reading every cell of every file (csv: decoding and splitting), nothing else."""
    import csv

    import python_calamine

    files = submission_files(raw_dir)
    started = time.perf_counter()
    cells = 0
    for path in files:
        if path.suffix.lower() in SPREADSHEETS:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
            cells += sum(len(row) for row in csv.reader(io.StringIO(text), delimiter=";"))
    return {"seconds": time.perf_counter() - started, "files": len(files), "cells": cells}


def naive_pandas(raw_dir: Path) -> dict:
    """What a user would write: pandas.read_excel with openpyxl (odf for ods) per file."""
    import pandas as pd

    warnings.filterwarnings("ignore")
    files = submission_files(raw_dir)
    started = time.perf_counter()
    for path in files:
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
        elif suffix == ".ods":
            pd.read_excel(path, sheet_name=None, header=None, engine="odf")
        elif suffix == ".xls":
            pd.read_excel(
                path, sheet_name=None, header=None, engine="calamine"
            )  # xlrd is not installed
        else:
            pd.read_csv(
                path,
                sep=None,
                engine="python",
                header=None,
                encoding_errors="replace",
                on_bad_lines="skip",
            )
    return {"seconds": time.perf_counter() - started, "files": len(files)}


def load(raw_dir: Path, warehouse: Path, operation: str | None = None) -> dict:
    """A jadwh load (of one operation, forced, when named), in process, with the time of
    each of its steps."""
    import dagster as dg

    from orchestration.load import run_load
    from orchestration.settings import Paths

    started = time.perf_counter()
    outcome = run_load(
        Paths(raw_dir=raw_dir, warehouse=warehouse),
        instance=dg.DagsterInstance.ephemeral(),
        quiet=True,
        operation=operation,
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mib_own": _peak_mib(resource.RUSAGE_SELF),
        "peak_rss_mib_children": _peak_mib(resource.RUSAGE_CHILDREN),  # dbt, the GX validator
        "published": outcome.published,
        "ran": outcome.run_id is not None,
        "failed_steps": outcome.failed_steps,
        "steps": outcome.step_seconds,
    }


def landing(raw_dir: Path, database: Path, workers: int) -> dict:
    """Landing alone (sniff, read, find tables, observations, append to DuckDB) into a new
    database, with `workers` reading processes: no Dagster, no dbt. What parallel reading
    buys on this machine, and what ingestion costs without the run around it."""
    from orchestration.connections import connect
    from orchestration.ingest.versions import reader_version
    from orchestration.ingest.vocabulary import load_vocabulary
    from orchestration.landing.land import land_operations

    database.unlink(missing_ok=True)
    operation_dirs = sorted(p.parent for p in raw_dir.glob("*/operation.yaml"))
    vocabulary = load_vocabulary()
    started = time.perf_counter()
    con = connect(database)
    try:
        summaries = land_operations(
            con, operation_dirs, vocabulary, reader_version(), workers=workers
        )
    finally:
        con.close()
    seconds = time.perf_counter() - started
    database.unlink(missing_ok=True)
    return {
        "seconds": seconds,
        "files": sum(s.files_read for s in summaries),
        "observations": sum(s.observations for s in summaries),
    }


def _peak_mib(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux: KiB


def main() -> None:
    mode, raw_dir = sys.argv[1], Path(sys.argv[2])
    if mode == "read_limit":
        result = read_limit(raw_dir)
    elif mode == "naive_pandas":
        result = naive_pandas(raw_dir)
    elif mode == "load":
        result = load(raw_dir, Path(sys.argv[3]), *sys.argv[4:5])
    elif mode == "landing":
        result = landing(raw_dir, Path(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode!r}: read_limit, naive_pandas, load or landing")
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
