"""Text exports (csv, tsv, txt): which encoding, which delimiter, and the grid of cells.

Encodings are chosen on evidence, never by the order of a list: a byte-order mark; UTF-16
written without one; UTF-8; else every single-byte code page that European services use
(and what charset-normalizer proposes) is tried, and a decoding must give plausible words
(letters of one script, no control characters) and words of the vocabulary. Where two
code pages give different, equally good text (`diseño` in cp1252 is `diseńo` in cp1250),
the language of the file's words, then the sender's country, decide; where nothing does,
the file is refused as undecidable rather than read as mojibake.

Delimiters are counted outside quotes, and a quote that opens a field but never closes it
(one stray `"` in a note) stays a character of its line instead of swallowing the rest of
the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from orchestration.ingest.grid import Sheet
from orchestration.ingest.problems import UnreadableFile
from orchestration.ingest.sniff import CANDIDATE_ENCODINGS, utf16_without_bom
from orchestration.ingest.vocabulary import Vocabulary

DELIMITERS = (";", ",", "\t", "|")
# A quoted field may span lines (a note with line breaks), but not the rest of the file.
MAX_LINES_IN_A_QUOTED_FIELD = 20
# Share of a decoding's non-ASCII words that must be plausible (one script, sane case).
PLAUSIBLE_SHARE = 0.8
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what csv calls a line, not every Unicode break


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode_text(data: bytes, vocabulary: Vocabulary, sender: str | None = None) -> Decoded:
    """The text of a text file. `sender` is the country the file name suggests (a tie-break)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return Decoded(_decode(data, encoding), encoding)
    if encoding := utf16_without_bom(data):
        return Decoded(_decode(data, encoding), encoding)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _single_byte(data, vocabulary, sender)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            "undetectable_encoding",
            f"the file announces {encoding} but byte {error.start} is not valid {encoding}",
        ) from None


@dataclass(frozen=True)
class _Candidate:
    encoding: str
    text: str
    known: int  # non-ASCII words the vocabulary knows
    plausible: float  # share of non-ASCII words that look like words of one script


def _single_byte(data: bytes, vocabulary: Vocabulary, sender: str | None) -> Decoded:
    candidates = [c for enc in _proposals(data) if (c := _candidate(data, enc, vocabulary))]
    readings: dict[str, list[_Candidate]] = {}  # one text may come from several code pages
    for candidate in candidates:
        if candidate.plausible >= PLAUSIBLE_SHARE:
            readings.setdefault(candidate.text, []).append(candidate)
    if not readings:
        raise _undecidable(candidates, "none gives plausible words")
    best = max(group[0].known for group in readings.values())
    leaders = [group for group in readings.values() if group[0].known == best]
    if len(leaders) == 1 and (best > 0 or len(readings) == 1):
        return _as_decoded(leaders[0], set())
    preferred = _preferred_code_pages(leaders[0][0], vocabulary, sender)
    chosen = [group for group in leaders if preferred & {c.encoding for c in group}]
    if len(chosen) == 1:
        return _as_decoded(chosen[0], preferred)
    raise _undecidable(
        [c for group in leaders for c in group],
        "they give different words and nothing in the file says which",
    )


def _as_decoded(group: list[_Candidate], preferred: set[str]) -> Decoded:
    """The text, named by the preferred code page among those that give it."""
    named = next((c for c in group if c.encoding in preferred), group[0])
    return Decoded(named.text, named.encoding)


def _proposals(data: bytes) -> list[str]:
    """The code pages European services use, and what charset-normalizer proposes."""
    proposals = list(CANDIDATE_ENCODINGS)
    try:
        from charset_normalizer import from_bytes

        for match in from_bytes(data[:65536], threshold=0.3).__iter__():
            name = codecs.lookup(match.encoding).name
            if name not in proposals and not name.startswith("utf"):
                proposals.append(name)
    except Exception:  # a proposer's failure only narrows the list  # noqa: BLE001
        pass
    return proposals


def _candidate(data: bytes, encoding: str, vocabulary: Vocabulary) -> _Candidate | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if _controls(text) > len(text) * 0.001:
        return None
    words = [w for w in text.split() if not w.isascii()]
    joined = " ".join(words)
    plausible = sum(1 for w in words if _plausible_word(w)) / len(words) if words else 1.0
    return _Candidate(encoding, text, vocabulary.known_word_count(joined), plausible)


