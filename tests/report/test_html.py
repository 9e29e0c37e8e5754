"""The HTML report is one self-contained file: figures embedded, no external assets."""

from __future__ import annotations

import re

import pandas as pd
from matplotlib.figure import Figure

from tallrx.report.html import Section, render_report, table_to_html


def _fig():
    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_report_is_self_contained(tmp_path):
    out = render_report(
        "Test report",
        [Section("Curves", intro="intro <text>", figures=[("a caption", _fig()), _fig()],
                 tables={"curves": pd.DataFrame({"sample": ["S1"], "auc": [123.456789]})})],
        tmp_path / "r.html",
    )
    page = out.read_text()
    assert page.count("data:image/png;base64,") == 2
    assert "a caption" in page and "intro &lt;text&gt;" in page
    assert "123.5" in page
    # nothing is fetched from the network: no http(s) src/href
    assert not re.search(r'(src|href)="https?://', page)
    assert not list(tmp_path.glob(".*tmp"))


def test_long_tables_are_cut_with_a_note():
    html = table_to_html(pd.DataFrame({"x": range(100)}), max_rows=10)
    assert html.count("<tr") == 11  # header + 10 rows
    assert "Showing 10 of 100 rows" in html
