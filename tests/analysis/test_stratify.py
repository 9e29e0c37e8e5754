"""IL7 stratification: hand-made AUC calls, bootstrap probabilities, enhanced viability, Fig. 5B."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import t as student_t

from tallrx.analysis.doseresponse._bootstrap import bootstrap_trapezoid_auc
from tallrx.analysis.doseresponse.stratify import (
    IL7_DEPENDENT_MIN_AUC,
    IL7_DOSE,
    IL7_RESPONSIVE_FOLD,
    delta_auc_regression,
    il7_enhanced_viability,
    stratify_il7,
)
from tallrx.errors import AnalysisError, SchemaError, TallrxError
from tallrx.tidy.normalize import normalize_viability


def curves_table(pairs: dict[str, tuple[float, float]], drug="prednisolone", **extra):
    rows = []
    for sample, (a0, a1) in pairs.items():
        rows.append({"sample": sample, "drug_a": drug, "il7": 0, "auc": a0, **extra})
        rows.append({"sample": sample, "drug_a": drug, "il7": 25, "auc": a1, **extra})
    return pd.DataFrame(rows)


def by_sample(result):
    return result.table.set_index("sample")


def test_paper_constants():
    assert IL7_RESPONSIVE_FOLD == 1.5  # Fig. 1D: "> 1.5 fold increase in prednisolone AUC"
    assert IL7_DEPENDENT_MIN_AUC == 175  # Fig. 5B legend: "minimal AUC of 175"
    assert IL7_DOSE == 25  # Methods: 25 ng/ml IL7


def test_hand_made_calls():
    # fold = with / without; responsive: fold > 1.5; dependent resistant: responsive, with >= 175
    t = by_sample(
        stratify_il7(
            curves_table(
                {
                    "resp": (100, 160),  # 1.6 -> responsive, 160 < 175 -> not dependent
                    "not": (100, 140),  # 1.4 -> neither
                    "dep": (120, 190),  # 1.583 and 190 >= 175 -> both
                    "resp170": (100, 170),  # 1.7 but 170 < 175 -> responsive only
                    "edge": (100, 150),  # exactly 1.5 is not "> 1.5"
                    "min": (116, 175),  # 1.509 and exactly 175 (">= 175") -> both
                    "high_flat": (300, 320),  # resistant but not IL7-driven
                }
            )
        )
    )
    assert t.loc["resp", "auc_fold"] == pytest.approx(1.6)
    calls = t[["il7_responsive", "il7_dependent_resistant"]].astype(bool)
    assert calls.loc["resp"].tolist() == [True, False]
    assert calls.loc["not"].tolist() == [False, False]
    assert calls.loc["dep"].tolist() == [True, True]
    assert calls.loc["resp170"].tolist() == [True, False]
    assert calls.loc["edge"].tolist() == [False, False]
    assert calls.loc["min"].tolist() == [True, True]
    assert calls.loc["high_flat"].tolist() == [False, False]
    assert (t["il7"] == 25).all() and (t["message"] == "").all()
    assert t["p_il7_responsive"].isna().all() and (t["n_boot"] == 0).all()


def test_thresholds_can_be_overridden():
    r = stratify_il7(curves_table({"B": (100, 140)}), fold=1.3, min_auc=130)
    assert bool(r.table.loc[0, "il7_responsive"]) and bool(
        r.table.loc[0, "il7_dependent_resistant"]
    )
    assert r.meta["fold"] == 1.3 and r.meta["min_auc"] == 130


def test_cohort_share_like_fig_1d():
    # 46 samples of which 12 gain > 1.5-fold: 26 % (the paper's numbers)
    pairs = {f"PDX{i:02d}": (100.0, 200.0 if i < 12 else 110.0) for i in range(46)}
    r = stratify_il7(curves_table(pairs))
    assert r.meta["n_pairs"] == 46 and r.meta["n_il7_responsive"] == 12
    assert round(100 * 12 / 46) == 26


def test_unpaired_and_degenerate_rows_are_flagged_not_raised():
    c = curves_table({"ok": (100, 160), "zero": (0, 50), "nanfit": (100, float("nan"))})
    c = pd.concat(
        [
            c,
            pd.DataFrame(
                [
                    {"sample": "only_minus", "drug_a": "prednisolone", "il7": 0, "auc": 90},
                    {"sample": "only_plus", "drug_a": "prednisolone", "il7": 25, "auc": 90},
                ]
            ),
        ],
        ignore_index=True,
    )
    t = by_sample(stratify_il7(c))
    assert bool(t.loc["ok", "il7_responsive"])
    for s, msg in [
        ("zero", "AUC without IL7 <= 0"),
        ("nanfit", "AUC with IL7 is missing"),
        ("only_minus", "no +IL7 curve"),
        ("only_plus", "no -IL7 curve"),
    ]:
        assert msg in t.loc[s, "message"]
        assert pd.isna(t.loc[s, "il7_responsive"]) and pd.isna(t.loc[s, "auc_fold"])


def test_pairs_on_extra_conditions_and_ignores_fit_outputs():
    a = curves_table({"S1": (100, 160)}, dox=0, ic50_se=0.37, n_excluded=0)
    b = curves_table({"S1": (100, 120)}, dox=1, ic50_se=0.52, n_excluded=2)
    r = stratify_il7(pd.concat([a, b], ignore_index=True))
    assert r.meta["pairing_columns"] == ["sample", "drug_a", "dox"]
    t = r.table.set_index("dox")
    assert t.loc[0, "auc_fold"] == pytest.approx(1.6) and t.loc[1, "auc_fold"] == pytest.approx(1.2)


def test_duplicate_rows_suggest_by():
    a = curves_table({"S1": (100, 160)}, temp=37.5)
    b = curves_table({"S1": (100, 120)}, temp=30.5)  # a non-integer condition is not guessed
    c = pd.concat([a, b], ignore_index=True)
    with pytest.raises(
        AnalysisError,
        match=r"2 rows for sample S1, drug_a prednisolone, "
        r"il7=0.*differ in temp; .*by=",
    ):
        stratify_il7(c)
    r = stratify_il7(c, by=["temp"])
    assert len(r.table) == 2


def test_drug_selection():
    c = pd.concat(
        [curves_table({"S1": (100, 160)}), curves_table({"S1": (50, 150)}, drug="ruxolitinib")],
        ignore_index=True,
    )
    assert len(stratify_il7(c).table) == 1
    assert len(stratify_il7(c, drug="Prednisolone").table) == 1  # case-insensitive
    assert len(stratify_il7(c, drug=None).table) == 2
    with pytest.raises(AnalysisError, match="Did you mean 'ruxolitinib'"):
        stratify_il7(c, drug="ruxolitnib")


@pytest.mark.parametrize(
    "change,kwargs,match",
    [
        ({"il7": ["-", "+"]}, {}, r"row 1 \(sample S1\) has il7 = '-'; expected the IL7 dose"),
        ({"il7": [0, -25]}, {}, "row 2 .* has il7 = -25"),
        ({"auc": ["100", "abc"]}, {}, "row 2 .* has auc = 'abc'; expected a number"),
        ({}, {"fold": 0}, "fold = 0: expected a positive number"),
        ({}, {"n_boot": -1}, "n_boot = -1"),
        ({}, {"min_auc": float("nan")}, "min_auc"),
        ({}, {"condition": "IL7"}, r"needs column\(s\) IL7.*Did you mean 'il7'"),
        ({}, {"by": ["dox"]}, r"needs column\(s\) dox"),
    ],
)
def test_bad_input_messages(change, kwargs, match):
    c = curves_table({"S1": (100, 160)})
    for col, values in change.items():
        c[col] = values
    with pytest.raises(TallrxError, match=match):
        stratify_il7(c, **kwargs)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_row_order_invariance(seed):
    rng = np.random.default_rng(seed)
    pairs = {f"S{i}": tuple(rng.uniform(20, 400, 2)) for i in range(8)}
    c = curves_table(pairs)
    a = stratify_il7(c).table.sort_values("sample").reset_index(drop=True)
    b = stratify_il7(c.sample(frac=1, random_state=seed)).table
    pd.testing.assert_frame_equal(a, b.sort_values("sample").reset_index(drop=True))


# ------------------------------------------------------------------------------- bootstrap
DOSES = np.logspace(-1.5, 1.5, 7)  # 3.16e-2 .. 31.6 uM, a 3-log window


def replicate_viability(levels: dict[str, tuple[float, float]], *, reps=4, spread=5.0):
    """Flat curves at the given -IL7/+IL7 viability levels; replicates level + (-1.5..1.5) x spread
    (symmetric, so each dose's replicate mean is exactly the level)."""
    offsets = np.linspace(-1.5, 1.5, reps) * spread / 1.5
    rows = []
    for sample, (v0, v1) in levels.items():
        for il7, level in ((0, v0), (25, v1)):
            for d in DOSES:
                for k, off in enumerate(offsets):
                    rows.append(
                        {
                            "sample": sample,
                            "drug_a": "prednisolone",
                            "il7": il7,
                            "conc_a": d,
                            "viability": level + off,
                            "replicate": k + 1,
                            "role": "treated",
                            "exclude": False,
                        }
                    )
    return pd.DataFrame(rows)


def trapezoid_auc_per_curve(v: pd.DataFrame) -> pd.DataFrame:
    """Oracle: per-curve loop with numpy.trapezoid over log10 concentration of dose means."""
    out = []
    for (s, d, il7), g in v.groupby(["sample", "drug_a", "il7"]):
        m = g.groupby("conc_a")["viability"].mean()
        out.append(
            {
                "sample": s,
                "drug_a": d,
                "il7": il7,
                "auc": float(np.trapezoid(m.to_numpy(), np.log10(m.index.to_numpy()))),
            }
        )
    return pd.DataFrame(out)


def test_bootstrap_probabilities_clear_effect_threshold_and_none():
    # window = 3 logs: AUC = 3 x level. clear: 40 -> 100 (fold 2.5); threshold: 40 -> 60 (1.5);
    # none: 40 -> 40
    v = replicate_viability({"clear": (40, 100), "thresh": (40, 60), "none": (40, 40)})
    c = trapezoid_auc_per_curve(v)
    t = by_sample(stratify_il7(c, viability=v, n_boot=4000, seed=1, min_auc=100))
    assert t.loc["clear", "auc_fold"] == pytest.approx(2.5)
    assert t.loc["thresh", "auc_fold"] == pytest.approx(1.5)
    assert t.loc["clear", "p_il7_responsive"] > 0.99
    assert t.loc["none", "p_il7_responsive"] < 0.01
    assert 0.35 < t.loc["thresh", "p_il7_responsive"] < 0.65
    # clear: AUC(+IL7) = 300 >= 100 in every draw -> p_dependent = p_responsive
    assert t.loc["clear", "p_il7_dependent_resistant"] == t.loc["clear", "p_il7_responsive"]
    assert t.loc["clear", "auc_fold_low"] < 2.5 < t.loc["clear", "auc_fold_high"]
    assert (t["n_boot"] == 4000).all() and (t["message"] == "").all()


def test_bootstrap_is_seeded():
    v = replicate_viability({"a": (40, 62)})
    c = trapezoid_auc_per_curve(v)
    p1 = stratify_il7(c, viability=v, n_boot=300, seed=3).table["p_il7_responsive"]
    p2 = stratify_il7(c, viability=v, n_boot=300, seed=3).table["p_il7_responsive"]
    p3 = stratify_il7(c, viability=v, n_boot=300, seed=4).table["p_il7_responsive"]
    assert p1.equals(p2) and not p1.equals(p3)


def test_bootstrap_variance_matches_the_analytic_formula():
    # AUC = sum_k w_k mean_k (trapezoid weights w over log10 dose). Resampling n_k wells with
    # replacement gives Var*(mean_k) = s_k^2 / n_k with s_k^2 the ddof-0 variance, so
    # Var*(AUC) = sum_k w_k^2 s_k^2 / n_k exactly; check it with many draws.
    rng = np.random.default_rng(7)
    doses = np.array([0.01, 0.1, 1.0, 3.0, 10.0])
    n = np.array([3, 4, 2, 5, 3])
    rows = [
        {"c": "x", "d": d, "v": rng.normal(60, 15)}
        for d, k in zip(doses, n, strict=True)
        for _ in range(k)
    ]
    w = pd.DataFrame(rows)
    boot, obs, idx = bootstrap_trapezoid_auc(w, ["c"], conc="d", value="v", n_boot=40_000, seed=2)
    x = np.log10(doses)
    weights = np.zeros(5)
    weights[:-1] += np.diff(x) / 2
    weights[1:] += np.diff(x) / 2
    s2 = w.groupby("d")["v"].var(ddof=0).to_numpy()
    expected = np.sum(weights**2 * s2 / n)
    assert boot[:, 0].var() == pytest.approx(expected, rel=0.03)
    means = w.groupby("d")["v"].mean().to_numpy()
    assert obs[0] == pytest.approx(np.sum(weights * means))
    assert boot[:, 0].mean() == pytest.approx(obs[0], abs=3 * math.sqrt(expected / 40_000) + 1e-9)


def test_bootstrap_observed_auc_matches_per_curve_trapezoid_oracle():
    rng = np.random.default_rng(11)
    v = replicate_viability(
        {f"S{i}": (rng.uniform(20, 90), rng.uniform(20, 150)) for i in range(5)}
    )
    v["viability"] += rng.normal(0, 3, len(v))
    v = v.sample(frac=1, random_state=1)  # order must not matter
    boot, obs, idx = bootstrap_trapezoid_auc(
        v, ["sample", "drug_a", "il7"], conc="conc_a", value="viability", n_boot=5
    )
    oracle = trapezoid_auc_per_curve(v)
    got = idx.assign(auc=obs[idx["_curve"]]).merge(oracle, on=["sample", "drug_a", "il7"])
    np.testing.assert_allclose(got["auc_x"], got["auc_y"], rtol=1e-12)
    assert len(got) == 10


def test_bootstrap_honours_exclude_role_and_flags_mismatch():
    v = replicate_viability({"a": (40, 100)})
    c = trapezoid_auc_per_curve(v)
    junk = v.iloc[:3].assign(viability=5000.0, exclude=True)
    vehicle = v.iloc[:3].assign(viability=5000.0, role="vehicle", conc_a=0.0)
    t = stratify_il7(c, viability=pd.concat([v, junk, vehicle]), n_boot=200).table
    assert t.loc[0, "message"] == ""
    t2 = stratify_il7(c.assign(auc=c["auc"] * 1.2), viability=v, n_boot=200).table
    assert "differs from the curves auc" in t2.loc[0, "message"]
    missing = stratify_il7(
        curves_table({"a": (120, 300), "b": (100, 100)}), viability=v, n_boot=50
    ).table.set_index("sample")
    assert "no replicate-level viability" in missing.loc["b", "message"]
    assert np.isnan(missing.loc["b", "p_il7_responsive"])


# ------------------------------------------------------------------ enhanced viability, Fig. 5B
def _il7_wells(samples: dict[str, float]) -> pd.DataFrame:
    """Per sample: -IL7 vehicle 90/110, +IL7 vehicle level -10/+10 and one treated well each."""
    rows = []
    for s, plus in samples.items():
        for il7, level in ((0, 100.0), (25, plus)):
            for k, sig in enumerate((level - 10, level + 10)):
                rows.append(
                    {
                        "plate": "P1",
                        "well": f"{s}-{il7}-v{k}",
                        "sample": s,
                        "drug_a": "",
                        "conc_a": 0.0,
                        "drug_b": "",
                        "conc_b": 0.0,
                        "role": "vehicle",
                        "signal": sig,
                        "replicate": k + 1,
                        "il7": il7,
                    }
                )
            rows.append(
                {
                    "plate": "P1",
                    "well": f"{s}-{il7}-t",
                    "sample": s,
                    "drug_a": "prednisolone",
                    "conc_a": 1.0,
                    "drug_b": "",
                    "conc_b": 0.0,
                    "role": "treated",
                    "signal": level / 2,
                    "replicate": 1,
                    "il7": il7,
                }
            )
    return pd.DataFrame(rows)


def test_il7_enhanced_viability_hand_worked():
    # +IL7 vehicle 170/190 (mean 180) over -IL7 vehicle 90/110 (mean 100) -> 180 %
    w = _il7_wells({"A": 180.0, "B": 100.0})
    v = normalize_viability(w, reference_condition={"il7": 0}, blank="none")
    e = il7_enhanced_viability(v).set_index("sample")
    assert e.loc["A", "enhanced_viability"] == pytest.approx(180.0)
    assert e.loc["B", "enhanced_viability"] == pytest.approx(100.0)
    assert e.loc["A", "sd"] == pytest.approx(math.sqrt(200.0))  # 170, 190 -> SD 14.14 %
    assert e.loc["A", "n_vehicle"] == 2 and e.loc["A", "il7"] == 25


def test_il7_enhanced_viability_refuses_own_normalization():
    v = normalize_viability(_il7_wells({"A": 180.0}), blank="none")
    with pytest.raises(AnalysisError, match=r"reference_condition=\{'il7': 0\}"):
        il7_enhanced_viability(v)
    with pytest.raises(AnalysisError, match="exactly 100 %"):
        il7_enhanced_viability(v.drop(columns="reference"))


def test_delta_auc_regression_hand_calculation():
    # x = 1, 2, 3 and y = 1, 2, 2: Sxx = 2, Sxy = 1, Syy = 2/3 -> slope 0.5, intercept 2/3,
    # r^2 = 1 / (2 * 2/3) = 0.75; t = r sqrt(1 / (1 - r^2)) = sqrt(3) with 1 df (Cauchy):
    # p = 2 (1/2 - atan(sqrt 3) / pi) = 1/3
    c = curves_table({"a": (100, 100), "b": (100, 200), "c": (100, 200)}, drug="ruxolitinib")
    e = pd.DataFrame({"sample": ["a", "b", "c"], "il7": 25, "enhanced_viability": [1.0, 2.0, 3.0]})
    r = delta_auc_regression(c, e, drug="ruxolitinib")
    assert r.meta["slope"] == pytest.approx(0.5)
    assert r.meta["intercept"] == pytest.approx(2 / 3)
    assert r.meta["r2"] == pytest.approx(0.75)
    assert r.meta["p"] == pytest.approx(1 / 3)
    assert r.meta["n"] == 3
    assert r.extra["fit"].loc[0, "slope"] == pytest.approx(0.5)
    assert r.table["delta_auc"].tolist() == [1.0, 2.0, 2.0]


def test_delta_auc_regression_matches_polyfit_and_restricts_samples():
    rng = np.random.default_rng(5)
    x = np.array([120.0, 135, 150, 170, 185, 210, 130, 160])
    y = 0.004 * x + 0.2 + rng.normal(0, 0.05, len(x))
    names = [f"S{i}" for i in range(len(x))]
    c = curves_table(
        {s: (100.0, 100.0 * yi) for s, yi in zip(names, y, strict=True)}, drug="ruxolitinib"
    )
    e = pd.DataFrame({"sample": names, "enhanced_viability": x})
    r = delta_auc_regression(c, e, drug="ruxolitinib")
    slope, intercept = np.polyfit(x, y, 1)
    rr = np.corrcoef(x, y)[0, 1]
    t = rr * math.sqrt((len(x) - 2) / (1 - rr**2))
    assert r.meta["slope"] == pytest.approx(slope)
    assert r.meta["intercept"] == pytest.approx(intercept)
    assert r.meta["r2"] == pytest.approx(rr**2)
    assert r.meta["p"] == pytest.approx(2 * student_t.sf(abs(t), len(x) - 2))
    # restrict to the IL7-dependent steroid-resistant samples of a prednisolone strata table
    pred = curves_table({"S0": (100, 200), "S1": (120, 200), "S2": (100, 300), "S3": (100, 120)})
    strata = stratify_il7(pred)
    sub = delta_auc_regression(c, e, drug="ruxolitinib", samples=strata)
    assert sorted(sub.table["sample"]) == ["S0", "S1", "S2"]
    assert sub.meta["samples"] == ["S0", "S1", "S2"]
    assert sub.meta["slope"] == pytest.approx(np.polyfit(x[:3], y[:3], 1)[0])
    listed = delta_auc_regression(c, e, drug="ruxolitinib", samples=["S0", "S1", "S2"])
    assert listed.meta["slope"] == pytest.approx(sub.meta["slope"])


def test_delta_auc_regression_degenerate_cases():
    c = curves_table({"a": (100, 100), "b": (100, 200)}, drug="ruxolitinib")
    e = pd.DataFrame({"sample": ["a", "b"], "enhanced_viability": [100.0, 150.0]})
    r = delta_auc_regression(c, e, drug="ruxolitinib")
    assert np.isnan(r.meta["slope"]) and "needs >= 3" in r.meta["message"]
    c3 = curves_table({"a": (100, 100), "b": (100, 200), "c": (100, 150)}, drug="ruxolitinib")
    e3 = pd.DataFrame({"sample": ["a", "b", "c"], "enhanced_viability": 120.0})
    r3 = delta_auc_regression(c3, e3, drug="ruxolitinib")
    assert np.isnan(r3.meta["slope"]) and "same enhanced viability" in r3.meta["message"]
    with pytest.raises(SchemaError, match="enhanced_viability"):
        delta_auc_regression(c3, e3.rename(columns={"enhanced_viability": "x"}), drug="ruxolitinib")


# ------------------------------------------------------------------------------ issue 9
def test_an_infinite_auc_is_flagged_never_called():
    """Issue 9 point 6: an inf AUC without IL7 made the fold 0 -> "not responsive". A non-finite
    (or overflowing) AUC on either side gives NA calls and a message; other pairs are called."""
    t = by_sample(
        stratify_il7(
            curves_table(
                {"inf0": (math.inf, 160), "inf1": (100, math.inf), "huge": (100, 1e300),
                 "ok": (100, 160)}
            ),
            n_boot=0,
        )
    )
    for s in ("inf0", "inf1", "huge"):
        assert pd.isna(t.loc[s, "il7_responsive"]) and pd.isna(t.loc[s, "il7_dependent_resistant"])
        assert "not a finite area" in t.loc[s, "message"], s
        assert not np.isinf(t.loc[s, ["auc_without", "auc_with", "auc_fold"]].astype(float)).any()
    assert "without IL7 is inf" in t.loc["inf0", "message"]
    assert t.loc["ok", "il7_responsive"] and t.loc["ok", "message"] == ""


def test_bootstrap_leaves_out_infinite_wells_and_says_so():
    v = replicate_viability({"A": (50.0, 90.0), "B": (50.0, 90.0)})
    v.loc[(v["sample"] == "A").to_numpy().nonzero()[0][0], "viability"] = math.inf
    curves = trapezoid_auc_per_curve(v[np.isfinite(v["viability"])])
    t = by_sample(stratify_il7(curves, viability=v, n_boot=50))
    assert "1 viability well(s) with a non-finite value left out" in t.loc["A", "message"]
    assert "left out" not in t.loc["B", "message"]
    assert np.isfinite(t.loc["A", "p_il7_responsive"])


def test_infinite_il7_dose_is_a_user_error_naming_the_row():
    with pytest.raises(SchemaError, match="row 2"):
        stratify_il7(curves_table({"A": (100, 160)}).assign(il7=[0, math.inf]))


def test_text_in_auc_max_is_a_user_error_naming_the_row():
    """Found by fuzzing: a text auc_max crashed (exit 1)."""
    bad = curves_table({"A": (100, 160)}, auc_max=400.0).astype({"auc_max": object})
    bad.loc[1, "auc_max"] = "abc"
    with pytest.raises(SchemaError, match=r"row 2 \(sample A\) has auc_max = 'abc'"):
        stratify_il7(bad, n_boot=0)
