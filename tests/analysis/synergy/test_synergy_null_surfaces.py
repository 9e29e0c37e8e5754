"""Null surfaces and hand-worked Chou-Talalay numbers (references from outside tallrx's code).

* sham combination (a drug combined with itself, V = f(d1 + d2)): CI = 1 and Loewe = 0 by definition;
* Bliss-independent surface (V = V1 V2 / 100): Bliss = 0 and ZIP = 0 by definition;
* median-effect example worked by hand in the docstring of each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.doseresponse.curves import ll4
from tallrx.analysis.synergy import score_synergy
from tallrx.analysis.synergy.chou_talalay import combination_index, median_effect_fit


def _grid(doses_a, doses_b, reps=1):
    a = np.concatenate([[0.0], doses_a])
    b = np.concatenate([[0.0], doses_b])
    g1, g2 = np.meshgrid(a, b, indexing="ij")
    return np.tile(g1.ravel(), reps), np.tile(g2.ravel(), reps)


def _table(d1, d2, v, **extra):
    return pd.DataFrame(
        {
            "sample": "s",
            "drug_a": "A",
            "conc_a": d1,
            "drug_b": "B",
            "conc_b": d2,
            "viability": v,
            **extra,
        }
    )


def _score(t, **kw):
    kw = {"n_null": 0, "n_boot": 0, **kw}
    return score_synergy(t, **kw)


def test_sham_median_effect_drug_gives_ci_one_and_loewe_zero():
    """Median-effect drug (Dm = 2 uM, m = 1.3; 4PL with top 100, bottom 0) combined with itself."""
    doses = np.geomspace(0.1, 30, 7)
    d1, d2 = _grid(doses, doses)
    v = ll4(d1 + d2, 0.0, 100.0, 2.0, 1.3)
    res = _score(_table(d1, d2, v))
    surf = res.extra["surface"]
    combo = surf[(surf.conc_a > 0) & (surf.conc_b > 0)]
    np.testing.assert_allclose(combo["ci"], 1.0, atol=1e-6)
    np.testing.assert_allclose(combo["loewe"], 0.0, atol=1e-3)
    row = res.table.iloc[0]
    assert row.ci_mean == pytest.approx(1.0, abs=1e-6)
    assert row.loewe == pytest.approx(0.0, abs=1e-3)
    me = res.extra["median_effect"].set_index("series")
    assert me.loc["A", "m"] == pytest.approx(1.3, rel=1e-6)
    assert me.loc["A", "dm"] == pytest.approx(2.0, rel=1e-6)


def test_sham_partial_drug_loewe_zero_and_4pl_ci_one():
    """A partial drug (kills at most 60 %): Loewe on 4PL fits is still 0 and the 4PL-Dx CI is 1,
    while the median-effect CI is not (the median-effect model cannot describe a plateau)."""
    doses = np.geomspace(0.1, 30, 7)
    d1, d2 = _grid(doses, doses)
    v = ll4(d1 + d2, 40.0, 100.0, 2.0, 1.3)
    res = _score(_table(d1, d2, v), ci_dx="ll4")
    surf = res.extra["surface"]
    combo = surf[(surf.conc_a > 0) & (surf.conc_b > 0)]
    np.testing.assert_allclose(combo["loewe"], 0.0, atol=1e-3)
    np.testing.assert_allclose(combo["ci"], 1.0, atol=1e-4)
    naive = _score(_table(d1, d2, v), methods="ci")
    assert abs(naive.table.ci_mean.iloc[0] - 1.0) > 0.05


def test_bliss_independent_surface_gives_bliss_and_zip_zero():
    da, db = np.geomspace(0.03, 30, 7), np.geomspace(0.01, 10, 7)
    d1, d2 = _grid(da, db, reps=2)
    v = ll4(d1, 20.0, 100.0, 1.0, 1.0) * ll4(d2, 50.0, 100.0, 0.3, 2.0) / 100.0
    res = _score(_table(d1, d2, v, replicate=np.repeat([1, 2], len(d1) // 2)))
    surf = res.extra["surface"]
    np.testing.assert_allclose(surf["bliss"], 0.0, atol=1e-9)
    np.testing.assert_allclose(surf["zip"], 0.0, atol=1e-3)
    assert res.table.bliss.iloc[0] == pytest.approx(0.0, abs=1e-9)
    assert res.table.hsa.iloc[0] > 0  # HSA is a weaker reference than Bliss


def test_hand_worked_combination_index():
    """Drug 1: Dm = 10 uM, m = 1; drug 2: Dm = 20 uM, m = 2.
    (2.5 + 5) uM at fa = 0.5: Dx1 = 10, Dx2 = 20 -> CI = 0.25 + 0.25 = 0.5.
    (5 + 5) uM at fa = 0.8: Dx1 = 10 * 4 = 40, Dx2 = 20 * 2 = 40 -> CI = 0.125 + 0.125 = 0.25."""
    ci = combination_index(
        np.array([2.5, 5.0]), np.array([5.0, 5.0]), np.array([0.5, 0.8]), 10.0, 1.0, 20.0, 2.0
    )
    np.testing.assert_allclose(ci, [0.5, 0.25])


def test_constant_ratio_series_with_known_ci():
    """Drug 1 Dm = 10, drug 2 Dm = 20 (m = 1 both); mixture d2/d1 = 2 (p1 = 1/3, p2 = 2/3).
    An additive mixture has Dm_mix = 1 / (p1/Dm1 + p2/Dm2) = 1 / (1/30 + 1/30) = 15 uM; a mixture
    with Dm_mix = 7.5 uM (and m = 1) therefore has CI = 7.5 / 15 = 0.5 at every effect level."""
    single = np.geomspace(0.5, 200, 8)
    total = np.geomspace(0.5, 100, 8)
    d1 = np.concatenate([[0.0], single, np.zeros(8), total / 3])
    d2 = np.concatenate([[0.0], np.zeros(8), single, 2 * total / 3])
    fa = np.concatenate(
        [[0.0], 1 / (1 + 10 / single), 1 / (1 + 20 / single), 1 / (1 + 7.5 / total)]
    )
    res = _score(_table(d1, d2, 100 * (1 - fa)))
    row = res.table.iloc[0]
    assert row.design == "constant_ratio" and row.ratio == pytest.approx(2.0)
    for col in ("ci_mean", "ci_gmean", "ci_median", "ci_ed50", "ci_ed75", "ci_ed90", "ci_ed95"):
        assert row[col] == pytest.approx(0.5, rel=1e-6), col
    me = res.extra["median_effect"]
    mix = me[me.kind == "mixture"].iloc[0]
    assert mix.dm == pytest.approx(7.5, rel=1e-6) and mix.m == pytest.approx(1.0, rel=1e-6)


def test_median_effect_fit_is_the_linear_regression():
    """Against numpy's polyfit of log(fa/fu) on log(D) (an independent least-squares routine)."""
    rng = np.random.default_rng(3)
    d = np.geomspace(0.1, 10, 6)
    fa = np.clip(1 / (1 + (1.0 / d) ** 1.4) + rng.normal(0, 0.03, (5, 6)), 0.01, 0.99)
    fit = median_effect_fit(d[None, :], fa)
    for i in range(5):
        slope, icpt = np.polyfit(np.log(d), np.log(fa[i] / (1 - fa[i])), 1)
        assert fit.m[i] == pytest.approx(slope, rel=1e-10)
        assert fit.dm[i] == pytest.approx(np.exp(-icpt / slope), rel=1e-10)
        r = np.corrcoef(np.log(d), np.log(fa[i] / (1 - fa[i])))[0, 1]
        assert fit.r[i] == pytest.approx(r, rel=1e-10)


