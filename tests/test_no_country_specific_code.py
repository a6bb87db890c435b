"""A new country's template loads by adding seed rows, not code: no Python module outside the
corpus generator names a country (code or name) or holds a label of a country's language."""

import ast
import csv
import re
from pathlib import Path

from orchestration.ingest.labels import label_key, word_key
from orchestration.settings import PROJECT_ROOT, seeds_dir

CHECKED = [PROJECT_ROOT / "orchestration"]
# 'marts', 'version', 'observations': names in the code (schemas, roles, tables) that happen
# to be spelt like a word of some language; a label written as a country writes it is not.
CODE_WORD = re.compile(r"^[a-z][a-z0-9_]*$")


def _seed_rows(name: str) -> list[dict]:
    with (seeds_dir() / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string the code uses; docstrings (documentation, not logic) are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_python_module_names_a_country_or_a_local_label():
    codes = {r["country_code"] for r in _seed_rows("countries.csv")}
    codes |= {r["iso3"] for r in _seed_rows("countries.csv")}
    names = {
        word_key(r["alias"]) for r in _seed_rows("country_aliases.csv") if r["alias_kind"] == "name"
    }
    local_labels = {
        label_key(r["label"])
        for seed in (
            "metric_labels.csv",
            "charge_labels.csv",
            "field_labels.csv",
            "unit_labels.csv",
            "month_labels.csv",
            "value_markers.csv",
        )
        for r in _seed_rows(seed)
        if r["language"] not in ("", "en") and len(r["label"]) > 3
    }
    offenders = []
    for folder in CHECKED:
        for path in folder.rglob("*.py"):
            for line, text in _string_literals(path):
                words = f" {word_key(text)} "
                tokens = set(re.findall(r"(?<![A-Za-z])[A-Z]{2,3}(?![A-Za-z])", text))
                if (
                    tokens & codes
                    or any(f" {name} " in words for name in names)
                    or (label_key(text) in local_labels and not CODE_WORD.match(text))
                ):
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {text!r}")
    assert offenders == []
