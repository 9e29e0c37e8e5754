"""Model observables of the SUPT-1 line targets (Fig. 1A-C, 3, 4), for a whole population of
parameter sets in one batched-engine call.

Doses and times come from the paper's experiment file (:mod:`tallrx.reproduce.design`); the AUC
is :func:`tallrx.model.virtual.cohort.auc` (trapezoid of % viability over log10 uM).
The cohort targets (Fig. 1D-E, 5A) are shares over the shipped virtual PDX cohort
(:func:`cohort_observables`), screened with each parameter set's shared kinetics on a reduced
design: only the 56 wells per patient those targets read (vehicle +/- IL7, prednisolone +/- IL7,
ruxolitinib and the three MEK inhibitors over their 4-log windows), not the 94-well screen of
:func:`tallrx.model.virtual.cohort.screen_statistics`. The combination-index targets (Fig. 5C)
are window-mean Chou-Talalay CIs of noise-free combination surfaces
(:func:`combination_observables`): the 12 steroid-resistant patients the shipped cohort marks in
``combination_group`` (chosen once, at the nominal parameters), +IL7, scored by
:func:`tallrx.analysis.synergy.score_synergy` without null plates.
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


def _patient_wells(params: pd.DataFrame, patients: pd.DataFrame, wells: pd.DataFrame,
                   chunk: int):
    """Per chunk of ``chunk`` parameter sets: (n sets, engine conditions of every set x patient x
    well, in that order), the patients' and the sets' parameters as ``p.*`` columns."""
    from tallrx.model.simulate import PARAM_PREFIX
    from tallrx.model.virtual.cohort import PARAMS

    k, m = len(patients), len(wells)
    pat = {PARAM_PREFIX + c: np.repeat(patients[c].to_numpy(float), m) for c in PARAMS}
    block = pd.concat([wells.loc[np.tile(np.arange(m), k)].reset_index(drop=True),
                       pd.DataFrame(pat)], axis=1)
    for start in range(0, len(params), chunk):
        part = params.iloc[start:start + chunk]
        cond = block.loc[np.tile(np.arange(len(block)), len(part))].reset_index(drop=True)
        shared = {PARAM_PREFIX + c: np.repeat(part[c].to_numpy(float), len(block))
                  for c in part.columns}
        yield len(part), pd.concat([cond, pd.DataFrame(shared, index=cond.index)], axis=1)


def cohort_observables(
    params: pd.DataFrame, *, cohort: pd.DataFrame | None = None, jobs: int = 1, chunk: int = 8
) -> pd.DataFrame:
    """One row per parameter set, one column per :data:`COHORT_TARGETS` target: the share of
    the cohort's patients with each flag of :func:`tallrx.model.virtual.cohort.classify`, and the
    median IL7 pERK fold at 30 min.

    ``params``: natural-unit shared parameter columns; ``cohort``: patients (default the shipped
    46, :func:`~tallrx.model.virtual.cohort.load_cohort`); ``chunk`` parameter sets per engine call.
    """
    from tallrx.model.virtual import cohort as C
    from tallrx.model.virtual.run import run_conditions

    cohort = C.load_cohort() if cohort is None else cohort
    design = _cohort_design()
    labels = np.array([d[0] for d in design])
    wells = pd.DataFrame([{"il7": il7, **drugs} for _, il7, drugs in design]).fillna(0.0)
    k, m = len(cohort), len(design)
    rows = []
    for n, cond in _patient_wells(params, cohort, wells, chunk):
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


#: combination targets -> (partner of prednisolone, combination_group read; None = both groups)
COMBINATION_TARGETS: dict[str, tuple[str, str | None]] = {
    "ci_prednisolone_selumetinib": ("selumetinib", None),
    "ci_prednisolone_ruxolitinib_il7_dependent": ("ruxolitinib", "IL7-dependent"),
    "ci_prednisolone_ruxolitinib_il7_independent": ("ruxolitinib", "IL7-independent"),
}
_PARTNERS = ("selumetinib", "ruxolitinib")
_COMBO_GROUPS = ("IL7-dependent", "IL7-independent")


def combination_patients(cohort: pd.DataFrame | None = None, per_group: int = 0) -> pd.DataFrame:
    """The patients of ``cohort`` (default the shipped 46) with a ``combination_group`` (the
    shipped cohort: 6 IL7-dependent, 6 IL7-independent steroid-resistant), the first
    ``per_group`` of each group when > 0."""
    from tallrx.model.virtual.cohort import load_cohort

    c = load_cohort() if cohort is None else cohort
    parts = [c[c["combination_group"] == g] for g in _COMBO_GROUPS]
    if per_group > 0:
        parts = [p.iloc[:per_group] for p in parts]
    return pd.concat(parts).reset_index(drop=True)


def combination_design() -> pd.DataFrame:
    """Wells per patient (uM; IL7 ng/ml), vehicle first: the Fig. 5C 5 x 5 matrices of
    prednisolone with selumetinib and with ruxolitinib (paper_experiments.toml "fig5c") and the
    three single-agent series, all +IL7 (36 wells; the prednisolone series and the vehicle are
    shared by both matrices)."""
    from tallrx.paper import IL7_NG_ML
    from tallrx.reproduce.design import MATRIX_DOSES_UM

    pred = MATRIX_DOSES_UM["prednisolone"]
    rows: list[dict] = [{}]
    rows += [{"prednisolone": a} for a in pred]
    for other in _PARTNERS:
        rows += [{other: b} for b in MATRIX_DOSES_UM[other]]
        rows += [{"prednisolone": a, other: b} for a in pred for b in MATRIX_DOSES_UM[other]]
    wells = pd.DataFrame(rows, columns=["prednisolone", *_PARTNERS]).fillna(0.0)
    return wells.assign(il7=IL7_NG_ML)


def combination_table(v: np.ndarray, wells: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Tidy viability table (sample, drug_a, conc_a, drug_b, conc_b, viability in % of the
    block's vehicle = well 0) of viable cells ``v`` (blocks, wells), one block per label and
    partner drug."""
    v = np.asarray(v, float)
    pct = 100 * fold(v, v[:, :1])
    parts = []
    for other, skip in zip(_PARTNERS, _PARTNERS[::-1], strict=True):
        cols = np.flatnonzero(wells[skip].to_numpy(float) == 0)
        n = len(cols)
        parts.append(pd.DataFrame({
            "sample": np.repeat(labels, n),
            "drug_a": "prednisolone",
            "conc_a": np.tile(wells["prednisolone"].to_numpy(float)[cols], len(labels)),
            "drug_b": other,
            "conc_b": np.tile(wells[other].to_numpy(float)[cols], len(labels)),
            "viability": pct[:, cols].reshape(-1),
        }))
    return pd.concat(parts, ignore_index=True)


