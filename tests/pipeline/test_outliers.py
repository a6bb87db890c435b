"""Plausibility across countries: every cell of a country may lie under its metric's
max_per_cell while the country's figure is absurd beside the others'. Such a figure holds
back its operation, named with its file and the remedy; the figures of the last good load
stay published."""

from __future__ import annotations

import dagster as dg
import openpyxl

from orchestration.load import run_load
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION, copy_raw, query

GB_FILE = "NCA_JAD_SEE_UK_return.xlsx"


def test_a_figure_far_beyond_the_other_countries_holds_back_its_operation(tmp_path):
    raw = copy_raw(tmp_path / "raw")
    paths = Paths(raw_dir=raw, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    instance = dg.DagsterInstance.ephemeral()
    assert run_load(paths, instance=instance).held_back == {}
    published = query(
        paths,
        """select value from marts.fct_country_totals
           where country_code = 'GB' and metric_code = 'persons_checked'""",
    )

    path = raw / SEED_OPERATION / "submissions" / GB_FILE
    book = openpyxl.load_workbook(path)
    book["Summary"]["B9"] = 9_999_999  # under max_per_cell (10,000,000): the cell passes
    book.save(path)
    outcome = run_load(paths, instance=instance)

    assert set(outcome.held_back) == {SEED_OPERATION}
    (outlier,) = [
        r for r in outcome.held_back[SEED_OPERATION]["reasons"] if r.startswith("outlier")
    ]
    assert "GB reports 9999999 persons_checked" in outlier and GB_FILE in outlier
    assert "outlier_ratio" in outlier  # the remedy, for a figure that is right
    assert (
        query(
            paths,
            """select value from marts.fct_country_totals
           where country_code = 'GB' and metric_code = 'persons_checked'""",
        )
        == published
    )
