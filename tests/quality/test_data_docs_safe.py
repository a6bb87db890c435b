"""Data Docs open in a real browser (Debian's Chromium) without running script from the
data and without fetching anything from the internet.

Great Expectations prints unexpected values and the file, sheet and cell of each row
unescaped, and its pages load scripts and styles from public CDNs. A warehouse is loaded
from files whose name and cells carry HTML and script; every page of its Data Docs is
opened; no dialog opens, no flag is set, no request leaves the machine, and the hostile
file name is shown as text."""

from __future__ import annotations

import shutil

import dagster as dg
import pytest

from orchestration.load import run_load
from orchestration.quality.data_docs import CONTENT_SECURITY_POLICY, make_safe_page
from orchestration.settings import Paths
from tests.quality.test_stale_results import small_operation

CHROMIUM = shutil.which("chromium")
# a file named with HTML; its day is outside the operation (a failing expectation: GX lists
# its file, sheet and cell), its unit and one label carry script
HOSTILE_NAME = "LV_<img src=x onerror=alert('gx')>.csv"
SCRIPT = "<script>window.__gx_pwned = true; alert('script')</script>"
HOSTILE_FILE = (
    "Country;Date;Indicator;Value;Unit\n"
    "Latvia;11.01.2021;Persons checked;12;\n"
    f"Latvia;20.01.2021;Persons checked;7;{SCRIPT}\n"
    f'Latvia;11.01.2021;<img src=x onerror="window.__gx_pwned = true">;3;\n'
)


@pytest.fixture(scope="module")
def hostile_docs(tmp_path_factory) -> Paths:
    root = tmp_path_factory.mktemp("hostile_docs")
    paths = Paths(raw_dir=root / "raw", warehouse=root / "warehouse" / "jad.duckdb")
    folder = small_operation(
        paths.raw_dir,
        "2021-01-hostile-docs",
        {
            "IE_results.csv": "Country;Date;Indicator;Value\nIreland;11.01.2021;Persons checked;30\n",
        },
    )
    (folder / "submissions" / HOSTILE_NAME).write_text(HOSTILE_FILE)
    run_load(paths, instance=dg.DagsterInstance.ephemeral())
    return paths


def test_every_page_has_the_policy_and_fetches_from_no_other_host(hostile_docs):
    pages = list(hostile_docs.data_docs_dir.rglob("*.html"))
    assert len(pages) >= 3  # the index, a suite, a validation
    for page in pages:
        text = page.read_text()
        head = text[: text.lower().index("</head>")]
        assert CONTENT_SECURITY_POLICY in head, page
        for remote in ('src="http', "src='http", 'href="https://unpkg', "cdn.jsdelivr", "//cdnjs"):
            assert remote not in text, (page, remote)
    # the hostile name reached a page, escaped: the vector was exercised
    assert any("LV_&lt;img src=x onerror=" in page.read_text() for page in pages)
    assert not any("<img src=x" in page.read_text() for page in pages)


def test_the_data_docs_run_no_script_and_fetch_nothing_in_a_browser(hostile_docs):
    assert CHROMIUM, "Debian's chromium is needed: make test installs it (scripts/ensure-chromium)"
    from playwright.sync_api import sync_playwright

    pages = sorted(hostile_docs.data_docs_dir.rglob("*.html"))
    dialogs: list[str] = []
    requests: list[str] = []
    shown = []
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
        context = browser.new_context()

        def leave(route):  # nothing leaves the machine, and what tried to is named
            if not route.request.url.startswith("file:"):
                requests.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", leave)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            assert page.evaluate("window.__gx_pwned === undefined"), path
            shown.append(page.locator("body").inner_text())
        browser.close()
    assert dialogs == []
    assert requests == []
    # the file name is shown as it is, as text
    assert any("LV_<img src=x onerror=alert('gx')>.csv" in text for text in shown)


def test_a_page_made_safe_keeps_its_content_and_loses_what_fetches():
    page = (
        "<!DOCTYPE html><html><HEAD><title>t</title>"
        '<link rel="stylesheet" href="https://unpkg.com/x.css">'
        '<script src="https://code.jquery.com/jquery.js"></script>'
        "<style>@import url(https://fonts.example/f.css); p {}</style></head>"
        '<body><img src="https://great-expectations-web-assets.s3.amazonaws.com/logo.png"'
        ' alt="GX"><p>figures</p><a href="index.html">home</a></body></html>'
    )
    safe = make_safe_page(page)
    assert safe.index("Content-Security-Policy") < safe.index("<title>")
    for gone in ("unpkg", "jquery", "fonts.example", "s3.amazonaws"):
        assert gone not in safe
    assert "<p>figures</p>" in safe and '<a href="index.html">home</a>' in safe
    assert make_safe_page(safe) == safe
