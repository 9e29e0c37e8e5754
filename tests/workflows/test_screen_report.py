"""The screen report leads with the answer and scales (issue 11): strata, the sample x drug AUC
heatmap and the flags come before plate QC; QC is one figure across all plates; every plate's
heatmap sits behind a click; a 1,837-plate GDSC-style screen gives a report under 10 MB."""

from __future__ import annotations

import re

import pytest

from tallrx.report.html import figure_png, render_report
from tallrx.report.screen import MAX_HEATMAPS, MAX_WATERFALLS, screen_figures, screen_sections
from tallrx.testing import make_pdx_screen
from tallrx.workflows.screen import analyze_wells

from .gdsc_plate import gdsc_screen_results
from .test_screen_workflow import _wells

LIMIT = 10 * 1024 * 1024  # bytes


def _report(res, path):
    figs = {k: figure_png(v, dpi=120) for k, v in screen_figures(res).items()}
    render_report("screen", screen_sections(res, figs), path)
    return figs, path.read_text(encoding="utf-8")


def _titles(page: str) -> list[str]:
    return re.findall(r"<h2>([^<]*)</h2>", page)


@pytest.fixture(scope="module")
def pdx(tmp_path_factory):
    res = analyze_wells(_wells(make_pdx_screen(seed=7)), n_boot=0)
    return res, *_report(res, tmp_path_factory.mktemp("pdx") / "report.html")


def test_the_46_plate_report_leads_with_the_answer(pdx):
    res, figs, page = pdx
    titles = _titles(page)
    assert titles[:4] == ["IL7 stratification", "AUC per sample and drug",
                          "Drug sensitivity scores", "Flagged plates and curves"]
    assert titles[-1] == "Plate QC"
    first_section = page[page.index("<h2>IL7 stratification"):page.index("<h2>AUC per sample")]
    assert 'alt="fig1d_paired_auc"' in first_section
    second = page[page.index("<h2>AUC per sample"):page.index("<h2>Flagged")]
    assert 'alt="auc_heatmap"' in second
    # no plate heatmap before the QC section; there, one figure across all plates
    qc_at = page.index("<h2>Plate QC")
    assert "qc_plate_" not in page[:qc_at] and 'alt="qc_plates"' in page[qc_at:]


def test_every_plate_heatmap_is_behind_a_click(pdx):
    res, figs, page = pdx
    qc = page[page.index("<h2>Plate QC"):]
    blocks = re.findall(r"<details>(.*?)</details>", qc, flags=re.S)
    assert len(blocks) == 2
    thumbs = re.findall(r'<figure class="thumb">', blocks[0])
    assert len(thumbs) == res.wells["plate"].nunique() == 46
    assert blocks[1].count('alt="qc_plate_') == MAX_HEATMAPS
    outside = re.sub(r"<details>.*?</details>", "", qc, flags=re.S)
    assert "qc_plate_" not in outside and 'class="thumb"' not in outside
    assert len(page.encode()) < LIMIT


def test_flagged_curves_are_counted_by_reason(pdx):
    res, figs, page = pdx
    own = res.curves[res.curves["reference"] == "own"]
    flat = int(own["message"].fillna("").str.contains("flat").sum())
    assert flat > 0  # ruxolitinib without IL7 does nothing (the generator's truth)
    section = page[page.index("<h2>Flagged"):page.index("<h2>", page.index("<h2>Flagged") + 4)]
    rows = re.findall(r"<tr>\s*<td>([^<]*flat[^<]*)</td>\s*<td>(\d+)</td>", section)
    assert sum(int(n) for _, n in rows) == flat


def test_a_1837_plate_gdsc_style_report_stays_small(tmp_path):
    res = gdsc_screen_results(tmp_path / "plate", n_plates=1837)
    figs, page = _report(res, tmp_path / "report.html")
    size = (tmp_path / "report.html").stat().st_size
    assert size < LIMIT, f"{size / 1e6:.1f} MB"
    assert _titles(page)[:3] == ["AUC per sample and drug", "Drug sensitivity scores",
                                 "Flagged plates and curves"]
    qc = page[page.index("<h2>Plate QC"):]
    thumbs = re.findall(r'<figure class="thumb"><img loading="lazy" src="[^"]*" width="(\d+)"',
                        qc)
    assert len(thumbs) == 1837
    # failing plates (every 50th) are listed first, then the others
    captions = re.findall(r"<figcaption>(gdsc_p\d{4})</figcaption>", qc)
    failing = [f"gdsc_p{i:04d}" for i in range(50, 1838, 50)]
    assert captions[:len(failing)] == failing
    flagged = page[page.index("<h2>Flagged"):page.index("<h2>", page.index("<h2>Flagged") + 4)]
    assert f"{len(failing)} of 1837 plates fail QC" in flagged
    # a fixed number of figures whatever the size (+ the DSS heatmap and the first waterfalls)
    assert len(figs) == 4 + MAX_HEATMAPS + 1 + MAX_WATERFALLS
