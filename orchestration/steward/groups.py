"""The quarantine grouped by problem: one group per unknown label, unit, day word, template
or file, with its cells, files, languages and example cells, instead of one line per cell.

A steward resolves a group with one seed row or one template hint; a list of 600 cells is
60 decisions. The labels of rejected files (audit.rejected_file_labels) join the groups of
the same label, so one round shows every label, those of files that do not count yet too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from orchestration import connections
from orchestration.ingest.labels import label_key
from orchestration.landing.withheld import Revealer

SEVERITY_ORDER = {"error": 0, "warning": 1, "file_rejected": 2}
# reasons whose remedy is a word for the seeds: one group per word, across files
BY_SUBJECT = frozenset(
    {
        "unknown_label",
        "unknown_charge",
        "unknown_unit",
        "unknown_column",
        "unattached_value",
        "not_a_number",
        "unreadable_date",
        "ambiguous_label",
        "conflicting_labels",
        "not_a_participant",
        "unlabelled_value",
    }
)
# reasons whose remedy is a template hint or a word about one file: one group per file
BY_FILE = frozenset(
    {
        "ambiguous_number",
        "ambiguous_date",
        "date_outside_window",
        "fractional_count",
        "unknown_country",
        "missing_quantity",
    }
)
# one group per file, sheet and column (a list's undecided column)
BY_SHEET = frozenset({"ambiguous_quantity"})
_WORD = re.compile(r"[^\W\d_]{2,}")
EXAMPLES = 200  # cells listed with a group (the suggestions file lists them all, up to this)


@dataclass
class Item:
    operation_id: str
    file_name: str
    sheet_name: str | None
    cell_ref: str | None
    reason_code: str
    severity: str
    message: str
    subjects: list[str]
    language: str | None
    country_code: str | None
    steward_action: str | None
    in_rejected_file: bool = False
    raw_text: str | None = None
    file_id: str | None = None

    def revealed(self, revealer: Revealer) -> Item:
        """The item as its file wrote it: the texts screening withheld from the warehouse
        (kept for the steward beside the build) put back in its sheet, message and labels."""
        if self.file_id is None:
            return self
        sheet = self.sheet_name or ""

        def text(value: str | None, kind: str) -> str | None:
            return revealer.reveal(self.file_id, sheet, value, kind)

        return replace(
            self,
            sheet_name=revealer.sheet(self.file_id, sheet) if self.sheet_name else None,
            message=text(self.message, "cell"),
            subjects=[text(s, "label") for s in self.subjects],
            raw_text=text(self.raw_text, "cell"),
        )

    @property
    def where(self) -> str:
        if self.cell_ref:
            return f"{self.file_name}!{self.sheet_name}!{self.cell_ref}"
        return self.file_name


@dataclass
class Group:
    reason_code: str
    severity: str
    key: tuple
    subject: str  # what it is about, as written (the label, the unit, the file)
    items: list[Item] = field(default_factory=list)
    word: str | None = None  # the label, unit or word itself, when the group is about one

    @property
    def cells(self) -> int:
        return sum(1 for i in self.items if i.cell_ref)

    @property
    def rejected_cells(self) -> int:
        return sum(1 for i in self.items if i.in_rejected_file)

    @property
    def files(self) -> list[str]:
        return sorted({i.file_name for i in self.items})

    @property
    def languages(self) -> list[str]:
        found = Counter(i.language for i in self.items if i.language)
        return [language for language, _ in found.most_common()]

    @property
    def operations(self) -> list[str]:
        return sorted({i.operation_id for i in self.items})

    @property
    def examples(self) -> list[str]:
        return [i.where for i in self.items[:EXAMPLES]]

    @property
    def message(self) -> str:
        """The first item's sentence (each names its own cell; the remedy is the group's)."""
        first = next((i for i in self.items if not i.in_rejected_file), self.items[0])
        return first.message

    @property
    def remedy(self) -> str:
        """The sentence without the file, sheet and cell it starts with."""
        first = next((i for i in self.items if not i.in_rejected_file), self.items[0])
        text = first.message
        prefix = first.file_name
        if first.cell_ref:
            prefix = f"{first.file_name}, sheet '{first.sheet_name}', cell {first.cell_ref}: "
            return text[len(prefix) :] if text.startswith(prefix) else text
        return text[len(prefix) + 2 :] if text.startswith(prefix + ": ") else text


def _word_key(text: str) -> str:
    """The unknown word of a day text ('24 Eylül' -> 'eylul'), or the text's key."""
    words = _WORD.findall(text)
    if any(ch.isdigit() for ch in text) and words:
        return label_key(max(words, key=len))
    return label_key(text)


def group_key(item: Item, subject: str | None) -> tuple:
    reason = item.reason_code
    if reason in BY_SUBJECT and subject:
        if reason == "unreadable_date":
            return (reason, _word_key(subject))
        return (reason, label_key(subject))
    if reason in BY_SHEET:
        return (reason, item.file_name, item.sheet_name, label_key(subject or ""))
    if reason in BY_FILE or item.cell_ref:
        return (reason, item.file_name)
    return (reason,)  # a file-level refusal: one group per reason, listing its files


