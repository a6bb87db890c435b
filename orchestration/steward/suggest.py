"""The seed rows and template hints that would resolve each group of the quarantine, as a
CSV a steward edits (`jadwh quarantine --suggest FILE`) and applies (`jadwh seeds apply`).

Every row is a proposal: its `decision` is empty until a steward writes `accept` or `skip`.
The code proposed is the closest known one by the evidence at hand, and the `evidence`
column says which: the words a label shares with seed labels (evidence.py), what the other
labels of its cells already name (a word beside several charges counts persons; a word
over several metrics is a group word), the file's language, the operation's month, the
reading under which the file's own dates fall inside the operation. Where the evidence
points nowhere the code is left empty, and where it points two ways there is a row for
each: a wrong code that looks right is the worst failure there is.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from orchestration import connections
from orchestration.ingest.labels import label_key
from orchestration.steward.evidence import Proposal, WordIndex, propose
from orchestration.steward.groups import EXAMPLES, Group
from orchestration.steward.seeds import COLUMNS, GROUP_ROLE, read_csv

# field roles whose column keeps its cells as text (an unknown column's remedy)
TEXT_ROLES = ("description", "place", "note", "nationality", "category")


@dataclass
class Evidence:
    """What the warehouse knows around the groups: the seeds' words, each quarantined
    cell's other labels, the operations' windows, the languages' and countries' conventions."""

    index: WordIndex
    units: WordIndex
    fields: WordIndex
    cell_codes: dict[tuple[str, str, str], tuple[str | None, str | None]]
    windows: dict[str, tuple[dt.date, dt.date]]
    languages: dict[str, dict[str, str]]
    countries: dict[str, dict[str, str]]
    file_conventions: dict[str, tuple[str | None, str | None]]  # file -> (date order, separator)
    # label key -> the cells it stands around (in their context labels): what a title or a
    # heading over a column names is what those cells count
    context_cells: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def gather(cls, database: Path, seeds_dir: Path, groups: list[Group] | None = None) -> Evidence:
        index, units, fields = WordIndex(), WordIndex(), WordIndex()
        for row in read_csv(seeds_dir / "metric_labels.csv"):
            index.add(row["label"], "metric", row["metric_code"])
        for row in read_csv(seeds_dir / "charge_labels.csv"):
            index.add(row["label"], "charge", row["charge_code"])
        for row in read_csv(seeds_dir / "unit_labels.csv"):
            units.add(row["label"], "unit", row["unit_code"])
        for row in read_csv(seeds_dir / "field_labels.csv"):
            if row["field_role"] != "personal_data":
                fields.add(row["label"], "field", row["field_role"])
        cell_codes: dict = {}
        context_cells: dict[str, list[str]] = {}
        windows: dict = {}
        conventions: dict = {}
        con = connections.connect(str(database), read_only=True)
        try:
            tables = {
                f"{s}.{t}"
                for s, t in con.execute(
                    "select schema_name, table_name from duckdb_tables()"
                ).fetchall()
            } | {
                f"{s}.{t}"
                for s, t in con.execute(
                    "select schema_name, view_name from duckdb_views()"
                ).fetchall()
            }
            if "intermediate.int_observations_mapped" in tables:
                for file_name, sheet, cell, metric, charge in con.execute(
                    """select s.file_name, m.sheet_name, m.cell_ref, m.metric_code, m.charge_code
                       from intermediate.int_observations_mapped m
                       join raw.submissions s using (operation_id, file_id)
                       where m.mapping_status not in ('mapped', 'alternative_unit')"""
                ).fetchall():
                    cell_codes[(file_name, sheet, cell)] = (metric, charge)
            wanted = {
                label_key(g.subject)
                for g in groups or []
                if g.reason_code == "unlabelled_value" and g.subject
            }
            if wanted and "intermediate.int_observations_mapped" in tables:
                for file_name, sheet, cell, labels in con.execute(
                    """select s.file_name, m.sheet_name, m.cell_ref, m.context_labels
                       from intermediate.int_observations_mapped m
                       join raw.submissions s using (operation_id, file_id)
                       order by s.file_name, m.sheet_name, m.row_number, m.column_number"""
                ).fetchall():
                    for label in {label_key(x) for x in labels or []} & wanted:
                        context_cells.setdefault(label, []).append(f"{file_name}!{sheet}!{cell}")
            if "raw.operations" in tables:
                for op, start, end in con.execute(
                    "select operation_id, start_date, end_date from raw.operations"
                ).fetchall():
                    windows[op] = (start, end)
            if "raw.submissions" in tables:
                for file_name, order, separator in con.execute(
                    "select file_name, date_order, decimal_separator from raw.submissions"
                ).fetchall():
                    conventions[file_name] = (order, separator)
        finally:
            con.close()
        return cls(
            index,
            units,
            fields,
            cell_codes,
            windows,
            {r["language"]: r for r in read_csv(seeds_dir / "languages.csv")},
            {r["country_code"]: r for r in read_csv(seeds_dir / "countries.csv")},
            conventions,
            context_cells,
        )


def _row(group: Group, number: int, **values: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        reason_code=group.reason_code,
        group=str(number),
        cells=str(group.cells),
        files=" ; ".join(group.files),
        examples=" ; ".join(group.examples),
        language=group.languages[0] if group.languages else "",
    )
    row.update(values)
    return row


def _file_pattern(file_name: str) -> str:
    """This file's name as a glob matching only it ('[' and the like become '?')."""
    return "".join("?" if ch in "*?[]" else ch for ch in file_name)


def _label_rows(group: Group, number: int, evidence: Evidence) -> list[dict[str, str]]:
    """A label no seed knows: what its cells' other labels name decides its kind when they
    can (several charges: it counts persons; several metrics: a group word); else the words
    it shares with seed labels propose a metric or a charge."""
    label = group.subject
    metrics, charges = set(), set()
    for item in group.items:
        metric, charge = evidence.cell_codes.get(
            (item.file_name, item.sheet_name, item.cell_ref), (None, None)
        )
        if charge:
            charges.add(charge)
        elif metric:
            metrics.add(metric)
    figures = metrics | ({"arrests"} if charges else set())
    if len(figures) >= 2:
        why = (
            f"its cells' other labels name {len(figures)} metrics ({', '.join(sorted(figures))}): "
            "a word over several figures (a group word, an agency), which names none of them"
        )
        return [
            _row(
                group, number, target="field_labels.csv", label=label, code=GROUP_ROLE, evidence=why
            )
        ]
    if len(charges) >= 2:
        why = (
            f"its cells' other labels name {len(charges)} charges ({', '.join(sorted(charges))}), "
            "which qualify arrests"
        )
        return [
            _row(
                group,
                number,
                target="metric_labels.csv",
                label=label,
                code="arrests",
                evidence=why + ": a word over them may name arrests ('Festnahmen')",
            ),
            _row(
                group,
                number,
                target="unit_labels.csv",
                label=label,
                code="count",
                evidence=why + "; or it says what is counted (persons, cases: 'osób', 'n.')",
            ),
            _row(
                group,
                number,
                target="field_labels.csv",
                label=label,
                code=GROUP_ROLE,
                evidence=why + "; or a word over the charges (a group word)",
            ),
        ]
    kinds = ("charge",) if group.reason_code == "unknown_charge" or charges else None
    proposal = propose(label, evidence.index, kinds)
    target = "charge_labels.csv" if (proposal.kind == "charge" or kinds) else "metric_labels.csv"
    why = f"word evidence: {proposal.because}"
    if metrics and not kinds:
        why += f"; its cells' other labels already say {next(iter(metrics))}"
    rows = [_row(group, number, target=target, label=label, code=proposal.code or "", evidence=why)]
    if group.reason_code == "unknown_charge" and not proposal.code:
        rows.append(
            _row(
                group,
                number,
                target="charge_labels.csv",
                label=label,
                code="other",
                evidence="an offence outside the taxonomy may count as 'other' (or extend charges.csv)",
            )
        )
    return rows


def _unit_rows(group: Group, number: int, evidence: Evidence) -> list[dict[str, str]]:
    metrics = {
        evidence.cell_codes.get((i.file_name, i.sheet_name, i.cell_ref), (None, None))[0]
        for i in group.items
    } - {None}
    proposal = propose(group.subject, evidence.units)
    code, why = proposal.code or "", f"word evidence: {proposal.because}"
    if metrics and metrics <= {"drugs_seized_kg"}:
        code = proposal.code if proposal.code not in (None, "count") else ""
        why += "; the figure is a mass (drugs): the unit's factor converts it"
    elif metrics:
        code, why = "count", f"the figure is a count ({', '.join(sorted(metrics))})"
    return [
        _row(group, number, target="unit_labels.csv", label=group.subject, code=code, evidence=why)
    ]


def _hint(group: Group, number: int, kind: str, value: str, why: str, sheet: str = "*") -> dict:
    first = group.items[0]
    return _row(
        group,
        number,
        target="template_hints.csv",
        file_pattern=_file_pattern(first.file_name),
        sheet_pattern=sheet,
        hint=kind,
        value=value,
        evidence=why,
        language="",
    )


def _swap(day: dt.date) -> dt.date | None:
    try:
        return dt.date(day.year, day.day, day.month)
    except ValueError:
        return None


def suggestion_rows(groups: list[Group], evidence: Evidence) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for number, group in enumerate(groups, start=1):
        rows.extend(_rows_for(group, number, evidence))
    return rows


def _rows_for(group: Group, number: int, evidence: Evidence) -> list[dict[str, str]]:
    reason = group.reason_code
    first = group.items[0]
    if reason in ("unknown_label", "unknown_charge", "unattached_value") and group.word:
        return _label_rows(group, number, evidence)
    if reason == "unlabelled_value" and group.word:
        proposal = propose(group.subject, evidence.index, ("metric",))
        cells = evidence.context_cells.get(label_key(group.subject), [])
        return [
            _row(
                group,
                number,
                target="metric_labels.csv",
                label=group.subject,
                code=proposal.code or "",
                examples=" ; ".join(cells[:EXAMPLES]) or " ; ".join(group.examples),
                evidence=(
                    f"a word around {len(cells)} cell(s) (listed in examples), none of whose "
                    f"labels names a metric; word evidence: {proposal.because}"
                ),
            )
        ]
    if reason == "unknown_unit" and group.word:
        return _unit_rows(group, number, evidence)
    if reason == "unknown_column":
        proposal = propose(group.subject, evidence.fields)
        code = proposal.code if proposal.code in TEXT_ROLES else "description"
        return [
            _row(
                group,
                number,
                target="field_labels.csv",
                label=group.subject,
                code=code,
                evidence=f"its cells are words; word evidence: {proposal.because}",
            )
        ]
    if reason == "unreadable_date" and group.word:
        if not any(ch.isdigit() for ch in group.subject):
            return [
                _row(
                    group,
                    number,
                    target="field_labels.csv",
                    label=group.subject,
                    code="total",
                    evidence="no digit: no date; in the day column it is most likely a total row",
                )
            ]
        word = group.key[1]
        words = [w for w in group.subject.replace(".", " ").split() if label_key(w) == word]
        window = evidence.windows.get(first.operation_id)
        month = str(window[0].month) if window else ""
        spans = window and window[0].month != window[1].month
        why = f"the operation's month ({month})" + (
            "; it spans two months: check which" if spans else ""
        )
        return [
            _row(
                group,
                number,
                target="month_labels.csv",
                label=words[0] if words else word,
                code=month,
                evidence=why,
            )
        ]
    if reason == "not_a_number" and group.word:
        if any(ch.isdigit() for ch in group.subject):
            return []  # digits among words: the sender's to say
        return [
            _row(
                group,
                number,
                target="value_markers.csv",
                label=group.subject,
                code="not_available",
                evidence="words in a value cell; if they say there is no figure (or zero: meaning zero)",
            )
        ]
    if reason in ("ambiguous_number", "fractional_count"):
        value, why = _separator(group, evidence)
        return [_hint(group, number, "decimal_separator", value, why)]
    if reason in ("ambiguous_date", "date_outside_window"):
        value, why = _date_order(group, evidence)
        if reason == "date_outside_window" and not value:
            return []  # no reading puts the day inside the operation: the sender's to correct
        return [_hint(group, number, "date_order", value, why)]
    if reason == "ambiguous_quantity":
        header = group.key[3] if len(group.key) > 3 else ""
        column = first.subjects[0] if first.subjects else header
        why = "the list's numbers: quantities to add up, or a running number to count rows"
        return [
            _hint(group, number, "quantity_column", column, why, first.sheet_name or "*"),
            _hint(group, number, "count_rows", column, why, first.sheet_name or "*"),
        ]
    if reason == "missing_quantity":
        return [
            _hint(
                group,
                number,
                "quantity_column",
                "",
                "write the letter or header of the list's quantity column, if it has one",
                first.sheet_name or "*",
            )
        ]
    if reason == "unknown_country":
        named = first.subjects[0] if first.subjects else ""
        rows = [
            _hint(
                group,
                number,
                "country",
                named,
                "a cell of the file names this country" if named else "write the sender's ISO code",
            )
        ]
        if not named:  # or the file spells its country in a way no seed knows
            rows.append(
                _row(
                    group,
                    number,
                    target="country_aliases.csv",
                    evidence="if a cell names the sender in a spelling no seed knows: write that "
                    "spelling as the label and the ISO code",
                )
            )
        return rows
    return []


def _separator(group: Group, evidence: Evidence) -> tuple[str, str]:
    first = group.items[0]
    written = (first.raw_text or "").strip()
    if group.reason_code == "fractional_count" and written:
        thousands = "." if "." in written else ","
        value = "," if thousands == "." else "."
        return value, f"'{written}' read with '{value}' as the decimal separator is a whole count"
    language = evidence.languages.get(first.language or "")
    if language:
        return (
            language["decimal_separator"],
            f"the separator of the file's language ({first.language})",
        )
    country = evidence.countries.get(first.country_code or "")
    if country:
        return country["decimal_separator"], f"the usual separator of {first.country_code}"
    return "", "nothing in the file says which: ask the sender"


def _date_order(group: Group, evidence: Evidence) -> tuple[str, str]:
    first = group.items[0]
    if group.reason_code == "date_outside_window":
        window = evidence.windows.get(first.operation_id)
        days = []
        for item in group.items:
            for subject in item.subjects:
                try:
                    days.append(dt.date.fromisoformat(subject))
                except ValueError:
                    continue
        swapped = [_swap(d) for d in days]
        if window and days and all(s and window[0] <= s <= window[1] for s in swapped):
            order = evidence.file_conventions.get(first.file_name, (None, None))[0]
            value = "dmy" if order == "mdy" else "mdy"
            return value, f"read {value}, every day of the group falls inside the operation"
        return "", "no reading of the dates puts them inside the operation"
    country = evidence.countries.get(first.country_code or "")
    if country:
        return country["date_order"], f"the usual date order of {first.country_code}"
    language = evidence.languages.get(first.language or "")
    if language:
        return language["date_order"], f"the date order of the file's language ({first.language})"
    return "", "nothing in the file says which: ask the sender"


def write_suggestions(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def summary(rows: list[dict[str, str]]) -> dict[str, int]:
    """How many rows each seed would get, and how many carry a proposed code."""
    counts: Counter[str] = Counter(r["target"] for r in rows)
    proposed = sum(1 for r in rows if r["code"] or r["value"])
    return {**counts, "with a proposal": proposed}


def proposal_of(label: str, seeds_dir: Path) -> Proposal:
    """The word-evidence proposal for one label against the metric and charge seeds."""
    index = WordIndex()
    for row in read_csv(seeds_dir / "metric_labels.csv"):
        index.add(row["label"], "metric", row["metric_code"])
    for row in read_csv(seeds_dir / "charge_labels.csv"):
        index.add(row["label"], "charge", row["charge_code"])
    return propose(label, index)
