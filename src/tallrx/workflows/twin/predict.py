"""What a twin predicts that was not measured: the prednisolone x MEK-inhibitor matrix (paper
Fig. 5C design) -/+ IL7, its Chou-Talalay CI, Bliss excess and calibrated synergy call, and the
IL7-dependent steroid-resistance call -- each over draws of the patient's posterior.

Per posterior draw the model surface is turned into a virtual plate (the design's replicates,
Gaussian well noise with the sample's replicate SD) and scored by
:func:`tallrx.analysis.synergy.score_synergy` -- the code that scores measured matrices -- so each
interval and call probability covers both the parameter uncertainty and the noise of the plate a
lab would measure. The IL7 call applies :func:`tallrx.analysis.doseresponse.stratify.stratify_il7`
(AUC(+IL7)/AUC(-IL7) > 1.5 and AUC(+IL7) >= 175, the -IL7 vehicle as 100 %) to each draw's
noise-free prednisolone curves at the sample's measured doses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tallrx.model.twin.fit import TwinFit
from tallrx.model.twin.simulator import simulate_viability

LEVEL = 0.90  # prediction intervals
DRUG_A, DRUG_B = "prednisolone", "selumetinib"
IL7_LEVELS = (0.0, 25.0)
REPLICATES = 3
N_NULL = 99
SYNERGY = ("synergy", "strong synergy")


def matrix_doses() -> dict[str, tuple[float, ...]]:
    """Fig. 5C doses (uM) from the reproduce design."""
    from tallrx.reproduce.design import MATRIX_DOSES_UM

    return {DRUG_A: MATRIX_DOSES_UM[DRUG_A], DRUG_B: MATRIX_DOSES_UM[DRUG_B]}


def surface_conditions(il7_levels=IL7_LEVELS) -> pd.DataFrame:
    """The matrix cells (single agents included) at each IL7 level, own-vehicle normalized."""
    from tallrx.model.virtual.treatments import treatments_matrix

    doses = matrix_doses()
    t = treatments_matrix(DRUG_A, doses[DRUG_A], DRUG_B, doses[DRUG_B])
    t = t.rename(columns={"drug_a": "drug", "conc_a": "conc"})
    parts = [t.assign(il7=x, ref_il7=x) for x in il7_levels]
    return pd.concat(parts, ignore_index=True)


def _dose_columns(cond: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(dose of prednisolone, dose of selumetinib) of each surface condition (uM)."""
    a = np.where(cond["drug"] == DRUG_A, cond["conc"], 0.0) + np.where(
        cond["drug_b"] == DRUG_A, cond["conc_b"], 0.0
    )
    b = np.where(cond["drug"] == DRUG_B, cond["conc"], 0.0) + np.where(
        cond["drug_b"] == DRUG_B, cond["conc_b"], 0.0
    )
    return a.astype(float), b.astype(float)


def il7_conditions(doses) -> pd.DataFrame:
    """Prednisolone at ``doses`` without and with IL7, both on the -IL7 vehicle."""
    d = np.asarray(sorted(doses), float)
    return pd.concat(
        [pd.DataFrame({"drug": DRUG_A, "conc": d, "il7": x, "ref_il7": 0.0}) for x in IL7_LEVELS],
        ignore_index=True,
    ).assign(drug_b="", conc_b=0.0)


def _quantiles(a: np.ndarray, axis: int = 0):
    lo, hi = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    return (
        np.nanquantile(a, 0.5, axis=axis),
        np.nanquantile(a, lo, axis=axis),
        np.nanquantile(a, hi, axis=axis),
    )


def plates_table(cond: pd.DataFrame, values: np.ndarray, sd: float, rng) -> pd.DataFrame:
    """Tidy virtual plates: one block per draw x IL7 level, ``REPLICATES`` noisy wells per cell."""
    k, m = values.shape
    a, b = _dose_columns(cond)
    reps = np.repeat(values[:, :, None], REPLICATES, axis=2)
    noisy = reps + sd * rng.standard_normal(reps.shape)
    return pd.DataFrame(
        {
            "sample": np.repeat([f"draw{j:04d}" for j in range(k)], m * REPLICATES),
            "il7": np.tile(np.repeat(cond["il7"].to_numpy(float), REPLICATES), k),
            "drug_a": DRUG_A,
            "conc_a": np.tile(np.repeat(a, REPLICATES), k),
            "drug_b": DRUG_B,
            "conc_b": np.tile(np.repeat(b, REPLICATES), k),
            "replicate": np.tile(np.arange(1, REPLICATES + 1), k * m),
            "viability": noisy.reshape(-1),
        }
    )


def score_plates(plates: pd.DataFrame, seed: int, n_null: int = N_NULL) -> pd.DataFrame:
    """score_synergy of tidy plates: sample, il7, ci_mean, bliss, call (one row per block)."""
    from tallrx.analysis.synergy import score_synergy

    res = score_synergy(
        plates, a=DRUG_A, b=DRUG_B, methods="ci,bliss", seed=seed, n_null=n_null, n_boot=0
    )
    t = res.table
    return t[["sample", "il7", "ci_mean", "bliss", "call"]].reset_index(drop=True)