def _controls(text: str) -> int:
    return sum(
        1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t\f"
    )


def _plausible_word(word: str) -> bool:
    """Letters of one script, no symbol in the middle, no capital after a small letter:
    mojibake ('Ð¡Ñ‚Ð°Ñ‚', 'ЁЦ¤е') breaks one of these."""
    letters = [ch for ch in word if ch.isalpha()]
    if not letters:
        return True
    scripts = {_script(ch) for ch in letters}
    if len(scripts) > 1:
        return False
    # accented letters are a few of a Latin word's ('diseño'); Greek or Cyrillic read in a
    # Latin code page makes every letter one ('Ëåùíéäáò')
    accented = sum(1 for ch in letters if not ch.isascii())
    if scripts == {"LATIN"} and len(letters) >= 3 and accented * 2 > len(letters):
        return False
    core = word.strip(".,;:!?()[]{}\"'«»„“”‘’%-–—/*")
    if any(unicodedata.category(ch) in ("So", "Sk", "Sm", "Sc") for ch in core):
        return False
    return all(not (a.islower() and b.isupper()) for a, b in zip(core, core[1:], strict=False))


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "?"


def _preferred_code_pages(
    reading: _Candidate, vocabulary: Vocabulary, sender: str | None
) -> set[str]:
    """The code page of the languages the file's words are in (Croatian and Bosnian share
    one: a word of both is a vote for it, once); else the sender's."""
    pages: Counter[str] = Counter()
    for word in re.split(r"[\s;,|\t]+", reading.text):
        if word.isascii():
            languages = vocabulary.word_languages.get(word.lower().strip(".,;:()"), ())
            pages.update({page for lang in languages if (page := vocabulary.code_pages.get(lang))})
    ranked = pages.most_common()
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return {codecs.lookup(ranked[0][0]).name}
    if sender and (page := vocabulary.country_code_pages.get(sender)):
        return {codecs.lookup(page).name}
    return set()


def _undecidable(candidates: list[_Candidate], why: str) -> UnreadableFile:
    names = sorted(
        {c.encoding for c in candidates}, key=lambda e: (e not in CANDIDATE_ENCODINGS, e)
    )
    tried = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    tried = tried or ", ".join(CANDIDATE_ENCODINGS)
    return UnreadableFile(
        "undetectable_encoding",
        f"the text is not UTF-8, and of the code pages that decode it ({tried}) {why}; "
        "save the file as UTF-8",
    )


# --- delimiters and the grid ------------------------------------------------------------


def records(text: str) -> list[str]:
    """Physical lines joined where a quoted field spans them, never more than a few: an
    unbalanced quote stays in its own line."""
    lines = _LINE_BREAK.split(text)
    joined: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.count('"') % 2 == 0:
            joined.append(line)
            index += 1
            continue
        end = index + 1
        buffer = line
        while end < len(lines) and end - index <= MAX_LINES_IN_A_QUOTED_FIELD:
            buffer += "\n" + lines[end]
            end += 1
            if buffer.count('"') % 2 == 0:
                break
        if buffer.count('"') % 2 == 0:
            joined.append(buffer)
            index = end
        else:
            joined.append(line)  # a stray quote: the line stands alone
            index += 1
    return joined


def split_record(record: str, delimiter: str) -> list[str]:
    """One record's fields; a record whose quotes do not balance is split without quoting."""
    if record.count('"') % 2:
        return record.split(delimiter)
    try:
        return next(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter), [])
    except csv.Error:  # a quote or line break the csv module will not have: split as written
        return record.split(delimiter)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most records into the same number of fields (> 1)."""
    sample = [r for r in records(text) if r.strip()][:200]
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        widths = [len(split_record(r, delimiter)) for r in sample]
        multi = [w for w in widths if w > 1]
        if not multi:
            continue
        modal = max(set(multi), key=multi.count)
        score = multi.count(modal) * modal
        if score > best_score:
            best, best_score = delimiter, score
    return best


def text_sheet(text: str, delimiter: str, name: str) -> Sheet:
    rows = [
        [None if not v.strip() else v for v in split_record(record, delimiter)]
        for record in records(text)
    ]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return Sheet(name=name, rows=rows)
