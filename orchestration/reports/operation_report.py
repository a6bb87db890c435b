"""The operation report: one self-contained HTML file per operation, next to the warehouse.

Headline figures against the primary published source, every published source side by
side with the data (their conflicts and their own gaps), each country's contribution per
metric (charts drawn as inline SVG: nothing is fetched when the file is opened), arrests by
charge by country, seizures, quarantined items and the files behind it all. An operation
with no submissions yet shows its published figures and says so. Every number links
to the file it came from and names the sheet and cell. Text from spreadsheets reaches the
page only through Jinja's autoescaping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration import connections, writing
from orchestration.formatting import bounds, figure
from orchestration.steward.groups import attempt_items_from, group_items, items_from

TEMPLATES = Path(__file__).resolve().parent / "templates"
BAR_HEIGHT = 18
CHART_WIDTH = 760
LABEL_WIDTH = 150


@dataclass
class Bar:
    country: str
    value: float
    width: float
    source: str
    href: str | None
    file: str | None = None
    sheet: str | None = None
    cells: str | None = None


@functools.cache
def _environment() -> Environment:
    """One environment per process: it caches the compiled template (compiling it for each
    report was 40 % of the report step)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["figure"] = figure
    return environment


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _href(
    raw_dir: Path,
    report_dir: Path,
    operation_id: str,
    relative_path: str | None,
    sheet: str | None,
    cell: str | None,
) -> str | None:
    """A link to the submitted file, with the sheet and cell in the fragment."""
    if not relative_path:
        return None
    target = raw_dir / operation_id / relative_path
    link = os.path.relpath(target, report_dir).replace(os.sep, "/")
    first_cell = (cell or "").split(",")[0]
    return f"{link}#{sheet}!{first_cell}" if sheet else link


def _status(con: duckdb.DuckDBPyConnection, operation_id: str) -> dict | None:
    """The operation's row of audit.operation_status (current, held back, never published)."""
    try:
        rows = _rows(
            con, "select * from audit.operation_status where operation_id = ?", [operation_id]
        )
    except duckdb.Error:
        return None
    return rows[0] if rows else None


def _groups(items: list) -> list[dict]:
    return [
        {
            "severity": g.severity,
            "badge": _severity_badge(g.severity),
            "reason_code": g.reason_code,
            "subject": g.subject,
            "cells": g.cells,
            "rejected_cells": g.rejected_cells,
            "files": g.files,
            "languages": g.languages,
            "examples": g.examples[:5],
            "remedy": g.remedy,
        }
        for g in group_items(items)
    ]


def _severity_badge(severity: str) -> str:
    return {"error": "fail", "warning": "warn", "file_rejected": "warn"}.get(severity, "warn")


def _verdict(status: dict | None, checks: list[dict], quarantine: list[dict]) -> tuple[str, str]:
    """pass, warning or fail for the operation as a whole, and why (a load with warnings or
    rejected files is not a green pass)."""
    if status and status["status"] != "current":
        return "fail", "held back: the last load failed its blocking checks"
    if any(c["status"] == "fail" for c in checks) or any(
        q["severity"] == "error" for q in quarantine
    ):
        return "fail", "blocking checks fail"
    rejected = sum(1 for q in quarantine if q["severity"] == "file_rejected")
    warnings = sum(1 for q in quarantine if q["severity"] == "warning")
    if rejected or warnings:
        parts = [f"{rejected} rejected file(s)"] * bool(rejected) + [
            f"{warnings} warning(s)"
        ] * bool(warnings)
        return "warn", "checks pass, with " + " and ".join(parts)
    return "pass", "every check passes and nothing waits for a steward"