def test_two_constant_ratio_rays_give_two_rows():
    """Rays d2/d1 = 1 and 4 of an additive pair of median-effect drugs (Dm 2 and 8 uM, m = 1):
    an additive mixture has Dm_mix = 1 / (p1/Dm1 + p2/Dm2), so CI = 1 on both rays."""
    single = np.geomspace(0.2, 100, 7)
    total = np.geomspace(0.5, 50, 6)
    d1, d2, fa = [0.0], [0.0], [0.0]
    for dm, is_a in ((2.0, True), (8.0, False)):
        d1 += list(single if is_a else np.zeros(7))
        d2 += list(np.zeros(7) if is_a else single)
        fa += list(1 / (1 + dm / single))
    for ratio in (1.0, 4.0):
        p1 = 1 / (1 + ratio)
        dm_mix = 1 / (p1 / 2.0 + (1 - p1) / 8.0)
        d1 += list(total * p1)
        d2 += list(total * (1 - p1))
        fa += list(1 / (1 + dm_mix / total))
    res = _score(_table(np.array(d1), np.array(d2), 100 * (1 - np.array(fa))))
    assert len(res.table) == 2 and sorted(res.table.ratio.round(6)) == [1.0, 4.0]
    np.testing.assert_allclose(res.table.ci_mean, 1.0, atol=1e-6)
    np.testing.assert_allclose(res.table.ci_ed90, 1.0, atol=1e-6)


def test_auto_dx_switches_to_4pl_for_a_drug_below_50_percent_effect():
    doses = np.geomspace(0.1, 30, 7)
    d1, d2 = _grid(doses, doses)
    v = ll4(d1, 75.0, 100.0, 2.0, 1.0) * ll4(d2, 10.0, 100.0, 1.0, 1.2) / 100
    res = _score(_table(d1, d2, v), ci_dx="auto")
    assert "CI uses the 4PL Dx for A" in res.table.message.iloc[0]
    assert "4PL Dx for B" not in res.table.message.iloc[0]
    assert res.meta["ci_dx"] == "auto"
