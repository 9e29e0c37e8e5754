"""fit_dose_response: hand-worked AUCs, numerical integration, properties, flags and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from screen_data import screen_like

from tallrx.analysis.doseresponse.batch import fit_dose_response
from tallrx.analysis.doseresponse.curves import auc_ll4, ll4
from tallrx.errors import AnalysisError, SchemaError, TallrxError, UnitError
from tallrx.schema import validate

DOSES = [0.01, 0.1, 1.0, 10.0, 100.0]  # uM: 4 logs
FAST = {"deadline": None, "phases": (Phase.explicit, Phase.reuse, Phase.generate)}


def table(curves: dict, *, vehicle=(), reps=1, noise=0.0, seed=0, extra=None) -> pd.DataFrame:
    """A tidy viability table: {drug: responses per dose} for one sample (replicates jittered)."""
    rng = np.random.default_rng(seed)
    rows = []
    for drug, resp in curves.items():
        doses = DOSES if len(resp) == len(DOSES) else list(np.logspace(-2, 2, len(resp)))
        for c, v in zip(doses, resp, strict=True):
            for r in range(reps):
                rows.append(("S1", drug, c, v + noise * rng.normal(), r + 1, "treated"))
    for r, v in enumerate(vehicle):
        rows.append(("S1", "DMSO", 0.0, v, r + 1, "vehicle"))
    df = pd.DataFrame(
        rows, columns=["sample", "drug_a", "conc_a", "viability", "replicate", "role"]
    )
    for k, v in (extra or {}).items():
        df[k] = v
    return df


def curve_table(bottom, top, ic50, hill, *, reps=3, noise=3.0, seed=1, sample="S1"):
    doses = np.logspace(-2, 2, 9)
    rng = np.random.default_rng(seed)
    c = np.repeat(doses, reps)
    v = ll4(c, bottom, top, ic50, hill) + rng.normal(0, noise, c.size)
    return pd.DataFrame({"sample": sample, "drug_a": "pred", "conc_a": c, "viability": v})


# ----------------------------------------------------------------------------- AUC by hand
def test_auc_is_trapezoid_of_replicate_means_hand_worked():
    # replicates (90, 110) average to the hand-worked means 100, 100, 50, 0, 0:
    # trapezoids over 1-log steps: 100 + 75 + 25 + 0 = 200 of a maximum 100 x 4 = 400
    df = pd.concat(
        [table({"pred": [90, 90, 40, -10, -10]}), table({"pred": [110, 110, 60, 10, 10]})]
    )
    row = fit_dose_response(df).table.iloc[0]
    assert row["auc"] == pytest.approx(200.0)
    assert row["auc_max"] == pytest.approx(400.0)
    assert (row["auc_window_low"], row["auc_window_high"]) == pytest.approx((0.01, 100.0))
    assert row["n"] == 10 and row["n_conc"] == 5


def test_auc_window_inside_tested_range_hand_worked():
    # window 10**-1.5 .. 10**0.5: 0.5 x 100 + 75 + 0.5 x (50 + 25) / 2 = 143.75; max 100 x 2
    df = table({"pred": [100, 100, 50, 0, 0]})
    row = fit_dose_response(df, window=(10**-1.5, 10**0.5)).table.iloc[0]
    assert row["auc"] == pytest.approx(143.75)
    assert row["auc_max"] == pytest.approx(200.0)
    assert row["message"] == ""


def test_window_beyond_tested_doses_integrates_the_fitted_curve():
    df = curve_table(5.0, 100.0, 1.0, 1.2)
    base = fit_dose_response(df).table.iloc[0]
    wide = fit_dose_response(df, window=(1e-3, 1e3)).table.iloc[0]

    def f(u):
        return ll4(10**u, wide["bottom"], wide["top"], wide["ic50"], wide["hill"])

    extra = quad(f, -3, -2)[0] + quad(f, 2, 3)[0]
    assert wide["auc"] == pytest.approx(base["auc"] + extra, rel=1e-9)
    assert wide["auc_max"] == pytest.approx(600.0)
    assert "fitted curve is integrated" in wide["message"]


def test_closed_form_auc_fit_matches_numerical_integration():
    rng = np.random.default_rng(4)
    for _ in range(25):
        b, t = rng.uniform(-10, 50), rng.uniform(60, 140)
        ic50, h = 10 ** rng.uniform(-3, 3), rng.uniform(0.2, 6)
        lo, hi = sorted(10 ** rng.uniform(-4, 4, 2))
        num = quad(
            lambda u, b=b, t=t, c=ic50, h=h: ll4(10**u, b, t, c, h),
            np.log10(lo),
            np.log10(hi),
            limit=200,
            epsabs=1e-10,
        )[0]
        assert auc_ll4(lo, hi, b, t, ic50, h) == pytest.approx(num, rel=1e-7, abs=1e-7)


def test_auc_fit_column_is_the_fitted_area():
    df = curve_table(10.0, 95.0, 0.3, 1.5)
    row = fit_dose_response(df).table.iloc[0]
    num = quad(lambda u: ll4(10**u, row["bottom"], row["top"], row["ic50"], row["hill"]), -2, 2)[0]
    assert row["auc_fit"] == pytest.approx(num, rel=1e-8)
    assert row["auc_fit"] == pytest.approx(row["auc"], rel=0.05)  # same curve, two rules
    assert row["emax"] == pytest.approx(
        ll4(100.0, row["bottom"], row["top"], row["ic50"], row["hill"])
    )


# ----------------------------------------------------------------------------- fit columns
def test_ic50_rel_abs_and_extrapolation():
    exact = pd.DataFrame(
        {
            "sample": "S1",
            "drug_a": "pred",
            "conc_a": np.logspace(-2, 2, 9),
            "viability": ll4(np.logspace(-2, 2, 9), 20.0, 100.0, 0.5, 1.0),
        }
    )
    row = fit_dose_response(exact).table.iloc[0]
    assert row["ic50"] == row["ic50_rel"] == pytest.approx(0.5, rel=1e-6)
    # 50 % of vehicle (100, no vehicle wells): 0.5 * ((100 - 50) / (50 - 20)) ** (1 / 1)
    assert row["ic50_abs"] == pytest.approx(0.5 * 50 / 30, rel=1e-6)
    assert not row["ic50_extrapolated"] and row["fit_ok"] and row["r2"] == pytest.approx(1.0)
    shifted = exact.assign(viability=ll4(exact["conc_a"], 20.0, 100.0, 500.0, 1.0))
    row = fit_dose_response(shifted).table.iloc[0]
    assert row["ic50_extrapolated"] and "extrapolated" in row["message"]


def test_vehicle_wells_are_the_top_of_every_drug_and_anchor_top():
    conc = np.logspace(-2, 2, 9)
    rows = [
        pd.DataFrame(
            {
                "sample": "S1",
                "drug_a": d,
                "conc_a": conc,
                "role": "treated",
                "viability": ll4(conc, 0.0, 80.0, ic, 1.0),
            }
        )
        for d, ic in (("a", 0.1), ("b", 3.0))
    ]
    veh = pd.DataFrame(
        {
            "sample": "S1",
            "drug_a": "DMSO",
            "conc_a": 0.0,
            "role": "vehicle",
            "viability": [98.0, 102.0, 100.0],
        }
    )
    df = pd.concat([*rows, veh], ignore_index=True)
    free = fit_dose_response(df).table.set_index("drug_a")
    assert list(free.index) == ["a", "b"] and (free["n"] == 12).all()
    anchored = fit_dose_response(df, anchor_top=True).table.set_index("drug_a")
    assert anchored["top"].tolist() == pytest.approx([100.0, 100.0])
    assert np.isnan(anchored["top_se"]).all()
    assert (free["top"] < 100.0).all()  # the free top balances vehicle and low doses


def test_raw_responses_fit_like_percentages():
    df = curve_table(10.0, 90.0, 0.2, 1.3)
    pct = fit_dose_response(df).table.iloc[0]
    raw = fit_dose_response(
        df.assign(signal=df["viability"] * 1234.5).drop(columns="viability"), response="signal"
    ).table.iloc[0]
    assert raw["ic50"] == pytest.approx(pct["ic50"], rel=1e-6)
    assert raw["top"] == pytest.approx(pct["top"] * 1234.5, rel=1e-6)
    assert raw["auc"] == pytest.approx(pct["auc"] * 1234.5, rel=1e-9)


def test_conditions_and_by_define_the_curves():
    a = curve_table(5, 100, 0.1, 1.0).assign(il7=0)
    b = curve_table(5, 100, 1.0, 1.0, seed=2).assign(il7=25)
    res = fit_dose_response(pd.concat([a, b]))
    t = res.table
    assert list(t["il7"]) == [0, 25] and res.meta["group_keys"] == ["sample", "drug_a", "il7"]
    assert t["ic50"].iloc[1] > 5 * t["ic50"].iloc[0]
    pooled = fit_dose_response(pd.concat([a, b]), by=["sample", "drug_a"]).table
    assert len(pooled) == 1 and pooled["n"].iloc[0] == 54
    validate(t, "curves")
    assert res.kind == "curves" and len(res.meta["input_checksum"]) == 16


def test_excluded_combination_blank_rows_are_skipped_and_input_kept():
    df = curve_table(5, 100, 0.3, 1.0)
    df["exclude"] = False
    df["drug_b"], df["conc_b"] = np.nan, 0.0
    df["role"] = "treated"
    spoiled = df.copy()
    spoiled.loc[0, "exclude"] = True
    spoiled.loc[0, "viability"] = 1e6  # an excluded outlier
    combo = df.iloc[:5].assign(drug_b="rux", conc_b=1.0, viability=-50.0)
    blank = df.iloc[:2].assign(role="blank", viability=-99.0)
    both = pd.concat([spoiled, combo, blank], ignore_index=True)
    before = both.copy()
    res = fit_dose_response(both).table
    assert len(res) == 1 and res["n"].iloc[0] == len(df) - 1
    pd.testing.assert_frame_equal(both, before)
    clean = fit_dose_response(df.drop(index=0)).table
    assert res["ic50"].iloc[0] == pytest.approx(clean["ic50"].iloc[0], rel=1e-9)


def test_chunks_give_the_same_table():
    df = pd.concat(
        [
            curve_table(5, 100, 10**k, 1.0, seed=i, sample=f"S{i}")
            for i, k in enumerate(np.linspace(-2, 2, 12))
        ]
    )
    one = fit_dose_response(df).table
    chunked = fit_dose_response(df, chunk_size=5).table
    pd.testing.assert_frame_equal(one, chunked)


# ----------------------------------------------------------------------------- properties
params = st.tuples(
    st.floats(-1.5, 1.5), st.floats(0.5, 3.0), st.floats(0, 30), st.integers(0, 10**6)
)


@settings(max_examples=15, **FAST)
@given(params, st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_curves(p, rnd):
    lic, hill, bottom, seed = p
    df = pd.concat(
        [
            curve_table(bottom, 100, 10**lic, hill, seed=seed),
            curve_table(bottom, 100, 10 ** (lic / 2), hill, seed=seed + 1, sample="S2"),
        ],
        ignore_index=True,
    )
    order = list(range(len(df)))
    rnd.shuffle(order)
    a = fit_dose_response(df).table
    b = fit_dose_response(df.iloc[order]).table
    same = ["sample", "drug_a", "n", "n_conc", "auc", "auc_max", "auc_window_low", "r2", "flat"]
    pd.testing.assert_frame_equal(a[same], b[same], rtol=1e-9, check_exact=False)
    sharp = a["fit_ok"] & (a["ic50_se"] < 0.5 * a["ic50"])  # well-determined optima are unique
    fitted = ["ic50", "hill", "top", "bottom", "auc_fit", "emax", "message"]
    pd.testing.assert_frame_equal(a.loc[sharp, fitted], b.loc[sharp, fitted], rtol=1e-6)


@settings(max_examples=15, **FAST)
@given(params)
def test_nm_input_with_unit_nm_gives_the_same_um_results(p):
    lic, hill, bottom, seed = p
    df = curve_table(bottom, 100, 10**lic, hill, seed=seed)
    um = fit_dose_response(df, window=(0.05, 50)).table.iloc[0]
    nm = fit_dose_response(
        df.assign(conc_a=df["conc_a"] * 1000), unit="nM", window=(50, 50_000)
    ).table.iloc[0]
    for col in ("auc", "auc_max", "auc_window_low", "auc_window_high", "n", "flat"):
        assert nm[col] == pytest.approx(um[col], rel=1e-9), col
    if um["fit_ok"] and um["ic50_se"] < 0.5 * um["ic50"]:  # a well-determined optimum
        for col in ("ic50", "ic50_abs", "top", "bottom", "hill", "auc_fit"):
            assert nm[col] == pytest.approx(um[col], rel=1e-5, nan_ok=True), col


@settings(max_examples=20, **FAST)
@given(st.floats(-1.0, 1.0), st.floats(0.2, 1.5), st.floats(0.5, 3.0))
def test_a_left_shifted_curve_has_a_lower_auc(lic, shift, hill):
    conc = np.logspace(-2, 2, 9)
    right = pd.DataFrame(
        {
            "sample": "R",
            "drug_a": "d",
            "conc_a": conc,
            "viability": ll4(conc, 0.0, 100.0, 10**lic, hill),
        }
    )
    left = right.assign(sample="L", viability=ll4(conc, 0.0, 100.0, 10 ** (lic - shift), hill))
    t = fit_dose_response(pd.concat([left, right])).table.set_index("sample")
    assert t.loc["L", "auc"] < t.loc["R", "auc"]
    assert t.loc["L", "auc_fit"] < t.loc["R", "auc_fit"]


# ----------------------------------------------------------------------------- degenerate data
def test_degenerate_curves_are_flagged_rows_not_errors():
    conc = np.logspace(-2, 2, 9)
    rng = np.random.default_rng(0)
    parts = {
        "one_dose": pd.DataFrame({"conc_a": [1.0] * 3, "viability": [50.0, 52.0, 48.0]}),
        "all_nan": pd.DataFrame({"conc_a": conc, "viability": np.nan}),
        "flat": pd.DataFrame({"conc_a": conc, "viability": 100 + rng.normal(0, 3, 9)}),
        "dead": pd.DataFrame({"conc_a": conc, "viability": np.abs(rng.normal(0, 1, 9))}),
        "constant": pd.DataFrame({"conc_a": conc, "viability": 70.0}),
        "three_doses": pd.DataFrame({"conc_a": [0.1, 1.0, 10.0], "viability": [90.0, 50, 10]}),
        "good": pd.DataFrame({"conc_a": conc, "viability": ll4(conc, 0, 100, 1.0, 1.0)}),
    }
    df = pd.concat([p.assign(sample=k, drug_a="d") for k, p in parts.items()], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = fit_dose_response(df).table.set_index("sample")
    bad = ["one_dose", "all_nan", "flat", "dead", "constant", "three_doses"]
    assert not t.loc[bad, "fit_ok"].any()
    assert "too few distinct concentrations" in t.loc["three_doses", "message"]
    assert t.loc["three_doses", "auc"] == pytest.approx(100.0)  # (90+50)/2 + (50+10)/2
    assert t.loc["good", "fit_ok"] and t.loc["good", "message"] == ""
    assert "only one tested concentration" in t.loc["one_dose", "message"]
    assert "no usable points" in t.loc["all_nan", "message"] and t.loc["all_nan", "n"] == 0
    assert t.loc["flat", "flat"] and np.isnan(t.loc["flat", "ic50"])
    assert "flat curve" in t.loc["flat", "message"]
    assert t.loc["flat", "auc"] == pytest.approx(400, rel=0.05)  # the AUC stays meaningful
    assert "all dead" in t.loc["dead", "message"]
    assert t.loc["constant", "flat"] and "does not vary" in t.loc["constant", "message"]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "change,error,text",
    [
        (
            lambda d: d.rename(columns={"viability": "viabilty"}),
            SchemaError,
            "missing column(s) viability (has: sample, drug_a, conc_a, viabilty). Did you mean 'viabilty'?",
        ),
        (lambda d: d.drop(columns="sample"), SchemaError, "missing column(s) sample"),
        (
            lambda d: d.assign(conc_a=d["conc_a"].astype(object).where(d.index != 3, "ten")),
            SchemaError,
            "row 4: column 'conc_a' holds 'ten'",
        ),
        (
            lambda d: d.assign(conc_a=d["conc_a"].where(d.index != 2, -1.0)),
            SchemaError,
            "row 3 has conc_a -1.0",
        ),
        (
            lambda d: d.assign(viability=d["viability"].astype(object).where(d.index != 0, "n/a ")),
            SchemaError,
            "holds 'n/a '",
        ),
        (lambda d: d.iloc[:0], AnalysisError, "no rows"),
        (lambda d: d.assign(role="treatd"), SchemaError, "Did you mean 'treated'"),
    ],
)
def test_bad_input_is_a_clear_user_error(change, error, text):
    df = curve_table(5, 100, 1.0, 1.0)
    with pytest.raises(error) as info:
        fit_dose_response(change(df), where="plate1.csv")
    assert text in str(info.value) and issubclass(error, TallrxError)


def test_bad_units_and_windows():
    df = curve_table(5, 100, 1.0, 1.0)
    with pytest.raises(UnitError, match="unknown concentration unit"):
        fit_dose_response(df, unit="furlong")
    with pytest.raises(AnalysisError, match="0 < low < high"):
        fit_dose_response(df, window=(10, 1))
    with pytest.raises(UnitError, match="plate9.csv: no molecular weight known for drug 'pred'"):
        fit_dose_response(df, unit="ug/ml", where="plate9.csv")  # 'pred' is not a known drug
    mass = fit_dose_response(df.assign(drug_a="prednisolone"), unit="ug/ml").table.iloc[0]
    molar = fit_dose_response(df.assign(drug_a="prednisolone")).table.iloc[0]
    assert mass["ic50"] == pytest.approx(molar["ic50"] / 360.44 * 1e3, rel=1e-6)


# ----------------------------------------------------------------------------- issue 9
def ccle_like(n, seed=0):
    """The CCLE-like screen of screen_data.screen_like as a tidy table (no missing wells)."""
    x, y = screen_like(np.random.default_rng(seed), n, holes=0.0)
    return pd.DataFrame({"sample": np.repeat([f"c{i:04d}" for i in range(n)], x.shape[1]),
                         "drug_a": "d", "conc_a": x.ravel(), "viability": y.ravel()})


def test_realistic_screen_plateaus_in_bounds_and_fitted_auc_tracks_the_trapezoid():
    """Issue 9 point 2: on CCLE, plateaus of -2.7e21 and r(auc_fit, published area) = -0.002.
    Target (invariants, not our own numbers): every plateau inside the documented box
    [-50, 200] % (widened to a curve's own data), r(auc_fit, auc) >= 0.99, bound hits flagged."""
    df = ccle_like(1500)
    res = fit_dose_response(df)
    t = res.table
    lo = np.minimum(-50.0, df.groupby("sample")["viability"].min()).to_numpy()
    hi = np.maximum(200.0, df.groupby("sample")["viability"].max()).to_numpy()
    for col in ("top", "bottom"):
        v = t[col].to_numpy()
        assert np.isfinite(v).all()
        assert np.all((v >= lo - 1e-9) & (v <= hi + 1e-9)), col
    assert np.corrcoef(t["auc"], t["auc_fit"])[0, 1] >= 0.99
    assert t["flat"].mean() > 0.3
    hit = t["at_bound"]
    assert hit.any() and t.loc[hit, "message"].str.contains("at its bound").all()
    assert not t.loc[~hit, "message"].str.contains("at its bound").any()
    assert "plateau" in res.meta["bounds"] and res.meta["n_at_bound"] == int(hit.sum())


def test_a_flat_curve_is_the_constant_model():
    """Hand-worked: responses 98, 102, 100, 97, 103 at 5 doses over 4 logs -> mean 100, the
    constant model's area over the 4-log window is 100 x 4 = 400; no ic50, no hill."""
    df = table({"d": [98.0, 102.0, 100.0, 97.0, 103.0]})
    row = fit_dose_response(df).table.iloc[0]
    assert row["flat"] and not row["fit_ok"]
    assert row["top"] == pytest.approx(100.0) and row["bottom"] == pytest.approx(100.0)
    assert row["emax"] == pytest.approx(100.0)
    assert row["auc_fit"] == pytest.approx(400.0)
    assert np.isnan(row["ic50"]) and np.isnan(row["hill"]) and np.isnan(row["top_se"])


def test_plateau_bounds_option_and_bad_values():
    df = curve_table(-200.0, 100.0, 300.0, 1.0, noise=1.0)  # a partial curve heading far down
    t = fit_dose_response(df, plateau_bounds=(0.0, 150.0)).table.iloc[0]
    assert t["bottom"] == pytest.approx(0.0, abs=1e-6) and t["at_bound"]
    assert "bottom at its bound" in t["message"]
    with pytest.raises(AnalysisError, match="low < high"):
        fit_dose_response(df, plateau_bounds=(10.0, -10.0))
    raw = fit_dose_response(df.assign(signal=df["viability"] * 1e3), response="signal")
    assert "min - R, max + R" in raw.meta["bounds"]["plateau"]


def test_non_finite_values_become_flagged_rows_never_inf():
    """Issue 9 point 6: inf / 1e400 / missing concentrations and inf responses are left out of
    their curve, which says so (with the first row); nothing infinite is reported and the AUC
    window stays the tested range of the finite doses."""
    base = pd.concat(
        [curve_table(5, 100, 1.0, 1.0, sample=s, seed=k) for k, s in enumerate("ABCDE")],
        ignore_index=True,
    )
    bad = base.copy()
    bad.loc[3, "conc_a"] = np.inf  # sample A: row 4
    bad.loc[30, "conc_a"] = float("1e400")  # sample B (parses as inf)
    bad.loc[60, "conc_a"] = np.nan  # sample C: missing
    bad.loc[90, "viability"] = np.inf  # sample D
    bad.loc[91, "viability"] = 1e308  # sample D: an overflow, not a measurement
    t = fit_dose_response(bad).table.set_index("sample")
    numeric = t.select_dtypes("number")
    assert not np.isinf(numeric.to_numpy()).any()
    assert "1 row(s) with a missing, non-finite" in t.loc["A", "message"]
    assert "(first: row 4)" in t.loc["A", "message"]
    assert "(first: row 61)" in t.loc["C", "message"]
    assert "2 row(s) with an infinite or > 1e+100 response left out (first: row 91)" in (
        t.loc["D", "message"]
    )
    assert t.loc["E", "message"] == "" and t.loc["E", "fit_ok"]
    np.testing.assert_allclose(t["auc_window_high"], 100.0)
    assert (t.loc[["A", "B", "C"], "n"] == 26).all() and t.loc["D", "n"] == 25
    # the other curves are untouched by the bad rows
    clean = fit_dose_response(base).table.set_index("sample")
    assert t.loc["E", "auc"] == clean.loc["E", "auc"]


def test_flat_curve_f_test_matches_scipy_f_distribution():
    """The F-test's p-value (tallrx's own incomplete beta, so `tallrx fit` needs no SciPy import)
    equals scipy.stats.f.sf to 1e-10 over the degrees of freedom a curve can have."""
    from scipy import stats

    from tallrx.analysis.doseresponse.curve_table import f_sf

    rng = np.random.default_rng(0)
    x = np.concatenate([10 ** rng.uniform(-6, 6, 5000), [0.0, np.inf, 1e-300, 1e300]])
    d1 = rng.choice([1.0, 2.0, 3.0], x.size)
    d2 = rng.integers(1, 300, x.size).astype(float)
    np.testing.assert_allclose(f_sf(x, d1, d2), stats.f.sf(x, d1, d2), rtol=1e-10, atol=1e-300)
    assert np.isnan(f_sf(np.nan, 3.0, 5.0))
    # each value's continued fraction stops at its own convergence: a p-value is the same number
    # alone and among others (a NaN neighbour once ran every value to the 300-term limit)
    batch = f_sf(np.append(x[:50], np.nan), np.append(d1[:50], 3.0), np.append(d2[:50], 9.0))
    alone = [f_sf(x[i], d1[i], d2[i]) for i in range(50)]
    np.testing.assert_array_equal(batch[:50], np.array(alone, dtype=float))
