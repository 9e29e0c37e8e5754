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
from tallrx.plate import plate_for, row_letter
from tallrx.plots.style import DRUG_COLORS, PALETTE, new_figure, styled
from tallrx.tidy.qc import VEHICLE_CV_MAX, Z_PRIME_MIN

AUC_MAX_4LOG = AUC_MAX  # 100 % over the paper's 4-log window (tallrx.paper)
#: figures label every sample up to this many samples (beyond, samples are unlabeled)
MAX_LABELS = 80


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
    fig = new_figure(min(max(6.0, 0.16 * len(df) + 2), 14.0), 3.6)
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
    if len(df) <= MAX_LABELS:
        ax.set_xticks(x, df["sample"], rotation=90, fontsize=6)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(df)} samples, sorted by AUC without IL7", fontsize=8)
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
    fig = new_figure(min(1.2 * len(drugs) + 1.5, 14.0), 3.4)
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)
    for i, drug in enumerate(drugs):
        auc = df.loc[df["drug_a"] == drug, "auc"].dropna().to_numpy()
        ax.scatter(i + rng.uniform(-0.18, 0.18, auc.size), auc, s=10,
                   color=DRUG_COLORS[i % len(DRUG_COLORS)], alpha=0.8)
        if auc.size:
            ax.hlines(np.median(auc), i - 0.3, i + 0.3, color="k", lw=1.2)
    ax.axhline(auc_max, color="#999", lw=0.6, ls="--")
    ax.set_xticks(range(len(drugs)), drugs, rotation=30 if len(drugs) <= 12 else 90,
                  ha="right" if len(drugs) <= 12 else "center", fontsize=8 if len(drugs) <= 40 else 5)
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
    cell = 0.22 if n_cols <= 24 else 0.14
    fig = new_figure(cell * n_cols + 1.5, cell * n_rows + 0.8)
    ax = fig.add_subplot()
    im = ax.imshow(grid, cmap="viridis", aspect="equal")
    if "exclude" in df:
        ex = df[df["exclude"].astype(bool)]
        ax.scatter(ex["col"] - 1, ex["row"] - 1, marker="x", color="red", s=12)
    step = 2 if n_cols <= 24 else 4
    ax.set_xticks(range(0, n_cols, step), [str(c + 1) for c in range(0, n_cols, step)], fontsize=6)
    ys = range(0, n_rows, 1 if n_rows <= 16 else 2)
    ax.set_yticks(ys, [row_letter(r + 1) for r in ys], fontsize=6)
    fig.colorbar(im, ax=ax, shrink=0.8, label=value)
    ax.set_title(f"plate {plate}: {value}", fontsize=9)
    return fig


def auc_heatmap(curves: pd.DataFrame, *, condition: str | None = None) -> Figure:
    """Sample x drug AUC heatmap, one panel per level of ``condition`` (e.g. -IL7 / +IL7).

    Samples are sorted by their mean AUC (most resistant on top), drugs by their median AUC; a
    missing curve is blank. Rows are labeled up to :data:`MAX_LABELS` samples. AUC in % x log10 uM.
    """
    df = curves.dropna(subset=["auc"])
    levels = (sorted(df[condition].dropna().unique()) if condition and condition in df else
              [None])[:3]
    table = df.pivot_table(index="sample", columns="drug_a", values="auc", aggfunc="mean")
    samples = table.mean(axis=1).sort_values(ascending=False).index
    drugs = table.median(axis=0).sort_values(ascending=False).index
    n_s, n_d = len(samples), len(drugs)
    height = min(2.0 + 0.14 * n_s, 9.0) if n_s <= MAX_LABELS else 7.0
    width = min(1.6 + (0.32 * n_d + 1.2) * len(levels), 15.0)
    fig = new_figure(width, height)
    axes = fig.subplots(1, len(levels), squeeze=False, sharey=True).ravel()
    finite = df["auc"].to_numpy(dtype=float)
    vmax = float(np.nanpercentile(finite, 99)) if finite.size else AUC_MAX_4LOG
    image = None
    for ax, level in zip(axes, levels, strict=True):
        part = df if level is None else df[df[condition] == level]
        grid = part.pivot_table(index="sample", columns="drug_a", values="auc", aggfunc="mean")
        grid = grid.reindex(index=samples, columns=drugs)
        image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="magma_r", vmin=0,
                          vmax=max(vmax, 1.0), interpolation="nearest")
        ax.set_xticks(range(n_d), [str(d) for d in drugs], rotation=90,
                      fontsize=7 if n_d <= 40 else 5)
        if n_s <= MAX_LABELS:
            ax.set_yticks(range(n_s), [str(s) for s in samples], fontsize=6)
        else:
            ax.set_yticks([])
            ax.set_ylabel(f"{n_s} samples (sorted by mean AUC)", fontsize=8)
        ax.set_title("AUC" if level is None else f"AUC, {condition} = {level:g}", fontsize=9)
    if image is not None:
        fig.colorbar(image, ax=list(axes), shrink=0.6, label="AUC (% × log10 µM)")
    return fig