def combination_ci(table: pd.DataFrame) -> pd.DataFrame:
    """Window-mean Chou-Talalay CI (``ci_mean``) per block of a tidy table, by
    :func:`tallrx.analysis.synergy.score_synergy` on noise-free viability (no null plates, no
    interval): sample, drug_b, ci_mean (NaN where no combination point gives a CI)."""
    from tallrx.analysis.synergy import score_synergy

    res = score_synergy(table, methods="ci", n_null=0, n_boot=0,
                        where="calibration combinations")
    return res.table[["sample", "drug_b", "ci_mean"]]


def combination_stats(ci: pd.DataFrame, groups: dict[str, str]) -> dict[str, float]:
    """Per :data:`COMBINATION_TARGETS` target, the mean ``ci_mean`` over the blocks of its
    partner drug and group (``groups``: sample -> combination_group), NaN blocks left out."""
    g = ci["sample"].map(groups)
    out = {}
    for t, (other, group) in COMBINATION_TARGETS.items():
        sel = (ci["drug_b"] == other) & (g.notna() if group is None else g == group)
        x = ci.loc[sel, "ci_mean"].to_numpy(float)
        out[t] = float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")
    return out


def combination_observables(
    params: pd.DataFrame, *, cohort: pd.DataFrame | None = None, jobs: int = 1, chunk: int = 8
) -> pd.DataFrame:
    """One row per parameter set, one column per :data:`COMBINATION_TARGETS` target: the mean
    window-mean CI of prednisolone + selumetinib / + ruxolitinib over the combination patients
    (:func:`combination_patients` of ``cohort``), +IL7, 96 h viability in % of the +IL7 vehicle.

    ``params``: natural-unit shared parameter columns (one row per set; none = nominal). The
    patients are those ``combination_group`` names at the nominal parameters; they are not
    re-chosen per parameter set (an approximation: a particle may move a patient across the
    IL7-dependent / -independent border). ``chunk`` parameter sets per engine call.
    """
    from tallrx.model.virtual.run import run_conditions

    pts = combination_patients(cohort)
    wells = combination_design()
    k, m = len(pts), len(wells)
    names = pts["sample"].astype(str).tolist()
    groups = dict(zip(names, pts["combination_group"], strict=True))
    rows = []
    for n, cond in _patient_wells(params, pts, wells, chunk):
        values, _ = run_conditions(cond, [96.0], ["viable_cells"], jobs=jobs,
                                   where="calibration combinations")
        labels = [f"{j}|{s}" for j in range(n) for s in names]
        ci = combination_ci(combination_table(values[-1, 0].reshape(n * k, m), wells, labels))
        key = ci["sample"].str.split("|", n=1)
        ci = ci.assign(_set=key.str[0].astype(int), sample=key.str[1])
        rows += [combination_stats(ci[ci["_set"] == j], groups) for j in range(n)]
    return pd.DataFrame(rows, columns=list(COMBINATION_TARGETS))
