"""The closest known code for a label no seed knows, by the words it shares with seed labels.

For each word of the label, the codes of the seed labels that contain the word (as a whole
word, or sharing its first five or six letters: 'Festnahmen' and 'Festnahme', 'Schusswaffen'
and 'Schusswaffe') are its evidence; the codes every word with evidence agrees on are the
label's. One code is a proposal; none or several is no proposal. A proposal is only ever
written into a suggestions file for a steward to accept or correct: words mislead
('Menschenhandel' shares 'Menschen' with smuggling), and a wrong code that looks right is
the worst failure there is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from orchestration.ingest.labels import label_key

_WORDS = re.compile(r"[^\W\d_]{3,}")
PREFIX = 6  # letters compared when a word is not found whole
MIN_PREFIX = 5


def words_of(text: str) -> list[str]:
    return list(dict.fromkeys(_WORDS.findall(label_key(text))))


def _prefix(word: str) -> str | None:
    return word[:PREFIX] if len(word) >= MIN_PREFIX else None


@dataclass
class WordIndex:
    """Every word of the seed labels of some kinds, with the codes of the labels it is in."""

    whole: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    prefixes: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

    def add(self, label: str, kind: str, code: str) -> None:
        for word in words_of(label):
            self.whole[word].add((kind, code))
            if (prefix := _prefix(word)) is not None:
                self.prefixes[prefix].add((kind, code))

    def evidence(self, word: str) -> set[tuple[str, str]]:
        found = set(self.whole.get(word, ()))
        if (prefix := _prefix(word)) is not None:
            found |= self.prefixes.get(prefix, set())
        return found


@dataclass(frozen=True)
class Proposal:
    kind: str | None  # metric, charge, field, unit ... (None: no proposal)
    code: str | None
    because: str  # the words and what they point to, for the steward


def propose(label: str, index: WordIndex, kinds: tuple[str, ...] | None = None) -> Proposal:
    """The one (kind, code) every word of `label` with evidence points to, if there is one."""
    agreed: set[tuple[str, str]] | None = None
    reasons = []
    for word in words_of(label):
        found = {(k, c) for k, c in index.evidence(word) if kinds is None or k in kinds}
        if not found:
            continue
        reasons.append(f"'{word}' is in labels of {', '.join(sorted(c for _, c in found))}")
        agreed = found if agreed is None else agreed & found
    if not reasons:
        return Proposal(None, None, "no word of the label is in a seed label")
    if agreed and len(agreed) == 1:
        kind, code = next(iter(agreed))
        return Proposal(kind, code, "; ".join(reasons))
    verdict = "the words point to different codes" if not agreed else "more than one code fits"
    return Proposal(None, None, f"{verdict} ({'; '.join(reasons)})")
