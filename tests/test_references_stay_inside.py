"""Every explanation the code gives is in the repository: no comment or document points at a
design note, field note or issue tracker that a reader of the repository cannot open."""

from __future__ import annotations

import re

from orchestration.settings import PROJECT_ROOT

FOLDERS = ("orchestration", "dbt_project", "tests", "corpus", "bench", "docs", "scripts", ".ci")
SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".toml", ".cfg", ""}
OUTSIDE = re.compile(
    r"DESIGN\.md|FIELD-NOTES|STYLE\.md|\.\./shared|\bissues? #?\d+\b", re.IGNORECASE
)
SKIPPED = ("tests/fixtures/wild/files", "dbt_project/target", "dbt_project/logs")


def _sources():
    yield PROJECT_ROOT / "README.md"
    yield PROJECT_ROOT / "Makefile"
    for folder in FOLDERS:
        for path in (PROJECT_ROOT / folder).rglob("*"):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            if path.is_file() and path.suffix in SUFFIXES and not relative.startswith(SKIPPED):
                yield path


def test_no_reference_leaves_the_repository():
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        if path.name != "test_references_stay_inside.py"
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == []
