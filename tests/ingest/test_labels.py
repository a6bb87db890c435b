"""Ingestion and dbt must agree on label keys: the seeds are joined on them on both sides."""

import csv

import duckdb
import jinja2

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
    labels |= {"Ελεγχθέντα Άτομα", "КОНТРОЛИСАНА  лица", "Broj  uhićenih ", "Straße"}
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
