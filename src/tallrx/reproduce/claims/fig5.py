"""Claims 6-8 (Fig. 5): MEK inhibitors, not ruxolitinib, act on PDX cells without IL7;
ruxolitinib's gain tracks IL7-enhanced viability; prednisolone + selumetinib synergizes in both
steroid-resistant groups, + ruxolitinib only in the IL7-dependent one. Thresholds beside each
claim (the paper's CI band and group size from tallrx.paper)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx import paper
from tallrx.reproduce._tables import drug_mask, is_on, numeric, own_reference
from tallrx.reproduce.claims._base import Claim, Verdict, _finite, _fmt

__all__ = ["CLAIM6", "CLAIM7", "CLAIM8", "evaluate_claim6", "evaluate_claim7", "evaluate_claim8"]

#: claims 7-8: the fewest samples a group needs for a verdict
MIN_GROUP = 3

# ----------------------------------------------------------------------------- claim 6
#: a sample "responds" when its AUC is below this share of the window maximum
RESPONSE_AUC_SHARE = 0.75
#: "the majority" respond to each MEK inhibitor
MEK_RESPONDER_SHARE = 0.5
MEK_INHIBITORS = ("selumetinib", "trametinib", "binimetinib")


def evaluate_claim6(curves: pd.DataFrame) -> Verdict:
    """Fig. 5A. ``curves``: cohort curves (sample, il7, drug_a, auc, auc_max), own vehicle."""
    c = own_reference(curves)
    if "il7" in c:
        c = c[~is_on(c["il7"])]
    share = numeric(c["auc"]) / numeric(c["auc_max"])
    c = c.assign(_share=share)
    ev, ok = {}, True
    for drug in ("ruxolitinib", *MEK_INHIBITORS):
        d = c[drug_mask(c, drug)]
        good = np.isfinite(d["_share"].to_numpy(dtype=float))
        resp = d["_share"].to_numpy(dtype=float)[good] < RESPONSE_AUC_SHARE
        n, k = int(good.sum()), int(resp.sum())
        ev[drug] = {
            "n": n,
            "responders": k,
            "share": k / n if n else float("nan"),
            "median_auc_share": float(np.median(d["_share"][good])) if n else float("nan"),
        }
        if drug == "ruxolitinib":
            ok &= n > 0 and k == 0
        else:
            ok &= n > 0 and k >= MEK_RESPONDER_SHARE * n
    summary = (
        f"without IL7: {ev['ruxolitinib']['responders']} of {ev['ruxolitinib']['n']} respond to "
        "ruxolitinib; MEK inhibitor responders: "
        + ", ".join(f"{d} {ev[d]['responders']}/{ev[d]['n']}" for d in MEK_INHIBITORS)
    )
    return Verdict(bool(ok), ev, summary)


CLAIM6 = Claim(
    6,
    "Fig. 5A",
    "Without IL7 no PDX responds to ruxolitinib alone; most respond to MEK inhibitors.",
    f"Without IL7, a sample responds when its AUC is < {RESPONSE_AUC_SHARE:.0%} of the window "
    f"maximum (4-day viability, own vehicle): 0 samples respond to ruxolitinib AND >= "
    f"{MEK_RESPONDER_SHARE:.0%} respond to each of selumetinib, trametinib and binimetinib.",
    ("curves",),
    evaluate_claim6,
)


# ----------------------------------------------------------------------------- claim 7
#: significance level of the delta-AUC regression
ALPHA = 0.05


def evaluate_claim7(regression: pd.DataFrame) -> Verdict:
    """Fig. 5B. ``regression``: delta-AUC fits per drug (drug_a or drug, slope, r2, p, n) from
    :func:`tallrx.analysis.doseresponse.stratify.delta_auc_regression` over the IL7-dependent samples."""
    col = "drug_a" if "drug_a" in regression else "drug"
    fits = {str(r[col]).lower(): r for _, r in regression.iterrows()}
    ev = {}
    for d in ("ruxolitinib", "selumetinib"):
        r = fits.get(d)
        ev[d] = {
            k: (float(r[k]) if r is not None and pd.notna(r[k]) else float("nan"))
            for k in ("slope", "r2", "p")
        }
        ev[d]["n"] = int(r["n"]) if r is not None and pd.notna(r["n"]) else 0
    rux, sel = ev["ruxolitinib"], ev["selumetinib"]
    rux_ok = _finite(rux["p"]) and rux["p"] < ALPHA and rux["slope"] < 0
    sel_ok = _finite(sel["p"]) and sel["p"] >= ALPHA
    ok = bool(rux_ok and sel_ok and rux["n"] >= MIN_GROUP)
    summary = (
        f"ruxolitinib: slope {_fmt(rux['slope'], '.4f')}, R2 {_fmt(rux['r2'])}, p "
        f"{_fmt(rux['p'], '.3g')} (n {rux['n']}); selumetinib: slope {_fmt(sel['slope'], '.4f')},"
        f" R2 {_fmt(sel['r2'])}, p {_fmt(sel['p'], '.3g')} (n {sel['n']})"
    )
    return Verdict(ok, ev, summary)


CLAIM7 = Claim(
    7,
    "Fig. 5B",
    "Ruxolitinib sensitivity gain correlates with IL7-enhanced viability in IL7-dependent "
    "samples (significant); selumetinib's does not.",
    f"Over the IL7-dependent steroid-resistant samples (>= {MIN_GROUP}), OLS of delta AUC "
    "(AUC +IL7 / AUC -IL7, own vehicle) on IL7-enhanced viability: ruxolitinib slope < 0 with"
    f" p < {ALPHA:g} AND selumetinib p >= {ALPHA:g}.",
    ("regression",),
    evaluate_claim7,
)


# ----------------------------------------------------------------------------- claim 8
#: synergy calls of the calibrated test (Fig. 5C bands: CI < 0.8 synergy, < 0.3 strong)
SYNERGY_CALLS = ("synergy", "strong synergy")
#: "only one IL7-independent steroid resistant sample demonstrated synergy" with ruxolitinib
RUX_INDEPENDENT_MAX = 1
_N = paper.FIG5_N_PER_GROUP


def _required(n: int) -> int:
    """'At least 5 of 6': all but at most one of the ``n`` samples."""
    return max(n - 1, 0)


def _pair(df: pd.DataFrame, other: str) -> pd.Series:
    a = df["drug_a"].astype("str").str.lower()
    b = df["drug_b"].astype("str").str.lower()
    return ((a == "prednisolone") & (b == other)) | ((b == "prednisolone") & (a == other))


def evaluate_claim8(combinations: pd.DataFrame, groups: pd.DataFrame) -> Verdict:
    """Fig. 5C. ``combinations``: :func:`tallrx.analysis.synergy.score_synergy` table (sample,
    il7, drug_a, drug_b, ci_mean, call, p_value); ``groups``: sample, group ('IL7-dependent' or
    'IL7-independent'), the steroid-resistant samples chosen from the strata."""
    grp = dict(zip(groups["sample"].astype("str"), groups["group"].astype("str"), strict=True))
    c = combinations.assign(_s=combinations["sample"].astype("str"))
    c = c[c["_s"].isin(grp)]
    plus = c[is_on(c["il7"])] if "il7" in c else c
    ev: dict = {}
    counts = {}
    for other in ("selumetinib", "ruxolitinib"):
        for g in ("IL7-dependent", "IL7-independent"):
            members = sorted(s for s, x in grp.items() if x == g)
            rows = plus[_pair(plus, other) & plus["_s"].isin(members)]
            per = {
                r["_s"]: {
                    "call": str(r["call"]),
                    "ci_mean": r.get("ci_mean"),
                    "p_value": r.get("p_value"),
                    "naive_call": r.get("naive_call"),
                }
                for _, r in rows.iterrows()
            }
            syn = [s for s, v in per.items() if v["call"] in SYNERGY_CALLS]
            counts[(other, g)] = (len(syn), len(members))
            ev[f"prednisolone + {other}, {g}, +IL7"] = {
                "n_samples": len(members),
                "n_synergy": len(syn),
                "samples": per,
            }
        minus = c[~is_on(c["il7"])] if "il7" in c else c.iloc[0:0]
        m = minus[_pair(minus, other)]
        ev[f"prednisolone + {other}, -IL7"] = {
            "n_samples": int(m["_s"].nunique()),
            "n_synergy": int(m["call"].astype("str").isin(SYNERGY_CALLS).sum()),
        }
    sd, nd = counts[("selumetinib", "IL7-dependent")]
    si, ni = counts[("selumetinib", "IL7-independent")]
    rd, _ = counts[("ruxolitinib", "IL7-dependent")]
    ri, _ = counts[("ruxolitinib", "IL7-independent")]
    ok = (
        nd >= MIN_GROUP
        and ni >= MIN_GROUP
        and sd >= _required(nd)
        and si >= _required(ni)
        and rd >= _required(nd)
        and ri <= RUX_INDEPENDENT_MAX
    )
    summary = (
        f"+IL7 synergy calls: prednisolone + selumetinib {sd}/{nd} IL7-dependent, {si}/{ni} "
        f"IL7-independent; prednisolone + ruxolitinib {rd}/{nd} IL7-dependent, {ri}/{ni} "
        "IL7-independent"
    )
    return Verdict(bool(ok), ev, summary)


CLAIM8 = Claim(
    8,
    "Fig. 5C",
    f"Prednisolone + selumetinib is synergistic (mean CI < {paper.CI_SYNERGY:g}) in both "
    "IL7-dependent and "
    "IL7-independent steroid-resistant samples; prednisolone + ruxolitinib only where IL7 "
    "drives the resistance.",
    f"With IL7, in the (up to) {_N} IL7-dependent and {_N} IL7-independent steroid-resistant "
    f"samples (>= {MIN_GROUP} each): calibrated synergy call (null-calibrated window-mean CI, "
    f"alpha 0.05) for prednisolone + selumetinib in all but at most one sample of each group "
    f"({_required(_N)} of {_N}) AND prednisolone + ruxolitinib synergy in all but at most one IL7-dependent sample "
    f"but in at most {RUX_INDEPENDENT_MAX} IL7-independent sample.",
    ("combinations", "groups"),
    evaluate_claim8,
)
