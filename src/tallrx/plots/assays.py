"""Figures of the molecular assays (co-IP Fig. 4A, qPCR Fig. 3A-B, blots Fig. 1C/2).

Each function takes the tidy result tables (binding.csv, expression.csv, bands.csv, ...) and returns
a matplotlib Figure; nothing is computed beyond arranging the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from tallrx.analysis.assays.coip import BINDING_STATS
from tallrx.analysis.assays.qpcr import EXPRESSION_STATS
from tallrx.plots.style import DRUG_COLORS, PALETTE, new_figure, styled

__all__ = [
    "binding_bars",
    "blot_bars",
    "blot_image_overlay",
    "expression_bars",
    "volcano",
]

_GROUP_COLORS = [
    PALETTE["without"],
    PALETTE["with"],
    "#c9a27e",
    PALETTE["responsive"],
    *DRUG_COLORS[2:],
]


def _value_text(v: object) -> str:
    """A condition value as a short label: 1.0 -> '1', 693.5967 -> '693.6', NaN -> 'none'."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "none"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    return str(v)


def _label(row: pd.Series | dict, cols: Sequence[str]) -> str:
    """'dox 1 prednisolone 693.6' (or '+dox' for +/- values) for the ``cols`` of ``row``."""
    parts = []
    for c in cols:
        v = _value_text(row[c])
        parts.append(f"{v}{c}" if v in ("+", "-") else f"{c} {v}")
    return " ".join(parts)


def varying_within(table: pd.DataFrame, x: str, cols: Sequence[str]) -> list[str]:
    """The ``cols`` that vary within at least one ``x`` category (a column fixed by ``x``,
    e.g. genotype by sample, would only repeat the axis label in the legend)."""
    grouped = table.groupby(x, sort=False, dropna=False)
    return [c for c in cols if c != x and (grouped[c].nunique(dropna=False) > 1).any()]


def _grouped_bars(
    ax,
    table: pd.DataFrame,
    x: str,
    hue: Sequence[str],
    value: str,
    lower: pd.Series | None,
    upper: pd.Series | None,
    points: dict[tuple, Sequence[float]] | None = None,
) -> None:
    """Bars of ``value`` per ``x`` category, one colour per combination of the ``hue`` columns.

    Each category holds only the combinations it has, side by side and centred on its tick, so
    a table whose categories have different conditions leaves no empty slots."""
    table = table.reset_index(drop=True)
    codes, uniques = pd.factorize(table[x], use_na_sentinel=False)  # category of each row
    xs = list(uniques)
    hue = list(hue)
    keys = (table[hue].astype(str).agg("\x1f".join, axis=1) if hue
            else pd.Series("", index=table.index))
    hue_order = list(dict.fromkeys(keys))
    colour = {k: _GROUP_COLORS[i % len(_GROUP_COLORS)] for i, k in enumerate(hue_order)}
    per_x = np.bincount(codes, minlength=len(xs))[codes]
    width = 0.8 / max(int(per_x.max()) if len(per_x) else 1, 1)
    slot = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    pos = codes - width * per_x / 2 + width * (slot + 0.5)
    vals = table[value].to_numpy(float)
    err = None
    if lower is not None and upper is not None:
        lo = vals - lower.reset_index(drop=True).to_numpy(float)
        hi = upper.reset_index(drop=True).to_numpy(float) - vals
        err = np.clip(np.vstack([np.nan_to_num(lo), np.nan_to_num(hi)]), 0, None)
    labelled: set[str] = set()
    for i, key in enumerate(keys):
        label = None
        if hue and key not in labelled:
            labelled.add(key)
            label = _label(table.loc[i], hue)
        ax.bar(pos[i], np.nan_to_num(vals[i]), width * 0.92,
               yerr=None if err is None else err[:, i:i + 1], capsize=2, color=colour[key],
               edgecolor="black", linewidth=0.4, error_kw={"lw": 0.7}, label=label)
        if points:
            k = tuple(str(v) for v in (table.at[i, x], *(table.at[i, c] for c in hue)))
            ys = points.get(k, [])
            ax.scatter(np.full(len(ys), pos[i]), ys, s=6, color="black", zorder=3)
    ax.set_xticks(np.arange(len(xs)))
    ax.set_xticklabels(
        [_value_text(v) for v in xs],
        rotation=30 if len(xs) > 4 else 0,
        ha="right" if len(xs) > 4 else "center",
    )
    ax.set_xlim(-0.6, len(xs) - 0.4)