def render_operation_report(
    con: duckdb.DuckDBPyConnection, operation_id: str, raw_dir: Path, report_dir: Path
) -> str:
    found = _rows(con, "select * from marts.dim_operation where operation_id = ?", [operation_id])
    status = _status(con, operation_id)
    if not found:
        return _render_never_published(con, operation_id, status)
    operation = found[0]
    country_names = dict(
        con.execute("select country_code, country_name from marts.dim_country").fetchall()
    )
    checks = _rows(
        con,
        """select check_level, check_name, metric_code, charge_code, derived_value, published_value,
                  qualifier, lower_bound, upper_bound, lower_inclusive, upper_inclusive, status, detail
           from marts.reconciliation where operation_id = ? and blocking
           order by check_level, check_name""",
        [operation_id],
    )
    for check in checks:
        check["bounds"] = bounds(
            check["lower_bound"],
            check["upper_bound"],
            check["lower_inclusive"],
            check["upper_inclusive"],
        )
    files = {
        row["file_name"]: row
        for row in _rows(
            con,
            """select file_name, relative_path, country_code, file_status, report_date, first_seen_at,
                      loaded_at, figures_used, country_evidence
               from audit.submission_history where operation_id = ? order by country_code, file_name""",
            [operation_id],
        )
    }
    metrics = _rows(
        con,
        """select m.metric_code, m.metric_name, m.unit, m.day_aggregation, r.value, r.countries_reporting
           from marts.dim_metric m join marts.fct_operation_results r using (metric_code)
           where r.operation_id = ? order by m.metric_code""",
        [operation_id],
    )
    contributions = _rows(
        con,
        """with sources as (
               select country_code, metric_code, min(source_file) as source_file,
                      min(source_sheet) as source_sheet,
                      string_agg(source_cell, ',' order by report_date) as source_cell
               from marts.fct_country_results where operation_id = ? group by all
           )
           select t.country_code, c.country_name, t.metric_code, t.value, t.reported_grain,
                  s.source_file, s.source_sheet, s.source_cell
           from marts.fct_country_totals t
           join marts.dim_country c using (country_code)
           left join sources s using (country_code, metric_code)
           where t.operation_id = ? order by t.metric_code, t.value desc, t.country_code""",
        [operation_id, operation_id],
    )
    charts = []
    for metric in metrics:
        rows = [c for c in contributions if c["metric_code"] == metric["metric_code"]]
        top = max((r["value"] for r in rows), default=0) or 1
        bars = [
            Bar(
                country=f"{r['country_name'] or r['country_code']} ({r['country_code']})",
                value=r["value"],
                width=(CHART_WIDTH - LABEL_WIDTH - 90) * r["value"] / top,
                source=f"{r['source_file']} · {r['source_sheet']}!{r['source_cell']}",
                file=r["source_file"],
                sheet=r["source_sheet"],
                cells=r["source_cell"],
                href=_href(
                    raw_dir,
                    report_dir,
                    operation_id,
                    files.get(r["source_file"], {}).get("relative_path"),
                    r["source_sheet"],
                    r["source_cell"],
                ),
            )
            for r in rows
        ]
        charts.append({**metric, "bars": bars, "height": BAR_HEIGHT * len(bars) + 8})
    charges = _rows(
        con, "select charge_code, charge_name from marts.dim_charge order by sort_order", []
    )
    by_charge = _rows(
        con,
        """select country_code, charge_code, arrests, source_file, source_sheet, source_cell
           from marts.fct_arrests_by_charge where operation_id = ? and arrests > 0
           order by country_code""",
        [operation_id],
    )
    matrix: dict[str, dict[str, dict]] = {}
    for row in by_charge:
        row["href"] = _href(
            raw_dir,
            report_dir,
            operation_id,
            files.get(row["source_file"], {}).get("relative_path"),
            row["source_sheet"],
            row["source_cell"],
        )
        row["country_name"] = country_names.get(row["country_code"], row["country_code"])
        matrix.setdefault(row["country_code"], {})[row["charge_code"]] = row
    quarantine = _rows(
        con,
        """select file_name, sheet_name, cell_ref, reason_code, severity, message, raw_text
           from audit.quarantine where operation_id = ? order by severity, file_name, sheet_name, cell_ref""",
        [operation_id],
    )
    names = dict(con.execute("select metric_code, metric_name from marts.dim_metric").fetchall())
    charge_names = dict(
        con.execute("select charge_code, charge_name from marts.dim_charge").fetchall()
    )
    for check in checks:
        if check["check_level"] == "across_countries":
            check["title"] = (
                f"Arrests: {charge_names.get(check['charge_code'], check['charge_code'])}"
                if check["charge_code"]
                else names.get(check["metric_code"], check["check_name"])
            )
    sources = _published_sources(con, operation_id, names, charge_names)
    levels = {}
    for check in checks:
        level = levels.setdefault(check["check_level"], {"pass": 0, "fail": 0})
        level[check["status"]] += 1
    for item in quarantine:
        item["badge"] = _severity_badge(item["severity"])
    for file in files.values():
        file["country_name"] = country_names.get(file["country_code"], file["country_code"])
    verdict, verdict_text = _verdict(status, checks, quarantine)
    attempt = (
        _groups(attempt_items_from(con, operation_id))
        if status and status["status"] != "current"
        else []
    )
    return (
        _environment()
        .get_template("operation.html.j2")
        .render(
            operation=operation,
            sources=sources,
            headline=[c for c in checks if c["check_level"] == "across_countries"],
            failing=[c for c in checks if c["status"] == "fail"],
            levels=levels,
            charts=charts,
            charges=charges,
            matrix=matrix,
            quarantine=quarantine,
            groups=_groups(items_from(con, operation_id)),
            attempt=attempt,
            status=status,
            verdict=verdict,
            verdict_text=verdict_text,
            country_names=country_names,
            by_charge=sorted(by_charge, key=lambda r: (r["country_name"], r["charge_code"])),
            files=list(files.values()),
            chart_width=CHART_WIDTH,
            label_width=LABEL_WIDTH,
            bar_height=BAR_HEIGHT,
            generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def _render_never_published(
    con: duckdb.DuckDBPyConnection, operation_id: str, status: dict | None
) -> str:
    """An operation that no load has published yet: why (the last attempt's findings and
    quarantine), so that a failed first load is as visible as a published one."""
    return (
        _environment()
        .get_template("never_published.html.j2")
        .render(
            operation_id=operation_id,
            status=status,
            attempt=_groups(attempt_items_from(con, operation_id)),
            generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def _published_sources(
    con: duckdb.DuckDBPyConnection, operation_id: str, names: dict, charge_names: dict
) -> dict:
    """Every published source side by side with the data: one row per figure, one column per
    source; the conflicts between sources; each source's own gaps."""
    figures = _rows(
        con,
        """select source, publisher, published_date, source_url, is_primary, source_number,
                  metric_code, charge_code, value, qualifier, derived_value, status, conflict
           from marts.fct_published_figures where operation_id = ?
           order by source_number, figure_number""",
        [operation_id],
    )
    columns: dict[str, dict] = {}
    rows: dict[tuple, dict] = {}
    for f in figures:
        columns.setdefault(
            f["source"],
            {
                k: f[k]
                for k in ("source", "publisher", "published_date", "source_url", "is_primary")
            },
        )
        key = (f["metric_code"], f["charge_code"] or "")
        if f["metric_code"] == "countries_participating":
            title = "Countries participating (that reported)"
        elif f["charge_code"]:
            title = f"Arrests: {charge_names.get(f['charge_code'], f['charge_code'])}"
        else:
            title = names.get(f["metric_code"], f["metric_code"])
        row = rows.setdefault(
            key,
            {
                "title": title,
                "derived_value": f["derived_value"],
                "by_source": {},
                "conflict": False,
            },
        )
        row["by_source"][f["source"]] = f
        row["conflict"] = row["conflict"] or f["conflict"]
    conflicts = _rows(
        con,
        """select detail from marts.published_source_conflicts where operation_id = ?
           order by check_name, source, supported_source""",
        [operation_id],
    )
    consistency = _rows(
        con,
        """select source, check_name, status, detail, data_detail
           from marts.published_source_consistency where operation_id = ?
           order by source, check_name""",
        [operation_id],
    )
    return {
        "columns": list(columns.values()),
        "rows": sorted(rows.values(), key=lambda r: (r["title"].startswith("Arrests"), r["title"])),
        "conflicts": [c["detail"] for c in conflicts],
        "consistency": consistency,
    }


def write_reports(
    database: Path, raw_dir: Path, report_dir: Path, operations: list[str] | None = None
) -> list[Path]:
    """Write reports/<operation_id>.html for each operation of the warehouse (or those named)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    con = connections.connect(str(database), read_only=True)
    try:
        known = [
            r[0]
            for r in con.execute(
                "select operation_id from marts.dim_operation order by 1"
            ).fetchall()
        ]
        with contextlib.suppress(duckdb.Error):  # never passed: not in the marts, but news
            known += [
                r[0]
                for r in con.execute(
                    """select operation_id from audit.operation_status
                       where status = 'never_published' order by 1"""
                ).fetchall()
                if r[0] not in known
            ]
        written = []
        for operation_id in operations or known:
            if operation_id not in known:
                raise KeyError(f"{operation_id} is not in the warehouse {database}")
            html = render_operation_report(con, operation_id, raw_dir, report_dir)
            path = report_dir / f"{operation_id}.html"
            writing.write_atomically(path, html)
            written.append(path)
        return written
    finally:
        con.close()
