"""What goes wrong while reading: a whole file refused, or one cell quarantined.

Both carry a reason code (a row of `quarantine_reasons.csv`) and a sentence a data steward
can act on; the reader names the file, sheet and cell around it.
"""

from __future__ import annotations


class UnreadableFile(Exception):
    """The file cannot be read at all; `reason` is the quarantine reason code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class CellProblem(Exception):
    """One cell cannot be taken as what its position says it is."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message
