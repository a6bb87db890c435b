"""Text from files as Markdown shows it: as written, never as markup.

Dagster renders metadata given as Markdown (`MetadataValue.md`) in its UI. A file name, a
label or a cell written `[click](http://x)`, `![x](http://x)` or `<img ...>` would become a
link, an image fetched from elsewhere, or HTML. Every text that comes from a file or a
folder name goes through `literal` before it is put in Markdown.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def literal(text: object) -> str:
    """`text` with Markdown's special characters escaped and line breaks as spaces."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).splitlines()))
