"""What `jadwh quarantine --suggest` proposes for each kind of problem: the seed or hint that
would resolve it, the evidence for the code, and nothing where nothing points anywhere."""

from __future__ import annotations

import datetime as dt

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.steward.evidence import WordIndex
from orchestration.steward.groups import Item, group_items
from orchestration.steward.seeds import read_csv
from orchestration.steward.suggest import Evidence, suggestion_rows

SEEDS = DBT_PROJECT_DIR / "seeds"


def evidence(cell_codes=None) -> Evidence:
    index = WordIndex()
    for row in read_csv(SEEDS / "metric_labels.csv"):
        index.add(row["label"], "metric", row["metric_code"])
    for row in read_csv(SEEDS / "charge_labels.csv"):
        index.add(row["label"], "charge", row["charge_code"])
    return Evidence(
        index,
        WordIndex(),
        WordIndex(),
        cell_codes or {},
        {"op": (dt.date(2021, 9, 6), dt.date(2021, 9, 9))},
        {r["language"]: r for r in read_csv(SEEDS / "languages.csv")},
        {r["country_code"]: r for r in read_csv(SEEDS / "countries.csv")},
        {"a.xlsx": ("dmy", ",")},
    )


def item(reason, subjects, cell="B2", file_name="a.xlsx", raw_text=None) -> Item:
    return Item(
        "op",
        file_name,
        "S",
        cell,
        reason,
        "error",
        f"{file_name}: …",
        subjects,
        "de",
        "AT",
        None,
        False,
        raw_text,
    )


def rows_for(items, cell_codes=None):
    return suggestion_rows(group_items(items), evidence(cell_codes))


def test_a_label_is_proposed_by_its_words_and_the_file_language_filled_in():
    [row] = rows_for([item("unknown_label", ["Kontrollierte Fahrzeuge insgesamt"])])
    assert (row["target"], row["code"], row["language"]) == (
        "metric_labels.csv",
        "vehicles_checked",
        "de",
    )
    assert row["decision"] == "" and "fahrzeuge" in row["evidence"]
    assert row["examples"] == "a.xlsx!S!B2"


def test_a_word_beside_several_charges_or_over_several_metrics():
    beside = rows_for(
        [item("unknown_label", ["osób"], "B2"), item("unknown_label", ["osób"], "B3")],
        {
            ("a.xlsx", "S", "B2"): ("arrests", "firearms"),
            ("a.xlsx", "S", "B3"): ("arrests", "other"),
        },
    )
    assert [(r["target"], r["code"]) for r in beside] == [
        ("metric_labels.csv", "arrests"),
        ("unit_labels.csv", "count"),
        ("field_labels.csv", "group"),
    ]
    over = rows_for(
        [item("unknown_label", ["Kontrollen"], "B2"), item("unknown_label", ["Kontrollen"], "C2")],
        {
            ("a.xlsx", "S", "B2"): ("persons_checked", None),
            ("a.xlsx", "S", "C2"): ("vehicles_checked", None),
        },
    )
    assert [(r["target"], r["code"]) for r in over] == [("field_labels.csv", "group")]


def test_structural_problems_get_template_hints():
    quantity = rows_for([item("ambiguous_quantity", ["#"])])
    assert [(r["target"], r["hint"], r["value"]) for r in quantity] == [
        ("template_hints.csv", "quantity_column", "#"),
        ("template_hints.csv", "count_rows", "#"),
    ]
    assert quantity[0]["file_pattern"] == "a.xlsx"
    [dates] = rows_for([item("date_outside_window", ["2021-06-09"])])
    assert (dates["hint"], dates["value"]) == ("date_order", "mdy")
    [thousands] = rows_for([item("fractional_count", ["persons_checked"], raw_text="1.234")])
    assert (thousands["hint"], thousands["value"]) == ("decimal_separator", ",")
    [sender, spelling] = rows_for([item("unknown_country", [], cell=None)])
    assert (sender["hint"], sender["value"]) == ("country", "")
    assert spelling["target"] == "country_aliases.csv"
    [named] = rows_for([item("unknown_country", ["AT"], cell=None)])
    assert (named["hint"], named["value"]) == ("country", "AT")


def test_day_words_a_total_or_a_month():
    [total] = rows_for([item("unreadable_date", ["Toplam"])])
    assert (total["target"], total["label"], total["code"]) == (
        "field_labels.csv",
        "Toplam",
        "total",
    )
    [month] = rows_for([item("unreadable_date", ["24 Eylül 2021"])])
    assert (month["target"], month["label"], month["code"]) == ("month_labels.csv", "Eylül", "9")


def test_nothing_is_proposed_where_the_sender_must_answer():
    assert rows_for([item("negative_value", ["persons_checked"])]) == []
    assert rows_for([item("not_a_number", ["31 (peak)"])]) == []
    assert rows_for([item("date_outside_window", ["2021-03-01"])]) == []
