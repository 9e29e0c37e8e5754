"""Report section of the synergy analysis (Fig. 5C and the per-block surfaces). Computes nothing new."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from tallrx._result import Result
from tallrx.analysis.synergy.tables import NOT_SCORED
from tallrx.plots.synergy import (
    SUMMARY_COLUMNS,
    block_keys,
    ci_dot_plot,
    fa_ci_plot,
    isobologram,
    median_effect_plot,
    score_heatmaps,
)
from tallrx.report.html import Section, escape

__all__ = ["synergy_figures", "synergy_section"]

MAX_BLOCK_FIGURES = 3  # blocks drawn in detail (the first ones); the CSVs hold all


def synergy_figures(result: Result, max_blocks: int = MAX_BLOCK_FIGURES) -> dict[str, Figure]:
    """Figures by file stem: the CI dot plot and, for the first scored blocks, heatmaps/
    isobologram/Fa-CI/median-effect plots."""
    figs: dict[str, Figure] = {}
    if result.table["ci_mean"].notna().any():
        figs["ci_dot_plot"] = ci_dot_plot(result)
    keys = block_keys(result)
    scored = result.table[result.table["call"].astype(str) != NOT_SCORED]  # no surface to draw
    blocks = scored[keys].drop_duplicates().head(max_blocks)
    for i, (_, row) in enumerate(blocks.iterrows()):
        block = row.to_dict()
        tag = f"block{i + 1}"
        figs[f"{tag}_heatmaps"] = score_heatmaps(result, block)
        if result.table["ci_mean"].notna().any():
            figs[f"{tag}_isobologram"] = isobologram(result, block)
            figs[f"{tag}_fa_ci"] = fa_ci_plot(result, block)
            figs[f"{tag}_median_effect"] = median_effect_plot(result, block)
    return figs


def synergy_section(result: Result, figures: Mapping[str, Figure] | None = None) -> Section:
    """The synergy section: what was scored, how calls were made, the figures and the table."""
    t = result.table
    meta = result.meta
    call = meta.get("call", {})
    n_syn = int(t["call"].astype(str).str.contains("synergy").sum())
    naive = (
        int(t["naive_call"].astype(str).str.contains("synergy").sum()) if "naive_call" in t else 0
    )
    n_not = int((t["call"].astype(str) == NOT_SCORED).sum())
    skipped = f" ({n_not} block(s) not scored: see the message column)" if n_not else ""
    intro = (
        f"{len(t) - n_not} combination(s) scored with {', '.join(meta.get('methods', []))}"
        f"{skipped}. "
        f"Calibrated calls: {n_syn} synergy (null: {call.get('null', '')}; statistic "
        f"{call.get('statistic', '')}, alpha {call.get('alpha', '')}, {call.get('n_null', '')} null "
        f"plates per block). The paper's naive rule (mean CI < 0.8) would call {naive}. "
        "Bliss, HSA, Loewe and ZIP are percentage points of inhibition, > 0 = synergy; "
        "CI < 1 = synergy."
    )
    conv = meta.get("conventions", {})
    html = "<ul>" + "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in conv.items())
    html += "</ul>"
    figs = figures if figures is not None else synergy_figures(result)
    hidden = {"ci_gmean", "ci_median", "ci_n", "noise_sd"}
    cols = [*block_keys(result), *(c for c in SUMMARY_COLUMNS if c in t and c not in hidden)]
    shown = t[list(dict.fromkeys(cols))].copy()
    shown = shown.loc[:, [c for c in shown.columns if not (shown[c].isna().all() and c == "ratio")]]
    return Section(
        title="Drug-combination synergy",
        intro=intro,
        figures=[(k.replace("_", " "), f) for k, f in figs.items()],
        tables={"combinations": shown.replace({np.nan: None})},
        html=html,
    )
