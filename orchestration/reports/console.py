"""The reconciliation table printed at the end of a load."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table


def _bounds(lower, upper, lower_inclusive, upper_inclusive) -> str:
    if lower is None or upper is None:
        return ""
    left = "[" if lower_inclusive else "("
    right = "]" if upper_inclusive else ")"
    return f"{left}{lower:,.6g}, {upper:,.6g}{right}"


def print_reconciliation(console: Console, database: Path) -> None:
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            """
            select operation_id, check_level, check_name, derived_value, qualifier,
                   published_value, lower_bound, upper_bound, lower_inclusive,
                   upper_inclusive, status, detail
            from marts.reconciliation
            order by operation_id, check_level, status = 'pass', check_name
            """
        ).fetchall()
    finally:
        con.close()
    for operation_id in sorted({r[0] for r in rows}):
        checks = [r for r in rows if r[0] == operation_id]
        failed = sum(1 for r in checks if r[10] == "fail")
        table = Table(
            title=f"Reconciliation of {operation_id}: {len(checks) - failed} pass, {failed} fail",
            title_justify="left",
        )
        for column, justify in (
            ("level", "left"),
            ("check", "left"),
            ("derived", "right"),
            ("published", "right"),
            ("bounds", "right"),
            ("status", "center"),
            ("detail", "left"),
        ):
            table.add_column(column, justify=justify)
        for (
            _,
            level,
            name,
            derived,
            qualifier,
            published,
            lo,
            hi,
            lo_in,
            hi_in,
            status,
            detail,
        ) in checks:
            table.add_row(
                level.replace("_", " "),
                name,
                "—" if derived is None else f"{derived:,.6g}",
                "" if published is None else f"{qualifier.replace('_', ' ')} {published:,.6g}",
                _bounds(lo, hi, lo_in, hi_in),
                "[green]pass[/]" if status == "pass" else "[red]FAIL[/]",
                detail or "",
            )
        console.print(table)
