"""Data Docs that are safe to open: no script runs, nothing is fetched from the internet.

Great Expectations renders the values it reports (unexpected values, and the file, sheet
and cell of each row through `unexpected_index_list`) into HTML without escaping them, and
every page it writes loads scripts and styles from public CDNs. A file named
`LV_<img src=x onerror=alert(1)>.csv` ran script in a browser that opened the docs.

Two layers, each enough on its own for the case it covers:

- `escape_frame`: the text values of the rows handed to GX are HTML-escaped first (values
  are data: a file name may contain HTML), so what GX prints unescaped is inert text; the
  outcomes read back from GX are unescaped again (`unescape`).
- `make_safe`: every page GX wrote is rewritten: a Content-Security-Policy meta as the first
  element of <head> (no script at all, neither inline nor from a file nor from a handler;
  nothing fetched but the page's own local files), and every element that would fetch from
  another host (scripts, stylesheets, images from CDNs) removed. The pages lose GX's
  JavaScript (table sorting, the walkthrough modal) and Bootstrap's styles; their content is
  plain HTML and stays readable.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from orchestration import writing

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-src 'none'; connect-src 'none'; "
    "img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
MARK = "<!-- jad: made safe -->"

_REMOTE = r"""\s*=\s*["']?\s*(?:https?:)?//"""  # an attribute whose value is another host
_REMOTE_SCRIPT = re.compile(rf"<script\b[^>]*\bsrc{_REMOTE}[^>]*>\s*</script\s*>", re.I | re.S)
_REMOTE_LINK = re.compile(rf"<link\b[^>]*\bhref{_REMOTE}[^>]*>", re.I | re.S)
_REMOTE_IMG = re.compile(rf"<img\b[^>]*\bsrc{_REMOTE}[^>]*>", re.I | re.S)
_REMOTE_URL = re.compile(r"""@import\s+url\(\s*["']?(?:https?:)?//[^)]*\)\s*;?""", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_SPECIAL = "[<>&\"']"


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text value that holds an HTML character escaped (in place of a
    copy: the frame is GX's own batch). Numbers, booleans and codes are left as they are."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        text = values.map(lambda v: isinstance(v, str))
        if not text.any():
            continue
        special = text & values.where(text, "").astype(str).str.contains(_SPECIAL, regex=True)
        if special.any():
            frame[column] = values.where(~special, values[special].map(html.escape))
    return frame


def unescape(value):
    """What `escape_frame` escaped, as it was (for messages and findings, which are text)."""
    return html.unescape(value) if isinstance(value, str) else value


def make_safe_page(page: str) -> str:
    if MARK in page:
        return page
    page = _REMOTE_SCRIPT.sub("", page)
    page = _REMOTE_LINK.sub("", page)
    page = _REMOTE_IMG.sub("", page)
    page = _REMOTE_URL.sub("", page)
    head = _HEAD.search(page)
    if head is None:
        return f"{CSP_META}{MARK}\n{page}"
    return f"{page[: head.end()]}\n{CSP_META}{MARK}{page[head.end() :]}"


def make_safe(docs_dir: Path) -> int:
    """Rewrite every page (and stylesheet) under `docs_dir` safe; returns the pages
    rewritten now (a page already safe is left alone)."""
    rewritten = 0
    if not docs_dir.exists():
        return 0
    for path in docs_dir.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        safe = make_safe_page(text)
        if safe != text:
            writing.write_atomically(path, safe)
            rewritten += 1
    for path in docs_dir.rglob("*.css"):
        text = path.read_text(encoding="utf-8")
        safe = _REMOTE_URL.sub("", text)
        if safe != text:
            writing.write_atomically(path, safe)
    return rewritten
