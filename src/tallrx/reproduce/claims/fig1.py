"""Claims 1 and 2 (Fig. 1): mutant IL7R / JAK1 / NRAS and physiological IL7 activate ERK and
raise steroid resistance. Each threshold sits beside the claim that applies it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tallrx import paper
from tallrx.reproduce._tables import (
    drug_mask,
    is_on,
    line_of,
    mean_by,
    numeric,
    own_reference,
    ratio,
    untreated,
)
from tallrx.reproduce.claims._base import Claim, Verdict, _dox_fold, _finite

__all__ = ["CLAIM1", "CLAIM2", "evaluate_claim1", "evaluate_claim2"]

# ----------------------------------------------------------------------------- claim 1
#: Fig. 1B, 1C text: the lines whose induction raises resistance and activates ERK
ACTIVATING = (*paper.CYSTEINE_IL7R, "JAK1_R724H", "JAK1_T901A", "NRAS_G12D")
#: Fig. 1A: induction "did not affect the sensitive steroid response"
NON_SIGNALLING_IL7R = ("IL7R_WT", "IL7R_V253GPSL")
#: "strongly raised" resistance = prednisolone AUC(+dox) / AUC(-dox) at least this
RESISTANCE_FOLD = 1.5
#: "did not affect" the steroid response = AUC fold inside (1/x, x)
UNCHANGED_FOLD = 1.2
#: ERK "activated" = pERK/ERK ratio raised at least this fold; "not activated" = below the second
ERK_ACTIVATED_FOLD = 2.0
ERK_UNCHANGED_FOLD = 1.5


def evaluate_claim1(curves: pd.DataFrame, perk: pd.DataFrame) -> Verdict:
    """Fig. 1A-C. ``curves``: prednisolone curves of the SUPT-1 lines (genotype or sample, dox,
    drug_a, auc). ``perk``: pERK/ERK ratios per lane (genotype or sample, dox, drug columns,
    ratio) from :func:`tallrx.analysis.assays.blots.phospho_ratio`."""
    pred = own_reference(curves)[drug_mask(own_reference(curves), "prednisolone")]
    lanes = perk[untreated(perk)]
    expected = {g: "raised" for g in ACTIVATING}
    expected.update({g: "unchanged" for g in ("parental", *NON_SIGNALLING_IL7R)})
    lines = sorted(set(line_of(pred)) | set(line_of(lanes)))
    auc = _dox_fold(pred, "auc", lines)
    erk = _dox_fold(lanes, "ratio", lines)
    rows, ok = {}, True
    for g in lines:
        a, e = auc[g]["fold"], erk[g]["fold"]
        want = expected.get(g, "reported")
        if want == "raised":
            good = _finite(a) and a >= RESISTANCE_FOLD and _finite(e) and e >= ERK_ACTIVATED_FOLD
        elif want == "unchanged":
            good = _finite(a) and 1 / UNCHANGED_FOLD < a < UNCHANGED_FOLD
            if g in NON_SIGNALLING_IL7R:
                good = good and _finite(e) and e < ERK_UNCHANGED_FOLD
        else:
            good = True
        if want != "reported":
            ok &= bool(good)
        rows[g] = {
            "expected": want,
            "auc_without_dox": auc[g]["without_dox"],
            "auc_with_dox": auc[g]["with_dox"],
            "auc_fold": a,
            "perk_fold": e,
            "as_expected": bool(good) if want != "reported" else None,
        }
    missing = [g for g in expected if g not in rows]
    ok &= not missing
    bad = [g for g, r in rows.items() if r["as_expected"] is False]
    summary = (
        f"resistance and pERK raised in {sum(rows[g]['as_expected'] is True for g in ACTIVATING if g in rows)}"
        f" of {len(ACTIVATING)} activating genotypes; "
        + (f"not as expected: {', '.join(bad)}" if bad else "all genotypes as expected")
        + (f"; missing: {', '.join(missing)}" if missing else "")
    )
    return Verdict(ok, {"genotypes": rows, "missing": missing}, summary)


_PRED_LO, _PRED_HI = paper.PREDNISOLONE_UG_ML_RANGE
CLAIM1 = Claim(
    1,
    "Fig. 1A-C",
    "Cysteine-mutant IL7R (not WT, not V253GPSL) raise prednisolone resistance; so do JAK1 "
    "R724H/T901A and NRAS G12D, and each of these activates ERK.",
    f"On doxycycline induction (4-day prednisolone {_PRED_LO:g}-{_PRED_HI:g} ug/ml viability, AUC of each "
    f"condition normalized to its own vehicle): each of the 3 cysteine IL7R mutants, JAK1 R724H,"
    f" JAK1 T901A and NRAS G12D raises the AUC >= {RESISTANCE_FOLD:g}-fold AND raises the "
    f"pERK/ERK blot ratio >= {ERK_ACTIVATED_FOLD:g}-fold; parental, IL7R WT and IL7R V253GPSL "
    f"change the AUC less than {UNCHANGED_FOLD:g}-fold either way, and IL7R WT / V253GPSL raise"
    f" pERK/ERK less than {ERK_UNCHANGED_FOLD:g}-fold. Other lines are reported only.",
    ("curves", "perk"),
    evaluate_claim1,
)


# ----------------------------------------------------------------------------- claim 2
#: IL7 "increased ERK phosphorylation": pERK/ERK fold with IL7 at least this
IL7_PERK_FOLD = 1.5
#: IL7-responsive share of the cohort (paper: 12 of 46 = 26 %), with this tolerance
_PAPER_K, _PAPER_N = paper.IL7_RESPONSIVE_OF_46, paper.PDX_COHORT_SIZE
_PAPER_SHARE = f"{100 * _PAPER_K / _PAPER_N:.0f} %"
_N_BLOTTED = paper.FIG1E_N_DEPENDENT + paper.FIG1E_N_INDEPENDENT
RESPONSIVE_SHARE = (0.20, 0.33)
#: share of the blotted PDX samples (Fig. 1E: 3 + 2) whose pERK must rise with IL7
IL7_PERK_SHARE = 0.8


def evaluate_claim2(strata: pd.DataFrame, perk: pd.DataFrame) -> Verdict:
    """Fig. 1D-E. ``strata``: :func:`tallrx.analysis.doseresponse.stratify.stratify_il7` table (prednisolone).
    ``perk``: pERK/ERK ratios of the blotted PDX samples (sample, il7, ratio)."""
    s = strata[drug_mask(strata, "prednisolone")] if "drug_a" in strata else strata
    fold = numeric(s["auc_fold"])
    called = np.isfinite(fold)
    responsive = is_on(s["il7_responsive"]) & called
    n, k = int(called.sum()), int(responsive.sum())
    share = k / n if n else float("nan")
    share_ok = _finite(share) and RESPONSIVE_SHARE[0] <= share <= RESPONSIVE_SHARE[1]

    lanes = perk[untreated(perk)]
    lanes = lanes.assign(_il7=is_on(lanes["il7"]))
    means = mean_by(lanes, ["sample", "_il7"], "ratio")
    per_sample = {}
    for smp in sorted(set(lanes["sample"].astype("str"))):
        per_sample[smp] = ratio(
            float(means.get((smp, True), np.nan)), float(means.get((smp, False), np.nan))
        )
    raised = [smp for smp, f in per_sample.items() if _finite(f) and f >= IL7_PERK_FOLD]
    perk_ok = bool(per_sample) and len(raised) >= IL7_PERK_SHARE * len(per_sample) - 1e-9
    evidence = {
        "n_samples": n,
        "n_il7_responsive": k,
        "responsive_share": share,
        "share_in_range": bool(share_ok),
        "perk_fold_with_il7": per_sample,
        "n_perk_raised": len(raised),
        "n_blotted": len(per_sample),
    }
    summary = (
        (
            f"{k} of {n} samples IL7-responsive ({100 * share:.0f} %; paper {_PAPER_K} of {_PAPER_N}, "
            f"{_PAPER_SHARE}); "
            f"IL7 raised pERK >= {IL7_PERK_FOLD:g}-fold in {len(raised)} of {len(per_sample)} blotted"
            " samples"
        )
        if n
        else "no prednisolone AUC pairs in the strata table"
    )
    return Verdict(bool(share_ok and perk_ok), evidence, summary)


CLAIM2 = Claim(
    2,
    "Fig. 1D-E",
    f"IL7 raises pERK in PDX cells; about {_PAPER_SHARE} of the cohort is IL7-responsive "
    f"(prednisolone AUC fold > {paper.IL7_RESPONSIVE_FOLD:g}).",
    f"Between {RESPONSIVE_SHARE[0]:.0%} and {RESPONSIVE_SHARE[1]:.0%} of the {_PAPER_N} samples "
    f"are IL7-responsive (AUC(+IL7)/AUC(-IL7) > {paper.IL7_RESPONSIVE_FOLD:g}, +IL7 normalized to "
    f"the -IL7 vehicle) AND IL7 ({paper.IL7_NG_ML:g} ng/ml, 30 min) raises pERK/ERK >= "
    f"{IL7_PERK_FOLD:g}-fold in at least {IL7_PERK_SHARE:.0%} of the blotted samples (Fig. 1E: "
    f"{paper.FIG1E_N_DEPENDENT} IL7-dependent and {paper.FIG1E_N_INDEPENDENT} IL7-independent "
    f"steroid-resistant samples, i.e. {math.ceil(IL7_PERK_SHARE * _N_BLOTTED - 1e-9)} of "
    f"{_N_BLOTTED}).",
    ("strata", "perk"),
    evaluate_claim2,
)
