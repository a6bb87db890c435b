"""The benchmark: synthetic corpora of several sizes, each measured in one run on one machine.

    python -m bench.run [--sizes 1,30,300] [--work bench/work] [--skip-naive]

For each size (operations of ~36 country files written by the corpus generator):

    read_limit        python-calamine reading every cell of every file, nothing else
    naive_pandas      pandas.read_excel with openpyxl (odf for ods) per file
    full_load         jadwh load into an empty warehouse: landing, dbt, checks, publish
    nothing_new       the same load again: it finds nothing changed and starts no run
    empty_load        a load of one unchanged operation, forced: the fixed cost of a run
                      (Dagster, dbt build, checks, publish) when there is nothing to add
    incremental_load  a load after one new file in that operation
                      (these two in PAIRS rounds, one after the other; the medians are
                      reported, and the ratio of each pair: the machine's noise is of the
                      size of the difference)
    landing_workers_N landing alone (no Dagster, no dbt) into a new database with N
                      reading processes (1 and 2): what parallel reading buys here

and, once, landing alone on real files: the committed operation (time per file) and the
wild corpus of tests/fixtures/wild (every file read or refused in its own process),

each in its own process, with its peak resident memory. Prints a table and writes
bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LANDING_STEP = "land_raw_files"
PAIRS = 3  # rounds of (load of nothing, one new file)


def measure(*args: str) -> tuple[dict, float]:
    """Run `python -m bench.measure ARGS` alone; its JSON result and its peak RSS in MiB."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.measure", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"bench.measure {' '.join(args)} failed")
    # Linux: ru_maxrss in KiB, the largest of the process and its waited-for children (dbt)
    return json.loads(output.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def corpus(work: Path, operations: int) -> Path:
    """A synthetic raw/ folder of `operations` operations (kept between runs)."""
    from corpus.synthetic import write_synthetic

    raw = work / f"size-{operations}" / "raw"
    marker = raw / ".complete"
    if not marker.exists():
        shutil.rmtree(raw, ignore_errors=True)
        write_synthetic(raw, operations, seed=2026, countries=33, days=4)
        shutil.rmtree(raw / "_truth", ignore_errors=True)
        marker.write_text("ok\n")
    return raw


def warm(raw: Path) -> None:
    """Read every file once, so that every contender starts from the page cache."""
    for path in raw.rglob("*"):
        if path.is_file():
            path.read_bytes()


def add_one_file(raw: Path, round_number: int) -> Path:
    """One new file in the latest operation: a country's csv sent again with more bytes."""
    source = sorted(p for p in raw.glob("*/submissions/*.csv") if "_resent" not in p.name)[-1]
    target = source.with_name(f"{source.stem}_resent{round_number}{source.suffix}")
    target.write_bytes(source.read_bytes() + b"\n" * (round_number + 1))
    return target


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def incremental_pairs(
    raw: Path, warehouse: Path, console: Console
) -> list[tuple[dict, float, dict, float]]:
    """PAIRS rounds of: the fixed cost of a run (the operation forced, its new file not yet
    arrived), then the load once the file has arrived."""
    pairs = []
    for round_number in range(PAIRS):
        added = add_one_file(raw, round_number)
        operation = added.parent.parent.name
        waiting = added.rename(raw.parent / added.name)  # not yet arrived
        empty, empty_rss = measure("load", str(raw), str(warehouse), operation)
        waiting.rename(added)
        incremental, incremental_rss = measure("load", str(raw), str(warehouse))
        console.print(
            f"  load of nothing  {empty['seconds']:.2f} s, then one new file "
            f"{incremental['seconds']:.2f} s ({incremental['seconds'] / empty['seconds']:.2f})"
        )
        pairs.append((empty, empty_rss, incremental, incremental_rss))
    return pairs


def bench_size(operations: int, work: Path, naive: bool, console: Console) -> dict:
    raw = corpus(work, operations)
    warehouse = work / f"size-{operations}" / "warehouse" / "jad.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    for resent in [*raw.glob("*/submissions/*_resent*.*"), *raw.parent.glob("*_resent*.*")]:
        resent.unlink()
    warm(raw)
    console.print(f"[bold]{operations} operation(s)[/]: {raw}")
    read, read_rss = measure("read_limit", str(raw))
    read_again, _ = measure("read_limit", str(raw))
    read["seconds"] = min(read["seconds"], read_again["seconds"])
    console.print(
        f"  read limit       {read['seconds']:.2f} s, {read['files']} files, {read['cells']} cells"
    )
    pandas_result, pandas_rss = (
        measure("naive_pandas", str(raw)) if naive else ({"seconds": None}, None)
    )
    if naive:
        console.print(f"  naive pandas     {pandas_result['seconds']:.2f} s")
    landing_seconds, landing_rss = {}, {}
    for workers in (1, 2):
        scratch = work / f"size-{operations}" / "landing.duckdb"
        result, rss = measure("landing", str(raw), str(scratch), str(workers))
        landing_seconds[workers], landing_rss[workers] = result["seconds"], rss
        console.print(f"  landing alone    {result['seconds']:.2f} s with {workers} worker(s)")
    full, full_rss = measure("load", str(raw), str(warehouse))
    console.print(f"  full load        {full['seconds']:.2f} s (published: {full['published']})")
    nothing, nothing_rss = measure("load", str(raw), str(warehouse))
    console.print(f"  nothing new      {nothing['seconds']:.2f} s (a run: {nothing['ran']})")
    pairs = incremental_pairs(raw, warehouse, console)
    empty_seconds = median([e["seconds"] for e, _, _, _ in pairs])
    incremental_seconds = median([i["seconds"] for _, _, i, _ in pairs])
    empty_rss = max(r for _, r, _, _ in pairs)
    incremental_rss = max(r for _, _, _, r in pairs)
    empty, _, incremental, _ = pairs[-1]  # the steps of the last round
    landing = full["steps"].get(LANDING_STEP)
    return {
        "size": operations,
        "files": read["files"],
        "cells": read["cells"],
        "ingest_ratio_to_read_limit": round(landing / read["seconds"], 2) if landing else None,
        "incremental_ratio_to_empty_load": round(incremental_seconds / empty_seconds, 3),
        "incremental_ratio_of_each_pair": [
            round(i["seconds"] / e["seconds"], 3) for e, _, i, _ in pairs
        ],
        "peak_rss_mib": round(
            max(
                r
                for r in (
                    read_rss,
                    pandas_rss,
                    *landing_rss.values(),
                    full_rss,
                    nothing_rss,
                    empty_rss,
                    incremental_rss,
                )
                if r
            ),
            1,
        ),
        "peak_rss_mib_by_run": {
            "read_limit": round(read_rss, 1),
            "naive_pandas": round(pandas_rss, 1) if pandas_rss else None,
            "full_load": round(full_rss, 1),
            "nothing_new": round(nothing_rss, 1),
            "empty_load": round(empty_rss, 1),
            "incremental_load": round(incremental_rss, 1),
            "landing_workers_1": round(landing_rss[1], 1),
            "landing_workers_2": round(landing_rss[2], 1),
        },
        "parallel_reading_speedup": round(landing_seconds[1] / landing_seconds[2], 2),
        "published": full["published"] and incremental["published"],
        "warehouse_mib": round(warehouse.stat().st_size / 2**20, 1),
        "seconds": {
            "read_limit": round(read["seconds"], 3),
            "naive_pandas": round(pandas_result["seconds"], 3)
            if pandas_result["seconds"]
            else None,
            "full_load": round(full["seconds"], 3),
            "ingest": round(landing, 3) if landing else None,
            "nothing_new": round(nothing["seconds"], 3),
            "empty_load": round(empty_seconds, 3),
            "incremental_load": round(incremental_seconds, 3),
            "landing_workers_1": round(landing_seconds[1], 3),
            "landing_workers_2": round(landing_seconds[2], 3),
        },
        "empty_load_steps": {
            k: round(v, 3) for k, v in sorted(empty["steps"].items(), key=lambda kv: -kv[1])
        },
        "full_load_steps": {
            k: round(v, 3) for k, v in sorted(full["steps"].items(), key=lambda kv: -kv[1])
        },
        "incremental_load_steps": {
            k: round(v, 3) for k, v in sorted(incremental["steps"].items(), key=lambda kv: -kv[1])
        },
    }


def real_files(work: Path, console: Console) -> dict:
    """Landing alone on real files: the committed operation (ingest per file) and the wild
    corpus (tests/fixtures/wild: 155 files from spreadsheet libraries' test suites, each read
    or refused in its own reading process). Time per file and the peak memory."""
    wild = work / "wild" / "raw"
    if not (wild / ".complete").exists():
        shutil.rmtree(wild, ignore_errors=True)
        manifest = next((ROOT / "raw").glob("*/operation.yaml"))  # its days and countries
        submissions = wild / manifest.parent.name / "submissions"
        submissions.mkdir(parents=True)
        (submissions.parent / "operation.yaml").write_bytes(manifest.read_bytes())
        sources = sorted(p for p in (ROOT / "tests/fixtures/wild/files").rglob("*") if p.is_file())
        for number, source in enumerate(sources):
            (submissions / f"{number:03d}_{source.name}").write_bytes(source.read_bytes())
        (wild / ".complete").write_text("ok\n")
    found = {}
    for name, raw in (("committed", ROOT / "raw"), ("wild", wild)):
        warm(raw)
        result, rss = measure("landing", str(raw), str(work / f"{name}.duckdb"), "1")
        files = max(result["files"], 1)
        found[name] = {
            "files": result["files"],
            "seconds": round(result["seconds"], 3),
            "ms_per_file": round(1000 * result["seconds"] / files, 1),
            "peak_rss_mib": round(rss, 1),
        }
        console.print(
            f"[bold]{name} files[/]: {result['files']} read in {result['seconds']:.2f} s "
            f"({found[name]['ms_per_file']:.0f} ms a file), peak {rss:.0f} MiB"
        )
    return found


def print_table(console: Console, sizes: list[dict]) -> None:
    table = Table(title="jad-warehouse benchmark", title_justify="left")
    for column in (
        "operations",
        "files",
        "read limit s",
        "naive pandas s",
        "ingest s",
        "ingest / read limit",
        "landing 1 → 2 workers s",
        "full load s",
        "nothing new s",
        "load of nothing s",
        "one new file s",
        "one new file / nothing",
        "peak RSS MiB",
    ):
        table.add_column(column, justify="right")
    for s in sizes:
        seconds = s["seconds"]
        table.add_row(
            str(s["size"]),
            str(s["files"]),
            f"{seconds['read_limit']:.2f}",
            "—" if seconds["naive_pandas"] is None else f"{seconds['naive_pandas']:.1f}",
            f"{seconds['ingest']:.2f}",
            f"{s['ingest_ratio_to_read_limit']:.1f}x",
            f"{seconds['landing_workers_1']:.1f} → {seconds['landing_workers_2']:.1f}",
            f"{seconds['full_load']:.1f}",
            f"{seconds['nothing_new']:.1f}",
            f"{seconds['empty_load']:.1f}",
            f"{seconds['incremental_load']:.1f}",
            f"{s['incremental_ratio_to_empty_load']:.2f}",
            f"{s['peak_rss_mib']:.0f}",
        )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1,30,300", help="numbers of operations, comma-separated"
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "bench" / "work", help="where corpora and warehouses go"
    )
    parser.add_argument("--skip-naive", action="store_true", help="skip the pandas baseline (slow)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    console = Console(width=200)  # the table is wide; a pipe must not truncate it
    started = time.monotonic()
    sizes = [
        bench_size(int(n), args.work, not args.skip_naive, console) for n in args.sizes.split(",")
    ]
    print_table(console, sizes)
    real = real_files(args.work, console)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    result = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "total_seconds": round(time.monotonic() - started, 1),
        "sizes": sizes,
        "real_files": real,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
