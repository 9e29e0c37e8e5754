"""Ex-vivo screening figures: a sample's drug waterfall by (selective) DSS, the cohort DSS heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tallrx.plots.style import PALETTE, new_figure, styled

MAX_WATERFALL_DRUGS = 60  # more drugs: the top and bottom 30 are drawn, the table holds all
MAX_HEATMAP_CELLS = 40_000  # samples x drugs drawn in the heatmap (the rest listed in the table)


def ranking_score(curves: pd.DataFrame) -> str:
    """``sdss`` when healthy-donor controls were given (any finite value), else ``dss2``."""
    if "sdss" in curves and pd.to_numeric(curves["sdss"], errors="coerce").notna().any():
        return "sdss"
    return "dss2"


def _labels(df: pd.DataFrame, curves: pd.DataFrame) -> pd.Series:
    """'drug' or 'drug (il7 25)' when a condition column varies in ``curves``."""
    label = df["drug_a"].astype(str)
    for col in ("il7", "condition", "dox"):
        if col in curves and curves[col].nunique() > 1:
            label = label + " (" + col + " " + df[col].astype(str) + ")"
    return label


def dss_waterfall(curves: pd.DataFrame, sample: str, *, score: str | None = None) -> Figure:
    """One sample's drugs ranked by ``score`` (sdss with controls, else dss2), highest first.

    ``curves``: the curves table (``sample``, ``drug_a``, ``dss2`` [, ``sdss``] [, condition
    columns: each drug x condition is one bar labelled with its condition]).
    """
    score = score or ranking_score(curves)
    df = curves[curves["sample"].astype(str) == str(sample)].copy()
    df["value"] = pd.to_numeric(df[score], errors="coerce")
    df = df.dropna(subset=["value"]).sort_values("value", ascending=False)
    df["label"] = _labels(df, curves)
    if len(df) > MAX_WATERFALL_DRUGS:
        half = MAX_WATERFALL_DRUGS // 2
        df = pd.concat([df.head(half), df.tail(half)])
    fig = new_figure(max(3.5, 0.22 * len(df) + 1.5), 3.4)
    ax = fig.add_subplot()
    x = np.arange(len(df))
    colors = np.where(df["value"] > 0, PALETTE["responsive"], PALETTE["neutral"])
    ax.bar(x, df["value"], color=colors, width=0.8)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, df["label"], rotation=90, fontsize=6 if len(df) > 30 else 7)
    what = "selective DSS (DSS2 - healthy-donor mean)" if score == "sdss" else "DSS2"
    styled(ax, f"{sample}: drugs ranked by {what}", "", score)
    return fig


def dss_heatmap(curves: pd.DataFrame, *, score: str = "dss2") -> Figure:
    """Samples x drugs heatmap of ``score`` (drugs ordered by their median, samples by their mean)."""
    df = curves.assign(value=pd.to_numeric(curves[score], errors="coerce"),
                       label=_labels(curves, curves))
    table = df.pivot_table(index="sample", columns="label", values="value", aggfunc="mean")
    table = table.loc[table.mean(axis=1).sort_values(ascending=False).index,
                      table.median().sort_values(ascending=False).index]
    if table.size > MAX_HEATMAP_CELLS:
        keep = max(1, MAX_HEATMAP_CELLS // max(table.shape[1], 1))
        table = table.iloc[:keep]
    n_rows, n_cols = table.shape
    fig = new_figure(min(0.18 * n_cols + 2.5, 16.0), min(0.16 * n_rows + 1.5, 16.0))
    ax = fig.add_subplot()
    diverging = score in ("sdss", "zdss", "rdss", "auc_z")
    limit = float(np.nanmax(np.abs(table.to_numpy()))) if table.notna().any().any() else 1.0
    image = ax.imshow(table.to_numpy(), aspect="auto", interpolation="nearest",
                      cmap="RdBu_r" if diverging else "viridis",
                      vmin=-limit if diverging else 0.0, vmax=limit or 1.0)
    if n_cols <= 80:
        ax.set_xticks(range(n_cols), table.columns, rotation=90, fontsize=6)
    else:
        ax.set_xticks([])
    if n_rows <= 80:
        ax.set_yticks(range(n_rows), table.index, fontsize=6)
    else:
        ax.set_yticks([])
    fig.colorbar(image, ax=ax, shrink=0.7, label=score)
    styled(ax, f"{score}: {n_rows} samples x {n_cols} drugs")
    return fig
