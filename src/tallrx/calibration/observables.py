"""Model observables of the SUPT-1 line targets (Fig. 1A-C, 3, 4), for a whole population of
parameter sets in one batched-engine call.

Doses and times come from the paper's experiment file (:mod:`tallrx.reproduce.design`); the AUC
is :func:`tallrx.model.virtual.cohort.auc` (trapezoid of % viability over log10 uM).
Cohort-level targets (Fig. 1D-E, 5) are not wired yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
