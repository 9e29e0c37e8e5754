"""Synergy figures from a ``combinations`` Result: score heatmaps, isobologram, Fa-CI plot,
median-effect plot and a Fig. 5C-style CI dot plot. Computes nothing new (it draws the columns of
the Result's tables and the fitted median-effect lines)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from tallrx._result import Result
from tallrx.analysis.doseresponse.curves import median_effect_dose
from tallrx.analysis.synergy.chou_talalay import MedianEffectFit, ci_at_fa
from tallrx.paper import CI_STRONG_SYNERGY, CI_SYNERGY
from tallrx.plots.style import DRUG_COLORS, PALETTE, new_figure, styled

__all__ = [
    "SUMMARY_COLUMNS",
    "block_keys",
    "score_heatmaps",
    "isobologram",
    "fa_ci_plot",
    "median_effect_plot",
    "ci_dot_plot",
    "synergy_summary",
    "CALL_ORDER",
]

SCORE_LABELS = {"bliss": "Bliss", "hsa": "HSA", "loewe": "Loewe", "zip": "ZIP"}
CI_BANDS = (CI_STRONG_SYNERGY, CI_SYNERGY)  # paper: < 0.3 strong synergy, 0.3-0.8 synergy
#: calls in the order they are drawn and counted (strongest evidence of synergy first)
CALL_ORDER = (
    "strong synergy",
    "synergy",
    "additive",
    "antagonism",
    "not calibrated",
    "undetermined",
    "not scored",
)


SUMMARY_COLUMNS = (
    "design",
    "ratio",
    "ci_mean",
    "ci_gmean",
    "ci_median",
    "ci_n",
    "ci_low",
    "ci_high",
    "bliss",
    "hsa",
    "loewe",
    "zip",
    "call",
    "p_value",
    "naive_call",
    "noise_sd",
    "fit_ok",
    "message",
)
"""Result columns that are scores or flags (everything else in the table identifies a block)."""


def block_keys(result: Result) -> list[str]:
    """Columns identifying a block (sample, condition columns, drug_a, drug_b)."""
    return [
        c for c in result.table.columns if c not in SUMMARY_COLUMNS and not c.startswith("ci_ed")
    ]


def _select(df: pd.DataFrame, block: dict | None, keys: Sequence[str]) -> pd.DataFrame:
    if block is None:
        first = df.iloc[0]
        block = {k: first[k] for k in keys if k in df.columns}
    sel = np.ones(len(df), bool)
    for k, v in block.items():
        if k in df.columns:
            sel &= (df[k].astype(str) == str(v)).to_numpy()
    return df[sel]


def _title(block_rows: pd.DataFrame, keys: Sequence[str]) -> str:
    if block_rows.empty:
        return ""
    r = block_rows.iloc[0]
    return ", ".join(str(r[k]) for k in keys if k in block_rows.columns)


def score_heatmaps(
    result: Result,
    block: dict | None = None,
    methods: Sequence[str] = ("bliss", "hsa", "loewe", "zip"),
) -> Figure:
    """Heatmaps of each pp score over the dose grid of one block (red = synergy, > 0)."""
    keys = block_keys(result)
    surf = _select(result.extra["surface"], block, keys)
    methods = [m for m in methods if m in surf.columns and surf[m].notna().any()]
    fig = new_figure(3.2 * max(len(methods), 1), 3.0)
    if not methods or surf.empty:
        styled(fig.add_subplot(1, 1, 1), "no score to show")
        return fig
    la = np.sort(surf["conc_a"].unique())
    lb = np.sort(surf["conc_b"].unique())
    lim = max(float(np.nanmax(np.abs(surf[methods].to_numpy(float)))), 1.0)
    for i, m in enumerate(methods):
        ax = fig.add_subplot(1, len(methods), i + 1)
        grid = surf.pivot_table(index="conc_b", columns="conc_a", values=m, aggfunc="mean")
        grid = grid.reindex(index=lb, columns=la)
        im = ax.imshow(
            grid.to_numpy(float),
            origin="lower",
            cmap="RdBu_r",
            norm=TwoSlopeNorm(0.0, -lim, lim),
            aspect="auto",
        )
        ax.set_xticks(range(len(la)), [f"{v:.3g}" for v in la], rotation=90, fontsize=6)
        ax.set_yticks(range(len(lb)), [f"{v:.3g}" for v in lb], fontsize=6)
        r = surf.iloc[0]
        styled(
            ax,
            f"{SCORE_LABELS.get(m, m)}",
            f"{r['drug_a']} (uM)",
            f"{r['drug_b']} (uM)" if i == 0 else "",
        )
        ax.tick_params(labelsize=6)
    fig.colorbar(im, ax=fig.axes, shrink=0.8, label="pp inhibition (> 0 synergy)")
    fig.suptitle(_title(surf, keys), fontsize=9)
    return fig


def isobologram(result: Result, block: dict | None = None) -> Figure:
    """Normalized isobologram: each combination point at (d_a/Dx_a, d_b/Dx_b); the line x + y = 1 is
    additivity, points below it synergy (x + y = CI)."""
    keys = block_keys(result)
    surf = _select(result.extra["surface"], block, keys)
    fig = new_figure(4.2, 4.0)
    ax = styled(fig.add_subplot(1, 1, 1), "normalized isobologram", "d_a / Dx_a", "d_b / Dx_b")
    if "dri_a" in surf.columns:
        pts = surf[np.isfinite(surf["ci"].to_numpy(float))]
        x, y = 1.0 / pts["dri_a"].to_numpy(float), 1.0 / pts["dri_b"].to_numpy(float)
        sc = ax.scatter(x, y, c=pts["fa"].to_numpy(float), cmap="viridis", s=18, vmin=0, vmax=1)
        fig.colorbar(sc, ax=ax, label="fraction affected")
        top = float(np.nanmax(np.r_[x, y, 1.2])) if len(x) else 1.2
        ax.set_xlim(0, min(top, 3.0))
        ax.set_ylim(0, min(top, 3.0))
    ax.plot([0, 1], [1, 0], color=PALETTE["neutral"], lw=1, label="additive (CI = 1)")
    ax.plot([0, CI_SYNERGY], [CI_SYNERGY, 0], color=PALETTE["responsive"], lw=0.8, ls="--",
            label=f"CI = {CI_SYNERGY:g}")
    ax.legend(fontsize=7, frameon=False)
    fig.suptitle(_title(surf, keys), fontsize=9)
    return fig


def fa_ci_plot(result: Result, block: dict | None = None) -> Figure:
    """Fa-CI (Chou-Talalay) plot: CI of each combination point against its fraction affected."""
    keys = block_keys(result)
    surf = _select(result.extra["surface"], block, keys)
    fig = new_figure(4.5, 3.5)
    ax = styled(
        fig.add_subplot(1, 1, 1), "Fa-CI plot", "fraction affected (fa)", "combination index"
    )
    if "ci" in surf.columns:
        ok = np.isfinite(surf["ci"].to_numpy(float))
        ext = surf["ci_extrapolated"].to_numpy(bool) if "ci_extrapolated" in surf else ok * False
        ax.scatter(
            surf["fa"][ok & ~ext],
            surf["ci"][ok & ~ext],
            s=16,
            color=PALETTE["with"],
            label="within tested range",
        )
        ax.scatter(
            surf["fa"][ok & ext],
            surf["ci"][ok & ext],
            s=16,
            facecolors="none",
            edgecolors=PALETTE["with"],
            label="extrapolated Dx",
        )
        ax.set_yscale("log")
    _ci_curves(ax, _select(result.extra["median_effect"], block, keys))
    for level, style in ((1.0, "-"), (CI_BANDS[1], "--"), (CI_BANDS[0], ":")):
        ax.axhline(level, color=PALETTE["neutral"], lw=0.8, ls=style)
    ax.set_xlim(0, 1)
    ax.legend(fontsize=7, frameon=False)
    fig.suptitle(_title(surf, keys), fontsize=9)
    return fig


def _ci_curves(ax, me: pd.DataFrame) -> None:
    """Draw the CI(fa) curve of each constant-ratio mixture from its fitted median-effect lines."""
    single = me[me["kind"] == "single"]
    mixes = me[(me["kind"] == "mixture") & me["fit_ok"].astype(bool)]
    if len(single) != 2 or mixes.empty or not single["fit_ok"].astype(bool).all():
        return
    fa = np.linspace(0.02, 0.98, 97)
    (m1, dm1), (m2, dm2) = single[["m", "dm"]].to_numpy(float)
    for i, (_, mix) in enumerate(mixes.iterrows()):
        fit = MedianEffectFit(
            *(np.array(v, float) for v in (mix["m"], mix["dm"], np.nan, 0, 0, np.nan, np.nan))
        )
        ci = ci_at_fa(
            fa,
            float(mix["ratio"]),
            fit,
            median_effect_dose(fa, dm1, m1),
            median_effect_dose(fa, dm2, m2),
        )
        ax.plot(
            fa,
            ci,
            color=DRUG_COLORS[(i + 2) % len(DRUG_COLORS)],
            lw=1,
            label=f"CI(fa) {mix['series']}",
        )


def median_effect_plot(result: Result, block: dict | None = None) -> Figure:
    """Median-effect plot: log10(fa/fu) against log10(dose) of both single drugs with fitted lines."""
    keys = block_keys(result)
    surf = _select(result.extra["surface"], block, keys)
    me = _select(result.extra["median_effect"], block, keys)
    fig = new_figure(4.5, 3.5)
    ax = styled(
        fig.add_subplot(1, 1, 1), "median-effect plot", "log10 dose (uM)", "log10 (fa / fu)"
    )
    if surf.empty:
        return fig
    r = surf.iloc[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        fa = 1.0 - surf["viability"].to_numpy(float) / 100.0
        for i, (col, other, drug) in enumerate(
            (("conc_a", "conc_b", r["drug_a"]), ("conc_b", "conc_a", r["drug_b"]))
        ):
            sel = (surf[other].to_numpy(float) == 0) & (surf[col].to_numpy(float) > 0)
            sel &= (fa > 0) & (fa < 1)
            x = np.log10(surf[col].to_numpy(float)[sel])
            y = np.log10(fa[sel] / (1 - fa[sel]))
            color = DRUG_COLORS[i % len(DRUG_COLORS)]
            ax.scatter(x, y, s=14, color=color, label=str(drug))
            fit = me[me["series"] == drug]
            if len(fit) and len(x) and np.isfinite(fit["m"].iloc[0]):
                xs = np.linspace(x.min() - 0.5, x.max() + 0.5, 20)
                m, dm = float(fit["m"].iloc[0]), float(fit["dm"].iloc[0])
                ax.plot(xs, m * (xs - np.log10(dm)), color=color, lw=1)
    ax.axhline(0, color=PALETTE["neutral"], lw=0.6)
    ax.legend(fontsize=7, frameon=False)
    fig.suptitle(_title(surf, keys), fontsize=9)
    return fig


def ci_dot_plot(result: Result, condition: str | None = None) -> Figure:
    """Fig. 5C style: mean CI per sample, one column per drug pair x condition, 0.3/0.8 bands.

    Filled dots are calibrated synergy calls, open dots are not.
    """
    t = result.table
    keys = block_keys(result)
    conds = [c for c in keys if c not in ("sample", "drug_a", "drug_b")]
    if condition is None and conds:
        condition = conds[0]
    label = t["drug_a"].astype(str) + " + " + t["drug_b"].astype(str)
    if condition:
        label = label + "\n" + condition + "=" + t[condition].astype(str)
    groups = list(dict.fromkeys(label))
    fig = new_figure(max(3.0, 1.3 * len(groups) + 1.5), 4.0)
    ax = styled(
        fig.add_subplot(1, 1, 1),
        "mean combination index per sample",
        "",
        "mean CI (therapeutic window)",
    )
    ax.axhspan(0, CI_BANDS[0], color=PALETTE["responsive"], alpha=0.12, lw=0)
    ax.axhspan(CI_BANDS[0], CI_BANDS[1], color=PALETTE["highlight"], alpha=0.12, lw=0)
    ax.axhline(1.0, color=PALETTE["neutral"], lw=0.8)
    rng_offsets = np.linspace(-0.2, 0.2, 7)
    for i, g in enumerate(groups):
        rows = t[label == g]
        y = rows["ci_mean"].to_numpy(float)
        x = i + rng_offsets[np.arange(len(y)) % len(rng_offsets)]
        syn = rows["call"].astype(str).str.contains("synergy").to_numpy()
        color = DRUG_COLORS[i % len(DRUG_COLORS)]
        ax.scatter(x[syn], y[syn], color=color, s=22, zorder=3)
        ax.scatter(x[~syn], y[~syn], facecolors="white", edgecolors=color, s=22, zorder=3)
    ax.set_xticks(range(len(groups)), groups, fontsize=7)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.scatter([], [], color=PALETTE["neutral"], s=22, label="calibrated synergy call")
    ax.scatter(
        [],
        [],
        facecolors="white",
        edgecolors=PALETTE["neutral"],
        s=22,
        label="no calibrated synergy",
    )
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    top = np.nanmax(t["ci_mean"].to_numpy(float)) if t["ci_mean"].notna().any() else 1.5
    ax.set_ylim(0, max(1.5, min(float(top) * 1.1, 5.0)))
    return fig


def synergy_summary(result: Result) -> Figure:
    """Every block at once: the window-mean CI of each block by call (log scale, paper bands) and
    the number of blocks per call, calibrated next to the paper's naive rule. One figure
    whatever the number of blocks."""
    t = result.table
    call = t["call"].astype(str).to_numpy()
    naive = t["naive_call"].astype(str).to_numpy() if "naive_call" in t else call
    order = [c for c in CALL_ORDER if c in set(call) | set(naive)]
    order += sorted((set(call) | set(naive)) - set(order))
    color = {c: DRUG_COLORS[i % len(DRUG_COLORS)] for i, c in enumerate(order)}
    fig = new_figure(9.0, 3.6)
    ax = styled(
        fig.add_subplot(1, 2, 1),
        f"window-mean CI of {len(t):,} block(s)",
        "mean CI (log scale; < 1 synergy)",
        "blocks",
    )
    ci = t["ci_mean"].to_numpy(float)
    ok = np.isfinite(ci) & (ci > 0)
    if ok.any():
        lo, hi = np.log10(ci[ok].min()), np.log10(ci[ok].max())
        bins = np.logspace(min(lo, -1.0), max(hi, 0.5), 41)
        data = [ci[ok & (call == c)] for c in order]
        keep = [i for i, d in enumerate(data) if len(d)]
        ax.hist(
            [data[i] for i in keep],
            bins=bins,
            stacked=True,
            color=[color[order[i]] for i in keep],
            label=[order[i] for i in keep],
        )
        ax.set_xscale("log")
        for level, style in ((1.0, "-"), (CI_BANDS[1], "--"), (CI_BANDS[0], ":")):
            ax.axvline(level, color=PALETTE["neutral"], lw=0.8, ls=style)
        ax.legend(fontsize=7, frameon=False)
    ax2 = styled(fig.add_subplot(1, 2, 2), "blocks per call", "", "blocks")
    x = np.arange(len(order))
    ax2.bar(
        x - 0.2,
        [(call == c).sum() for c in order],
        0.4,
        color=PALETTE["with"],
        label="calibrated call",
    )
    ax2.bar(
        x + 0.2,
        [(naive == c).sum() for c in order],
        0.4,
        color=PALETTE["without"],
        label="paper's naive rule (mean CI < 0.8)",
    )
    ax2.set_xticks(x, order, rotation=30, ha="right", fontsize=7)
    ax2.set_ylim(0, 1.3 * len(t) if len(t) else 1)
    ax2.legend(fontsize=7, frameon=False, loc="upper left")
    return fig
