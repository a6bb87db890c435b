"""Files nobody here has seen: a template variant loads with no code change, and a label no
seed knows is quarantined by name until a steward adds one seed row."""

import datetime as dt
import shutil

import dagster as dg
import pytest

from corpus.faults import write_fault
from orchestration.load import run_load
from orchestration.settings import DBT_PROJECT_DIR, Paths
from orchestration.steward.groups import read_items
from tests.conftest import SEED_OPERATION, copy_raw, query_build
from tests.fixtures.workbooks import xlsx
from tests.pipeline.test_ground_truth import TRUTH, close, expected_country_results

DAYS = ["2020-09-24", "2020-09-25", "2020-09-26", "2020-09-27"]
# The Austrian figures in a template the corpus does not use: transposed instead of wide,
# rows and days in another order, labels in capitals with doubled spaces, the table
# starting in column B under a new title block, a note beside it.
VARIANT_ROWS = [
    ("TREFFER", "db_hits", None, 1),
    ("KONTROLLIERTE   PERSONEN", "persons_checked", None, 1),
    ("EINGESETZTE  BEDIENSTETE", "officers_deployed", None, 1),
    ("INTERPOL-ABFRAGEN", "db_searches", None, 1),
    ("KONTROLLIERTE FAHRZEUGE", "vehicles_checked", None, 1),
    ("SICHERGESTELLTE WAFFEN (STK.)", "weapons_seized", None, 1),
    ("SUCHTMITTEL (G)", "drugs_seized_kg", None, 1000),
    ("FESTNAHMEN", None, None, 1),
    ("  – Schlepperei / rechtswidrige Einreise", "arrests", "migrant_smuggling", 1),
    ("  – Suchtgifthandel", "arrests", "drug_trafficking", 1),
    ("  – Urkundendelikte", "arrests", "document_fraud", 1),
    ("  – Waffendelikte", "arrests", "firearms", 1),
]


def _austrian_variant() -> bytes:
    truth = TRUTH["countries"]["AT"]["reported"]
    value = {(r["metric"], r["charge"], r["date"]): r["value"] for r in truth}
    order = [DAYS[3], DAYS[0], DAYS[2], DAYS[1]]
    rows: list[list] = [
        ["REPUBLIK ÖSTERREICH – BUNDESMINISTERIUM FÜR INNERES"],
        [None, "Meldung an das EMPACT-Sekretariat (neue Vorlage)"],
        [None, "Land:", "Österreich"],
        [],
        [],
        [
            None,
            "KENNZAHL",
            *(dt.date.fromisoformat(d).strftime("%d.%m.%Y") for d in order),
            None,
            "Hinweis: vorläufige Zahlen",
        ],
    ]
    for label, metric, charge, factor in VARIANT_ROWS:
        if metric is None:
            rows.append([None, label])
            continue
        cells = [round(value.get((metric, charge, d), 0) * factor, 6) for d in order]
        rows.append([None, label, *cells])
    rows += [[], [None, "Quelle: Bundeskriminalamt"]]
    return xlsx({"Meldung": rows})


def _load(paths: Paths) -> None:
    run_load(paths, instance=dg.DagsterInstance.ephemeral())


def _country_results(paths: Paths, country: str) -> dict:
    return {
        (day, metric): value
        for day, metric, value in query_build(
            paths,
            """select report_date::varchar, metric_code, value from marts.fct_country_results
               where operation_id = ? and country_code = ?""",
            [SEED_OPERATION, country],
        )
    }


def _assert_country_matches_truth(paths: Paths, country: str) -> None:
    actual = _country_results(paths, country)
    expected = expected_country_results(TRUTH["countries"][country])
    assert actual.keys() == expected.keys()
    assert {k: v for k, v in expected.items() if not close(k[1], actual[k], v)} == {}


def test_a_template_variant_nobody_has_seen_loads(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    submissions = raw / SEED_OPERATION / "submissions"
    (submissions / "AT_BK_JAD_SEE_Ergebnisse.xlsx").unlink()
    (submissions / "Oesterreich_Meldung_neue_Vorlage.xlsx").write_bytes(_austrian_variant())
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    _load(paths)
    assert query_build(paths, "select count(*) from audit.quarantine") == [(0,)]
    _assert_country_matches_truth(paths, "AT")
    sources = query_build(
        paths,
        """select distinct source_file, source_sheet from marts.fct_country_results
           where country_code = 'AT'""",
    )
    assert sources == [("Oesterreich_Meldung_neue_Vorlage.xlsx", "Meldung")]


@pytest.fixture
def own_dbt_project(tmp_path, monkeypatch):
    """A copy of the dbt project whose seeds a steward may extend (JAD_DBT_PROJECT_DIR)."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setenv("JAD_DBT_PROJECT_DIR", str(project))
    return project


def test_an_unknown_label_is_quarantined_until_one_seed_row_is_added(tmp_path, own_dbt_project):
    fault = write_fault("unknown_label", tmp_path / "faulty")
    paths = Paths(raw_dir=tmp_path / "faulty", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    _load(paths)

    # the steward sees the label as written (jadwh quarantine reveals it from the texts kept
    # beside the build); the warehouse shows only where it stands
    quarantined = read_items(paths.build_database, withheld=paths.withheld_dir)
    assert quarantined, "the unknown label was not quarantined"
    assert {(i.file_name, i.sheet_name, i.reason_code) for i in quarantined} == {
        (fault["file"], fault["sheet"], "unknown_label")
    }
    for item in quarantined:
        assert fault["file"] in item.message and item.cell_ref in item.message
        assert fault["written"] in item.message and "metric_labels.csv" in item.message
        assert item.subjects == [fault["written"]]
    for (message,) in query_build(paths, "select message from audit.quarantine"):
        assert fault["written"] not in message and "[withheld: " in message
    # nothing else is lost: every other country is whole, and Austria lacks only that column
    for country in TRUTH["countries"]:
        if country != fault["country"]:
            _assert_country_matches_truth(paths, country)
    austria = {metric for _, metric in _country_results(paths, "AT")}
    assert "vehicles_checked" not in austria and "persons_checked" in austria

    with (own_dbt_project / "seeds" / "metric_labels.csv").open("a", encoding="utf-8") as seed:
        seed.write(f"{fault['written']},vehicles_checked,de\n")
    _load(paths)
    assert query_build(paths, "select count(*) from audit.quarantine") == [(0,)]
    _assert_country_matches_truth(paths, "AT")
