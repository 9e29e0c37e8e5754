"""Fig. 5C combination-index observables: a Loewe-additive surface (hand-worked, CI = 1) and the
nominal-parameter observable against the slow path (twin simulator -> tidy table ->
score_synergy -> group means)."""

import numpy as np
import pandas as pd
import pytest

from tallrx.calibration.observables import (
    COMBINATION_TARGETS,
    combination_ci,
    combination_design,
    combination_observables,
    combination_patients,
    combination_stats,
    combination_table,
)


def test_loewe_additive_surface_gives_ci_one():
    # two median-effect drugs with the same slope m: Loewe additivity d1/Dx1 + d2/Dx2 = 1 has
    # the closed form fa = x^m / (1 + x^m), x = d1/Dm1 + d2/Dm2 (hand-worked), so every
    # combination point's CI is exactly 1, and so is every target's mean
    wells = combination_design()
    m, dm = 1.0, {"prednisolone": 0.3, "selumetinib": 0.1, "ruxolitinib": 0.05}
    x = sum(wells[d].to_numpy(float) / dm[d] for d in dm)
    fa = x**m / (1 + x**m)
    v = np.vstack([1 - fa, 1 - fa])  # two patients, vehicle fa = 0
    ci = combination_ci(combination_table(v, wells, ["A", "B"]))
    assert len(ci) == 4 and set(ci["drug_b"]) == {"selumetinib", "ruxolitinib"}
    out = combination_stats(ci, {"A": "IL7-dependent", "B": "IL7-independent"})
    assert set(out) == set(COMBINATION_TARGETS)
    np.testing.assert_allclose(list(out.values()), 1.0, rtol=1e-6)
    # a more potent combination than additive (fa of 4x the doses where both are given) is
    # synergistic: CI < 1
    both = (wells["prednisolone"] > 0) & (wells[["selumetinib", "ruxolitinib"]].sum(axis=1) > 0)
    xs = np.where(both, 4 * x, x)
    ci = combination_ci(combination_table(np.vstack([1 / (1 + xs)] * 2), wells, ["A", "B"]))
    syn = combination_stats(ci, {"A": "IL7-dependent", "B": "IL7-independent"})
    assert all(0 < c < 0.5 for c in syn.values())


@pytest.mark.parametrize("per_group", [2])
def test_nominal_observable_equals_score_synergy_of_the_surfaces(per_group):
    from tallrx.analysis.synergy import score_synergy
    from tallrx.model.twin.simulator import simulate_viability
    from tallrx.model.virtual.cohort import PARAMS, load_cohort
    from tallrx.model.virtual.treatments import treatments_matrix
    from tallrx.paper import IL7_NG_ML
    from tallrx.reproduce.design import MATRIX_DOSES_UM as DOSES

    pts = combination_patients(per_group=per_group)
    assert len(pts) == 2 * per_group
    assert len(combination_patients()) == 12  # the shipped cohort's 6 + 6 chosen samples
    cohort = load_cohort()
    sub = cohort[cohort["sample"].isin(pts["sample"])]
    fast = combination_observables(pd.DataFrame(index=[0]), cohort=sub).iloc[0]
    # slow path: each patient's matrices through the twin simulator, one tidy table
    parts = []
    for other in ("selumetinib", "ruxolitinib"):
        t = treatments_matrix("prednisolone", DOSES["prednisolone"], other, DOSES[other])
        cond = t.rename(columns={"drug_a": "drug", "conc_a": "conc"}).assign(
            il7=IL7_NG_ML, ref_il7=IL7_NG_ML)
        viab = simulate_viability(pts[list(PARAMS)], cond)  # (patients, wells) % of +IL7 vehicle
        for i, s in enumerate(pts["sample"]):
            a = np.where(t["drug_a"] == "prednisolone", t["conc_a"], 0.0)
            b = np.where(t["drug_a"] == other, t["conc_a"], t["conc_b"].fillna(0.0))
            parts.append(pd.DataFrame({"sample": s, "drug_a": "prednisolone", "conc_a": a,
                                       "drug_b": other, "conc_b": b, "viability": viab[i]}))
    slow = score_synergy(pd.concat(parts, ignore_index=True), n_null=0).table
    slow = slow.merge(pts[["sample", "combination_group"]], on="sample")
    sel = slow[slow["drug_b"] == "selumetinib"]["ci_mean"].mean()
    rux = slow[slow["drug_b"] == "ruxolitinib"].groupby("combination_group")["ci_mean"].mean()
    expected = [sel, rux["IL7-dependent"], rux["IL7-independent"]]
    assert np.isfinite(expected).all()  # every group has a block with a CI
    np.testing.assert_allclose(fast[list(COMBINATION_TARGETS)].to_numpy(float), expected,
                               rtol=1e-6)
