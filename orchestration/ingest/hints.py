"""Template hints: what a data steward declares about one template where the file's own
evidence cannot decide (docs/template-hints.md).

The vocabulary seeds are global: a word means the same in every file. A hint is local: it
is scoped to the files whose name matches a pattern (and to sheets whose name matches
another), the way PUDL keeps a map per form. It says what the reader could not find out:
which row is the header, which column of a list is the quantity or a running number,
which column holds the row labels, the file's date order or decimal separator, who sent
it, or that a sheet holds no figures. Every figure a hint shapes names it.

Hints live in `dbt_project/seeds/template_hints.csv` (hint_id, file_pattern,
sheet_pattern, hint, value, note) and are checked row by row when the vocabulary is read:
a hint that cannot be applied stops the load with the row and the reason, never silently.
"""

from __future__ import annotations

import csv
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

# hint -> what its value must look like ('' for none)
KINDS: dict[str, str] = {
    "header_row": "the 1-based number of the header row",
    "label_column": "a column letter (B) or its header text",
    "quantity_column": "a column letter (E) or its header text ('#')",
    "count_rows": "a column letter or header text of the running number, or empty",
    "date_order": "dmy or mdy",
    "decimal_separator": "',' or '.'",
    "country": "the ISO 3166-1 alpha-2 code of the sender",
    "ignore_sheet": "empty: the sheet holds no figure of the operation",
}
FILE_KINDS = frozenset({"date_order", "decimal_separator", "country"})
_LETTERS = re.compile(r"^[A-Z]{1,3}$")
HINTS_FILE = "template_hints.csv"


class HintError(ValueError):
    """A hint row that cannot be applied: the message names the row and the fix."""


@dataclass(frozen=True)
class TemplateHint:
    hint_id: str
    file_pattern: str  # glob on the file name, case-insensitive ('MUP_RH_*izvjesce*.xlsx')
    sheet_pattern: str  # glob on the sheet name; '*' for every sheet
    kind: str
    value: str
    note: str = ""

    def applies_to(self, file_name: str, sheet_name: str | None = None) -> bool:
        if not fnmatch.fnmatch(file_name.casefold(), self.file_pattern.casefold()):
            return False
        return sheet_name is None or fnmatch.fnmatch(
            sheet_name.casefold(), (self.sheet_pattern or "*").casefold()
        )

    @property
    def row_index(self) -> int:
        return int(self.value) - 1

    def names_column(self, col: int, header_text: str | None, letters: str) -> bool:
        """Whether this hint's value names a column, by its letter or its header's text."""
        value = self.value.strip()
        if _LETTERS.match(value):
            return value == letters
        return header_text is not None and header_text.strip().casefold() == value.casefold()


def load_hints(seeds_dir: Path, country_codes: frozenset[str]) -> tuple[TemplateHint, ...]:
    path = seeds_dir / HINTS_FILE
    if not path.exists():
        return ()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hints, seen = [], set()
    for number, row in enumerate(rows, start=2):  # the header is line 1
        hint = _checked(row, number, country_codes)
        if hint.hint_id in seen:
            raise HintError(f"{HINTS_FILE} line {number}: hint_id {hint.hint_id!r} is used twice")
        seen.add(hint.hint_id)
        hints.append(hint)
    return tuple(hints)


def check_row(
    row: dict, number: int, country_codes: frozenset[str], where: str | None = None
) -> TemplateHint:
    """One hint row, checked as the load checks it (`jadwh seeds apply` checks a steward's
    new hints with it); HintError names `where` and the fix."""
    return _checked(row, number, country_codes, where)


def _checked(
    row: dict, number: int, country_codes: frozenset[str], where: str | None = None
) -> TemplateHint:
    where = where or f"{HINTS_FILE} line {number}"
    hint = TemplateHint(
        hint_id=(row.get("hint_id") or "").strip(),
        file_pattern=(row.get("file_pattern") or "").strip(),
        sheet_pattern=(row.get("sheet_pattern") or "*").strip() or "*",
        kind=(row.get("hint") or "").strip(),
        value=(row.get("value") or "").strip(),
        note=(row.get("note") or "").strip(),
    )
    if not hint.hint_id or not hint.file_pattern:
        raise HintError(f"{where}: hint_id and file_pattern are required")
    if hint.file_pattern in ("*", "*.*"):
        raise HintError(
            f"{where}: a hint for every file is vocabulary, not a template; put it in the seeds"
        )
    if hint.kind not in KINDS:
        raise HintError(f"{where}: unknown hint {hint.kind!r}; use one of {sorted(KINDS)}")
    problem = _value_problem(hint, country_codes)
    if problem:
        raise HintError(f"{where}: {hint.kind} takes {KINDS[hint.kind]}; {problem}")
    return hint


def _value_problem(hint: TemplateHint, country_codes: frozenset[str]) -> str | None:
    value = hint.value
    if hint.kind == "header_row" and not (value.isdigit() and int(value) >= 1):
        return f"{value!r} is not a row number"
    if hint.kind in ("label_column", "quantity_column") and not value:
        return "the value is empty"
    if hint.kind == "date_order" and value not in ("dmy", "mdy"):
        return f"not {value!r}"
    if hint.kind == "decimal_separator" and value not in (",", "."):
        return f"not {value!r}"
    if hint.kind == "country" and value.upper() not in country_codes:
        return f"{value!r} is not a country of countries.csv"
    if hint.kind == "ignore_sheet" and value:
        return f"not {value!r}"
    return None


def for_file(hints: tuple[TemplateHint, ...], file_name: str) -> list[TemplateHint]:
    return [h for h in hints if h.applies_to(file_name)]


def for_sheet(hints: list[TemplateHint], file_name: str, sheet_name: str) -> list[TemplateHint]:
    return [h for h in hints if h.kind not in FILE_KINDS and h.applies_to(file_name, sheet_name)]


def first(hints: list[TemplateHint], kind: str) -> TemplateHint | None:
    return next((h for h in hints if h.kind == kind), None)