def plate_qc_summary(qc: pd.DataFrame, *, z_prime_min: float = Z_PRIME_MIN,
                     cv_max: float = VEHICLE_CV_MAX) -> Figure:
    """One compact QC figure across all plates: the worst Z' and the worst vehicle CV (%) of each
    plate's groups, plates in screen order; plates failing QC in red, thresholds dashed."""
    per = plate_qc_table(qc)
    x = np.arange(len(per))
    fail = per["qc_pass"].eq(False).fillna(False).to_numpy(dtype=bool)
    fig = new_figure(min(3.0 + 0.12 * len(per), 12.0), 3.6)
    ax_z, ax_cv = fig.subplots(2, 1, sharex=True)
    for ax, col, line, label in ((ax_z, "z_prime", z_prime_min, "Z′ (worst group)"),
                                 (ax_cv, "vehicle_cv", cv_max, "vehicle CV % (worst)")):
        y = per[col].to_numpy(dtype=float)
        size = 10 if len(per) <= 200 else 3
        ax.scatter(x[~fail], y[~fail], s=size, color=PALETTE["with"], lw=0)
        ax.scatter(x[fail], y[fail], s=size * 1.6, color=PALETTE["responsive"], lw=0,
                   label=f"failing QC ({int(fail.sum())})")
        ax.axhline(line, color="#999", lw=0.7, ls="--")
        styled(ax, "", "", label)
    ax_z.set_title(f"Plate QC across {len(per)} plates (red: failing)", fontsize=9)
    if 0 < len(per) <= 60:
        ax_cv.set_xticks(x, [str(p) for p in per["plate"]], rotation=90, fontsize=6)
    else:
        ax_cv.set_xlabel("plate (screen order)", fontsize=9)
    if fail.any():
        ax_z.legend(fontsize=7, loc="lower left")
    return fig


def plate_qc_table(qc: pd.DataFrame) -> pd.DataFrame:
    """One row per plate from a QC table (one row per plate x group): plate, n_groups, z_prime
    (worst), vehicle_cv (worst, %), qc_pass (False if any group fails, NA if none assessed) and
    failing (the metrics that failed, e.g. ``z_prime; vehicle_cv``). Plates in screen order."""
    checks = [c for c in qc.columns if c.endswith("_pass") and c != "qc_pass"]
    plate = qc["plate"]
    g = qc.groupby(plate, sort=False)
    failed = qc[checks].astype("boolean").eq(False).fillna(False).groupby(plate, sort=False).any()
    failing = pd.Series("", index=failed.index, dtype=object)
    for c in checks:
        failing = failing + np.where(failed[c], f"{c[:-5]}; ", "")
    state = qc["qc_pass"].astype("boolean")
    any_false = state.eq(False).fillna(False).groupby(plate, sort=False).any()
    none_known = state.isna().groupby(plate, sort=False).all()
    qc_pass = pd.array(~any_false.to_numpy(), dtype="boolean")
    qc_pass[none_known.to_numpy()] = pd.NA
    out = pd.DataFrame({
        "n_groups": g.size(),
        "z_prime": g["z_prime"].min() if "z_prime" in qc else np.nan,
        "vehicle_cv": g["vehicle_cv"].max() if "vehicle_cv" in qc else np.nan,
        "qc_pass": pd.Series(qc_pass, index=any_false.index),
        "failing": failing.str.rstrip("; "),
    })
    return out.reset_index()


#: colors of the plate thumbnails: 30 viridis levels, then excluded (red) and empty (light grey)
_THUMB_LEVELS = 30


def plate_thumbnails(wells: pd.DataFrame, plates: Sequence[object], *,
                     value: str = "signal") -> dict[object, bytes]:
    """Tiny heatmap PNGs of ``plates``: one pixel per well (scale them up in the page with
    ``image-rendering: pixelated``), ``value`` scaled per plate from its 2nd to 98th percentile
    onto viridis; excluded wells red, empty wells light grey. Indexed-color PNGs of ~1 kB each,
    so a report can hold thousands."""
    import io

    from matplotlib import colormaps
    from PIL import Image

    palette = (colormaps["viridis"](np.linspace(0, 1, _THUMB_LEVELS))[:, :3] * 255).astype(int)
    flat = [*palette.ravel().tolist(), 214, 39, 40, 225, 225, 225]
    codes, names = pd.factorize(wells["plate"])
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(names) + 1))
    where = {name: i for i, name in enumerate(names)}
    all_rows = wells["row"].to_numpy(dtype=int)[order]
    all_cols = wells["col"].to_numpy(dtype=int)[order]
    all_v = wells[value].to_numpy(dtype=float)[order]
    all_ex = (wells["exclude"].fillna(False).astype(bool).to_numpy()[order] if "exclude" in wells
              else np.zeros(len(wells), dtype=bool))
    out: dict[object, bytes] = {}
    for plate in plates:
        if plate not in where:
            continue
        part = slice(starts[where[plate]], starts[where[plate] + 1])
        rows, cols, v, ex = all_rows[part], all_cols[part], all_v[part], all_ex[part]
        top, right = int(rows.max(initial=1)), int(cols.max(initial=1))
        n_rows, n_cols = plate_for(top, right) or (top, right)
        grid = np.full((n_rows, n_cols), _THUMB_LEVELS + 1, dtype=np.uint8)
        ok = np.isfinite(v)
        if ok.any():
            lo, hi = np.percentile(v[ok], [2, 98])
            level = np.clip((v - lo) / (hi - lo if hi > lo else 1.0), 0, 1)
            grid[rows[ok] - 1, cols[ok] - 1] = np.round(level[ok] * (_THUMB_LEVELS - 1))
        grid[rows[ex] - 1, cols[ex] - 1] = _THUMB_LEVELS
        img = Image.fromarray(grid, mode="P")
        img.putpalette(flat)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out[plate] = buf.getvalue()
    return out

