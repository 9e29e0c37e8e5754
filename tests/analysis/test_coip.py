"""Co-IP binding analysis against synthetic co-IPs whose true ratios are known.

Ground truth: a bait (BCL2L11) IP in 2 x 2 conditions (dox -/+, prednisolone 0/250) x 3 replicates.
Each partner's true relative stoichiometry (iBAQ / bait iBAQ) at -dox is set below; at +dox it is
multiplied by a known loss factor. The bait amount varies 4-fold between samples (IP efficiency),
which bait normalization must cancel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tallrx.analysis.assays.coip import (
    IMPUTE_SHIFT,
    IMPUTE_WIDTH,
    bait_normalize,
    control_enrichment,
    find_interactors,
    reference_level,
    score_binding,
)
from tallrx.analysis.assays.coip.normalize import _impute
from tallrx.errors import AnalysisError

TRUE = {"BCL2": 0.5, "MCL1": 0.2, "BCL2L1": 0.1, "AURKA": 0.05, "HSPA8": 0.3, "ACTB": 0.02}
LOSS = {"BCL2": 0.25, "MCL1": 0.5, "BCL2L1": 0.2, "AURKA": 0.3, "HSPA8": 1.0, "ACTB": 1.0}


def synthetic_coip(noise: float = 0.0, seed: int = 0, controls: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for dox in "-+":
        for pred in (0, 250):
            for rep in (1, 2, 3):
                sample = f"dox{dox}_pred{pred}_r{rep}"
                bim = 1e8 * rng.uniform(0.5, 2.0)
                base = {
                    "experiment": sample,
                    "bait": "BCL2L11",
                    "sample": sample,
                    "dox": dox,
                    "prednisolone": pred,
                    "replicate": rep,
                }
                rows.append({**base, "protein": "BCL2L11", "ibaq": bim})
                for prot, ratio in TRUE.items():
                    loss = LOSS[prot] if dox == "+" else 1.0
                    rows.append(
                        {
                            **base,
                            "protein": prot,
                            "ibaq": bim * ratio * loss * rng.lognormal(0, noise),
                        }
                    )
                # a sticky protein seen in only 2 of 3 reference replicates: not an interactor
                rows.append(
                    {
                        **base,
                        "protein": "TUBB",
                        "ibaq": np.nan if rep == 3 else 1e6 * rng.uniform(1, 2),
                    }
                )
                if controls:
                    ctrl = f"IgG_dox{dox}_pred{pred}_r{rep}"
                    cb = {**base, "experiment": ctrl, "sample": ctrl, "bait": "IgG"}
                    # ACTB binds beads as much as the IP: not enriched
                    rows += [
                        {**cb, "protein": "ACTB", "ibaq": bim * 0.02},
                        {**cb, "protein": "BCL2", "ibaq": np.nan},
                        {**cb, "protein": "BCL2L11", "ibaq": np.nan},
                    ]
    return pd.DataFrame(rows)


def test_noise_free_ratios_are_exact():
    df = synthetic_coip(noise=0.0)
    norm = bait_normalize(df)
    for prot, ratio in TRUE.items():
        got = norm[(norm["protein"] == prot) & (norm["dox"] == "-")]["ratio"]
        assert np.allclose(got, ratio, rtol=1e-12)
        got = norm[(norm["protein"] == prot) & (norm["dox"] == "+")]["ratio"]
        assert np.allclose(got, ratio * LOSS[prot], rtol=1e-12)
    assert np.allclose(norm.loc[norm["protein"] == "BCL2L11", "ratio"], 1.0)


def test_binding_recovers_known_ratios_and_calls_lost_binders():
    res = score_binding(synthetic_coip(noise=0.05, seed=3))
    tab = res.table
    assert set(tab["comparison"]) == {
        "dox=+ vs dox=- | prednisolone=0",
        "dox=+ vs dox=- | prednisolone=250",
    }
    assert {
        "protein",
        "comparison",
        "dox",
        "prednisolone",
        "ratio_mean",
        "log2_fc",
        "p_value",
        "q_value",
        "interactor",
        "lost_binding",
    } <= set(tab.columns)
    test = tab[tab["group"] == "test"].set_index(["protein", "prednisolone"])
    ref = tab[tab["group"] == "reference"].set_index(["protein", "prednisolone"])
    for prot, ratio in TRUE.items():
        for pred in (0, 250):
            assert ref.loc[(prot, pred), "ratio_mean"] == pytest.approx(ratio, rel=0.1)
            assert test.loc[(prot, pred), "ratio_mean"] == pytest.approx(
                ratio * LOSS[prot], rel=0.1
            )
            # sd of a log2 fold from 3 vs 3 values with 5 % noise: ~0.06
            assert test.loc[(prot, pred), "log2_fc"] == pytest.approx(np.log2(LOSS[prot]), abs=0.25)
    lost = set(test.index[test["lost_binding"]].get_level_values(0))
    assert lost == {"BCL2", "MCL1", "BCL2L1", "AURKA"}
    assert not test.loc[("TUBB", 0), "interactor"]
    assert not test.loc[("BCL2L11", 0), "interactor"]
    assert set(tab.loc[tab["protein"] == "BCL2L11", "message"]) == {"bait"}


def test_pvalues_match_scipy_and_bh():
    """p: Welch t-test on the per-replicate ratios (scipy directly); q: BH by hand."""
    df = synthetic_coip(noise=0.1, seed=7)
    res = score_binding(df)
    norm = bait_normalize(df)
    sub = norm[norm["prednisolone"] == 0]
    tab = res.table[(res.table["group"] == "test") & (res.table["prednisolone"] == 0)]
    tab = tab.set_index("protein")
    for prot in TRUE:
        a = sub[(sub["protein"] == prot) & (sub["dox"] == "+")]["ratio"]
        b = sub[(sub["protein"] == prot) & (sub["dox"] == "-")]["ratio"]
        assert tab.loc[prot, "p_value"] == pytest.approx(
            stats.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-10
        )
    p = tab["p_value"].dropna().sort_values()
    m = len(p)
    q_hand = np.minimum.accumulate((p * m / np.arange(1, m + 1))[::-1])[::-1].clip(upper=1)
    assert np.allclose(tab.loc[p.index, "q_value"], q_hand)


def test_paired_test_pairs_by_replicate():
    df = synthetic_coip(noise=0.1, seed=11)
    res = score_binding(df, paired=True)
    norm = bait_normalize(df)
    a = norm[(norm["protein"] == "MCL1") & (norm["dox"] == "+") & (norm["prednisolone"] == 250)]
    b = norm[(norm["protein"] == "MCL1") & (norm["dox"] == "-") & (norm["prednisolone"] == 250)]
    expected = stats.ttest_rel(
        a.sort_values("replicate")["ratio"], b.sort_values("replicate")["ratio"]
    ).pvalue
    got = res.table[(res.table["protein"] == "MCL1") & (res.table["prednisolone"] == 250)]
    assert got["p_value"].iloc[0] == pytest.approx(expected, rel=1e-10)
    # replicate 3 missing from +dox: the comparison pairs replicates 1-2 and says so (issue 9)
    bad = df[~((df["dox"] == "+") & (df["replicate"] == 3))]
    got = score_binding(bad, paired=True).table
    got = got[(got["protein"] == "MCL1") & (got["prednisolone"] == 250)]
    expected = stats.ttest_rel(
        a.sort_values("replicate")["ratio"][:2], b.sort_values("replicate")["ratio"][:2]
    ).pvalue
    assert got["p_value"].iloc[0] == pytest.approx(expected, rel=1e-10)
    assert got["flagged"].all() and got["n"].tolist() == [2, 2]
    assert "dox-_pred250_r3 have no partner replicate" in got["message"].iloc[0]


def test_protein_lost_completely_is_a_lost_binder_with_minus_inf_fold():
    df = synthetic_coip(noise=0.05)
    df.loc[(df["protein"] == "BCL2") & (df["dox"] == "+"), "ibaq"] = np.nan
    tab = score_binding(df).table
    row = tab[(tab["protein"] == "BCL2") & (tab["group"] == "test")].iloc[0]
    assert row["ratio_mean"] == 0 and row["log2_fc"] == -np.inf
    assert row["lost_binding"] and row["message"] == "not detected in the test group"


def test_perseus_imputation_parameters():
    """Down-shifted normal: mean = mu - 1.8 sd, sd = 0.3 sd of each sample's log2 values."""
    rng = np.random.default_rng(0)
    log2 = rng.normal(25, 2, size=(20000, 2))
    log2[::2, 0] = np.nan
    filled, missing = _impute(log2, np.random.default_rng(1))
    mu, sd = np.nanmean(log2[:, 0]), np.nanstd(log2[:, 0], ddof=1)
    draws = filled[missing[:, 0], 0]
    assert draws.mean() == pytest.approx(mu - IMPUTE_SHIFT * sd, abs=0.02)
    assert draws.std() == pytest.approx(IMPUTE_WIDTH * sd, rel=0.03)
    assert np.array_equal(filled[~missing], log2[~missing])


