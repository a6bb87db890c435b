"""`jadwh`: the command line of jad-warehouse.

Exit codes: 0 done; 1 the load ran but an operation it covered was not published (its
blocking checks failed: it is held back, the others are published);
2 bad arguments or nothing to work on; 3 another load holds the warehouse; 4 a query
failed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.console import Console

from orchestration.load_lock import holder, unless_loading
from orchestration.reports.terminal import shown, visible_output
from orchestration.settings import Paths, current_paths

app = typer.Typer(
    help=(
        "jad-warehouse: load police operations' results into one DuckDB warehouse, check "
        "them, and query them. Paths come from JAD_RAW_DIR (default raw/) and JAD_WAREHOUSE "
        "(default warehouse/jad.duckdb)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Bound to the streams of this invocation (set in the callback below): a tool's output may
# be redirected while a load runs, and the progress bar must keep its terminal.
console = Console(file=sys.stdout)
errors = Console(file=sys.stderr)

EXIT_NOT_PUBLISHED, EXIT_USAGE, EXIT_BUSY, EXIT_QUERY = 1, 2, 3, 4


def fail(message: str, code: int) -> typer.Exit:
    errors.print(f"[red]error:[/] {shown(message, keep_newlines=True)}")
    return typer.Exit(code)


@app.callback()
def _root() -> None:
    """jad-warehouse command line."""
    global console, errors
    console, errors = Console(file=sys.stdout), Console(file=sys.stderr)


@app.command()
def load(
    wait: bool = typer.Option(
        True, "--wait/--no-wait", help="Wait for a load in progress, or refuse at once (exit 3)."
    ),
    operation: str | None = typer.Option(
        None, "--operation", "-o", help="Load this operation (a folder of raw/), changed or not."
    ),
    force: bool = typer.Option(
        False, "--force", help="Load every operation, even those published with these inputs."
    ),
) -> None:
    """Land raw/, build the models, run every check, publish the warehouse if they pass,
    and print the reconciliation. Exit 1 when a blocking check kept it from publishing."""
    from orchestration.load import NothingToLoad, run_load
    from orchestration.load_lock import LoadInProgress
    from orchestration.reports.console import LoadProgressBar, print_landing_summary

    paths = current_paths()
    console.print(f"[bold]Loading[/] {shown(paths.raw_dir)} → {shown(paths.warehouse)}")
    started = time.monotonic()
    try:
        with LoadProgressBar(console) as progress, visible_output():
            outcome = run_load(
                paths,
                wait_seconds=None if wait else 0,
                operation=operation,
                quiet=True,
                force=force,
            )
    except LoadInProgress as busy:
        raise fail(str(busy), EXIT_BUSY) from None
    except NothingToLoad as nothing:
        raise fail(str(nothing), EXIT_USAGE) from None
    except OSError as problem:  # a folder of the warehouse or of Dagster cannot be written
        raise fail(_not_writable(problem, paths), EXIT_NOT_PUBLISHED) from None
    if outcome.run_id is None:
        from orchestration.publish.atomic import last_publish
        from orchestration.reports.console import print_held_back

        waiting = {
            op: state
            for op, state in ((last_publish(paths) or {}).get("operations") or {}).items()
            if state.get("status") != "current"
        }
        console.print(
            f"Nothing new in {outcome.up_to_date} operation(s) since their last load; "
            f"{shown(paths.warehouse)} is unchanged (`jadwh load --force` reloads all)."
        )
        if waiting:
            # held back with these very inputs: it would be held back again
            print_held_back(errors, waiting)
            errors.print(
                "[red]Not published:[/] the operation(s) above wait for a change of their "
                "files or seeds (jadwh quarantine says what to change)."
            )
            raise typer.Exit(EXIT_NOT_PUBLISHED)
        return
    print_landing_summary(console, progress.summaries)
    elapsed = time.monotonic() - started
    # what the load built is read under the load lock: a load started meanwhile (the
    # daemon's) would fail if this read its build database beside it
    with unless_loading(paths.load_lock) as free:
        _print_outcome(outcome, paths, elapsed, free)


def _not_writable(problem: OSError, paths) -> str:
    """One sentence naming the path that failed and the setting that put it there."""
    where = problem.filename or paths.warehouse.parent
    setting = paths.setting_for(where)
    remedy = f"check {setting}, its" if setting else "check the folder's"
    return (
        f"cannot write {where}: {problem.strerror or problem}; {remedy} permissions and "
        "free space. Nothing was published."
    )


def _print_outcome(outcome, paths, elapsed: float, build_readable: bool) -> None:
    from orchestration.reports.console import (
        print_findings,
        print_held_back,
        print_reconciliation,
    )

    database = paths.warehouse if outcome.published else paths.build_database
    if database.exists() and (outcome.published or build_readable):
        print_reconciliation(console, database)
    findings = print_findings if build_readable else _findings_later
    if outcome.published:
        held = outcome.held_back
        current = [op for op in outcome.operations if op not in held]
        if current:
            console.print(
                f"[green]Published[/] {shown(paths.warehouse)} in {elapsed:.1f} s "
                f"(run {outcome.run_id[:8]}): {shown(', '.join(current))} current; "
                f"reports in {shown(paths.reports_dir)}"
            )
        if not held:
            return
        print_held_back(errors, held)
        findings(errors, paths.build_database, only=list(held))
        raise typer.Exit(EXIT_NOT_PUBLISHED)
    findings(errors, paths.build_database)
    for message in outcome.errors:
        errors.print(f"[red]error:[/] {shown(message)}")
    last_good = (
        f"{shown(paths.warehouse)} is unchanged (the last good warehouse)"
        if paths.warehouse.exists()
        else f"no warehouse has been published at {shown(paths.warehouse)} yet"
    )
    errors.print(
        f"[red]Not published:[/] the load stopped at "
        f"{shown(', '.join(outcome.failed_steps) or 'a check')}; "
        f"{last_good}. See run {outcome.run_id[:8]} in the Dagster UI (make ui)."
    )
    raise typer.Exit(EXIT_NOT_PUBLISHED)


def _findings_later(console: Console, database: Path, only: list[str] | None = None) -> None:
    console.print(
        "[yellow]Another load started meanwhile:[/] its build is not read beside it; "
        "`jadwh quarantine` and the Dagster UI show the findings once it has finished"
    )


@app.command()
def status() -> None:
    """What is loaded, when it was last published, and what waits in the quarantine."""
    from orchestration.reports.console import print_status

    paths = current_paths()
    if not paths.warehouse.exists():
        if paths.attempt_record.exists():
            raise fail(
                f"no warehouse has been published at {paths.warehouse} yet: the last load "
                f"did not publish ({paths.attempt_record.read_text(encoding='utf-8')[:400]})",
                EXIT_USAGE,
            )
        raise fail(f"no warehouse at {paths.warehouse} yet; run `jadwh load` first", EXIT_USAGE)
    print_status(console, paths)


@app.command()
def sql(
    query: str = typer.Argument(
        ..., help='A SQL query, e.g. "select * from marts.fct_operation_results".'
    ),
    csv: Path | None = typer.Option(None, "--csv", help="Write the result to this CSV file."),
    parquet: Path | None = typer.Option(
        None, "--parquet", help="Write the result to this Parquet file."
    ),
    limit: int = typer.Option(
        50, "--limit", min=1, help="Rows shown on screen (files get every row)."
    ),
    timeout: float | None = typer.Option(
        None,
        "--timeout",
        min=0.1,
        help="Stop the query after this many seconds (default: JAD_SQL_TIMEOUT_SECONDS, else 60).",
    ),
) -> None:
    """Run a query on the published warehouse, read-only: print it, or write CSV/Parquet.
    The query reads the warehouse's tables and nothing else: no files, no ATTACH, no COPY,
    no extensions, no settings; memory and time are limited. Exit 4 when it fails."""
    from orchestration.reports.export import QueryFailed, run_query
    from orchestration.settings import SettingError

    paths = current_paths()
    if not paths.warehouse.exists():
        raise fail(f"no warehouse at {paths.warehouse} yet; run `jadwh load` first", EXIT_USAGE)
    if csv and parquet:
        raise fail("choose one of --csv and --parquet", EXIT_USAGE)
    try:
        run_query(
            console, paths.warehouse, query, csv=csv, parquet=parquet, limit=limit, timeout=timeout
        )
    except QueryFailed as problem:
        raise fail(str(problem), EXIT_QUERY) from None
    except SettingError as problem:
        raise fail(str(problem), EXIT_USAGE) from None


@app.command()
def quarantine(
    operation: str | None = typer.Option(None, "--operation", "-o", help="Only this operation."),
    severity: str | None = typer.Option(
        None, "--severity", "-s", help="Only this severity: error, warning or file_rejected."
    ),
    by_cell: bool = typer.Option(
        False, "--by-cell", help="One line per cell instead of one per problem."
    ),
    suggest: Path | None = typer.Option(
        None,
        "--suggest",
        help="Write to this CSV the seed rows and template hints that would resolve each "
        "problem, with proposed codes and an empty decision column to fill in.",
    ),
) -> None:
    """What waits for a data steward, grouped by problem (one unknown label, unit, day word,
    template or file each), from the latest load (published or not)."""
    if severity not in (None, "error", "warning", "file_rejected"):
        raise fail(
            f"--severity must be error, warning or file_rejected, not {severity!r}", EXIT_USAGE
        )
    paths = current_paths()
    if paths.build_database.exists():
        # the latest load's quarantine, published or not: read under the load lock (a reader
        # beside a load would make it fail), or, while a load runs, the published one
        with unless_loading(paths.load_lock) as free:
            if free:
                _show_quarantine(paths.build_database, paths, operation, severity, by_cell, suggest)
                return
        if not paths.warehouse.exists():
            raise fail(
                f"a load is running{holder(paths.load_lock)} and no warehouse has been "
                "published yet; run `jadwh quarantine` again when it has finished",
                EXIT_BUSY,
            )
        errors.print(
            f"[yellow]A load is running{shown(holder(paths.load_lock))}:[/] this is the "
            f"quarantine of the published warehouse {shown(paths.warehouse)}; run again when "
            "the load has finished for the latest"
        )
    elif not paths.warehouse.exists():
        raise fail(f"no warehouse at {paths.warehouse} yet; run `jadwh load` first", EXIT_USAGE)
    _show_quarantine(paths.warehouse, paths, operation, severity, by_cell, suggest)


def _show_quarantine(
    source: Path,
    paths: Paths,
    operation: str | None,
    severity: str | None,
    by_cell: bool,
    suggest: Path | None,
) -> None:
    from orchestration.reports.console import print_quarantine, print_quarantine_groups
    from orchestration.steward.groups import group_items, read_items

    # the steward sees the texts screening kept out of the warehouse: they are kept for
    # this build, beside it, readable by its owner only
    items = read_items(source, operation, severity, withheld=paths.withheld_dir)
    if by_cell:
        print_quarantine(console, source, items)
        return
    groups = group_items(items)
    print_quarantine_groups(console, source, groups)
    if suggest is not None:
        from orchestration.settings import seeds_dir
        from orchestration.steward.suggest import Evidence, suggestion_rows, write_suggestions

        rows = suggestion_rows(groups, Evidence.gather(source, seeds_dir(), groups))
        try:
            write_suggestions(suggest, rows)
        except OSError as problem:
            raise fail(
                f"cannot write {suggest}: {problem.strerror or problem}", EXIT_USAGE
            ) from None
        proposed = sum(1 for r in rows if r["code"] or r["value"])
        console.print(
            f"wrote {suggest}: {len(rows)} row(s) for {len({r['group'] for r in rows})} of "
            f"{len(groups)} problem(s), {proposed} with a proposed code or value (proposals "
            "only: check each). Write accept or skip in every row's decision column, correct "
            "the code where needed, then run `jadwh seeds apply "
            f"{suggest}` and `jadwh load`."
        )


seeds_app = typer.Typer(help="The vocabulary seeds (dbt_project/seeds/) a steward extends.")
app.add_typer(seeds_app, name="seeds")


@seeds_app.command("apply")
def seeds_apply(
    suggestions: Path = typer.Argument(
        ..., help="A suggestions file written by `jadwh quarantine --suggest`, decided."
    ),
) -> None:
    """Check an edited suggestions file (every row decided, codes and languages known, no
    row the seeds already hold, hints valid) and append its accepted rows to the seeds.
    Nothing is appended when any row has a problem (exit 2, one sentence per problem)."""
    from orchestration.settings import seeds_dir
    from orchestration.steward.seeds import apply_suggestions

    if not suggestions.is_file():
        raise fail(f"{suggestions} is not a file", EXIT_USAGE)
    try:
        result = apply_suggestions(suggestions, seeds_dir())
    except (ValueError, OSError, UnicodeDecodeError) as problem:
        raise fail(str(problem), EXIT_USAGE) from None
    if result.problems:
        for problem in result.problems:
            errors.print(f"[red]problem:[/] {shown(problem)}")
        raise fail(
            f"{len(result.problems)} problem(s) in {suggestions}; nothing was appended", EXIT_USAGE
        )
    for target, rows in sorted(result.appended.items()):
        console.print(f"appended {len(rows)} row(s) to {seeds_dir() / target}")
    console.print(
        f"{sum(len(r) for r in result.appended.values())} row(s) appended, {result.skipped} "
        "skipped; `jadwh load` reads the files again with them."
    )


@app.command()
def report(
    operation: str | None = typer.Option(None, "--operation", "-o", help="Only this operation."),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the HTML files (default: warehouse/reports)."
    ),
) -> None:
    """Write the operation report(s) as self-contained HTML from the published warehouse."""
    from orchestration.reports.operation_report import write_reports

    paths = current_paths()
    if not paths.warehouse.exists():
        raise fail(f"no warehouse at {paths.warehouse} yet; run `jadwh load` first", EXIT_USAGE)
    try:
        written = write_reports(
            paths.warehouse,
            paths.raw_dir,
            out or paths.reports_dir,
            [operation] if operation else None,
        )
    except KeyError as unknown:
        raise fail(str(unknown.args[0]), EXIT_USAGE) from None
    for path in written:
        console.print(f"wrote {shown(path)}")


@app.command()
def docs() -> None:
    """Generate the dbt documentation (every model and column) as one static HTML page."""
    from orchestration.reports.dbt_docs import generate_dbt_docs

    paths = current_paths()
    if not paths.build_database.exists():
        raise fail("no build database yet; run `jadwh load` first", EXIT_USAGE)
    console.print(f"wrote {shown(generate_dbt_docs(paths))}")


def main() -> None:  # pragma: no cover - console script entry
    app()
