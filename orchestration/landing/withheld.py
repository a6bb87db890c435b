"""The texts screening kept out of the warehouse (ingest/screening.py), for the steward only.

A steward needs an unknown label's words to add its seed row; the warehouse must not hold
them, since anyone who reads the warehouse would. They are kept beside the build database,
in the private build folder: one JSON file per file read (`<operation>/<sha256>.json`,
readable by the owner only). A file that leaves raw/ or is replaced by a corrected version
takes its texts with it: a superseded version keeps nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from orchestration.ingest.screening import WithheldText


def keep(
    folder: Path, operation_id: str, file_id: str, file_name: str, texts: list[WithheldText]
) -> None:
    """Replace what is kept of one file (nothing kept: its record goes)."""
    target = folder / operation_id / f"{file_id}.json"
    if not texts:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    record = {"file_name": file_name, "texts": [asdict(t) for t in texts]}
    with tempfile.NamedTemporaryFile(
        "w", dir=target.parent, suffix=".partial", delete=False, encoding="utf-8"
    ) as partial:
        json.dump(record, partial, ensure_ascii=False)
    os.chmod(partial.name, 0o600)
    os.replace(partial.name, target)


def prune(folder: Path, operation_id: str, present: set[str]) -> None:
    """Forget the files of an operation that are no longer in raw/."""
    for record in (folder / operation_id).glob("*.json"):
        if record.stem not in present:
            record.unlink()


def forget(folder: Path, operation_ids: list[str]) -> None:
    """Operations that left raw/: nothing of them is kept."""
    for operation_id in operation_ids:
        shutil.rmtree(folder / operation_id, ignore_errors=True)


def kept_texts(folder: Path, operation_id: str | None = None) -> list[dict]:
    """Every text kept (for `jadwh quarantine`): operation, file, sheet, cell, text, shown as."""
    rows = []
    pattern = f"{operation_id}/*.json" if operation_id else "*/*.json"
    for record in sorted(folder.glob(pattern)):
        content = json.loads(record.read_text(encoding="utf-8"))
        for text in content["texts"]:
            rows.append(
                {
                    "operation_id": record.parent.name,
                    "file_id": record.stem,
                    "file_name": content["file_name"],
                    **text,
                }
            )
    return rows


_PLACE = re.compile(r"\[withheld: ([A-Z]+[0-9]+)\]|\[sheet(?: [0-9]+)?\]")


class Revealer:
    """What a steward sees: the warehouse's placeholders replaced by the texts kept here.

    `reveal(file_id, sheet, text)` takes a text as the warehouse shows it (an unknown label,
    a quarantine message) on a sheet as the warehouse names it; a label is revealed as it
    was read (cleaned, without its unit), other texts as written."""

    def __init__(self, folder: Path, operation_id: str | None = None) -> None:
        self.sheets: dict[tuple[str, str], str] = {}  # (file, shown) -> the sheet's name
        self.texts: dict[tuple[str, str, str, str], str] = {}  # (file, sheet, cell, kind)
        for row in kept_texts(folder, operation_id):
            if row["kind"] == "sheet":
                self.sheets[(row["file_id"], row["shown_as"])] = row["text"]
            elif row["cell_ref"]:
                key = (row["file_id"], row["sheet_name"], row["cell_ref"], row["kind"])
                self.texts.setdefault(key, row["text"])

    def sheet(self, file_id: str, shown: str) -> str:
        return self.sheets.get((file_id, shown), shown)

    def reveal(self, file_id: str, sheet: str, text: str | None, kind: str = "label") -> str | None:
        if text is None:
            return None
        sheet = self.sheet(file_id, sheet)

        def original(match: re.Match) -> str:
            if match.group(1) is None:
                return self.sheet(file_id, match.group(0))
            for key_kind in (kind, "cell", "label"):
                found = self.texts.get((file_id, sheet, match.group(1), key_kind))
                if found is not None:
                    return found
            return match.group(0)

        return _PLACE.sub(original, text)
