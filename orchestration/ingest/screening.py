"""Privacy by construction: a file's text is published only where the vocabulary knows it.

Reading a file needs all of its text: a title names the country, a heading qualifies the
figures under it, a label says what a figure measures. The warehouse needs only the text
the seeds know. Any other text (a title naming an officer, a note about a suspect, a sheet
called after a person, the value of a 'Country:' pair, a header no seed knows) may be
personal data, and no rule can tell a name from a word. So the screen does not look for
personal data; it lets through what is known to be harmless:

- a text is kept when each of its words is a word of a seed label or of
  document_words.csv, and it holds no identifier (a run of five or more digits beside
  letters: 'Passport 12345678');
- any other text is replaced by where it is written: '[withheld: B7]' for a cell,
  '[sheet 2]' for a sheet's name, and handed back to the caller, which keeps it for the
  steward outside the warehouse (landing/withheld.py);
- a message quoting a withheld text quotes its place instead.

A label that dbt maps is made of seed words, so screening never changes what a figure
means: only what the warehouse can show of what it could not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from orchestration.ingest.labels import (
    ALTERNATIVES,
    COMPOUND,
    clean_label,
    without_parentheses,
    word_key,
)
from orchestration.ingest.records import SubmissionReading
from orchestration.ingest.vocabulary import Vocabulary, words_of

# A spreadsheet's error values ('#DIV/0!') are the program's words, not the sender's. Every
# other cell is screened: a day may carry a name ('Horvat, 14.03.2022' reads as a date).
_UNSCREENED_KINDS = frozenset({"error"})
_DIGIT_RUN = re.compile(r"\d{5,}")
# What a message quotes: '…' or "…" (repr of a cell's text), or typographic quotes.
_QUOTED = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"|„([^“”\n]*)[“”]|«([^»\n]*)»")
WITHHELD = "[withheld]"
_JOINED = " | "  # how the texts of several label cells make one row label


@dataclass(frozen=True)
class WithheldText:
    """A text kept out of the warehouse, and where it stands in the file."""

    kind: str  # sheet (its name), cell (its text as written), label (a text read from cells)
    sheet_name: str  # the sheet's own name
    cell_ref: str | None  # None: the text is the sheet's name, or a label of no one cell
    text: str
    shown_as: str  # what the warehouse shows in its place


class Screen:
    """Which texts may be published, by their words."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self._kept: dict[str, bool] = {}

    def keeps(self, text: str) -> bool:
        if (known := self._kept.get(text)) is not None:
            return known
        words = words_of(text)
        kept = all(w in self.words for w in words) and not (words and _DIGIT_RUN.search(text))
        if len(self._kept) < 100_000:
            self._kept[text] = kept
        return kept

    def unknown_words(self, text: str) -> set[str]:
        return {w for w in words_of(text) if w not in self.words} | set(_DIGIT_RUN.findall(text))


def screen_reading(reading: SubmissionReading, vocabulary: Vocabulary) -> list[WithheldText]:
    """Replace in `reading` every text the screen does not keep; return what was replaced."""
    return _FileScreen(reading, Screen(vocabulary.screen_words)).run()