# --------------------------------------------------------------------------- co-IP
def binding_bars(
    binding: pd.DataFrame,
    proteins: Sequence[str] | None = None,
    *,
    title: str = "Bait-normalized binding",
) -> Figure:
    """Fig. 4A: mean iBAQ / bait iBAQ per condition group (bars) with the replicate ratios (dots).

    Parameters
    ----------
    binding
        binding.csv (:func:`tallrx.analysis.assays.coip.score_binding` table).
    proteins
        The proteins to draw (default: the lost binders).
    title
        The axes title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a bar group per protein, one bar per condition group (error bars: SD).
    """
    if proteins is None:
        proteins = list(dict.fromkeys(binding.loc[binding["lost_binding"].astype(bool), "protein"]))
    conds = [c for c in binding.columns if c not in BINDING_STATS]
    sub = binding[binding["protein"].isin(list(proteins))].drop_duplicates(["protein", *conds])
    fig = new_figure(max(3.5, 0.9 * max(len(proteins), 1) + 2.5), 3.2)
    ax = fig.add_subplot()
    if sub.empty:
        ax.text(
            0.5, 0.5, "no lost binders called", ha="center", va="center", transform=ax.transAxes
        )
        styled(ax, title)
        return fig
    points = {}
    for _, r in sub.iterrows():
        vals = [float(v) for v in str(r["ratios"]).split(";") if v not in ("", "nan")]
        points[tuple(str(v) for v in (r["protein"], *(r[c] for c in conds)))] = vals
    sd = sub["ratio_sd"].fillna(0)
    _grouped_bars(
        ax,
        sub,
        "protein",
        varying_within(sub, "protein", conds),
        "ratio_mean",
        sub["ratio_mean"] - sd,
        sub["ratio_mean"] + sd,
        points,
    )
    styled(ax, title, "", "iBAQ / bait iBAQ")
    ax.legend(fontsize=7, frameon=False)
    return fig


def volcano(binding: pd.DataFrame, *, max_panels: int = 4, label_top: int = 8) -> Figure:
    """log2 fold change vs -log10 p per comparison; lost binders highlighted and labelled.

    Proteins absent from the test group (log2 FC = -inf) are drawn at the left edge.

    Parameters
    ----------
    binding
        binding.csv (:func:`tallrx.analysis.assays.coip.score_binding` table).
    max_panels
        At most this many comparisons (panels).
    label_top
        Label at most this many lost binders per panel (the smallest p first).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per comparison.
    """
    test = binding[binding["group"] == "test"] if "group" in binding else binding
    comps = list(dict.fromkeys(test["comparison"]))[:max_panels]
    fig = new_figure(3.2 * max(len(comps), 1), 3.0)
    axes = fig.subplots(1, max(len(comps), 1), squeeze=False).ravel()
    for ax, comp in zip(axes, comps, strict=False):
        d = test[(test["comparison"] == comp) & test["p_value"].notna()]
        fc = d["log2_fc"].to_numpy(float)
        finite = np.isfinite(fc)
        edge = (np.nanmin(fc[finite]) - 1) if finite.any() else -5
        x = np.where(finite, fc, edge)
        y = -np.log10(d["p_value"].to_numpy(float))
        lost = d["lost_binding"].astype(bool).to_numpy()
        ax.scatter(x[~lost], y[~lost], s=8, color=PALETTE["neutral"], alpha=0.6, lw=0)
        ax.scatter(x[lost], y[lost], s=14, color=PALETTE["responsive"], lw=0, label="lost binding")
        order = np.argsort(-y * lost)[: min(label_top, int(lost.sum()))]
        for i in order:
            ax.annotate(
                str(d["protein"].iloc[i]),
                (x[i], y[i]),
                fontsize=6,
                xytext=(2, 2),
                textcoords="offset points",
            )
        ax.axvline(0, color="#bbb", lw=0.6, ls=":")
        styled(ax, comp, "log2 fold change (test / reference)", "-log10 p")
    if comps and test["lost_binding"].astype(bool).any():
        axes[0].legend(fontsize=7, frameon=False)
    return fig