def test_perseus_mode_recovers_fold_changes_and_is_seeded():
    df = synthetic_coip(noise=0.05, seed=5)
    a = score_binding(df, method="perseus", seed=1).table
    b = score_binding(df, method="perseus", seed=1).table
    pd.testing.assert_frame_equal(a, b)
    test = a[(a["group"] == "test") & (a["prednisolone"] == 0)].set_index("protein")
    for prot in TRUE:
        assert test.loc[prot, "log2_fc"] == pytest.approx(np.log2(LOSS[prot]), abs=0.25)
    assert test.loc["TUBB", "message"].startswith("filtered")


def test_control_ip_enrichment_gates_interactors():
    df = synthetic_coip(noise=0.05, controls=True)
    enr = control_enrichment(df)
    e = enr[(enr["dox"] == "-") & (enr["prednisolone"] == 0)].set_index("protein")
    assert e.loc["BCL2", "log2_enrichment"] == np.inf and e.loc["BCL2", "enriched"]
    assert abs(e.loc["ACTB", "log2_enrichment"]) < 0.3 and not e.loc["ACTB", "enriched"]
    res = score_binding(df)
    tab = res.table[res.table["group"] == "reference"].set_index(["protein", "prednisolone"])
    assert tab.loc[("BCL2", 0), "interactor"] and not tab.loc[("ACTB", 0), "interactor"]
    assert "enrichment" in res.extra


