"""Claim 4 (Fig. 3A-B): prednisolone raises BIM mRNA 4-10 fold whether or not the mutant is
induced; MCL1 rises too. Thresholds beside the claim (the paper's range from tallrx.paper)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx import paper
from tallrx.reproduce._tables import is_on, line_of, mean_by, ratio
from tallrx.reproduce.claims._base import Claim, Verdict, _finite, _fmt

__all__ = ["CLAIM4", "evaluate_claim4"]

#: BIM mRNA fold with prednisolone (Fig. 3 text: "4- to 10-fold"); MCL1 "increased" >= MCL1_FOLD
BIM_FOLD_RANGE = paper.BIM_FOLD_RANGE
MCL1_FOLD = 1.3
BIM_NAMES = ("BCL2L11", "BIM")


def evaluate_claim4(expression: pd.DataFrame) -> Verdict:
    """Fig. 3. ``expression``: :func:`tallrx.analysis.assays.qpcr.relative_expression` table (baseline:
    each line's non-induced, untreated cells; columns genotype/sample, dox, prednisolone, target,
    relative_expression)."""
    e = expression.assign(
        _line=line_of(expression),
        _dox=is_on(expression["dox"]),
        _pred=is_on(expression["prednisolone"]),
        _t=expression["target"].astype("str").str.upper(),
    )
    bim = e[e["_t"].isin(BIM_NAMES)]
    mcl1 = e[e["_t"] == "MCL1"]
    mb = mean_by(bim, ["_line", "_dox", "_pred"], "relative_expression")
    mm = mean_by(mcl1, ["_line", "_dox", "_pred"], "relative_expression")
    rows, ok = {}, bool(len(bim) and len(mcl1))
    for g in sorted(set(e["_line"])):
        for dox in (False, True):
            b = float(mb.get((g, dox, True), np.nan))
            m = ratio(float(mm.get((g, dox, True), np.nan)), float(mm.get((g, dox, False), np.nan)))
            if not (_finite(b) or _finite(m)):
                continue
            good_b = _finite(b) and BIM_FOLD_RANGE[0] <= b <= BIM_FOLD_RANGE[1]
            good_m = _finite(m) and m >= MCL1_FOLD
            ok &= bool(good_b and good_m)
            rows[f"{g} {'+dox' if dox else '-dox'}"] = {
                "bim_fold": b,
                "mcl1_fold": m,
                "bim_ok": bool(good_b),
                "mcl1_ok": bool(good_m),
            }
    ok &= bool(rows)
    n_b = sum(r["bim_ok"] for r in rows.values())
    n_m = sum(r["mcl1_ok"] for r in rows.values())
    folds = [r["bim_fold"] for r in rows.values() if _finite(r["bim_fold"])]
    summary = (
        f"BIM mRNA fold with prednisolone in [{BIM_FOLD_RANGE[0]:g}, {BIM_FOLD_RANGE[1]:g}] in "
        f"{n_b} of {len(rows)} line x dox groups (range {_fmt(min(folds, default=np.nan))}-"
        f"{_fmt(max(folds, default=np.nan))}); MCL1 up >= {MCL1_FOLD:g}-fold in {n_m} of {len(rows)}"
    )
    return Verdict(ok, {"groups": rows}, summary)


CLAIM4 = Claim(
    4,
    "Fig. 3",
    "Prednisolone raises BIM mRNA 4-10 fold whether or not the mutant is induced; MCL1 rises too.",
    f"In every line tested (JAK1 and IL7R lines, -dox and +dox), overnight prednisolone "
    f"250 ug/ml gives BIM (BCL2L11) relative expression in [{BIM_FOLD_RANGE[0]:g}, "
    f"{BIM_FOLD_RANGE[1]:g}] (qPCR, GAPDH reference, baseline = the line's non-induced "
    f"untreated cells) AND MCL1 >= {MCL1_FOLD:g}-fold over the same line and dox state "
    "without prednisolone.",
    ("expression",),
    evaluate_claim4,
)
