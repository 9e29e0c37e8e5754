"""The shipped virtual PDX cohort reproduces the paper's cohort statistics (Fig. 1D, Fig. 5),
its stored screen statistics are reproducible from its parameters, and its screen feeds the real
normalization code (IL7-enhanced viability via the -IL7 reference vehicle)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError
from tallrx.model.virtual import cohort as C
from tallrx.tidy.normalize import normalize_viability


@pytest.fixture(scope="module")
def cohort():
    return C.load_cohort()


def test_shipped_cohort_size_and_pairs(cohort):
    assert len(cohort) == 46
    pairs = cohort[cohort["pair"] != ""].groupby("pair")["timepoint"].apply(sorted)
    assert len(pairs) == 9
    assert all(t == ["diagnosis", "relapse"] for t in pairs)
    assert cohort["sample"].is_unique


def test_about_26_percent_are_il7_responsive(cohort):
    """Paper Fig. 1D: 12 of 46 (26 %) with prednisolone AUC fold (+IL7/-IL7) > 1.5."""
    fold = cohort["auc_prednisolone_il7"] / cohort["auc_prednisolone"]
    assert int((fold > 1.5).sum()) == 12
    assert cohort["il7_responsive"].sum() == 12


def test_combination_groups_of_six(cohort):
    """Paper Fig. 5B-C: six IL7-dependent and six IL7-independent steroid-resistant samples."""
    dep = cohort[cohort["combination_group"] == "IL7-dependent"]
    ind = cohort[cohort["combination_group"] == "IL7-independent"]
    assert len(dep) == 6 and len(ind) == 6
    assert (dep["auc_fold"] > 1.5).all() and (dep["auc_prednisolone_il7"] >= 175).all()
    assert (ind["auc_fold"] <= 1.5).all() and (ind["auc_prednisolone"] >= 175).all()


def test_no_ruxolitinib_response_without_il7_most_respond_to_mek_inhibitors(cohort):
    """Paper Fig. 5A (response = AUC below 75 % of the 4-log maximum of 400): none responds to
    ruxolitinib, the majority to each MEK inhibitor."""
    assert (cohort["auc_ruxolitinib"] >= 300).all()
    for drug in ("selumetinib", "trametinib", "binimetinib"):
        assert (cohort[f"auc_{drug}"] < 300).mean() >= 0.6, drug


def test_mutation_flags_and_parameters_are_consistent(cohort):
    assert ((cohort["il7r_mut"] | cohort["jak1_mut"]) == (cohort["mut_jak_drive"] > 0)).all()
    assert (cohort["nras_mut"] == (cohort["mut_ras_level"] > 0)).all()
    for k in C.parameter_columns():
        assert (cohort[k] >= 0).all(), k


def test_stored_statistics_are_reproduced_from_the_parameters(cohort):
    """Re-screening the shipped parameters gives the shipped statistics (determinism)."""
    sub = cohort.iloc[[0, 5, 20, 40]].reset_index(drop=True)
    stats = C.screen_statistics(sub)
    for col in (
        "auc_prednisolone",
        "auc_prednisolone_il7",
        "auc_ruxolitinib",
        "auc_selumetinib",
        "il7_enhanced_viability",
    ):
        np.testing.assert_allclose(stats[col], sub[col], rtol=1e-6, err_msg=col)


def test_cohort_screen_feeds_the_il7_normalization(cohort):
    sub = cohort[cohort["combination_group"] == "IL7-dependent"].head(2)
    w = C.cohort_screen(sub, drugs=("prednisolone",), seed=3).table
    assert (w["source"] == "simulated").all()
    v = normalize_viability(w, reference_condition={"il7": 0})
    veh = v[(v["role"] == "vehicle") & (v["il7"] == 25)].groupby("sample")["viability"].mean()
    for s, enh in zip(sub["sample"], sub["il7_enhanced_viability"], strict=True):
        assert veh[s] == pytest.approx(100 * enh, rel=0.1)


def test_generated_small_cohort_meets_its_scaled_targets():
    t = C.Targets.for_size(8)
    pool = C.sample_candidates(40, 5, seed=5)
    stats = C.screen_statistics(pool)
    sel = C.select_cohort(pd.concat([pool, stats], axis=1), t, seed=5)
    assert len(sel) == 8
    assert int(sel["il7_responsive"].sum()) == t.il7_responsive
    assert not sel["ruxolitinib_responder"].any()
    assert (sel[sel["pair"] != ""].groupby("pair").size() == 2).all()


def test_selection_reports_an_impossible_pool():
    pool = C.sample_candidates(3, 0, seed=1)
    stats = pd.DataFrame(
        {
            "il7_responsive": False,
            "il7_dependent_resistant": False,
            "il7_independent_resistant": False,
            "ruxolitinib_responder": False,
            "mek_responder": True,
            "jak_driven": False,
            "auc_fold": 1.0,
            "il7_enhanced_viability": 1.1,
            "rux_gain_il7": 1.0,
            "sel_gain": 0.5,
            "perk_fold_il7": 3.0,
        },
        index=pool.index,
    )
    with pytest.raises(InputError, match="pairs"):
        C.select_cohort(pd.concat([pool, stats], axis=1), C.Targets.for_size(46), seed=1)


def test_unknown_sample_is_a_user_error(cohort):
    with pytest.raises(InputError, match="not in the cohort. Did you mean 'VPDX01-"):
        C.cohort_conditions(cohort, ["VPDX01-X"])


def test_il7_raises_perk_within_30_minutes_in_il7_dependent_samples(cohort):
    """Paper Fig. 1E: ERK phosphorylation after 30 min of IL7 (25 ng/ml)."""
    from tallrx.model.virtual import run_conditions

    dep = cohort[cohort["combination_group"] == "IL7-dependent"]
    blocks = C.cohort_conditions(dep, conditions=[{"il7": 0.0}, {"il7": 25.0}])
    v, _ = run_conditions(blocks.drop(columns=["sample"]), [0.5], ["pERK"])
    perk = v[-1, 0].reshape(len(dep), 2)
    fold = perk[:, 1] / perk[:, 0]
    assert (fold > 1.05).all()  # up in every sample (high-ERK samples start high)
    assert np.median(fold) > 1.5


def test_il7_mainly_improves_survival_of_barely_proliferating_pdx_cells(cohort):
    """Paper Methods / Fig. 5B: PDX cells barely proliferate and die in culture without
    cytokines; IL7 keeps the IL7-dependent ones alive."""
    assert (cohort["k_prolif"] <= 0.005).all()
    resp = cohort[cohort["il7_responsive"]]
    assert (resp["il7_enhanced_viability"] > 1.2).all()
    assert cohort["il7_enhanced_viability"].min() >= 1.0
