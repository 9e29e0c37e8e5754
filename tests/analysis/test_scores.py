"""DSS, selective DSS and cohort z-scores against their definitions (Yadav et al. 2014; DSS-v2.0).

Oracles: numerical quadrature of the inhibition curve above the threshold (scipy.integrate.quad),
hand-worked selective scores, and invariants of the definition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from tallrx.analysis.doseresponse.scores import (
    NO_CONTROLS,
    cohort_auc_z,
    dss,
    fit_dss,
    selective_dss,
)


def _inhibition(x_log, top, ic50, hill):
    return top / (1.0 + 10.0 ** (hill * (np.log10(ic50) - x_log)))


def _dss_by_quadrature(ic50, hill, top, xmin, xmax, t=10.0):
    """DSS1-3 from the definition: area of (f - t) where f > t, by adaptive quadrature."""
    lo, hi = np.log10(xmin), np.log10(xmax)
    if top <= t:
        return 0.0, 0.0, 0.0
    # x1: where f crosses t (f rises with x; root-found), kept inside the tested range
    g = lambda x: _inhibition(x, top, ic50, hill) - t  # noqa: E731
    x1 = lo if g(lo) >= 0 else hi if g(hi) <= 0 else brentq(g, lo, hi, xtol=1e-14)
    area, _ = quad(lambda x: _inhibition(x, top, ic50, hill) - t, x1, hi, limit=200, epsabs=1e-12)
    dss1 = 100.0 * area / ((hi - lo) * (100.0 - t))
    return dss1, dss1 / np.log10(top), dss1 * 2.0 / np.log10(top) * (hi - x1) / (hi - lo)


@pytest.mark.parametrize("seed", range(4))
def test_closed_form_matches_quadrature(seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        xmin = 10 ** rng.uniform(-4, -2)
        xmax = xmin * 10 ** rng.uniform(1, 5)
        ic50 = 10 ** rng.uniform(np.log10(xmin) - 1, np.log10(xmax) + 1)
        hill, top = rng.uniform(0.1, 3.0), rng.uniform(5, 100)
        t = rng.choice([5.0, 10.0, 20.0])
        got = dss(ic50, hill, top, xmin, xmax, threshold=t)
        want = _dss_by_quadrature(ic50, hill, top, xmin, xmax, t)
        np.testing.assert_allclose([float(g) for g in got], want, rtol=1e-6, atol=1e-7)


def test_invariants_of_the_definition():
    base = dict(hill=1.2, top=80.0, xmin=0.001, xmax=10.0)
    # unit-free: the same curve in nM gives the same scores
    np.testing.assert_allclose(dss(0.1, **base), dss(100.0, base["hill"], base["top"], 1.0, 1e4))
    # below the activity threshold: 0, never an error
    assert [float(v) for v in dss(0.1, 1.0, 9.9, 0.001, 10.0)] == [0.0, 0.0, 0.0]
    # more potent (curve shifted left) scores higher, for every DSS type
    weak, strong = dss(1.0, **base), dss(0.01, **base)
    assert all(float(s) > float(w) for s, w in zip(strong, weak, strict=True))
    # a higher top scores higher
    assert float(dss(0.1, 1.2, 90.0, 0.001, 10.0)[1]) > float(dss(0.1, 1.2, 60.0, 0.001, 10.0)[1])
    # DSS2 of a full response cannot pass 50; a missing parameter is NaN, not 0
    assert float(dss(1e-9, 2.5, 100.0, 0.001, 10.0)[1]) <= 50.0
    assert np.isnan(dss(np.nan, 1.0, 50.0, 0.001, 10.0)[0])
    with pytest.raises(ValueError, match="threshold"):
        dss(1.0, 1.0, 50.0, 0.01, 10.0, threshold=0.0)


def test_constrained_fit_recovers_the_generating_curve():
    conc = np.array([0.0, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0])
    truth = [(0.5, 1.0, 85.0), (5.0, 2.0, 60.0), (0.02, 0.7, 95.0)]
    viab = np.array([100.0 - _inhibition(np.log10(np.where(conc > 0, conc, 1e-30)), top, ic50, h)
                     for ic50, h, top in truth])
    out = fit_dss(conc, viab)
    for i, (ic50, h, top) in enumerate(truth):
        want = dss(ic50, h, top, 0.001, 100.0)
        np.testing.assert_allclose([out[k][i] for k in ("dss1", "dss2", "dss3")],
                                   [float(w) for w in want], rtol=1e-4)
        assert out["dss_top"][i] == pytest.approx(top, rel=1e-4)


def test_inactive_flat_and_empty_curves():
    conc = np.array([0.01, 0.1, 1.0, 10.0])
    viab = np.array([
        [101.0, 99.0, 100.5, 98.0],   # inactive: never 10 % inhibition
        [95.0, 96.0, 95.5, 94.5],     # flat, below threshold
        [np.nan] * 4,                 # no data
        [50.0, np.nan, np.nan, np.nan],  # one dose: no range
    ])
    out = fit_dss(conc, viab)
    assert out["dss2"][0] == 0.0 and out["dss2"][1] == 0.0
    assert np.isnan(out["dss2"][2]) and np.isnan(out["dss2"][3])


def test_selective_scores_and_missing_controls():
    curves = pd.DataFrame({"drug_a": ["Dasatinib", "novel"], "dss2": [30.0, 5.0],
                           "message": ["", "flat"]})
    controls = pd.DataFrame({"drug": ["dasatinib"] * 4, "donor": list("abcd"),
                             "dss": [2.0, 4.0, 6.0, 20.0]})
    out = selective_dss(curves, controls)
    # mean 8, sd = sqrt(((6^2+4^2+2^2+12^2)/3)) = sqrt(200/3); median 5, |dev| 3,1,1,15 -> mad 2
    assert out.loc[0, "sdss"] == pytest.approx(22.0)
    assert out.loc[0, "zdss"] == pytest.approx(22.0 / (np.sqrt(200 / 3) + 1))
    assert out.loc[0, "rdss"] == pytest.approx(25.0 / 3.0)
    assert out.loc[0, "n_controls"] == 4
    assert np.isnan(out.loc[1, "sdss"]) and out.loc[1, "message"] == "flat; " + NO_CONTROLS


def test_cohort_z_per_drug_and_condition():
    t = pd.DataFrame({"drug_a": ["p"] * 4 + ["q"], "il7": [0, 0, 25, 25, 0],
                      "auc": [10.0, 1000.0, 50.0, 0.0, 80.0]})
    z = cohort_auc_z(t, ["drug_a", "il7"])
    assert z.iloc[0] == pytest.approx(-1 / np.sqrt(2)) and z.iloc[1] == pytest.approx(1 / np.sqrt(2))
    assert z.iloc[2:].isna().all()  # one valid AUC per group (AUC 0 has no log), a lone curve


def test_dss_grid_shared_by_all_curves_gives_the_same_numbers():
    """The DSS's coarse grid is the same for every curve of one plate layout, so its sigmoid is
    computed once (a speed-up); with one curve's grid moved every curve takes its own path. The
    grid optimum of the other curves must not change by a bit."""
    from tallrx.analysis.doseresponse.curves import ll4
    from tallrx.analysis.doseresponse.scores import _grid_search

    rng = np.random.default_rng(4)
    n, x = 40, np.repeat(np.logspace(-2, 2, 9), 3)
    y = ll4(x[None], rng.uniform(0, 60, n)[:, None], 100.0, 10 ** rng.uniform(-3, 3, n)[:, None],
            rng.lognormal(0.0, 0.5, n)[:, None]) + rng.normal(0.0, 5.0, (n, x.size))
    xs = np.broadcast_to(x, y.shape)
    cg = np.broadcast_to(np.linspace(-2.0, 2.0, 15), (n, 15))
    hg = np.broadcast_to(np.linspace(np.log(0.1), np.log(2.5), 8), (n, 8))
    moved = hg.copy()
    moved[-1] += 0.01
    a, b = _grid_search(xs, y, cg, hg), _grid_search(xs, y, cg, moved)
    alone = _grid_search(xs[-1:], y[-1:], cg[-1:], moved[-1:])  # the moved curve is not shared
    for k in ("c", "h", "top", "sse"):
        np.testing.assert_array_equal(a[k][:-1], b[k][:-1], err_msg=k)
        np.testing.assert_array_equal(b[k][-1:], alone[k], err_msg=k)