# --------------------------------------------------------------------------- qPCR


def expression_bars(
    expression: pd.DataFrame,
    *,
    x: str | None = None,
    replicates: pd.DataFrame | None = None,
    title: str = "Relative expression",
) -> Figure:
    """Fig. 3A-B: relative expression per group (bars) with the error bars of expression.csv.

    Error bars are lower / upper; the baseline (= 1) is a dotted line.

    Parameters
    ----------
    expression
        expression.csv (:func:`tallrx.analysis.assays.qpcr.relative_expression` table).
    x
        The group column along the axis (default: sample when it varies, else the first group
        column); the other varying group columns become the bar colours.
    replicates
        ``extra['replicates']`` of the same Result: adds the per-replicate values as dots.
    title
        Prefix of each panel's title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per target.
    """
    groups = [c for c in expression.columns if c not in EXPRESSION_STATS]
    if x is None:
        x = "sample" if "sample" in groups and expression["sample"].nunique() > 1 else groups[0]
    hue = varying_within(expression, x, [c for c in groups if c != "target"])
    targets = list(dict.fromkeys(expression["target"]))
    per_x = expression.groupby([x, "target"]).size().max() if len(expression) else 1
    fig = new_figure(
        min(max(3.5, 2.5 + 0.25 * expression[x].nunique() * per_x), 24.0), 2.8 * len(targets)
    )
    axes = fig.subplots(len(targets), 1, squeeze=False).ravel()
    for ax, target in zip(axes, targets, strict=True):
        sub = expression[expression["target"] == target]
        points = None
        if replicates is not None:
            rep = replicates[replicates["target"] == target]
            points = {}
            for key, g in rep.groupby([x, *hue], dropna=False):
                key = key if isinstance(key, tuple) else (key,)
                points[tuple(str(v) for v in key)] = g["rq"].dropna().tolist()
        _grouped_bars(ax, sub, x, hue, "relative_expression", sub["lower"], sub["upper"], points)
        ax.axhline(1.0, color="#999", lw=0.6, ls=":")
        styled(ax, f"{title}: {target}", "", "relative expression (baseline = 1)")
        if hue:
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


# --------------------------------------------------------------------------- blots
def blot_bars(
    table: pd.DataFrame,
    *,
    value: str = "normalized",
    by: str = "target",
    title: str = "Band quantification",
) -> Figure:
    """Bars per lane (labelled with the sample) of ``value``, one panel per ``by`` value.

    Parameters
    ----------
    table
        bands.csv (by target), or a phospho / shift table (by pair, value 'relative' /
        'fraction').
    value
        The column drawn.
    by
        One panel per value of this column.
    title
        Prefix of each panel's title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per ``by`` value; one colour per blot.
    """
    keys = list(dict.fromkeys(table[by])) if by in table else [None]
    if "blot" not in table:
        table = table.assign(blot="")
    lanes = table.drop_duplicates(["blot", "lane"]).sort_values(["blot", "lane"], kind="stable")
    lanes = lanes.set_index(["blot", "lane"], drop=False)
    blots = list(dict.fromkeys(table["blot"]))
    gap = pd.Series(range(len(blots)), index=blots).reindex(lanes["blot"]).to_numpy()
    labels = [lbl for b in blots for lbl in _lane_labels(lanes[lanes["blot"] == b])]
    lanes = lanes.assign(pos=np.arange(len(lanes)) + gap)  # one empty slot between blots
    fig = new_figure(min(max(3.5, 0.3 * len(lanes) + 2), 30.0),
                     1.8 * len(keys) + 0.08 * max(map(len, labels), default=0))
    axes = fig.subplots(len(keys), 1, squeeze=False, sharex=True).ravel()
    for ax, key in zip(axes, keys, strict=True):
        sub = table if key is None else table[table[by] == key]
        for k, blot in enumerate(blots):
            g = sub[sub["blot"] == blot]
            pos = lanes.loc[list(zip(g["blot"], g["lane"], strict=True)), "pos"].to_numpy()
            ax.bar(pos, g[value].to_numpy(float), 0.8, color=DRUG_COLORS[k % len(DRUG_COLORS)],
                   edgecolor="black", linewidth=0.4)
            if ax is axes[0] and len(g):
                ax.text(pos.mean(), 1.02, str(blot), transform=ax.get_xaxis_transform(),
                        ha="center", va="bottom", fontsize=7)
        styled(ax, f"{title}: {key}" if key is not None else title, "", value)
    axes[-1].set_xticks(lanes["pos"].to_numpy())
    axes[-1].set_xticklabels(labels, rotation=60, ha="right", fontsize=6)
    return fig


