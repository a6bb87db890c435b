"""Key/value forms: what is left of a sheet once its tables are found.

Questionnaires put a label and its value on one row ('Broj službenika: | 512', sometimes
with a gap or a unit between them), or in one cell ('País: España'), grouped under section
headings ('3. Arrests by offence'). A heading is a row with one text and nothing else; it
qualifies the pairs below it until the next heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestration.ingest.cells import CellInfo
from orchestration.ingest.dates import scan_date
from orchestration.ingest.labels import OUTLINE_NUMBER

# Field roles that describe the file itself, not a figure ('Date: 30.09.2020' in a title
# block is the date of the report).
METADATA_ROLES = frozenset({"country", "report_date", "version", "date"})
# Labels whose value may be any text: facts about the file, and personal data (to drop it).
PAIRED_ROLES = METADATA_ROLES | {"personal_data"}
_INLINE = re.compile(r"^(?P<label>[^:：=]{2,80}?)\s*[:：=]\s*(?P<value>\S.*)$")
_LABEL_WORD = re.compile(r"[^\W\d_]{3,}")
# Digits grouped as a telephone or a file number ('+385 1 234 5678', '01/234-567').
_NOT_A_FIGURE = re.compile(r"^\+|\d\s\d{1,2}\s\d|^0\d")
_REMARK = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_FIGURE = re.compile(r"^[-+−]?\d[\d\s.,'’\u00a0\u202f]*(?:\s*[^\W\d_]{1,6}\.?)?$|^\S{1,5}$")


@dataclass
class Pair:
    label: CellInfo
    value: CellInfo | None  # None when the value is inside the label's cell
    section: CellInfo | None
    unit: CellInfo | None = None
    inline_label: str = ""  # 'País' of 'País: España'
    inline_value: str = ""  # 'España'

    @property
    def label_text(self) -> str:
        return self.inline_label or self.label.label

    @property
    def value_text(self) -> str:
        return self.inline_value if self.value is None else self.value.text


@dataclass
class FormReading:
    pairs: list[Pair]
    sections: list[CellInfo]
    leftovers: list[CellInfo]  # cells that are neither pairs nor headings
    numbering: list[CellInfo]  # outline numbers before labels ('2.1 | Persons checked')


def read_form(cells: list[CellInfo], match_label, is_metadata_label) -> FormReading:
    """Pairs and headings among `cells` (the cells no table took), row by row.

    `match_label(text)` returns the vocabulary matches of a label text (for inline pairs);
    `is_metadata_label(cell_or_text)` says whether a label names a fact about the file."""
    rows: dict[int, list[CellInfo]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
    pairs: list[Pair] = []
    sections: list[CellInfo] = []
    leftovers: list[CellInfo] = []
    numbering: list[CellInfo] = []
    section: CellInfo | None = None
    for row in sorted(rows):
        in_row = sorted(rows[row], key=lambda c: c.col)
        if len(in_row) > 1 and OUTLINE_NUMBER.match(in_row[0].text) and in_row[1].kind == "text":
            numbering.append(in_row.pop(0))
        if len(in_row) == 1 and in_row[0].kind == "text":
            inline = _inline_pair(in_row[0], section, match_label)
            if inline:
                pairs.append(inline)
            else:
                section = in_row[0]
                sections.append(section)
            continue
        index = 0
        while index < len(in_row):
            cell = in_row[index]
            pair, used = _pair_at(in_row, index, section, is_metadata_label, match_label)
            if pair:
                pairs.append(pair)
                index += used
            else:
                leftovers.append(cell)
                index += 1
    return FormReading(pairs, sections, leftovers, numbering)


def _pair_at(in_row, index, section, is_metadata_label, match_label) -> tuple[Pair | None, int]:
    cell = in_row[index]
    if cell.kind != "text":
        return None, 1
    rest = in_row[index + 1 :]
    unit = None
    if rest and rest[0].kind == "text" and rest[0].has("unit") and len(rest) > 1:
        unit, rest = rest[0], rest[1:]
    if rest and rest[0].kind in ("number", "marker", "date"):
        return Pair(cell, rest[0], section, unit), 2 + (unit is not None)
    if rest and rest[0].kind == "text" and is_metadata_label(cell):
        return Pair(cell, rest[0], section), 2  # 'Country: | Croatia'
    inline = _inline_pair(cell, section, match_label)
    if inline:
        return inline, 1
    return None, 1


def is_datelike(text: str) -> bool:
    return scan_date(text.strip(), lambda _: None) is not None


def _inline_pair(cell: CellInfo, section: CellInfo | None, match_label) -> Pair | None:
    """'País: España', 'Broj službenika: 512' in one cell: a known fact about the file with
    any value, or a known metric or charge with a figure ('Note: ...' stays a note)."""
    match = _INLINE.match(cell.text.strip())
    if not match:
        return None
    matches = match_label(match["label"])
    is_metadata = any(m.kind == "field" and m.code in PAIRED_ROLES for m in matches)
    names_a_figure = any(m.kind in ("metric", "charge") for m in matches)
    value = match["value"]
    if not (is_metadata or names_a_figure):
        # 'Beslaglagte skydevåben: 6 stk.' in words no seed knows is still a figure: it is
        # read as one (dbt quarantines its label by name), never ignored as a heading.
        # Fields of a letter are not figures: a date, a reference, a phone number.
        figure = _REMARK.sub("", value)
        if not (_FIGURE.match(figure) and _LABEL_WORD.search(match["label"])):
            return None
        if _NOT_A_FIGURE.search(figure) or is_datelike(figure):
            return None
        names_a_figure = True
    if names_a_figure and not is_metadata:
        # '29,7 kg (primært hash og kokain)': the figure, then a remark about it. A value
        # with digits that is no figure stays as written: the pair is quarantined as not a
        # number, never taken for a heading. Words alone ('Bron: KMar brigades ...', 'Note:
        # see annex') are a note, whatever the label happens to mean in some language.
        if not any(ch.isdigit() for ch in value) and not match_label(value.strip()):
            return None
        value = _REMARK.sub("", value) if _FIGURE.match(_REMARK.sub("", value)) else value
    return Pair(cell, None, section, inline_label=match["label"], inline_value=value)
