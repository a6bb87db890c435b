"""The shared vocabulary: the dbt seeds, read by ingestion to recognise structure.

The seeds in dbt_project/seeds/ are the one copy of every label a country may write. dbt
maps labels to codes with them (meaning); ingestion uses the same rows to recognise which
row is a header, which column holds dates, which cell names the country (structure).
A steward extends a seed; no Python changes.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from orchestration.ingest.hints import TemplateHint, load_hints
from orchestration.ingest.labels import (
    ALTERNATIVES,
    COMPOUND,
    clean_label,
    label_key,
    split_trailing_unit,
    without_parentheses,
    word_key,
)
from orchestration.settings import seeds_dir as default_seeds_dir

#: A published count of the countries that took part: not a warehouse metric (no file
#: reports it, metrics.csv does not have it); a manifest may publish it (landing/manifest.py)
#: and it is checked against the countries that reported and against `participants`.
COUNTRIES_PARTICIPATING = "countries_participating"

# seed file -> (kind of match, column holding the code)
LABEL_SEEDS: dict[str, tuple[str, str]] = {
    "metric_labels.csv": ("metric", "metric_code"),
    "charge_labels.csv": ("charge", "charge_code"),
    "field_labels.csv": ("field", "field_role"),
    "unit_labels.csv": ("unit", "unit_code"),
    "country_aliases.csv": ("country", "country_code"),
    "month_labels.csv": ("month", "month_number"),
    "value_markers.csv": ("marker", "meaning"),
}

# Words that may appear in titles and sheet names and name no one ('Results', 'Tabelle1').
DOCUMENT_WORDS = "document_words.csv"
_LETTERS = re.compile(r"[^\W\d_]+")


def words_of(text: str) -> list[str]:
    """The words of a text as the screen compares them: runs of letters, by label key."""
    return _LETTERS.findall(label_key(text))


# Field roles whose column holds what is measured rather than what qualifies it.
VALUE_ROLES = frozenset({"value", "quantity"})
# Field words that may stand beside a known label in one cell ('Festnahmen gesamt').
AFFIX_ROLES = frozenset({"total", "of_which"})
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Match:
    kind: str  # metric, charge, field, unit, country, month, marker
    code: str  # metric_code, charge_code, field role, unit_code, country_code, month, meaning
    language: str  # '' where a label is the same in every language (kg, -)


@dataclass(frozen=True)
class LabelReading:
    label: str  # the label as meant: cleaned, without its unit
    unit: str | None  # a unit written with it: 'Drogen (g)' -> 'g'
    matches: tuple[Match, ...]
    parts: tuple[str, ...]  # the label(s) as the seeds know them, for dbt to map


@dataclass(frozen=True)
class Language:
    decimal_separator: str
    date_order: str  # dmy or mdy: how a short date such as 05/09 is meant


@dataclass
class Vocabulary:
    """Every seed label by its key, plus the facts ingestion needs about languages."""

    by_key: dict[str, tuple[Match, ...]]
    languages: dict[str, Language]
    country_codes: frozenset[str]
    conventions: dict[str, Language] = field(default_factory=dict)  # by country code
    known_words: frozenset[str] = field(default_factory=frozenset)
    # every word of every seed label and of document_words.csv: text made of these alone
    # may be published (screening.py)
    screen_words: frozenset[str] = field(default_factory=frozenset)
    # (alias key, country code) for names, longest first; codes (HR, HRV) for file names.
    country_alias_keys: tuple[tuple[str, str], ...] = ()
    country_codes_by_code_alias: dict[str, str] = field(default_factory=dict)
    seeds_dir: Path | None = None  # where it was read from (worker processes read it again)
    # the languages each seed word is in, and each language's and country's usual code page:
    # evidence for the encoding of a text file (text_files.py)
    hints: tuple[TemplateHint, ...] = ()  # template_hints.csv: per template, not global
    word_languages: dict[str, frozenset[str]] = field(default_factory=dict)
    code_pages: dict[str, str] = field(default_factory=dict)
    country_code_pages: dict[str, str] = field(default_factory=dict)
    # what each text of a cell holds, by its text (cells.py); seeds define it, so it lives here
    text_cache: dict[str, tuple] = field(default_factory=dict, repr=False, compare=False)

    def lookup(self, text: str) -> tuple[Match, ...]:
        return self.by_key.get(label_key(text), ())

    def match(self, text: str) -> LabelReading:
        """The label as meant, the unit written with it, and what the seeds say it is.

        Tried in turn, so that a seed row need not foresee every way of writing a label:
        the label as written ('Drogen (g)' -> 'Drogen' + unit 'g'); without a parenthesis
        ('Broj uhićenih (ukupno)'); one language of a bilingual label ('Personen /
        Personnes'); the pieces of a compound label ('Interpellations – autres infractions'
        -> a metric and a charge). `parts` are the seed-known labels that dbt will map."""
        cleaned = clean_label(text)
        if whole := self.lookup(cleaned):
            # A seed row may hold the unit too ('Mato vnt.', 'Droguri ridicate (g)'): the
            # label is known whole, and its unit still counts ('(g)' is grams, not kg).
            return LabelReading(
                cleaned, split_trailing_unit(cleaned, self.is_unit)[1], whole, (cleaned,)
            )
        label, unit = split_trailing_unit(cleaned, self.is_unit)
        reading = self._match_simple(label) or self._match_alternatives(label)
        if reading is None:
            reading = self._match_compound(label) or self._match_beside_field_words(label)
        if reading is None:
            return LabelReading(label, unit, (), (label,))
        return LabelReading(label, unit or reading.unit, reading.matches, reading.parts)

    def _match_compound(self, label: str) -> LabelReading | None:
        """'Interpellations – autres infractions': a metric and a charge, each known."""
        pieces = COMPOUND.split(label)
        if len(pieces) < 2:
            return None
        readings = [self._match_simple(clean_label(piece)) for piece in pieces]
        if not all(readings):
            return None
        matches = tuple(m for r in readings for m in r.matches)
        parts = tuple(p for r in readings for p in r.parts)
        return LabelReading(label, None, matches, parts)

    def _match_beside_field_words(self, label: str) -> LabelReading | None:
        """'Festnahmen gesamt', 'davon Treffer', 'Total detenidos': a known label with a word
        for a total or an 'of which' before or after it names what the label names. The cell
        is not made a TOTAL cell by it: a figure beside its breakdown is the direct figure
        (the breakdown is then checked against it), and a TOTAL cell never counts."""
        words = label.split()
        for n in range(1, len(words)):
            for affix, rest, before in (
                (words[:n], words[n:], True),
                (words[-n:], words[:-n], False),
            ):
                field = self.lookup(" ".join(affix))
                if not field or any(m.kind != "field" or m.code not in AFFIX_ROLES for m in field):
                    continue
                text = " ".join(rest)
                reading = self._match_simple(text) or self._match_compound(text)
                if reading is None or any(m.kind == "field" for m in reading.matches):
                    continue
                if all((m.kind, m.code) == ("charge", "other") for m in reading.matches):
                    continue  # 'davon sonstige': 'other' alone names nothing (left to a seed row)
                word = " ".join(affix)
                parts = (word, *reading.parts) if before else (*reading.parts, word)
                return LabelReading(label, reading.unit, reading.matches, parts)
        return None

    def _match_alternatives(self, label: str) -> LabelReading | None:
        """'Arrests – firearms offences / Gabhálacha – cionta arm tine': a bilingual label
        whose languages are compounds; the alternatives that are read must agree."""
        alternatives = ALTERNATIVES.split(label)
        if len(alternatives) < 2:
            return None
        readings = [
            r for a in alternatives if (r := self._match_compound(clean_label(a))) is not None
        ]
        codes = {tuple(sorted((m.kind, m.code) for m in r.matches)) for r in readings}
        return readings[0] if len(codes) == 1 else None

    def _match_simple(self, label: str) -> LabelReading | None:
        label, unit = split_trailing_unit(label, self.is_unit)
        candidates = [label, without_parentheses(label)]
        alternatives = ALTERNATIVES.split(label)
        if len(alternatives) > 1:
            candidates += [split_trailing_unit(a, self.is_unit)[0] for a in alternatives]
        found = [(c, self.lookup(c)) for c in candidates if c]
        found = [(c, m) for c, m in found if m]
        if not found:
            return None
        codes = {(m.kind, m.code) for _, matches in found for m in matches}
        kinds = {kind for kind, _ in codes}
        if len(codes) > len(kinds):
            return None  # 'Drogen / Waffen': the alternatives name different things
        candidate, matches = found[0]
        return LabelReading(label, unit, matches, (candidate,))

    def month_number(self, word: str) -> int | None:
        """1..12 for a month's name or abbreviation in any seeded language."""
        for match in self.lookup(word.rstrip(".")):
            if match.kind == "month":
                return int(match.code)
        return None

    def field_roles(self, text: str) -> set[str]:
        return {m.code for m in self.match(text).matches if m.kind == "field"}

    def is_unit(self, text: str) -> bool:
        return any(m.kind == "unit" for m in self.lookup(text))

    def known_word_count(self, text: str) -> int:
        """How many words of `text` occur in some seed label: the evidence for an encoding."""
        return sum(1 for w in _WORD.findall(text) if label_key(w) in self.known_words)


