"""What a file says about itself: which country sent it, when, and which version it is.

The country comes from the content first (a 'Country: Croatia' pair, then a title that names
exactly one country), then from the file name; never from a register of who sent what. The
report date and version in the content, then a version marker in the file name, order the
resubmissions of one country (file times do not survive a clone).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from orchestration.ingest.cells import CellInfo
from orchestration.ingest.labels import label_key, word_key
from orchestration.ingest.vocabulary import Vocabulary

_NAME_TOKEN = re.compile(r"[A-Za-z]{2,3}")
_NAME_VERSION = re.compile(r"(?i)(?:^|[^a-z0-9])v(?:er(?:sion)?)?[ ._-]?(\d{1,3})(?![0-9])")
_SEPARATORS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class CountryEvidence:
    country_code: str
    source: str  # 'content' or 'file name'
    detail: str  # where: "sheet 'Summary' B3: 'País: España'" or the file name


def countries_in_text(text: str, vocabulary: Vocabulary) -> set[str]:
    """Country codes whose alias occurs as whole words in `text`."""
    key = word_key(text)
    padded = f" {key} "
    by_first_word = _aliases_by_first_word(vocabulary.country_alias_keys)
    return {
        code
        for word in set(key.split())
        for alias, code in by_first_word.get(word, ())
        if f" {alias} " in padded
    }


@functools.lru_cache(maxsize=8)
def _aliases_by_first_word(aliases: tuple[tuple[str, str], ...]) -> dict[str, list]:
    """The aliases by their first word: a text is compared with the aliases that can start
    at one of its words, not with all of them."""
    index: dict[str, list] = {}
    for alias, code in aliases:
        index.setdefault(alias.split(" ", 1)[0], []).append((alias, code))
    return index


def country_from_pair(value_text: str, vocabulary: Vocabulary) -> str | None:
    """The value of a 'Country:' pair: an alias, or an ISO code written as such."""
    found = countries_in_text(value_text, vocabulary)
    if len(found) == 1:
        return found.pop()
    code = value_text.strip().upper()
    return code if code in vocabulary.country_codes else None


def country_from_titles(
    titles: list[CellInfo], sheet_of, vocabulary: Vocabulary
) -> CountryEvidence | None:
    """A title block naming exactly one country ('Ministry of the Interior of Croatia')."""
    found: dict[str, CellInfo] = {}
    for cell in titles:
        for code in countries_in_text(cell.text, vocabulary):
            found.setdefault(code, cell)
    if len(found) != 1:
        return None
    code, cell = next(iter(found.items()))
    return CountryEvidence(code, "content", f"sheet '{sheet_of(cell)}' {cell.ref}: {cell.text!r}")


def country_from_file_name(name: str, vocabulary: Vocabulary) -> CountryEvidence | None:
    """'JAD_SEE_2020_Slovenija.xlsx', 'IE_results.csv': an alias word or an upper-case code."""
    stem = name.rsplit(".", 1)[0]
    found = countries_in_text(stem, vocabulary)
    found |= {
        token
        for token in _NAME_TOKEN.findall(stem)
        if token.isupper() and token in vocabulary.country_codes_by_code_alias
    }
    found = {vocabulary.country_codes_by_code_alias.get(t, t) for t in found}
    if len(found) != 1:
        return None
    return CountryEvidence(found.pop(), "file name", name)


def version_in_file_name(name: str, vocabulary: Vocabulary) -> int:
    """0 for a plain name; n for 'v2'/'version 3'; 1 more for a revision word ('corrected')."""
    stem = name.rsplit(".", 1)[0]
    numbered = [int(n) for n in _NAME_VERSION.findall(stem)]
    version = max(numbered, default=0)
    words = _SEPARATORS.sub(" ", label_key(stem)).split()
    if any("revision" in vocabulary.field_roles(word) for word in words):
        version = max(version, 1) + 1
    return version