def _grouped_call(call: pd.Series) -> pd.Series:
    """synergy (incl. strong) / additive / antagonism / undetermined."""
    return call.where(~call.isin(SYNERGY), "synergy")


def il7_calls(cond: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Per draw: auc_without, auc_with, auc_fold and the two IL7 calls (stratify rules)."""
    from tallrx.analysis.doseresponse.stratify import stratify_il7

    rows = []
    for j in range(values.shape[0]):
        for x in IL7_LEVELS:
            sel = (cond["il7"] == x).to_numpy()
            d = cond["conc"].to_numpy(float)[sel]
            o = np.argsort(d)
            auc = float(np.trapezoid(values[j, sel][o], np.log10(d[o])))
            rows.append({"sample": f"draw{j:04d}", "drug_a": DRUG_A, "il7": x, "auc": auc})
    strata = stratify_il7(pd.DataFrame(rows), n_boot=0).table
    return strata


def predict_twin(
    fit: TwinFit,
    rng: np.random.Generator,
    *,
    draws: int = 64,
    n_null: int = N_NULL,
    seed: int = 0,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> dict[str, pd.DataFrame]:
    """Predicted surface, per-draw scores and calls of one twin (see module).

    Returns
    -------
    dict
        ``surface``: il7, dose_a, dose_b (uM), viability_median/lower/upper (% of vehicle, 90 %
        prediction interval of a cell mean of ``REPLICATES`` wells), model_median;
        ``draws``: one row per posterior draw x IL7 level (ci_mean, bliss, call);
        ``il7``: one row per draw (auc_without, auc_with, auc_fold, calls).
    """
    idx = fit.resample(draws, rng)
    params = fit.params.iloc[idx].reset_index(drop=True)
    surf = surface_conditions()
    pred_doses = fit.obs.conditions.loc[fit.obs.conditions["drug"] == DRUG_A, "conc"].unique()
    il7c = il7_conditions(pred_doses)
    values = simulate_viability(
        params, pd.concat([surf, il7c], ignore_index=True), engine=engine, jobs=jobs, mapper=mapper
    )
    vs, vi = values[:, : len(surf)], values[:, len(surf) :]
    sd = fit.obs.noise_sd
    cell_noise = sd / np.sqrt(REPLICATES) * rng.standard_normal(vs.shape)
    med, lo, hi = _quantiles(vs + cell_noise)
    a, b = _dose_columns(surf)
    surface = pd.DataFrame(
        {
            "il7": surf["il7"].to_numpy(float),
            "dose_a": a,
            "dose_b": b,
            "viability_median": med,
            "viability_lower": lo,
            "viability_upper": hi,
            "model_median": np.nanquantile(vs, 0.5, axis=0),
        }
    )
    scores = score_plates(plates_table(surf, vs, sd, rng), seed, n_null)
    scores["call_group"] = _grouped_call(scores["call"])
    return {"surface": surface, "draws": scores, "il7": il7_calls(il7c, vi), "values": vs}


def summarize_calls(sample: str, pred: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per IL7 level: CI, Bliss (median, 90 % interval), call probabilities, and the
    IL7-dependent resistance call with its probability."""
    rows = []
    il7 = pred["il7"]
    dep = il7["il7_dependent_resistant"].astype("float")
    p_dep = float(np.nanmean(dep)) if dep.notna().any() else np.nan
    fold = _quantiles(il7["auc_fold"].to_numpy(float))
    for x, g in pred["draws"].groupby("il7", sort=True):
        ci = _quantiles(g["ci_mean"].to_numpy(float))
        bl = _quantiles(g["bliss"].to_numpy(float))
        share = g["call_group"].value_counts(normalize=True)
        p = {c: float(share.get(c, 0.0)) for c in ("synergy", "additive", "antagonism")}
        p_und = 1.0 - sum(p.values())
        rows.append(
            {
                "sample": sample,
                "drug_a": DRUG_A,
                "drug_b": DRUG_B,
                "il7": float(x),
                "ci_median": ci[0],
                "ci_lower": ci[1],
                "ci_upper": ci[2],
                "bliss_median": bl[0],
                "bliss_lower": bl[1],
                "bliss_upper": bl[2],
                "synergy_call": max(p, key=p.get),
                "p_synergy": p["synergy"],
                "p_additive": p["additive"],
                "p_antagonism": p["antagonism"],
                "p_undetermined": p_und,
                "auc_fold_median": fold[0],
                "auc_fold_lower": fold[1],
                "auc_fold_upper": fold[2],
                "il7_dependent_resistant": bool(p_dep > 0.5) if np.isfinite(p_dep) else None,
                "p_il7_dependent_resistant": p_dep,
            }
        )
    return pd.DataFrame(rows)
