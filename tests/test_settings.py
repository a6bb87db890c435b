"""orchestration/settings.py: each setting's default, its reading, and one sentence naming the
variable and the value when the value is bad."""

from __future__ import annotations

import pytest

from orchestration import settings
from orchestration.settings import PROJECT_ROOT, SettingError


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for setting in settings.SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)


def test_defaults():
    assert settings.current_paths().raw_dir == PROJECT_ROOT / "raw"
    assert settings.current_paths().warehouse == PROJECT_ROOT / "warehouse" / "jad.duckdb"
    assert settings.dbt_project_dir() == PROJECT_ROOT / "dbt_project"
    assert settings.duckdb_memory_limit() == "512MB"
    assert settings.qualifier_tolerance() == 0.05
    assert settings.nightly_cron() == "0 2 * * *"
    assert settings.nightly_timezone() == "Europe/Paris"
    assert settings.sql_timeout_seconds() == 60.0


def test_an_empty_value_counts_as_unset(monkeypatch):
    for setting in settings.SETTINGS:
        monkeypatch.setenv(setting.name, "")
    test_defaults()


def test_values_are_read_when_needed(monkeypatch, tmp_path):
    monkeypatch.setenv("JAD_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("JAD_WAREHOUSE", "relative/jad.duckdb")
    monkeypatch.chdir(tmp_path)
    paths = settings.current_paths()
    assert paths.raw_dir == tmp_path / "raw"
    assert paths.warehouse == tmp_path / "relative" / "jad.duckdb"
    monkeypatch.setenv("JAD_DUCKDB_MEMORY_LIMIT", "2GiB")
    monkeypatch.setenv("JAD_NIGHTLY_CRON", "@daily")
    monkeypatch.setenv("JAD_NIGHTLY_TIMEZONE", "UTC")
    monkeypatch.setenv("JAD_SQL_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("JAD_QUALIFIER_TOLERANCE", "0")
    assert settings.duckdb_memory_limit() == "2GiB"
    assert settings.nightly_cron() == "@daily"
    assert settings.nightly_timezone() == "UTC"
    assert settings.sql_timeout_seconds() == 2.5
    assert settings.qualifier_tolerance() == 0.0


@pytest.mark.parametrize(
    ("name", "value", "read", "sentence"),
    [
        ("JAD_SQL_TIMEOUT_SECONDS", "soon", settings.sql_timeout_seconds, "is not a number"),
        ("JAD_SQL_TIMEOUT_SECONDS", "0", settings.sql_timeout_seconds, "must be more than 0"),
        ("JAD_SQL_TIMEOUT_SECONDS", "nan", settings.sql_timeout_seconds, "is not a number"),
        ("JAD_SQL_TIMEOUT_SECONDS", "inf", settings.sql_timeout_seconds, "must be a finite"),
        ("JAD_DUCKDB_MEMORY_LIMIT", "lots", settings.duckdb_memory_limit, "is not a DuckDB size"),
        ("JAD_QUALIFIER_TOLERANCE", "5%", settings.qualifier_tolerance, "is not a number"),
        ("JAD_QUALIFIER_TOLERANCE", "5", settings.qualifier_tolerance, "must be a fraction"),
        ("JAD_NIGHTLY_CRON", "at two", settings.nightly_cron, "is not a cron schedule"),
        ("JAD_NIGHTLY_TIMEZONE", "Paris", settings.nightly_timezone, "is not a time zone"),
    ],
)
def test_a_bad_value_is_refused_in_one_sentence_naming_it(monkeypatch, name, value, read, sentence):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as refused:
        read()
    message = str(refused.value)
    assert message.startswith(f"{name}={value!r} ") and sentence in message
    assert message.count(". ") == 0 and "\n" not in message


def test_duckdb_accepts_every_memory_limit_the_setting_accepts(monkeypatch):
    duckdb = pytest.importorskip("duckdb")
    for value in ("512MB", "1.5GB", "800 MiB", "1G", "4 bytes", "80%", "-1", "none"):
        monkeypatch.setenv("JAD_DUCKDB_MEMORY_LIMIT", value)
        duckdb.connect(config={"memory_limit": settings.duckdb_memory_limit()}).close()
    for value in ("1000000", "1e9", "lots", "5 GBs"):  # refused by both
        monkeypatch.setenv("JAD_DUCKDB_MEMORY_LIMIT", value)
        with pytest.raises(SettingError):
            settings.duckdb_memory_limit()
        with pytest.raises(duckdb.Error):
            duckdb.connect(config={"memory_limit": value})


def test_dbt_is_not_started_with_a_setting_it_would_misread(monkeypatch, tmp_path):
    paths = settings.Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "jad.duckdb")
    monkeypatch.setenv("JAD_DBT_DATABASE", "restored after the test")
    monkeypatch.setenv("JAD_QUALIFIER_TOLERANCE", "five")
    with pytest.raises(SettingError, match="JAD_QUALIFIER_TOLERANCE='five' is not a number"):
        settings.export_for_dbt(paths)
    monkeypatch.delenv("JAD_QUALIFIER_TOLERANCE")
    settings.export_for_dbt(paths)
    assert settings.os.environ["JAD_DBT_DATABASE"] == str(tmp_path / ".build" / "jad.duckdb")


def test_ingest_and_settings_import_neither_dagster_nor_duckdb():
    """A reading process imports ingest (and its limits from settings) and nothing heavier;
    lint-imports checks the imports, this checks what a fresh interpreter actually loads."""
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, orchestration.ingest as ingest, orchestration.settings\n"
        "for m in pkgutil.iter_modules(ingest.__path__):\n"
        "    importlib.import_module('orchestration.ingest.' + m.name)\n"
        "heavy = {'dagster', 'duckdb', 'dbt', 'pyarrow', 'great_expectations'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert loaded.stdout.strip() == "[]"