def test_find_interactors_and_reference_level():
    df = synthetic_coip()
    got = find_interactors(df, {"dox": "-", "prednisolone": 0})
    assert got == sorted(TRUE)
    assert reference_level(["+", "-"]) == "-"
    assert reference_level([250, 0]) == 0
    assert reference_level(["treated", "vehicle"]) == "vehicle"


def test_bad_input_messages():
    df = synthetic_coip()
    with pytest.raises(
        AnalysisError, match=r"bait 'BLC2L11' is not among .*Did you mean 'BCL2L11'"
    ):
        score_binding(df, bait="BLC2L11")
    # the common name resolves to the HGNC symbol
    assert score_binding(df, bait="BIM").meta["bait"] == ["BCL2L11"]
    with pytest.raises(AnalysisError, match=r"no condition column 'dx'.*Did you mean 'dox'"):
        score_binding(df, compare="dx")
    with pytest.raises(AnalysisError, match=r"reference dox=none matches no sample"):
        score_binding(df, reference="none")
    with pytest.raises(AnalysisError, match=r"method 'limma' is not known"):
        score_binding(df, method="limma")


def test_missing_bait_in_a_sample_is_flagged_not_fatal():
    df = synthetic_coip(noise=0.05)
    df.loc[(df["protein"] == "BCL2L11") & (df["sample"] == "dox+_pred0_r1"), "ibaq"] = np.nan
    with pytest.warns(UserWarning, match="bait not detected in sample"):
        res = score_binding(df)
    assert res.meta["samples_without_bait"] == ["dox+_pred0_r1"]
    row = res.table[
        (res.table["protein"] == "MCL1")
        & (res.table["group"] == "test")
        & (res.table["prednisolone"] == 0)
    ].iloc[0]
    assert row["n"] == 2


