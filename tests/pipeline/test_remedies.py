"""Advice that works: for each quarantine reason, the case that produces it is loaded, its
message is checked to name the remedy, the remedy is applied as a steward would (seed rows
and template hints through `jadwh seeds apply`, a wrong seed row corrected, the sender's
corrected file, a renamed file, the manifest, a limit in metrics.csv), the operation is
loaded again, and the case's figures are right: not merely gone from the quarantine.

One load before and one after cover every case (tests/fixtures/remedies.py: one country
each). Reasons that only a reader's limits or processes produce are proved the same way on
the reading step in tests/landing/test_limit_remedies.py."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.landing.withheld import Revealer
from orchestration.settings import DBT_PROJECT_DIR, Paths
from orchestration.steward.groups import read_items
from orchestration.steward.seeds import COLUMNS
from tests.fixtures.remedies import OPERATION, Case, cases, good, manifest, persons_checked

JADWH = str(Path(sys.executable).parent / "jadwh")
CASES = {case.reason: case for case in cases()}
# cases a load makes beyond tests/fixtures/remedies.py: a file twice, a link
EXTRA = ("duplicate_file", "not_a_regular_file")


def _jadwh(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([JADWH, *args], env=env, capture_output=True, text=True, timeout=1800)


def _append(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _remove(path: Path, rows: list[list[str]]) -> None:
    """Correct a seed: the wrong rows go (a steward's edit of the file)."""
    with path.open(encoding="utf-8", newline="") as handle:
        kept = [r for r in csv.reader(handle) if r not in rows]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(kept)


def _set(path: Path, key: str, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        names, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row[names[0]] == key:
            row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _suggestions(path: Path, all_cases: list[Case]) -> None:
    """The remedies' seed rows and hints as a decided suggestions file."""
    rows = []
    for case in all_cases:
        for target, new in case.seed_rows.items():
            for label, code, language in new:
                rows.append(
                    {"decision": "accept", "target": target, "label": label, "code": code}
                    | {"language": language, "reason_code": case.reason}
                )
        for hint in case.hints:
            rows.append(
                {
                    "decision": "accept",
                    "target": "template_hints.csv",
                    "file_pattern": (case.rename_to or case.file_name),
                    "sheet_pattern": hint.get("sheet_pattern", "*"),
                    "hint": hint["hint"],
                    "value": hint["value"],
                    "reason_code": case.reason,
                }
            )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(dict.fromkeys(COLUMNS, "") | row)


def _rejected_labels(paths: Paths) -> set[tuple]:
    """The labels of rejected files as the steward sees them (screening withholds unknown
    words from the warehouse; jadwh quarantine reveals them from the build's folder)."""
    revealer = Revealer(paths.withheld_dir, OPERATION)
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        rows = con.execute(
            """select file_id, sheet_name, file_name, reason_code, unnest(subjects), file_reason
               from audit.rejected_file_labels where operation_id = ?""",
            [OPERATION],
        ).fetchall()
    finally:
        con.close()
    return {
        (name, reason, revealer.reveal(file_id, sheet, subject), file_reason)
        for file_id, sheet, name, reason, subject, file_reason in rows
    }


def _items(paths: Paths) -> list[tuple]:
    """The quarantine of accepted files as jadwh quarantine shows it to the steward (the
    texts screening withheld from the warehouse revealed)."""
    return [
        (i.file_name, i.reason_code, i.severity, f"{i.message} {i.steward_action or ''}")
        for i in read_items(paths.build_database, OPERATION, withheld=paths.withheld_dir)
        if not i.in_rejected_file
    ]


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    root = tmp_path_factory.mktemp("remedies")
    project = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    seeds = project / "seeds"
    all_cases = list(CASES.values())
    for case in all_cases:
        for target, rows in case.wrong_rows.items():
            _append(seeds / target, rows)
    operation = root / "raw" / OPERATION
    submissions = operation / "submissions"
    submissions.mkdir(parents=True)
    participants = [c.country for c in all_cases if c.participant] + ["CH", "DE"]
    persons = persons_checked(13 + 14)  # and the Swiss and German files below
    (operation / "operation.yaml").write_text(manifest(participants, persons), encoding="utf-8")
    for case in all_cases:
        (submissions / case.file_name).write_bytes(case.before)
    copy = good("Switzerland", 13)  # the same file twice, under two names
    (submissions / "CH_results.xlsx").write_bytes(copy)
    (submissions / "CH_results (copy).xlsx").write_bytes(copy)
    elsewhere = root / "DE_results.xlsx"  # a link to a file outside submissions/
    elsewhere.write_bytes(good("Germany", 14))
    (submissions / "DE_results.xlsx").symlink_to(elsewhere)
    paths = Paths(raw_dir=root / "raw", warehouse=root / "warehouse" / "jad.duckdb")
    env = {
        **os.environ,
        "JAD_RAW_DIR": str(paths.raw_dir),
        "JAD_WAREHOUSE": str(paths.warehouse),
        "JAD_DBT_PROJECT_DIR": str(project),
        "COLUMNS": "200",
    }
    env.pop("DAGSTER_HOME", None)
    first = _jadwh(env, "load")
    assert first.returncode == 1, first.stdout[-2000:] + first.stderr[-2000:]
    before = _items(paths)
    rejected_labels = _rejected_labels(paths)
    grouped = _jadwh(env, "quarantine")

    # the remedies, as each message names them: wrong seed rows corrected, then the new
    # rows and hints through `jadwh seeds apply`, then the senders' and the manifest's part
    for case in all_cases:
        for target, rows in case.wrong_rows.items():
            _remove(seeds / target, rows)
        for edit in case.metrics_edits:
            _set(seeds / "metrics.csv", *edit)
    suggestions = root / "remedies.csv"
    _suggestions(suggestions, all_cases)
    applied = _jadwh(env, "seeds", "apply", str(suggestions))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    for case in all_cases:
        if case.after is not None or case.rename_to:
            (submissions / case.file_name).unlink()
            name = case.rename_to or case.file_name
            (submissions / name).write_bytes(case.after or case.before)
    (operation / "operation.yaml").write_text(
        manifest(participants + [c.country for c in all_cases if not c.participant], persons),
        encoding="utf-8",
    )
    (submissions / "CH_results (copy).xlsx").unlink()
    (submissions / "DE_results.xlsx").unlink()
    shutil.copy(elsewhere, submissions / "DE_results.xlsx")
    second = _jadwh(env, "load")
    return paths, before, _items(paths), first, second, grouped, rejected_labels


def _figures(paths: Paths, country: str) -> tuple[dict, dict]:
    con = duckdb.connect(str(paths.build_database), read_only=True)
    try:
        results = {
            (day, metric): value
            for day, metric, value in con.execute(
                """select report_date::varchar, metric_code, value from marts.fct_country_results
                   where operation_id = ? and country_code = ?""",
                [OPERATION, country],
            ).fetchall()
        }
        charges = dict(
            con.execute(
                """select charge_code, arrests from marts.fct_arrests_by_charge
                   where operation_id = ? and country_code = ? and arrests <> 0""",
                [OPERATION, country],
            ).fetchall()
        )
    finally:
        con.close()
    return results, charges


@pytest.mark.parametrize("reason", sorted(CASES))
def test_the_remedy_the_message_names_gives_the_right_figure(loads, reason):
    paths, before, after, *_ = loads
    case = CASES[reason]
    found = [(s, m) for f, r, s, m in before if f == case.file_name and r == reason]
    assert found, f"{case.file_name} was not quarantined as {reason}: {before}"
    for severity, message in found:
        assert severity == case.severity
        for name in case.names:
            assert name.casefold() in message.casefold(), (name, message)
    final = case.rename_to or case.file_name
    assert not [r for f, r, *_ in after if f in (final, case.file_name) and r == reason]
    results, charges = _figures(paths, case.country)
    assert results.keys() == case.figures.keys(), results
    for key, value in case.figures.items():
        assert abs(results[key] - value) < 1e-9, (key, results[key], value)
    assert charges == case.charges


@pytest.mark.parametrize("reason", EXTRA)
def test_a_second_copy_or_a_link_is_resolved_by_the_file_itself(loads, reason):
    paths, before, after, *_ = loads
    assert [r for _, r, *_ in before if r == reason]
    assert not [r for _, r, *_ in after if r == reason]
    country, persons = ("CH", 13) if reason == "duplicate_file" else ("DE", 14)
    assert _figures(paths, country)[0] == {(None, "persons_checked"): persons}


def test_with_every_remedy_applied_the_operation_publishes(loads):
    paths, _, after, _, second, *_ = loads
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert not [r for _, r, s, _ in after if s == "error"]


def test_a_rejected_file_shows_its_unknown_labels_in_the_first_round(loads):
    *_, grouped, rejected = loads
    assert {
        ("results_from_the_border_police.xlsx", "unknown_label", "Zzz controls", "unknown_country"),
        ("PT_results.xlsx", "unknown_label", "Flumoxity checks", "not_a_participant"),
    } <= rejected
    # one group per label: the Austrian cell and the Portuguese one (which does not count)
    assert "in files" in grouped.stdout and "that do not count" in grouped.stdout


def test_the_quarantine_is_shown_by_problem(loads):
    *_, grouped, _ = loads
    assert grouped.returncode == 0
    assert "problem(s)" in grouped.stdout and "Flumoxity checks" in grouped.stdout


def test_every_reason_code_has_its_remedy_tested():
    """Every row of quarantine_reasons.csv is covered here or, for the reasons of a reader's
    limits and processes, in tests/landing/test_limit_remedies.py."""
    from tests.landing.test_limit_remedies import LIMIT_REASONS, PROCESS_REASONS

    with (DBT_PROJECT_DIR / "seeds" / "quarantine_reasons.csv").open(encoding="utf-8") as handle:
        reasons = {row["reason_code"] for row in csv.DictReader(handle)}
    covered = set(CASES) | set(EXTRA) | set(LIMIT_REASONS) | set(PROCESS_REASONS)
    assert reasons - covered == set()