def seed_codes(file_name: str, column: str, seeds_dir: Path | None = None) -> list[str]:
    """The distinct values of one seed column (metric codes, charge codes, ...)."""
    rows = _read((seeds_dir or default_seeds_dir()) / file_name)
    return sorted({row[column] for row in rows if row[column]})


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_vocabulary(seeds_dir: Path | None = None) -> Vocabulary:
    seeds_dir = seeds_dir or default_seeds_dir()
    by_key: dict[str, list[Match]] = defaultdict(list)
    words: set[str] = set()
    word_languages: dict[str, set[str]] = defaultdict(set)
    alias_keys: dict[str, str] = {}
    code_aliases: dict[str, str] = {}
    for file_name, (kind, code_column) in LABEL_SEEDS.items():
        label_column = "alias" if kind == "country" else "label"
        for row in _read(seeds_dir / file_name):
            if kind == "country" and row.get("alias_kind", "name") != "name":
                code_aliases[row["alias"]] = row["country_code"]
                continue  # codes (HR, HRV) only count in file names; see identity.py
            if kind == "country":
                alias_keys[word_key(row["alias"])] = row["country_code"]
            match = Match(kind, row[code_column], row.get("language") or "")
            key = label_key(row[label_column])
            if match not in by_key[key]:
                by_key[key].append(match)
            for word in _WORD.findall(row[label_column]):
                words.add(label_key(word))
                if row.get("language"):
                    word_languages[word.lower()].add(row["language"])
    screen_words = {
        word
        for file_name, (kind, _) in LABEL_SEEDS.items()
        for row in _read(seeds_dir / file_name)
        for word in words_of(row["alias" if kind == "country" else "label"])
    } | {word for row in _read(seeds_dir / DOCUMENT_WORDS) for word in words_of(row["word"])}
    language_rows = _read(seeds_dir / "languages.csv")
    languages = {
        row["language"]: Language(row["decimal_separator"], row["date_order"])
        for row in language_rows
    }
    country_rows = _read(seeds_dir / "countries.csv")
    countries = frozenset(row["country_code"] for row in country_rows)
    conventions = {
        row["country_code"]: Language(row["decimal_separator"], row["date_order"])
        for row in country_rows
    }
    return Vocabulary(
        by_key={k: tuple(v) for k, v in by_key.items()},
        languages=languages,
        country_codes=countries,
        conventions=conventions,
        known_words=frozenset(words),
        screen_words=frozenset(screen_words),
        country_alias_keys=tuple(sorted(alias_keys.items(), key=lambda kv: -len(kv[0]))),
        seeds_dir=seeds_dir,
        country_codes_by_code_alias=code_aliases,
        hints=load_hints(seeds_dir, countries),
        word_languages={w: frozenset(langs) for w, langs in word_languages.items()},
        code_pages={r["language"]: r["code_page"] for r in language_rows if r.get("code_page")},
        country_code_pages={
            r["country_code"]: r["code_page"] for r in country_rows if r.get("code_page")
        },
    )


def cached_vocabulary(seeds_dir: Path | None = None) -> Vocabulary:
    """One parse of the seeds per process, parsed again when a seed file changes."""
    seeds_dir = seeds_dir or default_seeds_dir()
    signature = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(seeds_dir.glob("*.csv"))
    )
    return _load_cached(seeds_dir, signature)


@lru_cache(maxsize=8)
def _load_cached(seeds_dir: Path, signature: tuple) -> Vocabulary:
    return load_vocabulary(seeds_dir)