class _FileScreen:
    def __init__(self, reading: SubmissionReading, screen: Screen) -> None:
        self.reading = reading
        self.screen = screen
        self.withheld: dict[tuple, WithheldText] = {}
        self.leaks: set[str] = set()  # words of withheld texts: a quote holding one goes
        self.sheets: dict[str, str] = {}  # sheet name -> as shown
        self.texts: list[tuple[str, str, str]] = []  # (sheet, cell, text) of every cell
        self._by_label: dict[str, tuple[str, str]] | None = None

    def run(self) -> list[WithheldText]:
        self._screen_sheet_names()
        self._screen_cells()
        for o in self.reading.observations:
            sheet, o.sheet_name = o.sheet_name, self._sheet(o.sheet_name)
            o.row_label = self._label(o.row_label, sheet)
            o.column_label = self._label(o.column_label, sheet)
            o.period_text = self._label(o.period_text, sheet, o.period_cell_ref)
            o.unit_text = self._label(o.unit_text, sheet, o.unit_cell_ref)
            o.measure_labels = [self._label(label, sheet) for label in o.measure_labels]
            o.context_labels = [self._label(label, sheet) for label in o.context_labels]
            o.raw_text = self._cell_text(o.raw_text, sheet, o.cell_ref)
        for ignored in self.reading.ignored:
            ignored.sheet_name = self._sheet(ignored.sheet_name)
        for drop in self.reading.privacy:
            sheet, drop.sheet_name = drop.sheet_name, self._sheet(drop.sheet_name)
            drop.header_text = self._label(drop.header_text, sheet)
        items = self.reading.quarantine
        originals = [item.raw_text for item in items]
        for item in items:  # first every text, so that each message knows all leaks
            if item.sheet_name is not None:
                sheet, item.sheet_name = item.sheet_name, self._sheet(item.sheet_name)
                item.raw_text = self._cell_text(item.raw_text, sheet, item.cell_ref)
            elif item.raw_text is not None and not self.screen.keeps(item.raw_text):
                item.raw_text = self._withhold("cell", "", None, item.raw_text, WITHHELD)
        for item, text in zip(items, originals, strict=True):
            item.message = self._redact(item.message, text, item.raw_text)
        if self.reading.country_evidence:
            self.reading.country_evidence = self._redact(self.reading.country_evidence)
        return list(self.withheld.values())

    def _screen_sheet_names(self) -> None:
        """A text file's one sheet is named after the file, which the warehouse shows anyway."""
        stem = PurePath(self.reading.file_name).stem
        for sheet in self.reading.sheets:
            name = sheet.sheet_name
            if name == stem or self.screen.keeps(name):
                self.sheets[name] = name
            else:
                shown = f"[sheet {sheet.sheet_index + 1}]"
                self.sheets[name] = self._withhold("sheet", name, None, name, shown)
            sheet.sheet_name = self.sheets[name]

    def _screen_cells(self) -> None:
        for cell in self.reading.cells:
            sheet, cell.sheet_name = cell.sheet_name, self._sheet(cell.sheet_name)
            if cell.raw_text is None or cell.cell_type in _UNSCREENED_KINDS:
                continue
            self.texts.append((sheet, cell.cell_ref, cell.raw_text))
            cell.raw_text = self._cell_text(cell.raw_text, sheet, cell.cell_ref)

    @property
    def by_label(self) -> dict[str, tuple[str, str]]:
        """word key of each label a cell's text can give -> (sheet, cell); built when first
        needed (most files withhold no label)."""
        if self._by_label is None:
            self._by_label = {}
            for sheet, cell_ref, text in self.texts:
                for key in _variants(text):
                    self._by_label.setdefault(key, (sheet, cell_ref))
        return self._by_label

    def _sheet(self, name: str) -> str:
        if name not in self.sheets:  # a sheet the reading lists no record of
            kept = self.screen.keeps(name) or name == PurePath(self.reading.file_name).stem
            self.sheets[name] = (
                name if kept else self._withhold("sheet", name, None, name, "[sheet]")
            )
        return self.sheets[name]

    def _cell_text(self, text: str | None, sheet: str, cell_ref: str | None) -> str | None:
        if text is None or self.screen.keeps(text):
            return text
        return self._withhold("cell", sheet, cell_ref, text, _placeholder(cell_ref))

    def _label(self, label: str | None, sheet: str, cell_ref: str | None = None) -> str | None:
        """A text read from a cell (a label cleaned, without its unit; a day; a unit): shown
        by its cell's place, `cell_ref` where the reader says which cell, else found by text."""
        if label is None or self.screen.keeps(label):
            return label
        if _JOINED in label:  # the texts of a row's label cells, each its own
            return _JOINED.join(self._label(part, sheet) or "" for part in label.split(_JOINED))
        if label in self.sheets:  # the sheet's name as a context label
            return self.sheets[label]
        if cell_ref is None:
            sheet, cell_ref = self.by_label.get(word_key(label), (sheet, None))
        return self._withhold("label", sheet, cell_ref, label, _placeholder(cell_ref))

    def _withhold(
        self, kind: str, sheet: str, cell_ref: str | None, text: str, shown_as: str
    ) -> str:
        record = WithheldText(kind, sheet, cell_ref, text, shown_as)
        self.withheld.setdefault((kind, sheet, cell_ref, text), record)
        self.leaks |= self.screen.unknown_words(text)
        return shown_as

    def _redact(self, message: str, text: str | None = None, shown_as: str | None = None) -> str:
        """A message with each withheld sheet name, its cell's own text and any quote
        holding a withheld word replaced by their places. Only quotes are screened: the
        rest of a message is the reader's own words."""
        for name, shown in self.sheets.items():
            if name != shown:
                message = message.replace(f"'{name}'", f"'{shown}'")
        if text is not None and shown_as is not None and text != shown_as:
            message = message.replace(repr(text), shown_as)

        shown_names = set(self.sheets.values())

        def quote(match: re.Match) -> str:
            quoted = next(g for g in match.groups() if g is not None)
            if quoted.startswith(("[withheld", "[sheet")) or quoted in shown_names:
                return match.group(0)
            if self.screen.keeps(quoted) or not self.screen.unknown_words(quoted) & self.leaks:
                return match.group(0)
            return _placeholder(self.by_label.get(word_key(quoted), ("", None))[1])

        return _QUOTED.sub(quote, message)


def _placeholder(cell_ref: str | None) -> str:
    return f"[withheld: {cell_ref}]" if cell_ref else WITHHELD


def _variants(text: str) -> set[str]:
    """The keys of the labels a cell's text can give: whole, each line, each part of a
    bilingual or compound label (by word_key: numbering, bullets and quotes aside)."""
    lines = [line for line in text.splitlines() if line.strip()]
    parts = [p for line in [text, *lines] for p in COMPOUND.split(clean_label(line))]
    parts += [a for p in list(parts) for a in ALTERNATIVES.split(p)]
    forms = [text, *lines, *parts]
    forms += [without_parentheses(form) for form in forms]  # 'Drogen (kg)' -> 'Drogen'
    return {key for form in forms if (key := word_key(form))}
