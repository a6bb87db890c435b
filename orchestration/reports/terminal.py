"""Text from the files reaches a terminal as text, never as commands to the terminal.

A cell, a sheet or file name, a label or a message quoting one may hold ESC sequences
(CSI: colours, cursor moves, clearing the screen; OSC: the window title, hyperlinks,
clipboard writes on some terminals), other C0 or C1 control characters, or bidirectional
overrides that show text in another order than it is stored. Every command of `jadwh`
prints such text through `shown`: each of these characters becomes a visible escape
(`\\x1b`, `\\x9b`, `\\u202e`), and Rich's markup brackets are escaped.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from typing import TextIO

from rich.markup import escape

# C0 (but newline, kept where a caller asks), DEL, C1, and the bidirectional controls
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NEWLINE = re.compile("\n")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, keep_newlines: bool = False) -> str:
    """`text` with every control character written as a visible escape."""
    value = _CONTROLS.sub(_escaped, str(text))
    return value if keep_newlines else _NEWLINE.sub(_escaped, value)


def shown(text: object, keep_newlines: bool = False) -> str:
    """`visible`, and safe inside Rich markup: what the terminal gets is what the text says."""
    return escape(visible(text, keep_newlines))


class VisibleStream(io.TextIOBase):
    """A text stream that passes on what is written to it with its control characters made
    visible (newlines kept). For what others print while `jadwh load` runs (Dagster's log of
    a failing step, a library's warning): it says it is no terminal, so nobody colours it."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(visible(text, keep_newlines=True))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")


@contextlib.contextmanager
def visible_output() -> Iterator[None]:
    """While the body runs, what is written to sys.stdout and sys.stderr is made visible."""
    with (
        contextlib.redirect_stdout(VisibleStream(sys.stdout)),
        contextlib.redirect_stderr(VisibleStream(sys.stderr)),
    ):
        yield
