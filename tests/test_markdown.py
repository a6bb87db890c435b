"""Text from files put in Dagster's Markdown metadata is shown as written (a file named
`[click](http://x).csv` is no link, `<img ...>` no image)."""

import markdown_it

from orchestration.markdown import literal


def test_links_images_and_html_from_files_render_as_text():
    renderer = markdown_it.MarkdownIt("commonmark")
    for text in (
        "[click](http://example.org/x).csv",
        "![x](http://example.org/y.png)",
        "<img src=x onerror=alert(1)>",
        "AT_results.xlsx, sheet 'Tabelle1', cell D8: `code` *bold* _it_ # heading\nline two",
        "| a | b |",
    ):
        html = renderer.render(f"- {literal(text)}")
        assert "<a " not in html and "<img" not in html and "<code>" not in html
        assert "<em>" not in html and "<strong>" not in html and "<h1>" not in html
        # the reader sees the text as written (line breaks as spaces)
        shown = renderer.render(f"{literal(text)}")
        assert " ".join(text.splitlines()).replace("<", "&lt;").replace(">", "&gt;").replace(
            "'", "'"
        ) in shown.replace("&quot;", '"')
