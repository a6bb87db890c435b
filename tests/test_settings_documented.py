"""Every `JAD_*` variable the code reads is defined in orchestration/settings.py, read there
and nowhere else in Python, and listed in the README's table "Settings" with its default;
the README lists no variable the code no longer reads.

A name counts as read where it is the exact argument of a call in the Python of
orchestration/ (`os.environ.get("JAD_X")`, `_value("JAD_X")`, `number("JAD_X", ...)`), a key
of `os.environ[...]`, or the argument of dbt's `env_var('JAD_X')` in dbt_project/ (yml and
sql). A name inside a sentence or a file name (`'JAD_SEE_2020_Slovenija.xlsx'` in
ingest/identity.py) is not a variable and does not count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from orchestration import settings
from orchestration.settings import PROJECT_ROOT

NAME = re.compile(r"JAD_[A-Z][A-Z0-9_]*")
ENV_VAR = re.compile(r"""env_var\(\s*['"](JAD_[A-Z][A-Z0-9_]*)['"]""")
ROW = re.compile(r"^\|\s*`(JAD_[A-Z][A-Z0-9_]*)`\s*\|\s*([^|]*?)\s*\|", re.MULTILINE)
SETTINGS_FILE = PROJECT_ROOT / "orchestration" / "settings.py"


def _python_files() -> list[Path]:
    return sorted((PROJECT_ROOT / "orchestration").rglob("*.py"))


def _is_environ(node: ast.AST) -> bool:
    """`os.environ` (or a bare `environ`)."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _name(node: ast.AST) -> str | None:
    is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return node.value if is_text and NAME.fullmatch(node.value) else None


def _python_reads() -> dict[str, set[str]]:
    """Variable name -> the files that read it; the definitions `Setting("JAD_X", ...)` are
    not reads (a definition nothing reads would otherwise count as read)."""
    reads: dict[str, set[str]] = {}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            candidates: list[ast.AST] = []
            if isinstance(node, ast.Call):
                function = node.func
                called = getattr(function, "id", None) or getattr(function, "attr", None)
                if called != "Setting" and node.args:
                    candidates.append(node.args[0])
            elif isinstance(node, ast.Subscript) and _is_environ(node.value):
                candidates.append(node.slice)
            for candidate in candidates:
                if name := _name(candidate):
                    reads.setdefault(name, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return reads


def _environment_reads_outside_settings() -> list[str]:
    """`os.environ...("JAD_X")`, `os.getenv("JAD_X")` or `os.environ["JAD_X"]` outside settings.py."""
    found = []
    for path in _python_files():
        if path == SETTINGS_FILE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            target = None
            if isinstance(node, ast.Call) and node.args:
                function = node.func
                if (isinstance(function, ast.Attribute) and _is_environ(function.value)) or (
                    getattr(function, "attr", None) == "getenv"
                    or getattr(function, "id", None) == "getenv"
                ):
                    target = node.args[0]
            elif isinstance(node, ast.Subscript) and _is_environ(node.value):
                target = node.slice
            if target is not None and _name(target):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {_name(target)}")
    return found


def _dbt_reads() -> set[str]:
    """env_var('JAD_X') in the dbt project's yml and sql (not in what dbt writes: target/)."""
    dbt = PROJECT_ROOT / "dbt_project"
    written = {"target", "logs", "dbt_packages"}
    names = set()
    for path in sorted([*dbt.rglob("*.yml"), *dbt.rglob("*.sql")]):
        if written.isdisjoint(path.relative_to(dbt).parts):
            names |= set(ENV_VAR.findall(path.read_text(encoding="utf-8")))
    return names


def _readme_table() -> dict[str, str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return {name: default.strip("`") for name, default in ROW.findall(section)}


def test_the_code_reads_jad_variables_in_settings_only():
    assert _environment_reads_outside_settings() == []


def test_every_variable_read_is_a_setting_and_every_setting_is_read():
    read = set(_python_reads()) | _dbt_reads()
    defined = {setting.name for setting in settings.SETTINGS}
    assert read - defined == set(), "read but not defined in orchestration/settings.py"
    assert defined - read == set(), "defined in orchestration/settings.py but read nowhere"
    assert len(defined) == len(settings.SETTINGS), "a setting is defined twice"


def test_the_readme_lists_every_variable_the_code_reads_and_no_other():
    read = set(_python_reads()) | _dbt_reads()
    listed = _readme_table()
    assert read - set(listed) == set(), "read by the code, missing from the README's Settings"
    assert set(listed) - read == set(), "in the README's Settings, read by no code"


def test_the_readme_shows_each_default_of_settings_py():
    listed = _readme_table()
    for setting in settings.SETTINGS:
        assert listed[setting.name] == setting.default, setting.name


def test_the_scan_is_not_fooled_by_names_in_sentences_and_file_names():
    read = set(_python_reads()) | _dbt_reads()
    assert not any(name.startswith("JAD_SEE") for name in read)
    # the scan does find what it should: a Python read, a read through a helper, a dbt read
    assert {"JAD_RAW_DIR", "JAD_LIMIT_ROWS", "JAD_QUALIFIER_TOLERANCE"} <= read
    assert "JAD_QUALIFIER_TOLERANCE" in _dbt_reads()
