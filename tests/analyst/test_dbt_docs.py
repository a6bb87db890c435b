"""The dbt documentation is generated as one static page, every model in it described."""

import shutil

from orchestration.reports.dbt_docs import generate_dbt_docs
from orchestration.settings import Paths


def test_dbt_docs_are_one_static_page(seed_warehouse, tmp_path):
    shutil.copytree(seed_warehouse.warehouse.parent, tmp_path / "warehouse")
    paths = Paths(raw_dir=seed_warehouse.raw_dir, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    page = generate_dbt_docs(paths)
    html = page.read_text(encoding="utf-8")
    assert page == tmp_path / "warehouse" / "dbt_docs" / "index.html"
    assert "fct_country_results" in html
    assert "report_date is NULL where the country reported only" in html  # a model's description
    assert "A1 reference(s) of the cell(s), comma-separated" in html  # a column's description