# --------------------------------------------------------------------------- issue 9: messy co-IPs
def _pred0(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["prednisolone"] == 0]


def test_single_sample_level_is_a_flagged_comparison_the_rest_scored():
    """+dox/pred 0 keeps one sample: no t-test with n = 1, so p is NaN and the message says why;
    the pred 250 comparison is untouched (same p-values as with the full data)."""
    df = synthetic_coip(noise=0.05, seed=3)
    one = df[~((df["dox"] == "+") & (df["prednisolone"] == 0) & (df["replicate"] > 1))]
    full, res = score_binding(df).table, score_binding(one).table
    p0 = _pred0(res)
    assert p0["p_value"].isna().all() and p0["flagged"].all() and not p0["lost_binding"].any()
    assert p0["message"].str.contains(r"n = 1 in the test group .sample dox\+_pred0_r1.").all()
    assert p0["message"].str.contains("no t-test possible").all()
    p250, f250 = res[res["prednisolone"] == 250], full[full["prednisolone"] == 250]
    assert not p250["flagged"].any()
    assert np.allclose(p250["p_value"], f250["p_value"], equal_nan=True)
    for method in ("perseus",):
        assert _pred0(score_binding(one, method=method).table)["p_value"].isna().all()


def test_negative_ibaq_is_flagged_by_sample_and_protein_not_hidden():
    df = synthetic_coip(noise=0.05, seed=3)
    i = df.index[(df["protein"] == "MCL1") & (df["sample"] == "dox-_pred0_r2")][0]
    df.loc[i, "ibaq"] = -1e5
    t = _pred0(score_binding(df).table)
    mcl1 = t[t["protein"] == "MCL1"]
    assert mcl1["flagged"].all()
    assert mcl1["message"].str.contains("negative or infinite iBAQ .-100000 in sample dox-_pred0_r2.").all()
    # counted as not detected: ratio 0 in that sample (never a negative ratio)
    assert mcl1["ratios"].iloc[0].split(";")[1] == "0"
    assert not t[t["protein"] != "MCL1"]["flagged"].any()


@pytest.mark.parametrize("value", [-3e6, 0.0, np.nan])
def test_bait_not_quantified_in_one_sample_is_flagged_not_invented(value):
    """Bait iBAQ negative / 0 / missing in one sample: that sample's ratios are undefined (NaN in
    ratios.csv), the comparison uses the other two samples and every row says which sample."""
    df = synthetic_coip(noise=0.05, seed=3)
    i = df.index[(df["protein"] == "BCL2L11") & (df["sample"] == "dox+_pred0_r3")][0]
    df.loc[i, "ibaq"] = value
    res = score_binding(df)
    t = _pred0(res.table)
    assert t["flagged"].all() and (t["n"] == np.where(t["group"] == "test", 2, 3)).all()
    assert t["message"].str.contains(r"bait not quantified .* in sample.s. dox\+_pred0_r3").all()
    r = res.extra["ratios"]
    assert r.loc[r["sample"] == "dox+_pred0_r3", "ratio"].isna().all()
    assert not res.table[res.table["prednisolone"] == 250]["flagged"].any()


def test_bait_missing_in_a_whole_group_gives_flagged_rows_not_a_crash():
    df = synthetic_coip(noise=0.05, seed=3)
    gone = (df["protein"] == "BCL2L11") & (df["dox"] == "+") & (df["prednisolone"] == 0)
    df.loc[gone, "ibaq"] = np.nan
    t = _pred0(score_binding(df).table)
    assert t["flagged"].all() and t["p_value"].isna().all() and not t["lost_binding"].any()
    assert t["message"].str.contains("no usable sample in the test group").all()
