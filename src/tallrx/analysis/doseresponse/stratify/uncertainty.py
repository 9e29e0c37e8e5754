"""How sure each IL7 call is: replicate bootstrap of the paper's trapezoid AUC per pair.

Replicate wells are resampled with replacement within each concentration
(:func:`tallrx.analysis.doseresponse._bootstrap.bootstrap_trapezoid_auc`), the AUC fold is
recomputed per draw, and each probability is the fraction of draws in which the call holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.analysis.doseresponse._bootstrap import bootstrap_trapezoid_auc
from tallrx.analysis.doseresponse.stratify._inputs import (
    MAX_AUC,
    _doses,
    _drug_mask,
    _numeric,
    _require,
    _usable,
)

#: bootstrap AUCs are recomputed from the viability table; a point estimate further than this
#: (relative) from the curves table's ``auc`` is reported in ``message``.
AUC_CHECK_RTOL = 0.05


def _bootstrap_calls(
    table: pd.DataFrame,
    viability: pd.DataFrame,
    keys: list[str],
    condition: str,
    drug: str | None,
    fold: float,
    min_auc: float,
    n_boot: int,
    seed: int,
) -> pd.DataFrame:
    """Add p_il7_responsive, p_il7_dependent_resistant and a 95 % fold interval per pair."""
    what = "viability"
    _require(viability, [*keys, "conc_a", "viability", condition], what)
    v = viability.reset_index(drop=True)
    v = v.assign(
        _dose=_doses(v, condition, what),
        _conc=_numeric(v, "conc_a", what, "a concentration in uM"),
        _viab=_numeric(v, "viability", what, "% viability"),
    )
    with np.errstate(invalid="ignore"):
        v["_viab"] = v["_viab"].where(~(v["_viab"].abs() > MAX_AUC))  # inf: left out, counted
        v["_conc"] = v["_conc"].where(np.isfinite(v["_conc"]))
    lost = v["_viab"].isna() & viability["viability"].notna().to_numpy()
    lost |= v["_conc"].isna() & viability["conc_a"].notna().to_numpy()
    keep = _drug_mask(v, drug, what) & (v["_conc"] > 0).to_numpy() & _usable(v, "treated")
    n_lost = (
        v[lost.to_numpy() & _drug_mask(v, drug, what)]
        .groupby([*keys, "_dose"], dropna=False)
        .size()
    )
    if "conc_b" in v.columns:
        cb = pd.to_numeric(v["conc_b"], errors="coerce")
        keep = keep & (cb.isna() | (cb == 0)).to_numpy()
    v = v.loc[keep, [*keys, "_dose", "_conc", "_viab"]]

    curve_keys = [*keys, "_dose"]
    boot, observed, curve_index = bootstrap_trapezoid_auc(
        v, curve_keys, conc="_conc", value="_viab", n_boot=n_boot, seed=seed
    )
    ids = curve_index.rename(columns={"_curve": "_id_with"})
    t = table.assign(_dose=table[condition]).merge(ids, on=curve_keys, how="left")
    base = curve_index[curve_index["_dose"] == 0].drop(columns="_dose")
    t = t.merge(base.rename(columns={"_curve": "_id_without"}), on=keys, how="left")
    i0 = t["_id_without"].to_numpy(dtype=float)
    i1 = t["_id_with"].to_numpy(dtype=float)
    have = np.isfinite(i0) & np.isfinite(i1)
    p_resp = np.full(len(t), np.nan)
    p_dep = np.full(len(t), np.nan)
    lo = np.full(len(t), np.nan)
    hi = np.full(len(t), np.nan)
    if have.any():
        b0 = boot[:, i0[have].astype(int)]
        b1 = boot[:, i1[have].astype(int)]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(b0 > 0, b1 / b0, np.nan)
        resp = f > fold
        p_resp[have] = resp.mean(axis=0)
        p_dep[have] = (resp & (b1 >= min_auc)).mean(axis=0)
        lo[have], hi[have] = np.nanpercentile(f, [2.5, 97.5], axis=0)
        bad = ~np.isfinite(observed[i0[have].astype(int)]) | ~np.isfinite(
            observed[i1[have].astype(int)]
        )
        p_resp[np.flatnonzero(have)[bad]] = np.nan
        p_dep[np.flatnonzero(have)[bad]] = np.nan
    t["p_il7_responsive"] = p_resp
    t["p_il7_dependent_resistant"] = p_dep
    t["auc_fold_low"] = lo
    t["auc_fold_high"] = hi
    t["n_boot"] = np.where(have, n_boot, 0)
    msgs = t["message"].to_numpy(dtype=object).copy()
    for j in np.flatnonzero(~have & (msgs == "")):
        msgs[j] = "no replicate-level viability for one of the two conditions: no bootstrap"
    for j in np.flatnonzero(have):
        for side, idx, col in (("-IL7", i0[j], "auc_without"), ("+IL7", i1[j], "auc_with")):
            obs, ref = observed[int(idx)], t[col].iloc[j]
            if np.isfinite(obs) and np.isfinite(ref) and abs(obs - ref) > AUC_CHECK_RTOL * abs(ref):
                note = (
                    f"{side} AUC from the viability wells ({obs:.1f}) differs from the curves "
                    f"auc ({ref:.1f}): use the same normalization and window for both"
                )
                msgs[j] = f"{msgs[j]}; {note}" if msgs[j] else note
    if len(n_lost):
        lost_of = {k if isinstance(k, tuple) else (k,): int(c) for k, c in n_lost.items()}
        for j in range(len(t)):
            row = t.iloc[j]
            k = sum(
                lost_of.get((*(row[c] for c in keys), d), 0)
                for d in (0.0, row["_dose"])
                if pd.notna(d)
            )
            if k:
                note = f"{k} viability well(s) with a non-finite value left out of the bootstrap"
                msgs[j] = f"{msgs[j]}; {note}" if msgs[j] else note
    t["message"] = msgs
    return t.drop(columns=["_dose", "_id_with", "_id_without"])