def read_items(
    database: Path,
    operation: str | None = None,
    severity: str | None = None,
    withheld: Path | None = None,
) -> list[Item]:
    """The items of a warehouse's quarantine; with `withheld` (the build's folder of texts
    kept from the warehouse), as their files wrote them."""
    con = connections.connect(str(database), read_only=True)
    try:
        items = items_from(con, operation, severity)
    finally:
        con.close()
    if withheld is None:
        return items
    revealer = Revealer(withheld, operation)
    return [item.revealed(revealer) for item in items]


def _names(con, schema: str) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = ?", [schema]
        ).fetchall()
    }


def items_from(con, operation: str | None = None, severity: str | None = None) -> list[Item]:
    """The quarantine's items (and the labels of rejected files) on an open connection."""
    tables = _names(con, "audit")
    if "quarantine" not in tables:
        return []
    columns = {
        name
        for (name,) in con.execute(
            """select column_name from duckdb_columns()
               where schema_name = 'audit' and table_name = 'quarantine'"""
        ).fetchall()
    }
    extra = (
        "subjects, language, country_code"
        if {"subjects", "language"} <= columns
        else "[]::varchar[], null, null"
    )
    rows = con.execute(
        f"""
        select operation_id, file_name, sheet_name, cell_ref, reason_code, severity,
               message, {extra}, steward_action, false, raw_text, file_id
        from audit.quarantine
        where (? is null or operation_id = ?) and (? is null or severity = ?)
        order by case severity when 'error' then 0 when 'warning' then 1 else 2 end,
                 operation_id, file_name, sheet_name, cell_ref
        """,
        [operation, operation, severity, severity],
    ).fetchall()
    if "rejected_file_labels" in tables and severity in (None, "file_rejected"):
        rows += con.execute(
            """
            select r.operation_id, r.file_name, r.sheet_name, r.cell_ref, r.reason_code,
                   'file_rejected', r.message, r.subjects, r.language, null,
                   q.steward_action, true, null, r.file_id
            from audit.rejected_file_labels r
            left join (select distinct reason_code, steward_action from audit.quarantine) q
                using (reason_code)
            where (? is null or r.operation_id = ?)
            order by r.operation_id, r.file_name, r.sheet_name, r.cell_ref
            """,
            [operation, operation],
        ).fetchall()
    return [Item(*row[:7], list(row[7] or []), *row[8:]) for row in rows]


def attempt_items_from(con, operation: str) -> list[Item]:
    """What the last load quarantined in an operation it held back (audit.attempt_quarantine
    of the published warehouse: the operation's own rows there are its last good ones)."""
    if "attempt_quarantine" not in _names(con, "audit"):
        return []
    rows = con.execute(
        """select operation_id, file_name, sheet_name, cell_ref, reason_code, severity, message,
                  subjects, language, country_code, steward_action, in_rejected_file, raw_text,
                  file_id
           from audit.attempt_quarantine where operation_id = ?
           order by case severity when 'error' then 0 when 'warning' then 1 else 2 end,
                    file_name, sheet_name, cell_ref""",
        [operation],
    ).fetchall()
    return [Item(*row[:7], list(row[7] or []), *row[8:]) for row in rows]


def group_items(items: list[Item]) -> list[Group]:
    """Items by problem. An item about two labels is in both labels' groups. A group's
    severity is its worst item's (a label in an accepted file and in a rejected one is an
    error: it blocks the accepted file)."""
    groups: dict[tuple, Group] = {}
    for item in items:
        subjects = [s for s in item.subjects if s] or [None]
        if item.reason_code not in BY_SUBJECT and item.reason_code not in BY_SHEET:
            subjects = subjects[:1]
        for subject in subjects:
            key = group_key(item, subject)
            group = groups.get(key)
            if group is None:
                if len(key) == 1:
                    shown = ""  # one refusal, many files: the files say it
                elif item.reason_code in BY_SHEET:
                    shown = f"{item.file_name} · {item.sheet_name} · {subject}"
                elif item.reason_code in BY_SUBJECT and subject:
                    shown = subject
                else:
                    shown = item.file_name
                word = subject if item.reason_code in BY_SUBJECT and subject else None
                group = groups[key] = Group(item.reason_code, item.severity, key, shown, word=word)
            group.items.append(item)
            if SEVERITY_ORDER.get(item.severity, 0) < SEVERITY_ORDER.get(group.severity, 0):
                group.severity = item.severity
    return sorted(
        groups.values(),
        key=lambda g: (SEVERITY_ORDER.get(g.severity, 0), -len(g.items), g.reason_code, g.key),
    )


def read_groups(
    database: Path,
    operation: str | None = None,
    severity: str | None = None,
    withheld: Path | None = None,
) -> list[Group]:
    return group_items(read_items(database, operation, severity, withheld))
