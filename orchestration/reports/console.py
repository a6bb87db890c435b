"""The reconciliation table printed at the end of a load."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from orchestration import connections
from orchestration.formatting import bounds, figure
from orchestration.reports.terminal import shown
from orchestration.steward.groups import attempt_items_from, group_items

LEVELS = ("within_file", "within_country", "across_countries")


def print_reconciliation(console: Console, database: Path) -> None:
    """Per operation: every figure of the primary source against its bounds, and a line per
    level for the file and country checks (their failures listed with the cells); then what
    the other published sources give (not blocking), their conflicts and their own gaps;
    and the operations that have no submissions yet."""
    con = connections.connect(str(database), read_only=True)
    try:
        built = {
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
        if not {"reconciliation", "published_source_consistency"} <= built:
            return  # the load stopped before dbt built them: its findings say why
        rows = con.execute(
            """
            select operation_id, check_level, check_name, derived_value, qualifier,
                   published_value, lower_bound, upper_bound, lower_inclusive,
                   upper_inclusive, status, detail
            from marts.reconciliation
            where blocking
            order by operation_id, check_level, check_name
            """
        ).fetchall()
        others = con.execute(
            """
            select operation_id, source, check_name, derived_value, qualifier, published_value,
                   status, conflict
            from marts.reconciliation
            where not blocking
            order by operation_id, source, check_name
            """
        ).fetchall()
        gaps = con.execute(
            """
            select operation_id, source, detail, data_detail
            from marts.published_source_consistency
            where status = 'gap' order by operation_id, source, check_name
            """
        ).fetchall()
        waiting = con.execute(
            """
            select o.operation_id, count(f.value), count(distinct f.source)
            from marts.dim_operation o
            left join marts.fct_published_figures f using (operation_id)
            where o.submission_status = 'no submissions'
            group by o.operation_id order by o.operation_id
            """
        ).fetchall()
    finally:
        con.close()
    for operation_id in sorted({r[0] for r in rows}):
        checks = [r for r in rows if r[0] == operation_id]
        failed = sum(1 for r in checks if r[10] == "fail")
        table = Table(
            title=f"Reconciliation of {shown(operation_id)}: {len(checks) - failed} of {len(checks)} checks pass",
            title_justify="left",
        )
        for column, justify in (
            ("check", "left"),
            ("derived", "right"),
            ("published", "right"),
            ("bounds", "right"),
            ("status", "center"),
        ):
            table.add_column(column, justify=justify)
        for level in LEVELS:
            at_level = [r for r in checks if r[1] == level]
            if level != "across_countries":
                failing = [r for r in at_level if r[10] == "fail"]
                table.add_row(
                    f"{level.replace('_', ' ')}: {len(at_level)} checks",
                    "",
                    "",
                    "",
                    _status("fail" if failing else "pass"),
                )
                at_level = failing
            for (
                _,
                _,
                name,
                derived,
                qualifier,
                published,
                lo,
                hi,
                lo_in,
                hi_in,
                status,
                _,
            ) in at_level:
                table.add_row(
                    shown(name),
                    figure(derived),
                    ""
                    if published is None
                    else f"{qualifier.replace('_', ' ')} {figure(published)}",
                    bounds(lo, hi, lo_in, hi_in),
                    _status(status),
                )
        console.print(table)
        for *_, status, detail in checks:
            if status == "fail" and detail:
                console.print(f"  [red]•[/] {shown(detail)}")
        _print_other_sources(
            console,
            operation_id,
            [r for r in others if r[0] == operation_id],
            [g for g in gaps if g[0] == operation_id],
        )
    for operation_id, figures, sources in waiting:
        console.print(
            f"[bold]{shown(operation_id)}[/]: no submissions yet; {figures} published figure(s) "
            f"from {sources} source(s) wait for files (marts.fct_published_figures); "
            "nothing is held back"
        )


def _print_other_sources(console: Console, operation_id: str, others: list, gaps: list) -> None:
    """The non-primary sources' figures (reported, never blocking) and the sources' gaps."""
    if others:
        table = Table(
            title=f"Other published sources of {shown(operation_id)} (reported, not blocking)",
            title_justify="left",
        )
        for column, justify in (
            ("source", "left"),
            ("check", "left"),
            ("derived", "right"),
            ("published", "right"),
            ("the data", "center"),
        ):
            table.add_column(column, justify=justify)
        for _, source, name, derived, qualifier, published, status, conflict in others:
            verdict = "[green]supports[/]" if status == "pass" else "[yellow]contradicts[/]"
            table.add_row(
                shown(source),
                shown(name),
                figure(derived),
                f"{qualifier.replace('_', ' ')} {figure(published)}",
                verdict + (" [bold](conflict)[/]" if conflict else ""),
            )
        console.print(table)
    for _, source, detail, data_detail in gaps:
        console.print(f"  [yellow]•[/] {shown(source)}: {shown(detail)}; {shown(data_detail)}")


def _status(status: str) -> str:
    return "[green]pass[/]" if status == "pass" else "[red]FAIL[/]"


def print_held_back(console: Console, held: dict[str, dict]) -> None:
    """The operations whose checks failed: what the warehouse shows of them instead."""
    for operation, state in held.items():
        if state["status"] == "held_back":
            instead = f"the warehouse keeps its state as published {_when(state['published_at'])}"
        else:
            instead = "it is left out of the warehouse (no load of it has passed yet)"
        console.print(
            f"[red]Held back:[/] {shown(operation)}: {state['findings']} blocking finding(s) "
            f"since {_when(state['held_back_since'])}; {instead}. The other operations are published."
        )


def _when(value) -> str:
    return str(value)[:19].replace("T", " ") if value else "?"


def print_findings(console: Console, database: Path, only: list[str] | None = None) -> None:
    """What blocked the publish, check by check, with the numbers and the cells (of the
    operations `only`, when given)."""
    from orchestration.quality.gate import blocking_findings

    if not database.exists():
        return
    con = connections.connect(str(database), read_only=True)
    try:
        findings = blocking_findings(con)
    finally:
        con.close()
    if only is not None:
        findings = [f for f in findings if f.operation_id in only]
    if not findings:
        return
    table = Table(title=f"{len(findings)} blocking finding(s)", title_justify="left")
    table.add_column("check", style="bold red")
    table.add_column("what is wrong")
    for finding in findings[:50]:
        table.add_row(shown(finding.check), shown(finding.message))
    if len(findings) > 50:
        table.add_row(
            "…", f"and {len(findings) - 50} more (audit.quarantine, marts.reconciliation)"
        )
    console.print(table)


class LoadProgressBar:
    """A progress bar per operation's files, and the stage of the load, on the console."""

    def __init__(self, console: Console):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[current]}", style="dim"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, int] = {}
        self.stage_task: int | None = None
        self.summaries: list = []
        self._reporting = None

    def __enter__(self) -> LoadProgressBar:
        from orchestration.progress import reporting

        self.progress.__enter__()
        self._reporting = reporting(self)
        self._reporting.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.stage_task is not None:
            self.progress.update(self.stage_task, completed=1, current="")
        self._reporting.__exit__(*exc)
        self.progress.__exit__(*exc)

    def stage(self, description: str) -> None:
        if self.stage_task is not None:
            self.progress.update(self.stage_task, completed=1, current="")
        self.stage_task = self.progress.add_task(description, total=1, current="")

    def tool_output(self):
        """dbt writes its event log to stdout; the bar replaces it on a terminal (the run's
        log in the Dagster UI keeps it, and a failure is reported with its node)."""
        import contextlib
        import io

        return contextlib.redirect_stdout(io.StringIO())

    def files_found(self, operation_id: str, total: int) -> None:
        self.tasks[operation_id] = self.progress.add_task(
            f"  {shown(operation_id)}", total=total, current=""
        )

    def file_done(self, operation_id: str, relative_path: str, read: bool) -> None:
        name = relative_path.rsplit("/", 1)[-1]
        self.progress.update(
            self.tasks[operation_id],
            advance=1,
            current=f"{'read' if read else 'unchanged'} {shown(name)}",
        )

    def landed(self, summary) -> None:
        self.summaries.append(summary)

    def recovered(self, sentence: str) -> None:
        self.progress.console.print(f"[yellow]Recovered:[/] {shown(sentence)}")


