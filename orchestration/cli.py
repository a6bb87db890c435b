"""`jadwh`: the command line of jad-warehouse."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from orchestration.settings import current_paths

app = typer.Typer(
    help="jad-warehouse: load police operations' results into one DuckDB warehouse.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


@app.callback()
def _root() -> None:
    """Paths come from JAD_RAW_DIR (default raw/) and JAD_WAREHOUSE (default warehouse/jad.duckdb)."""


@app.command()
def load(
    wait: bool = typer.Option(
        True, "--wait/--no-wait", help="Wait for a load in progress, or refuse at once."
    ),
    operation: str | None = typer.Option(
        None, "--operation", "-o", help="Load only this operation (a folder of raw/)."
    ),
) -> None:
    """Load raw/ through Dagster, check it, publish the warehouse, print the reconciliation."""
    from orchestration.load import NothingToLoad, run_load
    from orchestration.publish.lock import LoadInProgress
    from orchestration.reports.console import print_findings, print_reconciliation

    paths = current_paths()
    console.print(f"[bold]Loading[/] {paths.raw_dir} -> {paths.warehouse}")
    try:
        outcome = run_load(paths, wait_seconds=None if wait else 0, operation=operation)
    except LoadInProgress as busy:
        errors.print(f"[red]error:[/] {busy}")
        raise typer.Exit(3) from None
    except NothingToLoad as nothing:
        errors.print(f"[red]error:[/] {nothing}")
        raise typer.Exit(2) from None
    database = paths.warehouse if outcome.published else paths.build_database
    if database.exists():
        print_reconciliation(console, database)
    if outcome.published:
        console.print(f"[green]Published[/] {paths.warehouse} (run {outcome.run_id[:8]})")
        return
    print_findings(errors, paths.build_database)
    errors.print(
        f"[red]Not published:[/] the load stopped at {', '.join(outcome.failed_steps) or 'a check'}; "
        f"{paths.warehouse} is unchanged (the last good warehouse). "
        f"See run {outcome.run_id[:8]} in the Dagster UI (make ui)."
    )
    raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console script entry
    sys.exit(app())
