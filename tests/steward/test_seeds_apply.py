"""A steward's suggestions file: every row checked before anything is appended, one sentence
per problem; the accepted rows land in their seeds, a new charge before the labels that
name it; proposals by word evidence are proposals, and say why."""

from __future__ import annotations

import csv
import shutil

import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.ingest.vocabulary import load_vocabulary
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.steward.evidence import WordIndex, propose
from orchestration.steward.groups import Item, group_items
from orchestration.steward.seeds import COLUMNS, apply_suggestions


@pytest.fixture
def seeds(tmp_path, monkeypatch):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setenv("JAD_DBT_PROJECT_DIR", str(project))
    return project / "seeds"


def write(path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(dict.fromkeys(COLUMNS, "") | row)


def label(target: str, text: str, code: str, language: str = "de", decision: str = "accept"):
    return {
        "decision": decision,
        "target": target,
        "label": text,
        "code": code,
        "language": language,
    }


def lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_accepted_rows_are_appended_and_skipped_ones_are_not(tmp_path, seeds):
    before = lines(seeds / "metric_labels.csv")
    suggestions = tmp_path / "s.csv"
    write(
        suggestions,
        [
            label("metric_labels.csv", "Kontrollierte Kfz gesamt", "vehicles_checked"),
            label("metric_labels.csv", "Tabelle1", "", decision="skip"),
            label("charges.csv", "Human trafficking", "human_trafficking", ""),
            label("charge_labels.csv", "Menschenhandel gesamt", "human_trafficking"),
            label("unit_labels.csv", "osób", "count", "pl"),
            label("field_labels.csv", "Beschlagnahmen", "group"),
            {
                "decision": "accept",
                "target": "template_hints.csv",
                "file_pattern": "PL_wyniki.xlsx",
                "hint": "date_order",
                "value": "mdy",
            },
        ],
    )
    result = apply_suggestions(suggestions, seeds)
    assert result.problems == []
    assert result.skipped == 1
    assert lines(seeds / "metric_labels.csv") == before + [
        "Kontrollierte Kfz gesamt,vehicles_checked,de"
    ]
    assert lines(seeds / "charges.csv")[-1] == "human_trafficking,Human trafficking,99"
    assert lines(seeds / "charge_labels.csv")[-1] == "Menschenhandel gesamt,human_trafficking,de"
    assert lines(seeds / "unit_labels.csv")[-1] == "osób,count,pl"
    assert lines(seeds / "field_labels.csv")[-1] == "Beschlagnahmen,group,de"
    assert lines(seeds / "template_hints.csv")[-1].startswith(
        "date-order-pl-wyniki-xlsx,PL_wyniki.xlsx,*,date_order,mdy,"
    )
    vocabulary = load_vocabulary(seeds)  # the seeds still load, hints checked
    assert vocabulary.hints[-1].value == "mdy"


@pytest.mark.parametrize(
    "row, problem",
    [
        (label("metric_labels.csv", "Neu", "vehicles_checked", decision=""), "no decision"),
        (
            label("metric_labels.csv", "Neu", "vehicles_checked", decision="yes"),
            "'accept' or 'skip'",
        ),
        (label("metric_labels.csv", "Neu", "cars_checked"), "not a metric_code of metrics.csv"),
        (label("charge_labels.csv", "Neu", "money_laundering"), "not a charge_code of charges.csv"),
        (label("unit_labels.csv", "Neu", "stone"), "not a unit_code of units.csv"),
        (label("country_aliases.csv", "Neuland", "QQ"), "not a country_code of countries.csv"),
        (label("month_labels.csv", "Neumond", "13"), "1 to 12"),
        (label("metric_labels.csv", "Neu", "arrests", "xx"), "not in languages.csv"),
        (label("metric_labels.csv", "Neu", "arrests", ""), "no language"),
        (label("metric_labels.csv", "persons checked", "persons_checked", "en"), "already in"),
        (label("metric_labels.csv", "Persons Checked", "arrests", "en"), "ambiguous"),
        (label("metric_labels.csv", "Neu", ""), "no metric_code"),
        (label("seeds.csv", "Neu", "arrests"), "not a seed"),
        (
            {
                "decision": "accept",
                "target": "template_hints.csv",
                "file_pattern": "*",
                "hint": "country",
                "value": "AT",
            },
            "vocabulary, not a template",
        ),
        (
            {
                "decision": "accept",
                "target": "template_hints.csv",
                "file_pattern": "AT_*.xlsx",
                "hint": "date_order",
                "value": "ymd",
            },
            "dmy or mdy",
        ),
    ],
)
def test_a_problem_is_one_sentence_and_nothing_is_appended(tmp_path, seeds, row, problem):
    before = {p.name: p.read_bytes() for p in seeds.glob("*.csv")}
    suggestions = tmp_path / "s.csv"
    write(suggestions, [label("metric_labels.csv", "Gut", "arrests"), row])
    result = apply_suggestions(suggestions, seeds)
    assert len(result.problems) == 1 and problem in result.problems[0], result.problems
    assert "s.csv line 3" in result.problems[0]
    assert {p.name: p.read_bytes() for p in seeds.glob("*.csv")} == before


def test_the_command_exits_2_with_each_problem_and_0_when_applied(tmp_path, seeds):
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    write(bad, [label("metric_labels.csv", "Neu", "cars_checked")])
    result = runner.invoke(app, ["seeds", "apply", str(bad)])
    assert result.exit_code == 2 and "cars_checked" in result.output
    good = tmp_path / "good.csv"
    write(good, [label("metric_labels.csv", "Neu", "arrests")])
    result = runner.invoke(app, ["seeds", "apply", str(good)])
    assert result.exit_code == 0 and "appended 1 row(s)" in result.output


def test_word_evidence_proposes_only_what_every_word_agrees_on():
    index = WordIndex()
    index.add("Kontrollierte Personen", "metric", "persons_checked")
    index.add("Kontrollierte Fahrzeuge", "metric", "vehicles_checked")
    index.add("Schlepperei und Menschenhandel", "charge", "migrant_smuggling")
    assert propose("Fahrzeuge kontrolliert", index).code == "vehicles_checked"  # a prefix
    assert propose("Kontrollierte Objekte", index).code is None  # two codes fit
    assert propose("Unbekanntes", index).code is None
    # words mislead: human trafficking is no smuggling; a proposal is only a proposal
    wrong = propose("Menschenhandel", index)
    assert wrong.code == "migrant_smuggling" and "menschenhandel" in wrong.because


def _item(file_name, cell, reason, subjects, rejected=False, severity="error"):
    return Item(
        "op",
        file_name,
        "S",
        cell,
        reason,
        severity,
        f"{file_name}: …",
        subjects,
        "de",
        "AT",
        None,
        rejected,
    )


def test_groups_are_one_per_label_across_files_and_rejected_files():
    items = [
        _item("a.xlsx", "B2", "unknown_label", ["Festnahmen", "Waffen"]),
        _item("a.xlsx", "B3", "unknown_label", ["Festnahmen"]),
        _item("b.xlsx", "C2", "unknown_label", ["festnahmen "]),
        _item("r.xlsx", "C9", "unknown_label", ["Festnahmen"], True, "file_rejected"),
        _item("a.xlsx", "D1", "ambiguous_date", ["09.08.2021"]),
        _item("a.xlsx", "D2", "ambiguous_date", ["10.08.2021"]),
        _item("x.xlsx", None, "password_protected", []),
        _item("y.xlsx", None, "password_protected", []),
    ]
    groups = {(g.reason_code, g.subject): g for g in group_items(items)}
    festnahmen = groups[("unknown_label", "Festnahmen")]
    assert festnahmen.cells == 4 and festnahmen.rejected_cells == 1
    assert festnahmen.files == ["a.xlsx", "b.xlsx", "r.xlsx"] and festnahmen.severity == "error"
    assert groups[("unknown_label", "Waffen")].cells == 1
    assert groups[("ambiguous_date", "a.xlsx")].cells == 2  # one template, one hint
    assert groups[("password_protected", "")].files == ["x.xlsx", "y.xlsx"]
