"""Faulty variants of the seed operation: a copy where exactly one thing is wrong.

Each fault is found by what cells mean (their tags), never by country: "the first TOTAL
cell of persons checked", "the first drug unit". Files are taken in name order and only
current files are touched, so the fault lands in a figure that counts and the choice is
deterministic. The variant is written to DIR/<operation_id>/ (manifest + submissions) and
described in DIR/fault.json: file, sheet, cell, the value that should be there and the
value written.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from corpus.grid import Tag, a1
from corpus.model import OperationTruth
from corpus.render import RenderedFile, write_submissions
from corpus.seed import SEED_OPERATION_ID, build_seed, seed_manifest

#: A metric label no service uses and no synonym list should know.
MADE_UP_LABEL = "Flumoxity index"
#: A drug unit nobody uses.
MADE_UP_UNIT = "ctn"

KINDS = (
    "wrong_total",
    "unknown_label",
    "negative_count",
    "charges_not_summing",
    "missing_country",
    "outside_bounds",
    "unknown_unit",
    "date_outside_window",
)


def _cells(files: list[RenderedFile], wanted, *, file_filter=None):
    """(file, sheet, row, col, cell) of tagged cells satisfying `wanted(tag)`, in name order."""
    for f in sorted(files, key=lambda f: f.name):
        if f.status != "current" or (file_filter and not file_filter(f)):
            continue
        for sheet in f.book.sheets:
            for r, c, cell in sheet.tagged():
                if wanted(cell.tag):
                    yield f, sheet, r, c, cell


def _first(files, wanted, what: str, **kw):
    for hit in _cells(files, wanted, **kw):
        return hit
    raise LookupError(f"no cell for a {what} fault in this corpus")


def _has(f: RenderedFile, wanted) -> bool:
    return any(wanted(cell.tag) for sheet in f.book.sheets for _, _, cell in sheet.tagged())


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _change(
    kind: str, f: RenderedFile, sheet, r: int, c: int, cell, new_value, new_format, description: str
) -> dict:
    expected = cell.value
    cell.value, cell.number_format = (
        new_value,
        new_format if new_format is not None else cell.number_format,
    )
    return {
        "kind": kind,
        "country": f.country,
        "file": f.name,
        "sheet": None if f.profile.format == "csv" else sheet.name,
        "cell": a1(r, c),
        "expected": _json_value(expected),
        "written": _json_value(new_value),
        "description": description,
    }


def _wrong_total(files, truth):
    f, sheet, r, c, cell = _first(
        files, lambda t: t.role == "total" and t.metric == "persons_checked", "wrong_total"
    )
    value, fmt = f.fmt.number(cell.tag.value + 100)
    return _change(
        "wrong_total",
        f,
        sheet,
        r,
        c,
        cell,
        value,
        fmt,
        "TOTAL of persons checked is 100 more than the sum of its days",
    )


def _unknown_label(files, truth):
    f, sheet, r, c, cell = _first(
        files, lambda t: t.role == "header" and t.metric == "vehicles_checked", "unknown_label"
    )
    return _change(
        "unknown_label",
        f,
        sheet,
        r,
        c,
        cell,
        MADE_UP_LABEL,
        None,
        "a metric header replaced by a word that is no synonym of any metric",
    )


def _negative_count(files, truth):
    no_totals = lambda f: not _has(f, lambda t: t.role == "total")  # noqa: E731
    f, sheet, r, c, cell = _first(
        files,
        lambda t: t.role == "detail" and t.metric == "vehicles_checked" and (t.value or 0) > 0,
        "negative_count",
        file_filter=no_totals,
    )
    value, fmt = f.fmt.number(-cell.tag.value)
    return _change(
        "negative_count",
        f,
        sheet,
        r,
        c,
        cell,
        value,
        fmt,
        "a daily count written as a negative number",
    )


def _charges_not_summing(files, truth):
    with_breakdown = lambda f: _has(f, lambda t: t.metric == "arrests" and t.charge is not None)  # noqa: E731
    f, sheet, r, c, cell = _first(
        files,
        lambda t: (
            t.role == "summary"
            and t.metric == "arrests"
            and t.charge is None
            and (t.value or 0) > 0
        ),
        "charges_not_summing",
        file_filter=with_breakdown,
    )
    value, fmt = f.fmt.figure(cell.tag.value + 2)
    return _change(
        "charges_not_summing",
        f,
        sheet,
        r,
        c,
        cell,
        value,
        fmt,
        "the summary arrests figure is 2 more than the per-charge detail of the same country",
    )


def _outside_bounds(files, truth):
    f, sheet, r, c, cell = _first(
        files, lambda t: t.role == "summary" and t.metric == "persons_checked", "outside_bounds"
    )
    value, fmt = f.fmt.figure(cell.tag.value + 50_000)
    return _change(
        "outside_bounds",
        f,
        sheet,
        r,
        c,
        cell,
        value,
        fmt,
        "persons checked inflated by 50,000: the operation total leaves the published bounds",
    )


def _unknown_unit(files, truth):
    f, sheet, r, c, cell = _first(
        files,
        lambda t: t.role in ("unit", "quantity") and t.metric == "drugs_seized_kg",
        "unknown_unit",
    )
    if cell.tag.role == "unit":
        value = MADE_UP_UNIT
    else:
        value = f.fmt.with_unit(cell.tag.value, MADE_UP_UNIT)
    return _change(
        "unknown_unit",
        f,
        sheet,
        r,
        c,
        cell,
        value,
        None,
        f"a drug quantity in a unit nobody uses ({MADE_UP_UNIT})",
    )


def _date_outside_window(files, truth):
    end = truth.operation.end
    daily_rows = lambda f: f.profile.layout == "wide_daily"  # noqa: E731
    f, sheet, r, c, cell = _first(
        files,
        lambda t: t.role == "date" and t.date == end,
        "date_outside_window",
        file_filter=daily_rows,
    )
    late = end + dt.timedelta(days=7)
    value, fmt = f.fmt.date(late)
    cell.tag = Tag("date", date=late)
    return _change(
        "date_outside_window",
        f,
        sheet,
        r,
        c,
        cell,
        value,
        fmt,
        f"a daily row dated {late.isoformat()}, a week after the operation",
    )


def _missing_country(files, truth: OperationTruth):
    """Remove the file of the country whose absence moves the totals least (one file, no
    arrests, seizures or iARMS), so that only the missing country is wrong."""

    def impact(code: str) -> float:
        t = truth.countries[code]
        return sum(sum(v) for v in t.daily.values())

    singles = {f.country for f in files if len(f.profile.files) == 1}
    quiet = [
        c
        for c in sorted(singles)
        if not truth.countries[c].arrests
        and not truth.countries[c].seizures
        and not truth.countries[c].whole
    ]
    code = min(quiet, key=lambda c: (impact(c), c))
    victim = next(f for f in files if f.country == code)
    n = len(truth.operation.participants)
    files.remove(victim)
    return {
        "kind": "missing_country",
        "country": code,
        "file": victim.name,
        "sheet": None,
        "cell": None,
        "expected": "present",
        "written": None,
        "description": f"the only file of {code} is missing: {n - 1} of {n} participants reported",
    }


INJECTORS = {
    "wrong_total": _wrong_total,
    "unknown_label": _unknown_label,
    "negative_count": _negative_count,
    "charges_not_summing": _charges_not_summing,
    "missing_country": _missing_country,
    "outside_bounds": _outside_bounds,
    "unknown_unit": _unknown_unit,
    "date_outside_window": _date_outside_window,
}


def write_fault(kind: str, out_dir: Path, raw_dir: Path = Path("raw")) -> dict:
    """Write the seed operation with one fault of `kind` into out_dir; return (and write
    to out_dir/fault.json) what was broken."""
    if kind not in INJECTORS:
        raise ValueError(f"unknown fault {kind!r}; choose one of {', '.join(KINDS)}")
    out_dir = Path(out_dir)
    truth, files, _ = build_seed(raw_dir)
    fault = INJECTORS[kind](files, truth)
    target = out_dir / SEED_OPERATION_ID
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(seed_manifest(raw_dir), target / "operation.yaml")
    write_submissions(files, target / "submissions")
    fault["operation_dir"] = str(target)
    (out_dir / "fault.json").write_text(
        json.dumps(fault, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return fault
