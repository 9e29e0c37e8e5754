"""Figures of digital twins (``tallrx twin``): fits over the data and the predicted surface.
Draws what it is given; computes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tallrx.plots.style import DRUG_COLORS, PALETTE, new_figure, styled


def twin_fit_panels(bands: pd.DataFrame, sample: str) -> Figure:
    """One panel per drug: observed means +/- SE (points) and the posterior median and 90 % band
    of the fitted model, -IL7 light and +IL7 dark. ``bands``: drug, conc, il7, observed, se,
    fit_median, fit_lower, fit_upper."""
    drugs = sorted(d for d in bands["drug"].unique() if d)
    fig = new_figure(3.0 * max(len(drugs), 1), 2.8)
    axes = fig.subplots(1, max(len(drugs), 1), squeeze=False)[0]
    for ax, drug in zip(axes, drugs, strict=False):
        for il7, color in ((0.0, PALETTE["without"]), (None, PALETTE["with"])):
            d = bands[(bands["drug"] == drug) & ((bands["il7"] == 0) == (il7 == 0.0))]
            d = d.sort_values("conc")
            if d.empty:
                continue
            label = "-IL7" if il7 == 0.0 else "+IL7"
            ax.fill_between(
                d["conc"], d["fit_lower"], d["fit_upper"], color=color, alpha=0.25, lw=0
            )
            ax.plot(d["conc"], d["fit_median"], color=color, lw=1.4, label=f"twin {label}")
            ax.errorbar(
                d["conc"],
                d["observed"],
                yerr=d["se"],
                fmt="o",
                ms=3,
                color=color,
                label=f"data {label}",
            )
        ax.set_xscale("log")
        styled(ax, f"{sample}: {drug}", "dose (uM)", "viability (%)")
    axes[0].legend(fontsize=7, frameon=False)
    return fig


def twin_surface_heatmaps(surface: pd.DataFrame, sample: str) -> Figure:
    """Predicted median viability of the matrix per IL7 level, each cell annotated with its 90 %
    prediction interval. ``surface``: il7, dose_a, dose_b, viability_median/lower/upper."""
    levels = sorted(surface["il7"].unique())
    fig = new_figure(4.2 * len(levels), 3.6)
    axes = fig.subplots(1, len(levels), squeeze=False)[0]
    for ax, il7 in zip(axes, levels, strict=True):
        s = surface[surface["il7"] == il7]
        da, db = np.sort(s["dose_a"].unique()), np.sort(s["dose_b"].unique())
        grid = s.pivot_table(index="dose_a", columns="dose_b", values="viability_median")
        lo = s.pivot_table(index="dose_a", columns="dose_b", values="viability_lower")
        hi = s.pivot_table(index="dose_a", columns="dose_b", values="viability_upper")
        grid, lo, hi = (t.reindex(index=da, columns=db) for t in (grid, lo, hi))
        im = ax.imshow(
            grid.to_numpy(), origin="lower", cmap="viridis", vmin=0, vmax=110, aspect="auto"
        )
        for i in range(len(da)):
            for j in range(len(db)):
                v = grid.iat[i, j]
                if np.isfinite(v):
                    ax.text(
                        j,
                        i,
                        f"{v:.0f}\n[{lo.iat[i, j]:.0f}-{hi.iat[i, j]:.0f}]",
                        ha="center",
                        va="center",
                        fontsize=5.5,
                        color="white" if v < 60 else "black",
                    )
        ax.set_xticks(range(len(db)), [f"{x:g}" for x in db], fontsize=7, rotation=45)
        ax.set_yticks(range(len(da)), [f"{x:g}" for x in da], fontsize=7)
        styled(ax, f"{sample}: IL7 {il7:g} ng/ml", "selumetinib (uM)", "prednisolone (uM)")
        fig.colorbar(im, ax=ax, shrink=0.8, label="viability (%)")
    return fig


__all__ = ["twin_fit_panels", "twin_surface_heatmaps", "DRUG_COLORS"]