_LANE_COLUMNS = ("blot", "lane", "sample", "target", "pair", "intensity", "normalized", "relative",
                 "fraction", "source", "flagged", "message", "time_h", "genotype")


def _lane_labels(lanes: pd.DataFrame) -> list[str]:
    """'sample' per lane, plus the conditions that vary among the blot's lanes of that sample
    (e.g. 'NRAS_G12D +dox 1 selumetinib 10'), so lanes of one sample can be told apart."""
    conds = [c for c in lanes.columns if c not in _LANE_COLUMNS
             and pd.api.types.is_scalar(lanes[c].iloc[0])]
    shown = varying_within(lanes, "sample", conds) if "sample" in lanes else []
    out = []
    for _, r in lanes.iterrows():
        extra = [_condition_text(c, r[c]) for c in shown]
        out.append(" ".join([str(r.get("sample", r.get("lane"))), *filter(None, extra)]))
    return out


def _condition_text(name: str, value: object) -> str:
    """'' for an absent condition (0 or NaN), '+dox' for a 1/0 switch, else 'name value'."""
    text = _value_text(value)
    if text in ("0", "none"):
        return ""
    return f"+{name}" if text == "1" and name == "dox" else f"{name} {text}"


def blot_image_overlay(
    image: np.ndarray, lanes: pd.DataFrame, bands: pd.DataFrame, *, title: str = "Lanes and bands"
) -> Figure:
    """The blot image with the lane boxes and band windows used for quantification.

    Parameters
    ----------
    image
        The 2-D grayscale image as quantified.
    lanes, bands
        ``extra['lanes']`` (lane, x0, x1) and ``extra['bands']`` (target, y0, y1) of
        :func:`tallrx.analysis.assays.blots.quantify_blot_image`.
    title
        The axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The image with one box per lane x band, lane numbers above and band names right.
    """
    h, w = image.shape
    fig = new_figure(min(8.0, 2 + w / 80), min(6.0, 1 + h / 80))
    ax = fig.add_subplot()
    ax.imshow(image, cmap="gray", aspect="auto")
    for _, ln in lanes.iterrows():
        for _, b in bands.iterrows():
            ax.add_patch(
                Rectangle(
                    (ln["x0"] - 0.5, b["y0"] - 0.5),
                    ln["x1"] - ln["x0"],
                    b["y1"] - b["y0"],
                    fill=False,
                    lw=0.6,
                    color=PALETTE["highlight"],
                )
            )
        ax.text(
            (ln["x0"] + ln["x1"]) / 2,
            -2,
            str(int(ln["lane"])),
            ha="center",
            va="bottom",
            fontsize=7,
        )
    for _, b in bands.iterrows():
        ax.text(w + 2, (b["y0"] + b["y1"]) / 2, str(b["target"]), va="center", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9, pad=14)
    return fig
