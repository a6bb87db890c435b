"""A steward's edited suggestions file, checked row by row and appended to the seeds.

`jadwh quarantine --suggest FILE` writes one row per seed row or template hint that would
resolve a group of the quarantine, with a proposed code and an empty `decision`. The
steward writes `accept` (the row as it stands, code corrected where needed) or `skip` in
every row; `jadwh seeds apply FILE` then checks every row and appends the accepted ones.
Nothing is appended unless every row passes: one sentence per problem, naming the line.

Checks: every row decided; the target is a seed a steward may extend; the code exists
(metrics.csv, charges.csv, units.csv, countries.csv, the field roles, months 1-12, the
value meanings); the language is one of languages.csv; the row is not already in its seed
(nor the same label with another code there, which would make the label ambiguous); a
template hint passes the same checks as template_hints.csv itself (hints.py).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest import hints as hint_rules
from orchestration.ingest.labels import label_key

# The columns of a suggestions file, in order. `decision` first: it is what a steward edits.
COLUMNS = (
    "decision",
    "target",
    "label",
    "code",
    "language",
    "file_pattern",
    "sheet_pattern",
    "hint",
    "value",
    "reason_code",
    "group",
    "cells",
    "files",
    "examples",
    "evidence",
)
ACCEPT, SKIP = "accept", "skip"

# seed -> (its columns, the column the code goes to, where valid codes come from)
LABEL_TARGETS: dict[str, tuple[tuple[str, ...], str]] = {
    "metric_labels.csv": (("label", "metric_code", "language"), "metric_code"),
    "charge_labels.csv": (("label", "charge_code", "language"), "charge_code"),
    "unit_labels.csv": (("label", "unit_code", "language"), "unit_code"),
    "field_labels.csv": (("label", "field_role", "language"), "field_role"),
    "month_labels.csv": (("label", "month_number", "language"), "month_number"),
    "value_markers.csv": (("label", "meaning", "language"), "meaning"),
    "country_aliases.csv": (("alias", "country_code", "language", "alias_kind"), "country_code"),
}
CHARGES = "charges.csv"  # a new charge, for an offence outside the taxonomy
HINTS = hint_rules.HINTS_FILE
TARGETS = (*LABEL_TARGETS, CHARGES, HINTS)
# a label the same in every language ('kg', '-') may leave its language empty
LANGUAGE_FREE = frozenset({"unit_labels.csv", "value_markers.csv"})
# a word over several metrics ('Seizures' over weapons and drugs): dbt ignores field words
GROUP_ROLE = "group"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Suggestion:
    line: int  # in the suggestions file, the header being line 1
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


@dataclass
class Applied:
    appended: dict[str, list[list[str]]] = field(default_factory=dict)  # seed -> rows
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_suggestions(path: Path) -> list[Suggestion]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [
            c for c in ("decision", "target", "label", "code") if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ValueError(
                f"{path.name} has no column {', '.join(missing)}: it is not a suggestions file "
                "written by `jadwh quarantine --suggest`"
            )
        return [Suggestion(number, row) for number, row in enumerate(reader, start=2)]


@dataclass
class SeedFacts:
    """What the seeds hold now: valid codes and the labels each seed already has."""

    codes: dict[str, set[str]]  # target -> valid codes
    languages: set[str]
    labels: dict[str, dict[str, set[str]]]  # target -> label key -> codes
    charges: set[str]
    countries: frozenset[str]
    hint_ids: set[str]
    hint_rows: set[tuple[str, str, str, str]]

    @classmethod
    def read(cls, seeds_dir: Path) -> SeedFacts:
        def column(name: str, col: str) -> set[str]:
            return {r[col] for r in read_csv(seeds_dir / name) if r.get(col)}

        charges = column("charges.csv", "charge_code")
        countries = frozenset(column("countries.csv", "country_code"))
        codes = {
            "metric_labels.csv": column("metrics.csv", "metric_code"),
            "charge_labels.csv": set(charges),
            "unit_labels.csv": column("units.csv", "unit_code"),
            "field_labels.csv": column("field_labels.csv", "field_role") | {GROUP_ROLE},
            "month_labels.csv": {str(n) for n in range(1, 13)},
            "value_markers.csv": column("value_markers.csv", "meaning"),
            "country_aliases.csv": set(countries),
        }
        labels: dict[str, dict[str, set[str]]] = {}
        for target, (columns, code_column) in LABEL_TARGETS.items():
            found: dict[str, set[str]] = defaultdict(set)
            for row in read_csv(seeds_dir / target):
                found[label_key(row[columns[0]])].add(row[code_column])
            labels[target] = found
        hints_path = seeds_dir / HINTS
        hint_rows = read_csv(hints_path) if hints_path.exists() else []
        return cls(
            codes=codes,
            languages=column("languages.csv", "language"),
            labels=labels,
            charges=charges,
            countries=countries,
            hint_ids={r["hint_id"] for r in hint_rows},
            hint_rows={
                (r["file_pattern"], r.get("sheet_pattern") or "*", r["hint"], r.get("value") or "")
                for r in hint_rows
            },
        )


def check(suggestions: list[Suggestion], facts: SeedFacts, source: str) -> Applied:
    """Every row checked; the rows to append per seed, or the problems (one sentence each)."""
    result = Applied()
    new_charges = {
        s.get("code")
        for s in suggestions
        if s.get("decision").lower() == ACCEPT and s.get("target") == CHARGES
    }
    seen: set[tuple] = set()
    for s in suggestions:
        where = f"{source} line {s.line}"
        decision = s.get("decision").lower()
        if decision == SKIP:
            result.skipped += 1
            continue
        if decision != ACCEPT:
            result.problems.append(
                f"{where}: the decision is {s.get('decision')!r}; write 'accept' or 'skip' in "
                "every row"
                if s.get("decision")
                else f"{where}: no decision; write 'accept' or 'skip'"
            )
            continue
        target = s.get("target")
        if target not in TARGETS:
            result.problems.append(
                f"{where}: {target!r} is not a seed a steward extends here; use one of "
                f"{', '.join(TARGETS)}"
            )
            continue
        if target == HINTS:
            row, problem = _hint_row(s, facts, where)
        elif target == CHARGES:
            row, problem = _charge_row(s, facts, where)
        else:
            row, problem = _label_row(s, facts, where, new_charges)
        if problem:
            result.problems.append(problem)
            continue
        key = (target, *(label_key(v) for v in row[:2]))
        if key in seen:
            result.problems.append(f"{where}: the same row is accepted twice in {source}")
            continue
        seen.add(key)
        result.appended.setdefault(target, []).append(row)
    return result


def _label_row(
    s: Suggestion, facts: SeedFacts, where: str, new_charges: set[str]
) -> tuple[list[str], str | None]:
    target = s.get("target")
    columns, code_column = LABEL_TARGETS[target]
    label, code, language = s.get("label"), s.get("code"), s.get("language")
    if not label:
        return [], f"{where}: the label is empty"
    if not code:
        return [], (
            f"{where}: no {code_column} for {label!r}; write the code it means (or 'skip' the row)"
        )
    valid = facts.codes[target] | (new_charges if target == "charge_labels.csv" else set())
    if target == "country_aliases.csv":
        code = code.upper()
    if code not in valid:
        origin = {
            "metric_labels.csv": "metrics.csv",
            "charge_labels.csv": "charges.csv (or a charges.csv row accepted in this file)",
            "unit_labels.csv": "units.csv",
            "field_labels.csv": "the field roles of field_labels.csv",
            "month_labels.csv": "1 to 12",
            "value_markers.csv": "the meanings of value_markers.csv",
            "country_aliases.csv": "countries.csv",
        }[target]
        return [], f"{where}: {code!r} is not a {code_column} of {origin}"
    if not language and target not in LANGUAGE_FREE:
        return [], f"{where}: no language for {label!r}; write the language of the file it is from"
    if language and language not in facts.languages:
        return [], (
            f"{where}: the language {language!r} is not in languages.csv; add the language there "
            "(its decimal separator and date order) first"
        )
    known = facts.labels[target].get(label_key(label), set())
    if code in known:
        return [], f"{where}: {label!r} is already in {target} as {code}; 'skip' the row"
    if known:
        return [], (
            f"{where}: {label!r} is already in {target} as {', '.join(sorted(known))}; a second "
            f"code would make it ambiguous (correct the seed row instead, or 'skip')"
        )
    if target == "country_aliases.csv":
        return [label, code, language, "name"], None
    return [label, code, language], None


def _charge_row(s: Suggestion, facts: SeedFacts, where: str) -> tuple[list[str], str | None]:
    code, name = s.get("code"), s.get("label")
    if not _CODE.match(code or ""):
        return [], f"{where}: a new charge needs a code of lower-case letters and '_', not {code!r}"
    if code in facts.charges:
        return [], f"{where}: the charge {code!r} is already in charges.csv; 'skip' the row"
    if not name:
        return [], f"{where}: a new charge needs its name in the label column"
    return [code, name, "99"], None


def _hint_row(s: Suggestion, facts: SeedFacts, where: str) -> tuple[list[str], str | None]:
    pattern, sheet = s.get("file_pattern"), s.get("sheet_pattern") or "*"
    kind, value = s.get("hint"), s.get("value")
    if (pattern, sheet, kind, value) in facts.hint_rows:
        return [], f"{where}: this hint is already in {HINTS}; 'skip' the row"
    base = re.sub(r"[^a-z0-9]+", "-", f"{kind}-{pattern}".lower()).strip("-")[:48]
    hint_id, n = base, 1
    while hint_id in facts.hint_ids:
        n += 1
        hint_id = f"{base}-{n}"
    row = {
        "hint_id": hint_id,
        "file_pattern": pattern,
        "sheet_pattern": sheet,
        "hint": kind,
        "value": value,
        "note": s.get("evidence")[:200] or "from jadwh seeds apply",
    }
    try:
        hint_rules.check_row(row, s.line, facts.countries, where=where)
    except hint_rules.HintError as problem:
        return [], str(problem)
    facts.hint_ids.add(hint_id)
    return [
        row[c] for c in ("hint_id", "file_pattern", "sheet_pattern", "hint", "value", "note")
    ], None


def append_rows(seeds_dir: Path, appended: dict[str, list[list[str]]]) -> None:
    """Append the rows to their seed files (charges first: labels may name a new charge)."""
    for target in sorted(appended, key=lambda t: t != CHARGES):
        path = seeds_dir / target
        if target == HINTS and not path.exists():
            path.write_text(
                "hint_id,file_pattern,sheet_pattern,hint,value,note\n", encoding="utf-8"
            )
        text = path.read_text(encoding="utf-8")
        with path.open("a", newline="", encoding="utf-8") as handle:
            if text and not text.endswith("\n"):
                handle.write("\n")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerows(appended[target])


def apply_suggestions(path: Path, seeds_dir: Path) -> Applied:
    """Check the edited suggestions file and, when every row passes, append its accepted rows."""
    suggestions = read_suggestions(path)
    result = check(suggestions, SeedFacts.read(seeds_dir), path.name)
    if not result.problems:
        append_rows(seeds_dir, result.appended)
    return result
