"""Ingestion and dbt must agree on label keys: the seeds are joined on them on both sides."""

import csv

import duckdb
import jinja2
import pytest

from orchestration.ingest.labels import clean_label, label_key, split_trailing_unit
from orchestration.settings import dbt_project_dir, seeds_dir

UNITS = {"g", "kg", "lb"}


def _sql_label_key() -> str:
    """The dbt macro's DuckDB implementation, rendered by Jinja as dbt renders it."""
    macro = (dbt_project_dir() / "macros" / "label_key.sql").read_text()
    template = macro + "{{ default__label_key('label') }}"
    return jinja2.Environment().from_string(template).render().strip()


def test_python_and_dbt_compute_the_same_key_for_every_seed_label():
    labels = set()
    for path in seeds_dir().glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                labels.update(v for k, v in row.items() if k in ("label", "alias") and v)
    labels |= {"Ελεγχθέντα Άτομα", "КОНТРОЛИСАНА  лица", "Broj  uhićenih ", "Straße", "R.  br. "}
    con = duckdb.connect()
    expression = _sql_label_key()
    sql_keys = dict(
        con.execute(
            f"select label, {expression} from unnest(?::varchar[]) as t(label)", [sorted(labels)]
        ).fetchall()
    )
    mismatches = {
        label: (label_key(label), sql_keys[label])
        for label in labels
        if label_key(label) != sql_keys[label]
    }
    assert not mismatches


def test_cleaning_removes_numbering_footnotes_and_colons():
    assert clean_label("3. Arrests by offence:") == "Arrests by offence"
    assert clean_label("Festnahmen*") == "Festnahmen"
    assert clean_label("a) Persons checked") == "Persons checked"


def test_units_are_split_from_labels_only_when_they_are_units():
    assert split_trailing_unit("Drogen (g)", UNITS.__contains__) == ("Drogen", "g")
    assert split_trailing_unit("Drugs, kg", UNITS.__contains__) == ("Drugs", "kg")
    assert split_trailing_unit("Persons (total)", UNITS.__contains__) == ("Persons (total)", None)


def test_an_abbreviation_is_one_label_with_or_without_a_space_after_its_full_stops():
    assert label_key("R.br") == label_key("R. br") == label_key("r.  BR")
    assert label_key("Lfd. Nr") == label_key("Lfd.Nr")


@pytest.mark.parametrize(
    ("written", "kind", "code", "parts"),
    [
        ("Festnahmen gesamt", "metric", "arrests", ("Festnahmen", "gesamt")),
        ("davon Treffer", "metric", "db_hits", ("davon", "Treffer")),
        ("davon BtM-Handel", "charge", "drug_trafficking", ("davon", "BtM-Handel")),
    ],
)
def test_a_known_label_beside_a_word_for_total_or_of_which_names_the_same(
    vocabulary, written, kind, code, parts
):
    """Not a TOTAL cell by it: a figure beside its breakdown is the direct figure."""
    reading = vocabulary.match(written)
    assert [(m.kind, m.code) for m in reading.matches] == [(kind, code)]
    assert reading.parts == parts


def test_only_words_for_total_or_of_which_stand_beside_a_label(vocabulary):
    assert vocabulary.match("Total opération").matches == ()  # 'opération' names nothing
    assert vocabulary.match("Datum Festnahmen").matches == ()  # a date word is not an affix


def test_of_which_other_is_left_to_a_seed_row(vocabulary):
    """'Other' alone says nothing of what it counts; 'davon sonstige' is no more."""
    assert vocabulary.match("davon sonstige").matches == ()
