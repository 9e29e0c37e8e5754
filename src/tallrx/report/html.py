"""Self-contained HTML reports: sections of text, embedded figures and tables. Computes nothing.

A report is one HTML file with every figure embedded as a base64 PNG and every style inline, so it
opens in a browser with no network access. Tables longer than ``max_rows`` are cut in the page with a
note; the full tables are the CSV files written beside the report.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html as _html
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from tallrx import __version__
from tallrx._atomic import write_text

__all__ = ["Section", "render_report", "figure_png", "figure_to_data_uri", "table_to_html",
           "thumbnail_grid"]

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("tallrx.report", "templates"),
    autoescape=True,
)


@dataclass
class Section:
    """One report section: a title, an intro paragraph, figures, named tables and raw HTML.

    ``figures`` are matplotlib Figures or PNG bytes (or (caption, figure) pairs); ``html`` is trusted markup
    produced by tallrx itself (e.g. a claims checklist), inserted as is. ``details`` are blocks
    closed until clicked (``<details>``), shown after the tables: summary line -> trusted markup
    (e.g. per-plate heatmaps from :func:`thumbnail_grid`).
    """

    title: str
    intro: str = ""
    figures: Sequence[Figure | bytes | tuple[str, Figure | bytes]] = field(default_factory=list)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    html: str = ""
    details: Mapping[str, str] = field(default_factory=dict)


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib figure (the figure is closed afterwards).

    Figures use the constrained layout engine, so no extra tight-bbox pass is made.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def figure_to_data_uri(fig: Figure | bytes, dpi: int = 110) -> str:
    """PNG data URI of a matplotlib figure or of PNG bytes already rendered."""
    png = fig if isinstance(fig, bytes) else figure_png(fig, dpi)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def table_to_html(df: pd.DataFrame, max_rows: int = 60, float_format: str = "{:.4g}") -> str:
    """An HTML table of ``df`` (first ``max_rows`` rows; a note says how many were left out)."""
    shown = df.head(max_rows)
    out = shown.to_html(index=False, border=0, classes="data", na_rep="",
                        float_format=lambda v: float_format.format(v), escape=True)
    if len(df) > max_rows:
        out += (f'<p class="note">Showing {max_rows} of {len(df)} rows; the full table is in '
                "the CSV files beside this report.</p>")
    return out


def thumbnail_grid(items: Sequence[tuple[str, bytes, str]], *, width: int, height: int) -> str:
    """Trusted markup of a grid of small PNGs: ``(caption, png, tooltip)`` each, drawn at
    ``width`` x ``height`` CSS pixels with sharp pixels (one image pixel per plate well)."""
    cells = []
    for caption, png, tip in items:
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        cells.append(
            f'<figure class="thumb"><img loading="lazy" src="{src}" width="{width}" '
            f'height="{height}" alt="{escape(caption)}" title="{escape(tip)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    return '<div class="thumbs">' + "".join(cells) + "</div>"


def _figures(section: Section) -> list[dict[str, str]]:
    out = []
    for item in section.figures:
        caption, fig = item if isinstance(item, tuple) else ("", item)
        out.append({"caption": caption, "src": figure_to_data_uri(fig)})
    return out


def render_report(title: str, sections: Sequence[Section], path: str | os.PathLike,
                  *, subtitle: str = "", max_rows: int = 60) -> Path:
    """Write a self-contained HTML report of ``sections`` to ``path`` (atomically)."""
    rendered = [
        {
            "title": s.title,
            "anchor": f"s{i}",
            "intro": s.intro,
            "figures": _figures(s),
            "tables": [{"name": n, "html": table_to_html(t, max_rows)} for n, t in s.tables.items()],
            "html": s.html,
            "details": list(s.details.items()),
        }
        for i, s in enumerate(sections)
    ]
    page = _TEMPLATES.get_template("report.html.j2").render(
        title=title, subtitle=subtitle, sections=rendered, version=__version__,
        created=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return write_text(path, page)


def escape(text: str) -> str:
    """HTML-escape user text for use in ``Section.html``."""
    return _html.escape(str(text))
