"""The reproduced figure of each claim of ``tallrx reproduce`` (Fig. 1-5 of the paper).

Each ``claimN_figure`` takes the same analysis tables the claim's evaluator reads (plus, for
some, a table shown beside them) and returns a Figure; only means per group are formed, nothing
new is computed. :data:`CLAIM_FIGURES` maps claim id -> function; :func:`sensitivity_figure`
draws the per-claim fraction of parameter sets in which the claim held.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tallrx.paper import IL7_RESPONSIVE_FOLD
from tallrx.plots.assays import expression_bars
from tallrx.plots.screen import auc_distribution
from tallrx.plots.style import DRUG_COLORS, PALETTE, new_figure, styled

__all__ = ["CLAIM_FIGURES", "sensitivity_figure"]

_ON = {"1", "1.0", "true", "+", "yes"}


def _on(s: pd.Series) -> pd.Series:
    num = pd.to_numeric(s, errors="coerce")
    return num.gt(0) | s.astype("str").str.strip().str.lower().isin(_ON)


def _line(df: pd.DataFrame) -> pd.Series:
    return df["genotype" if "genotype" in df else "sample"].astype("str")


def _no_drug(df: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for c in ("ci1040", "selumetinib", "trametinib", "ruxolitinib", "bortezomib", "prednisolone"):
        if c in df and c not in keep:
            mask &= ~_on(df[c])
    return mask


def _level(v) -> str:
    """A condition value as a short label: 693.5967 -> '693.6', 'selumetinib' unchanged."""
    try:
        return f"{float(v):.4g}"
    except (TypeError, ValueError):
        return str(v)


def _bars(ax, labels: list[str], series: dict[str, np.ndarray], log: bool = False) -> None:
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(labels))
    for k, (name, vals) in enumerate(series.items()):
        ax.bar(
            x - 0.4 + width * (k + 0.5),
            np.nan_to_num(vals),
            width * 0.9,
            label=name,
            color=[PALETTE["without"], PALETTE["with"], PALETTE["responsive"], *DRUG_COLORS][k],
            edgecolor="black",
            linewidth=0.3,
        )
    ax.set_xticks(x, labels, rotation=40, ha="right", fontsize=7)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=7, frameon=False)


def _off_on_bars(
    ax, labels: list[str], means: pd.Series, names: tuple[str, str], log: bool = False
) -> None:
    """Bars of ``means`` (indexed by (label, on)) without / with a condition, per label."""
    _bars(
        ax,
        labels,
        {
            names[i]: np.array([means.get((g, on), np.nan) for g in labels])
            for i, on in enumerate((False, True))
        },
        log=log,
    )


# ------------------------------------------------------------------ claim 1
def claim1_figure(curves: pd.DataFrame, perk: pd.DataFrame, **_) -> Figure:
    """Fig. 1A-C: prednisolone AUC -/+ dox per line, and pERK/ERK -/+ dox (untreated lanes)."""
    c = curves[curves["drug_a"].astype("str") == "prednisolone"]
    if "reference" in c:
        c = c[c["reference"].astype("str") == "own"]
    auc = c.assign(_l=_line(c), _d=_on(c["dox"])).groupby(["_l", "_d"])["auc"].mean()
    p = perk[_no_drug(perk)]
    erk = p.assign(_l=_line(p), _d=_on(p["dox"])).groupby(["_l", "_d"])["ratio"].mean()
    lines = list(dict.fromkeys(_line(c)))
    fig = new_figure(10, 3.6)
    a1, a2 = fig.subplots(1, 2)
    _off_on_bars(a1, lines, auc, ("- dox", "+ dox"))
    styled(a1, "Fig. 1A-B: prednisolone AUC (4 days)", "", "AUC (% x log10 uM)")
    _off_on_bars(a2, lines, erk, ("- dox", "+ dox"), log=True)
    styled(a2, "Fig. 1C: pERK / ERK (blot)", "", "ratio")
    return fig


# ------------------------------------------------------------------ claim 2
def claim2_figure(strata: pd.DataFrame, perk: pd.DataFrame, **_) -> Figure:
    """Fig. 1D-E: sorted prednisolone AUC fold (+IL7/-IL7) and pERK/ERK -/+ IL7 of the blotted
    samples."""
    s = strata[strata["drug_a"].astype("str") == "prednisolone"] if "drug_a" in strata else strata
    s = s.sort_values("auc_fold")
    fig = new_figure(10, 3.4)
    a1, a2 = fig.subplots(1, 2, width_ratios=[2.2, 1])
    resp = s["il7_responsive"].astype("boolean").fillna(False).to_numpy(bool)
    a1.bar(
        np.arange(len(s)),
        s["auc_fold"].to_numpy(float),
        color=np.where(resp, PALETTE["responsive"], PALETTE["without"]),
    )
    a1.axhline(IL7_RESPONSIVE_FOLD, color="k", lw=0.7, ls="--")
    a1.set_xticks(np.arange(len(s)), s["sample"].astype("str"), rotation=90, fontsize=5)
    styled(
        a1,
        f"Fig. 1D: AUC fold with IL7 (red: responsive, {int(resp.sum())} of {len(s)})",
        "",
        "AUC(+IL7) / AUC(-IL7)",
    )
    if len(perk):
        p = perk[_no_drug(perk)]
        m = p.assign(_i=_on(p["il7"])).groupby(["sample", "_i"])["ratio"].mean()
        smp = list(dict.fromkeys(p["sample"].astype("str")))
        _off_on_bars(a2, smp, m, ("- IL7", "+ IL7 30 min"))
    styled(a2, "Fig. 1E: pERK / ERK", "", "ratio")
    return fig


# ------------------------------------------------------------------ claim 3
def claim3_figure(shift: pd.DataFrame, perk: pd.DataFrame, **_) -> Figure:
    """Fig. 2: upper-band fraction of BIM-EL / BIM-L / BIM-S (JAK1 lines -dox, +dox, +CI1040)
    and BIM-EL upper-band fraction over the MEK inhibitor dose series."""
    fig = new_figure(10, 3.6)
    a1, a2 = fig.subplots(1, 2)
    j = shift[_line(shift).str.startswith("JAK1") & _no_drug(shift, ("ci1040",))]
    state = np.where(
        _on(j["ci1040"]) if "ci1040" in j else False,
        "+dox +CI1040",
        np.where(_on(j["dox"]), "+dox", "-dox"),
    )
    j = j.assign(_state=state, _l=_line(j))
    m = j.groupby(["_l", "isoform", "_state"])["fraction"].mean()
    labels = [f"{g} {iso}" for g in dict.fromkeys(j["_l"]) for iso in ("BIM-EL", "BIM-L", "BIM-S")]
    keys = [tuple(lab.rsplit(" ", 1)) for lab in labels]
    _bars(
        a1,
        labels,
        {
            st: np.array([m.get((g, iso, st), np.nan) for g, iso in keys])
            for st in ("-dox", "+dox", "+dox +CI1040")
        },
    )
    styled(a1, "Fig. 2C: upper (phospho) band fraction", "", "fraction")
    el = shift[(shift["isoform"] == "BIM-EL") & _on(shift["dox"])]
    k = 0
    for g in ("JAK1_T901A", "NRAS_G12D"):
        for drug in ("selumetinib", "trametinib"):
            d = el[(_line(el) == g) & _no_drug(el, (drug,))] if drug in el else el.iloc[0:0]
            if d.empty:
                continue
            mm = d.groupby(drug)["fraction"].mean()
            dose = mm.index.to_numpy(float)
            x = np.where(dose > 0, dose, np.nan)
            floor = np.nanmin(x) / 10 if np.isfinite(x).any() else 1e-4
            a2.plot(
                np.where(dose > 0, dose, floor),
                mm.to_numpy(),
                "o-",
                ms=3,
                color=DRUG_COLORS[k],
                label=f"{g} {drug}",
            )
            k += 1
    a2.set_xscale("log")
    a2.legend(fontsize=7, frameon=False)
    styled(
        a2,
        "Fig. 2D-E: BIM-EL shift vs MEK inhibitor (0 drawn at left)",
        "dose (uM)",
        "upper-band fraction",
    )
    return fig


# ------------------------------------------------------------------ claim 4
def claim4_figure(expression: pd.DataFrame, **_) -> Figure:
    """Fig. 3A-B: relative BIM (BCL2L11) and MCL1 expression per line, dox and prednisolone."""
    e = expression
    if {"sample", "genotype"} <= set(e.columns) and (
        e["sample"].astype("str") == e["genotype"].astype("str")
    ).all():
        e = e.drop(columns="genotype")  # the same labels twice would colour every bar apart
    # condition levels as text ('+dox', 'prednisolone 693.6 uM'): mixed int / float level columns
    # are matched as text by the bar helper, where 0 and 0.0 differ
    if "dox" in e:
        e = e.assign(dox=np.where(_on(e["dox"]), "+", "-"))
    if "prednisolone" in e:
        e = e.assign(prednisolone=e["prednisolone"].map(_level) + " uM")
    return expression_bars(e, x="sample" if "sample" in e else None)


# ------------------------------------------------------------------ claim 5
def _fc_bars(ax, binding: pd.DataFrame, by: list[str], title: str) -> None:
    t = binding[
        (binding["group"].astype("str") == "test")
        & binding["protein"].isin(["BCL2", "BCL2L1", "MCL1"])
    ]
    if t.empty:
        return
    t = t.assign(
        _k=t[by].map(_level).agg(" ".join, axis=1),
        _fc=2.0 ** pd.to_numeric(t["log2_fc"], errors="coerce"),
    )
    keys = list(dict.fromkeys(t["_k"]))
    _bars(
        ax,
        keys,
        {
            p: t[t["protein"] == p].set_index("_k")["_fc"].reindex(keys).to_numpy()
            for p in ("BCL2", "BCL2L1", "MCL1")
        },
        log=True,
    )
    ax.axhline(1.0, color="k", lw=0.6)
    styled(ax, title, "", "bait-normalized fold (test / reference)")


def claim5_figure(
    binding_dox: pd.DataFrame, binding_drug: pd.DataFrame, binding_btz: pd.DataFrame, **_
) -> Figure:
    """Fig. 4: fold change of bait-normalized binding: +dox vs -dox (NRAS G12D), inhibitors vs
    none (induced, prednisolone), bortezomib vs none."""
    fig = new_figure(11, 3.6)
    a1, a2, a3 = fig.subplots(1, 3)
    _fc_bars(a1, binding_dox, ["prednisolone"], "Fig. 4A: +dox vs -dox (by prednisolone uM)")
    _fc_bars(a2, binding_drug, ["genotype", "treatment"], "Fig. 4D-E: drug vs none")
    _fc_bars(a3, binding_btz, ["prednisolone"], "Suppl. 4e: bortezomib vs none")
    return fig


# ------------------------------------------------------------------ claims 6-8
def claim6_figure(curves: pd.DataFrame, **_) -> Figure:
    """Fig. 5A: AUC per drug without IL7 (own vehicle)."""
    c = curves
    if "reference" in c:
        c = c[c["reference"].astype("str") == "own"]
    if "il7" in c:
        c = c[~_on(c["il7"])]
    return auc_distribution(
        c, drugs=["ruxolitinib", "selumetinib", "trametinib", "binimetinib", "prednisolone"]
    )


def claim7_figure(regression: pd.DataFrame, points: pd.DataFrame | None = None, **_) -> Figure:
    """Fig. 5B: delta AUC vs IL7-enhanced viability, ruxolitinib and selumetinib."""
    fig = new_figure(7, 3.2)
    axes = fig.subplots(1, 2)
    for ax, drug in zip(axes, ("ruxolitinib", "selumetinib"), strict=True):
        fit = regression[regression["drug_a"] == drug] if "drug_a" in regression else regression
        pts = (
            points[points["drug_a"] == drug]
            if points is not None and len(points)
            else pd.DataFrame({"enhanced_viability": [], "delta_auc": []})
        )
        f = fit.iloc[0].to_dict() if len(fit) else {}
        ax.scatter(pts["enhanced_viability"], pts["delta_auc"], s=18, color=PALETTE["with"])
        if len(pts) >= 2 and np.isfinite(f.get("slope", np.nan)):
            xs = np.linspace(pts["enhanced_viability"].min(), pts["enhanced_viability"].max(), 10)
            ax.plot(xs, f["intercept"] + f["slope"] * xs, color=PALETTE["responsive"], lw=1)
        ax.text(
            0.03,
            0.95,
            f"R2 = {f.get('r2', np.nan):.2f}\np = {f.get('p', np.nan):.2g}",
            transform=ax.transAxes,
            va="top",
            fontsize=8,
        )
        styled(
            ax,
            f"{drug} (IL7-dependent samples)",
            "IL7-enhanced viability (%)",
            "delta AUC (+IL7 / -IL7)",
        )
    return fig


def claim8_figure(combinations: pd.DataFrame, groups: pd.DataFrame, **_) -> Figure:
    """Fig. 5C: window-mean CI per sample, by drug pair, group and IL7; filled = calibrated
    synergy call."""
    grp = dict(zip(groups["sample"].astype("str"), groups["group"].astype("str"), strict=True))
    c = combinations.assign(_g=combinations["sample"].astype("str").map(grp))
    c = c[c["_g"].notna()]
    other = np.where(c["drug_a"].astype("str") == "prednisolone", c["drug_b"], c["drug_a"])
    il7 = np.where(_on(c["il7"]), "+IL7", "-IL7") if "il7" in c else ""
    short = (
        c["_g"]
        .str.replace("IL7-dependent", "IL7-dep.")
        .str.replace("IL7-independent", "IL7-indep.")
    )
    c = c.assign(_col=pd.Series(other, index=c.index).astype("str") + "\n" + short + "\n" + il7)
    cols = sorted(set(c["_col"]))
    fig = new_figure(max(6, 1.0 * len(cols) + 1), 4)
    ax = fig.add_subplot()
    ax.axhspan(0, 0.3, color=PALETTE["responsive"], alpha=0.12, lw=0)
    ax.axhspan(0.3, 0.8, color=PALETTE["highlight"], alpha=0.12, lw=0)
    ax.axhline(1.0, color=PALETTE["neutral"], lw=0.8)
    for i, col in enumerate(cols):
        rows = c[c["_col"] == col]
        y = pd.to_numeric(rows["ci_mean"], errors="coerce").to_numpy(float)
        x = i + np.linspace(-0.2, 0.2, max(len(y), 1))[: len(y)]
        syn = rows["call"].astype("str").str.contains("synergy").to_numpy()
        color = DRUG_COLORS[0] if col.startswith("selumetinib") else DRUG_COLORS[1]
        ax.scatter(x[syn], y[syn], color=color, s=22, zorder=3)
        ax.scatter(x[~syn], y[~syn], facecolors="white", edgecolors=color, s=22, zorder=3)
    ax.set_xticks(range(len(cols)), cols, fontsize=6)
    finite = pd.to_numeric(c["ci_mean"], errors="coerce")
    top = float(finite.max()) if finite.notna().any() else 1.5
    ax.set_ylim(0, max(1.5, min(top * 1.1, 5.0)))
    styled(
        ax,
        "Fig. 5C: prednisolone combinations (filled: calibrated synergy call)",
        "",
        "mean CI (therapeutic window)",
    )
    return fig


CLAIM_FIGURES: dict[int, Callable[..., Figure]] = {
    1: claim1_figure,
    2: claim2_figure,
    3: claim3_figure,
    4: claim4_figure,
    5: claim5_figure,
    6: claim6_figure,
    7: claim7_figure,
    8: claim8_figure,
}


def sensitivity_figure(
    summary: pd.DataFrame, what: str = "sampled parameter sets"
) -> Figure:
    """Fraction of parameter sets in which each claim held (summary: claim, fraction_held,
    n_runs); ``what`` names the sets in the title (e.g. "posterior draws")."""
    fig = new_figure(6, 3)
    ax = fig.add_subplot()
    ids = summary["claim"].astype(int).to_numpy()
    frac = pd.to_numeric(summary["fraction_held"], errors="coerce").to_numpy(float)
    ax.bar(ids, np.nan_to_num(frac), color=PALETTE["with"])
    for i, f, n in zip(ids, frac, summary["n_runs"], strict=True):
        ax.text(i, (0 if np.isnan(f) else f) + 0.02, f"n={n}", ha="center", fontsize=7)
    ax.set_ylim(0, 1.1)
    ax.set_xticks(ids, [f"claim {i}" for i in ids], fontsize=7)
    styled(ax, f"Claims held across {what}", "", "fraction of runs held")
    return fig