def print_landing_summary(console: Console, summaries: list) -> None:
    if not summaries:
        return
    table = Table(title="Landing", title_justify="left")
    for column in (
        "operation",
        "files",
        "read",
        "unchanged",
        "rejected",
        "observations",
        "quarantined",
    ):
        table.add_column(column, justify="left" if column == "operation" else "right")
    for s in summaries:
        table.add_row(
            shown(s.operation_id),
            str(s.files_seen),
            str(s.files_read),
            str(s.files_unchanged),
            f"[red]{s.files_rejected}[/]" if s.files_rejected else "0",
            figure(s.observations),
            f"[yellow]{s.quarantined}[/]" if s.quarantined else "0",
        )
    console.print(table)
    for s in summaries:
        for rejection in s.rejected:
            console.print(f"  [yellow]rejected[/] {shown(rejection)}")


def print_status(console: Console, paths) -> None:
    """The published warehouse: when, each operation's state (current, held back since
    when and why, never published), the last load if it did not publish, and what waits for
    a steward. Reads the published warehouse and the load records only, never the build
    database, which a load may be writing (opening it would stop that load)."""
    import json

    from orchestration.publish.atomic import last_publish

    record = last_publish(paths) or {}
    states = record.get("operations", {})
    console.print(
        f"[bold]Warehouse[/] {shown(paths.warehouse)} · published "
        f"{shown(record.get('published_at', '?'))} (run {shown(str(record.get('run_id', '?'))[:8])})"
        f" · {figure(paths.warehouse.stat().st_size)} bytes"
    )
    con = connections.connect(str(paths.warehouse), read_only=True)
    try:
        operations = con.execute(
            """
            select o.operation_id, o.start_date, o.end_date, o.participant_count,
                   count(distinct r.country_code) as reporting,
                   (select count(*) from audit.submission_history h
                     where h.operation_id = o.operation_id) as files
            from marts.dim_operation o
            left join marts.fct_country_results r using (operation_id)
            group by all order by o.operation_id
            """
        ).fetchall()
        waiting = con.execute(
            "select severity, count(*) from audit.quarantine group by 1 order by 1"
        ).fetchall()
        attempts = {
            op: group_items(attempt_items_from(con, op))
            for op, state in states.items()
            if state.get("status") != "current"
        }
    finally:
        con.close()
    table = Table(title="Operations", title_justify="left")
    for column in ("operation", "from", "to", "participants", "reporting", "files", "state"):
        table.add_column(
            column, justify="left" if column in ("operation", "from", "to", "state") else "right"
        )
    listed = set()
    for op, start, end, participants, reporting, files in operations:
        listed.add(op)
        table.add_row(
            shown(op),
            str(start),
            str(end),
            str(participants),
            str(reporting),
            str(files),
            _state(states.get(op), files),
        )
    for op, state in states.items():  # never published: not in the warehouse, but news
        if op not in listed:
            table.add_row(shown(op), "", "", "", "", "", _state(state, None))
    console.print(table)
    for op, state in states.items():
        for reason in state.get("reasons", [])[:3] if state["status"] != "current" else []:
            console.print(f"  [red]{shown(op)}[/]: {shown(reason)}")
        if groups := attempts.get(op):
            largest = ", ".join(
                f"{g.reason_code} {g.subject!r} ({g.cells} cell(s))" for g in groups[:3]
            )
            console.print(
                f"  [red]{shown(op)}[/]: its last load quarantined {len(groups)} problem(s): "
                f"{shown(largest)} (jadwh quarantine)"
            )
    console.print(
        "Quarantine: "
        + (", ".join(f"{count} {severity}" for severity, count in waiting) or "empty")
        + " (jadwh quarantine)"
    )
    try:
        attempt = json.loads(paths.attempt_record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if attempt.get("run_id") and attempt.get("run_id") != record.get("run_id"):
        console.print(
            f"[red]The last load ({shown(attempt.get('finished_at', '?'))}, run "
            f"{shown(str(attempt['run_id'])[:8])}) did not publish:[/] it stopped at "
            f"{shown(', '.join(attempt.get('failed_steps') or []) or 'a check')}"
            + (f"; {shown(attempt['errors'][0])}" if attempt.get("errors") else "")
        )


def _state(state: dict | None, files) -> str:
    if files == 0:
        return "[dim]no submissions[/]"
    if state is None:
        return "[dim]?[/]"
    if state["status"] == "current":
        return "[green]current[/]"
    since = str(state.get("held_back_since") or "?")[:16]
    if state["status"] == "held_back":
        return f"[red]held back[/] since {since} ({state['findings']} finding(s)); shows the load of {str(state.get('published_at'))[:16]}"
    return f"[red]never published[/] ({state['findings']} finding(s)) since {since}"


def print_quarantine(console: Console, database: Path, items: list) -> None:
    """One row per quarantined cell (steward.groups.Item), worst first."""
    if not items:
        console.print(f"[green]Nothing waits for a steward[/] in {shown(database)}.")
        return
    table = Table(
        title=f"{len(items)} item(s) in the quarantine of {shown(database)}", title_justify="left"
    )
    for column in ("severity", "reason", "where", "what happened", "what to do"):
        table.add_column(column)
    for item in items:
        where = f"{shown(item.operation_id)}\n{shown(item.file_name)}" + (
            f"\n{shown(item.sheet_name)}!{shown(item.cell_ref)}" if item.cell_ref else ""
        )
        colour = "red" if item.severity == "error" else "yellow"
        table.add_row(
            f"[{colour}]{shown(item.severity)}[/]",
            shown(item.reason_code),
            where,
            shown(item.message),
            shown(item.steward_action or ""),
        )
    console.print(table)


def print_quarantine_groups(console: Console, database: Path, groups: list) -> None:
    """One line per problem: its reason, what it is about, how many cells in how many files,
    the languages, example cells, and what would resolve it."""
    if not groups:
        console.print(f"[green]Nothing waits for a steward[/] in {shown(database)}.")
        return
    items = sum(len(g.items) for g in groups)
    table = Table(
        title=f"{len(groups)} problem(s), {items} item(s), in the quarantine of {shown(database)}",
        title_justify="left",
    )
    for column in (
        "severity",
        "reason",
        "about",
        "cells · files",
        "languages",
        "examples",
        "what to do",
    ):
        table.add_column(column)
    for group in groups:
        colour = "red" if group.severity == "error" else "yellow"
        files = group.files
        counts = f"{group.cells} · {len(files)}"
        if group.rejected_cells:
            counts += f"\n({group.rejected_cells} in files\nthat do not count)"
        shown_files = "" if group.cells else "\n".join(files[:5]) + (" …" if len(files) > 5 else "")
        examples = group.examples[:3] if group.cells else []
        table.add_row(
            f"[{colour}]{group.severity}[/]",
            group.reason_code,
            shown(group.subject or shown_files, keep_newlines=True),
            counts,
            shown(", ".join(group.languages) or "?"),
            shown(
                "\n".join(examples) + (" …" if group.cells > len(examples) else ""),
                keep_newlines=True,
            ),
            shown(group.remedy),
        )
    console.print(table)
    console.print(
        "[dim]jadwh quarantine --suggest FILE writes the seed rows and template hints that would "
        "resolve these; --by-cell lists every cell.[/]"
    )
