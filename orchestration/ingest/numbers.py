"""Numbers written as text, in every European convention: `1.234,5`, `1 234,5`, `1,234.5`,
`1'234`, `2,5 kg`. The decimal separator is a fact about the file, not the cell: cells that
show it unambiguously vote (`2,5`, `1.234.567`), and `1.234` is read the file's way.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

_GROUPING_SPACES = "\u00a0\u202f\u2009\u2007 '’"
_NUMBER = re.compile(
    r"^(?P<sign>[-+−–]?)\s*(?P<body>\d[\d.,\u00a0\u202f\u2009\u2007 '’]*\d|\d)(?P<rest>.*)$",
    re.DOTALL,
)
_EXPONENT = re.compile(r"^[eE](?P<power>[-+−]?\d{1,3})(?![\w])")
_FOOTNOTE_TAIL = re.compile(r"\s*(?:\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\(\d\))\s*$")


@dataclass(frozen=True)
class NumberText:
    """A cell's text split into its number part and what follows it (a unit, perhaps)."""

    negative: bool
    body: str  # digits and separators, spaces removed
    rest: str  # text after the number, e.g. 'kg'; '' when none
    exponent: int = 0  # scientific notation: '1,23E+04' -> body '1,23', exponent 4
    glued: bool = False  # the rest follows the digits with no space ('25kg', '105A')

    @property
    def decimal_vote(self) -> str | None:
        """',' or '.' when this text alone shows the decimal separator, else None."""
        return _decimal_vote(self.body)


def split_number(text: str) -> NumberText | None:
    """The number part of a text cell, or None when the text does not start with one."""
    stripped = _FOOTNOTE_TAIL.sub("", text.strip())
    match = _NUMBER.match(stripped)
    if not match:
        return None
    body = match.group("body")
    for ch in _GROUPING_SPACES:
        if ch in body:
            if not _valid_groups(re.split(f"[{re.escape(ch)}]", re.split(r"[.,]", body)[0])):
                return None
            body = body.replace(ch, "")
    raw_rest = match.group("rest")
    exponent = 0
    if scientific := _EXPONENT.match(raw_rest):
        exponent, raw_rest = (
            int(scientific["power"].replace("−", "-")),
            raw_rest[scientific.end() :],
        )
    rest = raw_rest.strip()
    if re.match(r"^(?:\d|[./:-]\s*\d)", rest):
        return None  # '2020-09-24', '24/09', '10:30': dates and times, not numbers
    glued = bool(rest) and not raw_rest[:1].isspace()
    negative = match.group("sign") in "-−–" and match.group("sign") != ""
    return NumberText(negative, body, rest, exponent, glued)


def _valid_groups(groups: list[str]) -> bool:
    return all(g.isdigit() for g in groups) and all(len(g) == 3 for g in groups[1:])


def _decimal_vote(body: str) -> str | None:
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        return "," if body.rfind(",") > body.rfind(".") else "."
    for sep, other in ((".", ","), (",", ".")):
        count = body.count(sep)
        if count > 1:
            return other  # '1.234.567': the dot groups, so the decimal is the comma
        if count == 1:
            head, tail = body.split(sep)
            if len(tail) != 3 or head in ("0", "") or len(head) > 3:
                return sep  # '2,5', '0.250', '1234,567': only a decimal reading makes sense
    return None


def decide_decimal_separator(texts: list[NumberText], fallback: str | None) -> str | None:
    """The file's decimal separator: what its unambiguous cells agree on, else `fallback`."""
    votes = Counter(v for t in texts if (v := t.decimal_vote))
    if len(votes) == 1:
        return next(iter(votes))
    if votes:
        return None  # the file contradicts itself: '1.234' could be either, so it is not read
    return fallback


class AmbiguousNumber(ValueError):
    """`1.234` in a file that never shows its decimal separator."""


def to_float(number: NumberText, decimal_separator: str | None) -> float:
    """The value, reading separators the file's way."""
    body = number.body
    dots, commas = body.count("."), body.count(",")
    if dots or commas:
        decimal = number.decimal_vote or decimal_separator
        if decimal is None:
            raise AmbiguousNumber(body)
        group = "," if decimal == "." else "."
        integer, _, fraction = body.replace(group, "").partition(decimal)
        if group in body and not _valid_groups(body.partition(decimal)[0].split(group)):
            raise ValueError(f"bad digit grouping in {body!r}")
        if decimal in fraction:
            raise ValueError(f"two decimal separators in {body!r}")
        body = f"{integer}.{fraction}" if fraction else integer
    value = float(f"{body}e{number.exponent}")
    if not math.isfinite(value):
        raise ValueError(f"{body}E{number.exponent} is beyond any figure")
    return -value if number.negative else value
