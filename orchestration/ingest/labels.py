"""Label text: the cleaning that makes two spellings of one label the same key.

`label_key` must equal the dbt macro `label_key()` (dbt_project/macros/label_key.sql):
ingestion recognises header rows with it and dbt maps labels to codes with it, against the
same seeds. tests/ingest/test_labels.py proves the two agree on every seed label.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
# "1.", "2.1", "3)", "a)", "(4)", "II.", "- ", "• " before a label: numbering or a bullet.
_ENUMERATION = re.compile(
    r"^\s*(?:\(?\d+(?:\.\d+)*[.)]?|\(?[a-z][.)]|[ivx]+\.|[-–—•·▪*>])\s+", re.IGNORECASE
)
# A cell that is only an outline number: '1.1', '2.3.', 'IV.', 'b)'.
OUTLINE_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)+\.?|\d+[.)]|[ivx]+\.|[a-z]\))\s*$", re.IGNORECASE)
# Separators of bilingual labels ('Personen / Personnes') and compound labels
# ('Interpellations – autres infractions').
ALTERNATIVES = re.compile(r"\s+/\s+")
COMPOUND = re.compile(r"\s+[–—-]\s+|:\s+")
# Footnote marks after a label: "Arrests*", "Arrests¹", "Arrests (1)", "Arrests [2]".
_FOOTNOTE = re.compile(r"(?:\s*(?:\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\(\d\)|\[\d\]))+$")
_TRAILING_PUNCT = " :：=-–—.,;"
_NON_WORD = re.compile(r"[\W_]+")


def normalise_space(text: str) -> str:
    """Every Unicode space (no-break, narrow, tabs, newlines) becomes one ASCII space."""
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)
def label_key(text: str) -> str:
    """Lower case, accents stripped, spaces collapsed, no space after a full stop (an
    abbreviation is written 'R. br' and 'R.br'): the join key between labels and seeds."""
    lowered = normalise_space(text).lower().replace(". ", ".")
    decomposed = unicodedata.normalize("NFD", lowered)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def word_key(text: str) -> str:
    """`label_key` with punctuation as spaces: for finding a name inside a longer text."""
    return " ".join(_NON_WORD.split(label_key(text))).strip()


def clean_label(text: str) -> str:
    """The label as a person means it: no numbering, footnote marks or trailing colon."""
    label = normalise_space(text)
    label = _ENUMERATION.sub("", label, count=1)
    label = _FOOTNOTE.sub("", label)
    return label.strip(_TRAILING_PUNCT)


_PARENTHESISED = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$")
_UNIT_SUFFIX = re.compile(r"^(?P<label>.+?)(?:\s*[,/]\s*|\s+in\s+|\s+-\s+|\s+)(?P<unit>[^\s,/]+)$")


def split_trailing_unit(label: str, is_unit) -> tuple[str, str | None]:
    """'Drogen (g)' -> ('Drogen', 'g'); 'Drugs, kg' -> ('Drugs', 'kg'). `is_unit` says which
    words are units (the unit seed), so 'Persons (total)' keeps its parenthesis."""
    match = _PARENTHESISED.search(label)
    if match and is_unit(match.group(1)):
        return label[: match.start()].strip(), match.group(1).strip()
    match = _UNIT_SUFFIX.match(label)
    if match and is_unit(match.group("unit")):
        return match.group("label").strip(_TRAILING_PUNCT), match.group("unit")
    return label, None


def without_parentheses(label: str) -> str:
    """'Broj uhićenih (ukupno)' -> 'Broj uhićenih': a second chance to match a seed."""
    return normalise_space(re.sub(r"[(\[][^()\[\]]*[)\]]", " ", label)).strip(_TRAILING_PUNCT)
