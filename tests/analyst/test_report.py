"""The operation report, rendered by a real headless browser (Debian's Chromium, installed
by `make test` where missing): it loads without errors, shows the figures, keeps text from
spreadsheets as text, and a screenshot is written beside it for people to look at."""

import shutil

import duckdb
import pytest

from orchestration.reports.operation_report import write_reports
from orchestration.settings import Paths
from tests.conftest import SEED_OPERATION

CHROMIUM = shutil.which("chromium")
HOSTILE = (
    '<script>window.__jad_pwned = true</script><img src=x onerror="window.__jad_pwned = true">'
)


@pytest.fixture
def report(seed_warehouse, tmp_path):
    """The report of a copy of the seed warehouse whose quarantine holds a hostile text,
    as a spreadsheet cell could carry it."""
    shutil.copytree(seed_warehouse.warehouse.parent, tmp_path / "warehouse")
    paths = Paths(raw_dir=seed_warehouse.raw_dir, warehouse=tmp_path / "warehouse" / "jad.duckdb")
    con = duckdb.connect(str(paths.warehouse))
    con.execute(
        """insert into audit.quarantine (operation_id, file_name, sheet_name, cell_ref, reason_code,
           message, raw_text, found_by, severity, steward_action)
           values (?, 'evil.xlsx', 'Sheet1', 'A1', 'unknown_column', ?, ?, 'ingestion', 'warning', 'none')""",
        [SEED_OPERATION, f"the header {HOSTILE} is in no seed", HOSTILE],
    )
    con.close()
    return write_reports(paths.warehouse, paths.raw_dir, paths.reports_dir)[0]


def test_the_report_is_one_self_contained_file(report):
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "394,025" in html
    assert "http://" not in html and "https://" not in html  # nothing fetched when opened
    assert "<script>window.__jad_pwned" not in html  # spreadsheet text is escaped


def test_badges_tell_pass_warning_and_fail_apart_and_sources_are_text(report):
    html = report.read_text(encoding="utf-8")
    # a warning in the quarantine: the page is not a green pass, and its badge is amber
    assert '<div class="verdict warn" id="verdict">' in html
    assert '<span class="badge warn">warning</span>' in html
    assert '<span class="badge pass">warning</span>' not in html
    # countries by name, and the file, sheet and cells of every figure as visible text
    assert "Hungary (HU)" in html and "Bosnia and Herzegovina (BA)" in html
    assert '<table class="sources" id="sources-arrests">' in html
    assert "<td>ORFK_JAD_SEE_eredmenyek.xlsx</td><td>Munkalap1</td>" in html
    assert 'id="charge-sources"' in html
    assert 'id="quarantine-groups"' in html  # the quarantine by problem


def test_the_report_renders_in_a_browser(report):
    assert CHROMIUM, "Debian's chromium is needed: make test installs it (scripts/ensure-chromium)"
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "console", lambda message: message.type == "error" and problems.append(message.text)
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "request",
            lambda request: request.url.startswith("http") and problems.append(request.url),
        )
        page.goto(report.as_uri())
        assert page.title().startswith("Joint Action Days South-East Europe")
        headline = page.locator("#headline + table").inner_text()
        for figure in ("394,025", "45,062", "13,851,231", "8,905", "51", "pass"):
            assert figure in headline
        assert page.locator("svg rect.bar").count() > 200
        assert page.evaluate("window.__jad_pwned === undefined")  # the hostile text did not run
        assert HOSTILE in page.locator("#quarantine + table").inner_text()  # shown as text
        link = page.locator("#charges + table a").first.get_attribute("href")
        assert "submissions/" in link and "!" in link  # a number links to its file and cell
        screenshot = report.with_suffix(".png")
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    assert problems == []
    assert screenshot.stat().st_size > 50_000
