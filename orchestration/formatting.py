"""How figures are written for people: counts with thousands separators, measures to the
gram, nothing in scientific notation."""

from __future__ import annotations


def figure(value: float | int | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def bounds(lower, upper, lower_inclusive: bool, upper_inclusive: bool) -> str:
    if lower is None or upper is None:
        return ""
    return f"{'[' if lower_inclusive else '('}{figure(lower)}, {figure(upper)}{']' if upper_inclusive else ')'}"
