"""The reconciliation table printed at the end of a load."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orchestration.reports.formatting import bounds, figure

LEVELS = ("within_file", "within_country", "across_countries")


def print_reconciliation(console: Console, database: Path) -> None:
    """Per operation: every published figure against its bounds, and a line per level for
    the file and country checks (their failures listed with the cells)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            """
            select operation_id, check_level, check_name, derived_value, qualifier,
                   published_value, lower_bound, upper_bound, lower_inclusive,
                   upper_inclusive, status, detail
            from marts.reconciliation
            order by operation_id, check_level, check_name
            """
        ).fetchall()
    finally:
        con.close()
    for operation_id in sorted({r[0] for r in rows}):
        checks = [r for r in rows if r[0] == operation_id]
        failed = sum(1 for r in checks if r[10] == "fail")
        table = Table(
            title=f"Reconciliation of {operation_id}: {len(checks) - failed} of {len(checks)} checks pass",
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
                    escape(name),
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
                console.print(f"  [red]•[/] {escape(detail)}")


def _status(status: str) -> str:
    return "[green]pass[/]" if status == "pass" else "[red]FAIL[/]"


def print_findings(console: Console, database: Path) -> None:
    """What blocked the publish, check by check, with the numbers and the cells."""
    from orchestration.quality.gate import blocking_findings

    if not database.exists():
        return
    con = duckdb.connect(str(database), read_only=True)
    try:
        findings = blocking_findings(con)
    finally:
        con.close()
    if not findings:
        return
    table = Table(title=f"{len(findings)} blocking finding(s)", title_justify="left")
    table.add_column("check", style="bold red")
    table.add_column("what is wrong")
    for finding in findings[:50]:
        table.add_row(escape(finding.check), escape(finding.message))
    if len(findings) > 50:
        table.add_row(
            "…", f"and {len(findings) - 50} more (audit.quarantine, marts.reconciliation)"
        )
    console.print(table)
