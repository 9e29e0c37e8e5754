"""The virtual PDX cohort is a plain draw from the stated distributions
(``tallrx/data/model/cohort_distributions.csv``): mutation counts and log-spreads follow the table
within sampling tolerance, diagnosis-relapse pairs share parameters up to the stated relapse shift,
the shipped cohort is the seed-2021 draw, and its screen feeds the real normalization code.
Reference values come from the table (read here independently of the generator) and from
binomial / chi-square sampling theory, never from the generator's output."""

from __future__ import annotations

import importlib.resources

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tallrx.errors import InputError
from tallrx.model.virtual import cohort as C
from tallrx.tidy.normalize import normalize_viability

N_DRAW = 20000
Z = 4.5  # two-sided tail ~7e-6 per check: a correct generator essentially never fails


@pytest.fixture(scope="module")
def cohort():
    return C.load_cohort()


@pytest.fixture(scope="module")
def table():
    ref = importlib.resources.files("tallrx") / "data" / "model" / "cohort_distributions.csv"
    with importlib.resources.as_file(ref) as path:
        return pd.read_csv(path)


@pytest.fixture(scope="module")
def draw():
    return C.sample_candidates(N_DRAW, 2000, seed=11)


def test_shipped_cohort_size_and_pairs(cohort):
    assert len(cohort) == 46
    pairs = cohort[cohort["pair"] != ""].groupby("pair")["timepoint"].apply(sorted)
    assert len(pairs) == 9
    assert all(t == ["diagnosis", "relapse"] for t in pairs)
    assert cohort["sample"].is_unique


def test_every_table_row_has_a_source(table):
    assert table["source"].fillna("").str.strip().ne("").all()
    freqs = table[table["kind"] == "mutation_frequency"]
    assert ((freqs["value"] > 0) & (freqs["value"] < 1)).all()


def test_mutation_counts_follow_the_table_within_binomial_tolerance(table, draw):
    singles = draw[draw["pair"] == ""]
    n = len(singles)
    for _, r in table[table["kind"] == "mutation_frequency"].iterrows():
        p = r["value"]
        k = int(singles[r["name"]].sum())
        assert abs(k - n * p) < Z * np.sqrt(n * p * (1 - p)), (r["name"], k, n * p)


def test_log_spreads_follow_the_table_within_chi_square_tolerance(table, draw):
    """log(x / median) ~ N(0, sd^2): mean within z tolerance, (n-1) s^2 / sd^2 within chi-square
    quantiles. erk_drive and s_BIM are checked where the non-IL7 ERK activation is absent."""
    singles = draw[(draw["pair"] == "") & ~draw["nonil7_erk"]]
    n = len(singles)
    lo, hi = stats.chi2.ppf([1e-6, 1 - 1e-6], n - 1)
    for _, r in table[table["kind"] == "lognormal_spread"].iterrows():
        x = np.log(singles[r["name"]].to_numpy() / r["value"])
        assert abs(x.mean()) < Z * r["log_sd"] / np.sqrt(n), r["name"]
        assert lo < (n - 1) * x.var(ddof=1) / r["log_sd"] ** 2 < hi, r["name"]


def test_pairs_share_parameters_up_to_the_stated_relapse_shift(table, draw):
    dx = draw[draw["timepoint"].eq("diagnosis") & draw["pair"].ne("")].set_index("pair")
    rel = draw[draw["timepoint"].eq("relapse")].set_index("pair").loc[dx.index]
    noise = table.query("kind == 'relapse_noise'")["log_sd"].item()
    shift = table.query("kind == 'relapse_shift'").set_index("name")["value"]
    n = len(dx)
    lo, hi = stats.chi2.ppf([1e-6, 1 - 1e-6], n - 1)
    for k in table.query("kind == 'lognormal_spread'")["name"]:
        d = np.log(rel[k].to_numpy() / dx[k].to_numpy()) - np.log(shift.get(k, 1.0))
        assert abs(d.mean()) < Z * noise / np.sqrt(n), k
        assert lo < (n - 1) * d.var(ddof=1) / noise**2 < hi, k
    # flags are inherited; only an NRAS mutation may be gained at relapse, never lost
    for f in ("il7r_mut", "jak1_mut", "nonil7_erk"):
        assert (rel[f] == dx[f]).all(), f
    assert (rel["nras_mut"] | ~dx["nras_mut"]).all()
    assert (rel["mut_jak_drive"] == dx["mut_jak_drive"]).all()


def test_mutation_flags_and_parameters_are_consistent(cohort):
    assert ((cohort["il7r_mut"] | cohort["jak1_mut"]) == (cohort["mut_jak_drive"] > 0)).all()
    assert (cohort["nras_mut"] == (cohort["mut_ras_level"] > 0)).all()
    for k in C.parameter_columns():
        assert (cohort[k] >= 0).all(), k


def test_shipped_cohort_is_the_seed_2021_draw(cohort):
    """Reproducibility invariant: the shipped CSV equals a fresh draw + screen at seed 2021."""
    fresh = C.generate_cohort(C.DEFAULT_N, C.DEFAULT_SEED)
    assert list(fresh["sample"]) == list(cohort["sample"])
    for col in fresh.columns:
        if pd.api.types.is_float_dtype(fresh[col]):
            np.testing.assert_allclose(cohort[col], fresh[col], rtol=1e-6, err_msg=col)
        else:
            assert list(cohort[col].astype(str)) == list(fresh[col].astype(str)), col


def test_flags_follow_the_paper_thresholds(cohort):
    """Paper Fig. 1D: IL7-responsive = prednisolone AUC fold (+IL7/-IL7) > 1.5; the combination
    groups (Fig. 5B-C) hold at most six samples each, from the right strata."""
    fold = cohort["auc_prednisolone_il7"] / cohort["auc_prednisolone"]
    assert (cohort["il7_responsive"] == (fold > 1.5)).all()
    dep = cohort[cohort["combination_group"] == "IL7-dependent"]
    ind = cohort[cohort["combination_group"] == "IL7-independent"]
    assert len(dep) <= 6 and len(ind) <= 6
    assert (dep["auc_fold"] > 1.5).all() and (dep["auc_prednisolone_il7"] >= 175).all()
    assert (ind["auc_fold"] <= 1.5).all() and (ind["auc_prednisolone"] >= 175).all()


def test_a_too_small_cohort_is_a_user_error():
    with pytest.raises(InputError, match="at least 6"):
        C.generate_cohort(5, 1)


def test_cohort_screen_feeds_the_il7_normalization(cohort):
    # two IL7-responsive samples whose -IL7 vehicle is well above background (a ratio of a
    # near-dead vehicle is dominated by read-out noise)
    resp = cohort[cohort["il7_responsive"] & cohort["il7_enhanced_viability"].between(1.2, 3.0)]
    sub = resp.sort_values("il7_enhanced_viability").head(2)
    assert len(sub) == 2
    w = C.cohort_screen(sub, drugs=("prednisolone",), seed=3).table
    assert (w["source"] == "simulated").all()
    v = normalize_viability(w, reference_condition={"il7": 0})
    veh = v[(v["role"] == "vehicle") & (v["il7"] == 25)].groupby("sample")["viability"].mean()
    for s, enh in zip(sub["sample"], sub["il7_enhanced_viability"], strict=True):
        assert veh[s] == pytest.approx(100 * enh, rel=0.1)


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
