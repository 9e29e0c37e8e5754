"""Model observables of the SUPT-1 line targets (Fig. 1A-C, 3, 4), for a whole population of
parameter sets in one batched-engine call.

Doses and times come from the paper's experiment file (:mod:`tallrx.reproduce.design`); the AUC
is :func:`tallrx.model.virtual.cohort.auc` (trapezoid of % viability over log10 uM).
The cohort targets (Fig. 1D-E, 5A) are shares over the shipped virtual PDX cohort
(:func:`cohort_observables`), screened with each parameter set's shared kinetics on a reduced
design: only the 56 wells per patient those targets read (vehicle +/- IL7, prednisolone +/- IL7,
ruxolitinib and the three MEK inhibitors over their 4-log windows), not the 94-well screen of
:func:`tallrx.model.virtual.cohort.screen_statistics`. The combination-index targets (Fig. 5C)
need whole combination surfaces and are not simulated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx import progress
from tallrx.model.virtual.cohort import auc

PRED_250_UG_ML_UM = 693.6  # 250 ug/ml prednisolone (MW 360.4)
SELUMETINIB_COIP_UM = 10.0  # Fig. 4D-E


def fold(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den (NaN where den is 0 or either is NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num, float) / np.asarray(den, float)
    return np.where(np.isfinite(out), out, np.nan)


def auc_fold(viab_on: np.ndarray, viab_off: np.ndarray, doses: np.ndarray) -> np.ndarray:
    """AUC(+dox) / AUC(-dox) of % viability rows (last axis = ``doses`` in uM)."""
    return fold(auc(viab_on, doses), auc(viab_off, doses))


def _line_rows() -> list[dict]:
    """(tag, hours, condition) of every simulated well per parameter set."""
    from tallrx.reproduce import design as D

    rows = []
    for g in D.SUPT1_LINES:
        for dox in (0, 1):
            rows.append({"tag": f"perk|{g}|{dox}", "genotype": g, "dox": dox})
            rows.append({"tag": f"veh|{g}|{dox}", "genotype": g, "dox": dox})
            for i, c in enumerate(D.SUPT1_PRED_DOSES_UM):
                rows.append({"tag": f"pred{i}|{g}|{dox}", "genotype": g, "dox": dox,
                             "prednisolone": float(c)})
    for g in D.QPCR_LINES:
        rows.append({"tag": f"bim|{g}", "genotype": g, "dox": 0,
                     "prednisolone": PRED_250_UG_ML_UM})
    for dox in (0, 1):
        rows.append({"tag": f"coip|{dox}", "genotype": "NRAS_G12D", "dox": dox,
                     "prednisolone": PRED_250_UG_ML_UM})
    rows.append({"tag": "coip|sel", "genotype": "NRAS_G12D", "dox": 1,
                 "prednisolone": PRED_250_UG_ML_UM, "selumetinib": SELUMETINIB_COIP_UM})
    return rows


def line_targets() -> list[str]:
    """Names of the targets :func:`line_observables` computes."""
    from tallrx.reproduce import design as D

    names = [f"{k}_{g}" for g in D.SUPT1_LINES for k in ("perk_fold_dox", "auc_fold_dox")]
    names += ["bim_mrna_fold_prednisolone"]
    names += [f"coip_loss_{a}" for a in ("BCL2", "BCLXL", "MCL1")]
    names += [f"coip_restore_selumetinib_{a}" for a in ("BCL2", "BCLXL", "MCL1")]
    return names


def line_observables(params: pd.DataFrame, *, jobs: int = 1) -> pd.DataFrame:
    """One row per parameter set, one column per line target of calibration_targets.csv.

    ``params``: natural-unit model parameter columns (one row per set).
    """
    from tallrx.model.virtual.run import run_conditions
    from tallrx.reproduce import design as D

    rows = _line_rows()
    base = pd.DataFrame(rows).drop(columns="tag").fillna(0.0)
    m, n = len(base), len(params)
    cond = base.loc[np.tile(np.arange(m), n)].reset_index(drop=True)
    extra = {"p." + c: np.repeat(params[c].to_numpy(float), m) for c in params.columns}
    cond = pd.concat([cond, pd.DataFrame(extra, index=cond.index)], axis=1)
    names = ["viable_cells", "pERK", "BIM_mRNA", "BIM_bound_BCL2", "BIM_bound_BCLXL",
             "BIM_bound_MCL1"]
    hours = sorted({24.0, 96.0, D.QPCR_HOURS})
    values, _ = run_conditions(cond, hours, names, jobs=jobs, where="calibration")
    at = {h: values[hours.index(h)].reshape(len(names), n, m) for h in hours}
    col = {r["tag"]: j for j, r in enumerate(rows)}

    def get(h, name, tag):
        return at[h][names.index(name)][:, col[tag]]

    out = {}
    doses = np.asarray(D.SUPT1_PRED_DOSES_UM, float)
    for g in D.SUPT1_LINES:
        out[f"perk_fold_dox_{g}"] = fold(get(24.0, "pERK", f"perk|{g}|1"),
                                         get(24.0, "pERK", f"perk|{g}|0"))
        curves = [np.column_stack([fold(100 * get(96.0, "viable_cells", f"pred{i}|{g}|{d}"),
                                        get(96.0, "viable_cells", f"veh|{g}|{d}"))
                                   for i in range(len(doses))]) for d in (1, 0)]
        out[f"auc_fold_dox_{g}"] = auc_fold(curves[0], curves[1], doses)
    out["bim_mrna_fold_prednisolone"] = np.nanmedian(
        np.column_stack([get(D.QPCR_HOURS, "BIM_mRNA", f"bim|{g}") for g in D.QPCR_LINES]), axis=1
    )
    for a in ("BCL2", "BCLXL", "MCL1"):
        bound = [get(24.0, f"BIM_bound_{a}", f"coip|{k}") for k in (0, 1, "sel")]
        out[f"coip_loss_{a}"] = fold(bound[1], bound[0])
        out[f"coip_restore_selumetinib_{a}"] = fold(bound[2], bound[1])
    from tallrx.calibration.targets import load_targets

    names = [t for t in load_targets()["target"] if t in out]
    return pd.DataFrame(out)[names]


#: cohort targets -> the patient flag (share) or statistic (median) they read
COHORT_TARGETS = {
    "il7_responsive_share": "il7_responsive",
    "il7_dependent_resistant_share": "il7_dependent_resistant",
    "ruxolitinib_responder_share": "ruxolitinib_responder",
    "mek_responder_share": "mek_responder",
    "perk_fold_il7_pdx": "perk_fold_il7",
}
_SINGLE = ("ruxolitinib", "selumetinib", "trametinib", "binimetinib")


def _cohort_design() -> list[tuple[str, float, dict]]:
    """(label, IL7 ng/ml, drugs in uM) of the wells each patient needs for the cohort targets."""
    from tallrx.model.virtual.cohort import _doses
    from tallrx.paper import IL7_NG_ML

    d: list[tuple[str, float, dict]] = [("vehicle", 0.0, {}), ("vehicle_il7", IL7_NG_ML, {})]
    d += [("prednisolone", 0.0, {"prednisolone": c}) for c in _doses("prednisolone")]
    d += [("prednisolone_il7", IL7_NG_ML, {"prednisolone": c}) for c in _doses("prednisolone")]
    for drug in _SINGLE:
        d += [(drug, 0.0, {drug: c}) for c in _doses(drug)]
    return d


def cohort_observables(
    params: pd.DataFrame, *, cohort: pd.DataFrame | None = None, jobs: int = 1, chunk: int = 8
) -> pd.DataFrame:
    """One row per parameter set, one column per :data:`COHORT_TARGETS` target: the share of
    the cohort's patients with each flag of :func:`tallrx.model.virtual.cohort.classify`, and the
    median IL7 pERK fold at 30 min.

    ``params``: natural-unit shared parameter columns; ``cohort``: patients (default the shipped
    46, :func:`~tallrx.model.virtual.cohort.load_cohort`); ``chunk`` parameter sets per engine call.
    """
    from tallrx.model.simulate import PARAM_PREFIX
    from tallrx.model.virtual import cohort as C
    from tallrx.model.virtual.run import run_conditions

    cohort = C.load_cohort() if cohort is None else cohort
    design = _cohort_design()
    labels = np.array([d[0] for d in design])
    wells = pd.DataFrame([{"il7": il7, **drugs} for _, il7, drugs in design]).fillna(0.0)
    k, m = len(cohort), len(design)
    pat = {PARAM_PREFIX + c: np.repeat(cohort[c].to_numpy(float), m) for c in C.PARAMS}
    block = pd.concat([wells.loc[np.tile(np.arange(m), k)].reset_index(drop=True),
                       pd.DataFrame(pat)], axis=1)
    rows = []
    for start in range(0, len(params), chunk):
        part = params.iloc[start:start + chunk]
        n = len(part)
        cond = block.loc[np.tile(np.arange(len(block)), n)].reset_index(drop=True)
        shared = {PARAM_PREFIX + c: np.repeat(part[c].to_numpy(float), len(block))
                  for c in part.columns}
        cond = pd.concat([cond, pd.DataFrame(shared, index=cond.index)], axis=1)
        values, _ = run_conditions(cond, [C.IL7_PERK_HOURS, 96.0], ["viable_cells", "pERK"],
                                   jobs=jobs, where="calibration cohort")
        v = values[-1, 0].reshape(n, k, m)
        perk = values[0, 1].reshape(n, k, m)
        for j in range(n):
            rows.append(_cohort_stats(v[j], perk[j], labels))
        progress.advance(n)
    return pd.DataFrame(rows, columns=list(COHORT_TARGETS))


def _cohort_stats(v: np.ndarray, perk: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Target values of one parameter set from (patients, wells) viability and pERK."""
    from tallrx.model.virtual.cohort import _doses, classify

    veh0 = v[:, labels == "vehicle"][:, 0]

    def auc_of(label: str, drug: str) -> np.ndarray:
        return auc(100 * fold(v[:, labels == label], veh0[:, None]), _doses(drug))

    s = pd.DataFrame({"auc_prednisolone": auc_of("prednisolone", "prednisolone"),
                      "auc_prednisolone_il7": auc_of("prednisolone_il7", "prednisolone")})
    s["auc_fold"] = fold(s["auc_prednisolone_il7"], s["auc_prednisolone"])
    for drug in _SINGLE:
        s[f"auc_{drug}"] = auc_of(drug, drug)
    s["perk_fold_il7"] = fold(perk[:, labels == "vehicle_il7"][:, 0],
                              perk[:, labels == "vehicle"][:, 0])
    flags = classify(s)
    return {t: float(np.nanmedian(flags[c]) if c == "perk_fold_il7" else flags[c].mean())
            for t, c in COHORT_TARGETS.items()}
