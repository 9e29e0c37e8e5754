"""Figures of a screen: dose-response panels, Fig. 1D paired AUCs, Fig. 5A AUC distributions,
the Fig. 5B regression and QC plate heatmaps. Each takes tidy tables and returns a Figure."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from tallrx.analysis.doseresponse.curves import ll4
from tallrx.paper import AUC_MAX
from tallrx.plots.style import DRUG_COLORS, PALETTE, new_figure, styled

AUC_MAX_4LOG = AUC_MAX  # 100 % over the paper's 4-log window (tallrx.paper)


def dose_response_panels(viability: pd.DataFrame, curves: pd.DataFrame, *,
                         samples: Sequence[str] | None = None, color_by: str | None = None,
                         max_panels: int = 12, ncols: int = 4) -> Figure:
    """One panel per sample x drug: mean +/- SD viability per dose and the fitted LL4 curve.

    ``color_by`` (e.g. 'il7') draws one curve per value of that condition column in each panel.
    """
    treated = viability[(viability["role"] == "treated") & (viability["conc_a"] > 0)]
    if "exclude" in treated:
        treated = treated[~treated["exclude"].astype(bool)]
    if "conc_b" in treated:
        treated = treated[treated["conc_b"].fillna(0) == 0]
    keys = treated[["sample", "drug_a"]].drop_duplicates()
    if samples is not None:
        keys = keys[keys["sample"].isin(samples)]
    keys = keys.head(max_panels)
    n = max(len(keys), 1)
    nrows = math.ceil(n / ncols)
    fig = new_figure(2.3 * min(ncols, n), 2.0 * nrows)
    axes = fig.subplots(nrows, min(ncols, n), squeeze=False).ravel()
    levels = sorted(treated[color_by].dropna().unique()) if color_by in treated else [None]
    for ax, (sample, drug) in zip(axes, keys.itertuples(index=False, name=None), strict=False):
        for i, level in enumerate(levels):
            pts = treated[(treated["sample"] == sample) & (treated["drug_a"] == drug)]
            cv = curves[(curves["sample"] == sample) & (curves["drug_a"] == drug)]
            if level is not None:
                pts = pts[pts[color_by] == level]
                cv = cv[cv[color_by] == level] if color_by in cv else cv
            color = [PALETTE["without"], PALETTE["with"], *DRUG_COLORS][i]
            stats = pts.groupby("conc_a")["viability"].agg(["mean", "std"]).reset_index()
            label = f"{color_by}={level:g}" if level is not None else None
            ax.errorbar(stats["conc_a"], stats["mean"], yerr=stats["std"], fmt="o", ms=3,
                        color=color, label=label, capsize=2, lw=0.8)
            if len(cv) and bool(cv["fit_ok"].iloc[0]):
                row = cv.iloc[0]
                x = np.logspace(np.log10(stats["conc_a"].min()), np.log10(stats["conc_a"].max()))
                ax.plot(x, ll4(x, row["bottom"], row["top"], row["ic50"], row["hill"]),
                        color=color, lw=1.2)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(numticks=4))
        ax.xaxis.set_minor_locator(NullLocator())
        styled(ax, f"{sample} · {drug}", "concentration (µM)", "viability (% vehicle)")
        ax.axhline(100, color="#bbb", lw=0.6, ls=":")
    if len(levels) > 1 and len(keys):
        axes[0].legend(fontsize=7)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    return fig


def paired_auc_plot(strata: pd.DataFrame, *, drug: str = "prednisolone",
                    auc_max: float = AUC_MAX_4LOG) -> Figure:
    """Fig. 1D: AUC without vs with IL7 per sample, IL7-responsive samples highlighted.

    Samples above ``auc_max`` (more viable than untreated across the window) are starred.
    """
    df = strata[strata["drug_a"] == drug].sort_values("auc_without").reset_index(drop=True)
    fig = new_figure(max(6.0, 0.16 * len(df) + 2), 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(df))
    resp = df["il7_responsive"].fillna(False).astype(bool).to_numpy()
    for xi, a, b, r in zip(x, df["auc_without"], df["auc_with"], resp, strict=True):
        ax.plot([xi, xi], [a, b], color=PALETTE["responsive"] if r else "#ccc", lw=1)
    ax.scatter(x, df["auc_without"], s=14, color=PALETTE["without"], label="- IL7", zorder=3)
    ax.scatter(x, df["auc_with"], s=14, color=np.where(resp, PALETTE["responsive"],
                                                        PALETTE["with"]), label="+ IL7", zorder=3)
    over = df["auc_with"] > auc_max
    ax.scatter(x[over], df["auc_with"][over] + 15, marker="*", s=40, color="k",
               label=f"AUC > {auc_max:g}")
    ax.axhline(auc_max, color="#999", lw=0.6, ls="--")
    ax.set_xticks(x, df["sample"], rotation=90, fontsize=6)
    styled(ax, f"{drug}: AUC without and with IL7 (red: IL7-responsive, n = {int(resp.sum())}"
           f" of {len(df)})", "", "AUC (% × log10 µM)")
    ax.legend(fontsize=7, loc="upper left")
    return fig


def auc_distribution(curves: pd.DataFrame, *, drugs: Sequence[str] | None = None,
                     where: dict | None = None, auc_max: float = AUC_MAX_4LOG) -> Figure:
    """Fig. 5A: AUC of every sample per drug (points + median), optionally filtered by ``where``."""
    df = curves
    for col, val in (where or {}).items():
        df = df[df[col] == val]
    drugs = list(drugs) if drugs is not None else sorted(df["drug_a"].unique())
    fig = new_figure(1.2 * len(drugs) + 1.5, 3.4)
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)
    for i, drug in enumerate(drugs):
        auc = df.loc[df["drug_a"] == drug, "auc"].dropna().to_numpy()
        ax.scatter(i + rng.uniform(-0.18, 0.18, auc.size), auc, s=10,
                   color=DRUG_COLORS[i % len(DRUG_COLORS)], alpha=0.8)
        if auc.size:
            ax.hlines(np.median(auc), i - 0.3, i + 0.3, color="k", lw=1.2)
    ax.axhline(auc_max, color="#999", lw=0.6, ls="--")
    ax.set_xticks(range(len(drugs)), drugs, rotation=30, ha="right")
    label = ", ".join(f"{k}={v}" for k, v in (where or {}).items())
    styled(ax, f"AUC per drug{' (' + label + ')' if label else ''}", "", "AUC (% × log10 µM)")
    return fig


def regression_plot(points: pd.DataFrame, fit: dict, *, x: str = "il7_enhanced_viability",
                    y: str = "delta_auc", title: str = "") -> Figure:
    """Fig. 5B: delta AUC vs IL7-enhanced viability with the least-squares line, R² and p."""
    fig = new_figure(3.4, 3.0)
    ax = fig.add_subplot()
    ax.scatter(points[x], points[y], s=18, color=PALETTE["with"])
    if points[x].notna().sum() >= 2 and np.isfinite(fit.get("slope", np.nan)):
        xs = np.linspace(points[x].min(), points[x].max(), 10)
        ax.plot(xs, fit["intercept"] + fit["slope"] * xs, color=PALETTE["responsive"], lw=1)
    ax.text(0.03, 0.95, f"R² = {fit.get('r2', np.nan):.2f}\np = {fit.get('p', np.nan):.2g}",
            transform=ax.transAxes, va="top", fontsize=8)
    styled(ax, title, "IL7-enhanced viability (%)", "delta AUC (+IL7 / −IL7)")
    return fig


def plate_heatmap(table: pd.DataFrame, plate: str, *, value: str = "signal") -> Figure:
    """QC heatmap of one plate (rows x columns) of ``value``; excluded wells are crossed."""
    df = table[table["plate"] == plate]
    n_rows, n_cols = (16, 24) if df["row"].max() > 8 or df["col"].max() > 12 else (8, 12)
    if df["row"].max() > 16 or df["col"].max() > 24:
        n_rows, n_cols = 32, 48
    grid = np.full((n_rows, n_cols), np.nan)
    grid[df["row"].to_numpy() - 1, df["col"].to_numpy() - 1] = df[value].to_numpy(dtype=float)
    fig = new_figure(0.22 * n_cols + 1.5, 0.22 * n_rows + 0.8)
    ax = fig.add_subplot()
    im = ax.imshow(grid, cmap="viridis", aspect="equal")
    if "exclude" in df:
        ex = df[df["exclude"].astype(bool)]
        ax.scatter(ex["col"] - 1, ex["row"] - 1, marker="x", color="red", s=12)
    ax.set_xticks(range(0, n_cols, 2), [str(c + 1) for c in range(0, n_cols, 2)], fontsize=6)
    ax.set_yticks(range(n_rows), [chr(65 + r) for r in range(n_rows)] if n_rows <= 26 else
                  [str(r + 1) for r in range(n_rows)], fontsize=6)
    fig.colorbar(im, ax=ax, shrink=0.8, label=value)
    ax.set_title(f"plate {plate}: {value}", fontsize=9)
    return fig
