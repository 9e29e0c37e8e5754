"""The interval of the window-mean CI (tallrx.analysis.synergy.interval).

Reference values come from outside the code: the noise-free plate's own window-mean CI (the
estimand, scored on the noise-free surface), the binomial spread of a 95 % coverage, and numpy's
nanquantile.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tallrx.analysis.synergy import score_synergy, simulate_table
from tallrx.analysis.synergy.calibration import block_generators
from tallrx.analysis.synergy.design import classify
from tallrx.analysis.synergy.engine import score_batch
from tallrx.analysis.synergy.interval import _nan_quantiles, bootstrap_ci_mean, delta_ci_mean
from tallrx.analysis.synergy.simulate import (
    BENCH_A,
    BENCH_B,
    matrix_doses,
    simulate_plates,
    simulate_surface,
)

N_PLATES = 400
# a 95 % coverage over 400 independent plates has a binomial SD of 1.1 points: 3.5 points is 3 SD
TOLERANCE = 0.035


def _plates(model: str, kappa: float, sd: float, n: int, seed: int = 5):
    d1, d2 = matrix_doses(BENCH_A, BENCH_B, 2)
    des = classify(d1, d2)
    mu = simulate_surface(d1, d2, BENCH_A, BENCH_B, model=model, kappa=kappa)
    truth = score_batch(des, mu[None], ("ci",)).per_group["ci_mean"][0, 0]
    V = simulate_plates(mu, sd, n, np.random.default_rng(seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sc = score_batch(des, V, ("ci", "loewe"))  # loewe: the single-agent curves (noise SD)
    return des, V, sc, truth


@pytest.mark.parametrize(("model", "kappa"), [("sensitize", 1.0), ("bliss", 0.0)])
def test_delta_interval_covers_the_noise_free_window_mean_95_percent(model, kappa):
    """Nominal 95 %: the interval holds the noise-free plate's window-mean CI in 95 % +- 3.5
    points of 400 simulated duplicate 8 x 8 plates (noise sd 3 %)."""
    des, V, sc, truth = _plates(model, kappa, 3.0, N_PLATES)
    lo, hi = delta_ci_mean(des, V, sc)
    covered = (lo[:, 0] <= truth) & (truth <= hi[:, 0])
    assert abs(covered.mean() - 0.95) <= TOLERANCE, covered.mean()
    assert (lo[:, 0] <= sc.per_group["ci_mean"][:, 0]).all()
    assert (sc.per_group["ci_mean"][:, 0] <= hi[:, 0]).all()


def test_bootstrap_interval_covers_the_noise_free_window_mean():
    """The parametric bootstrap over-covers slightly (97-98 % measured); 200 plates: within
    [91.5 %, 99.5 %]."""
    des, V, sc, truth = _plates("sensitize", 1.0, 3.0, 200, seed=6)
    lo, hi = bootstrap_ci_mean(des, V, sc, 200, block_generators(1, [str(i) for i in range(200)]))
    covered = ((lo[:, 0] <= truth) & (truth <= hi[:, 0])).mean()
    assert 0.915 <= covered <= 0.995, covered


def test_wider_noise_gives_a_wider_interval():
    widths = []
    for sd in (2.0, 6.0):
        des, V, sc, _ = _plates("sensitize", 1.0, sd, 100, seed=7)
        lo, hi = delta_ci_mean(des, V, sc)
        widths.append(np.median(np.log(hi / lo)))
    assert widths[1] > 2 * widths[0]


@pytest.mark.parametrize("ci_dx", ["median"])
def test_fast_bootstrap_equals_rescoring_full_plates(ci_dx):
    """The sufficient-statistic path and the full scoring pipeline, fed the same draws, give the
    same interval."""
    des, V, sc, _ = _plates("sensitize", 1.0, 4.0, 12, seed=8)
    labels = [f"b{i}" for i in range(12)]
    fast = bootstrap_ci_mean(des, V, sc, 60, block_generators(3, labels), ci_dx=ci_dx)
    full = bootstrap_ci_mean(
        des, V, sc, 60, block_generators(3, labels), ci_dx=ci_dx, full_pipeline=True
    )
    np.testing.assert_allclose(fast, full, rtol=1e-9)


def test_quantiles_match_numpy():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(7, 31, 2))
    a[rng.random(a.shape) < 0.3] = np.nan
    a[0, :, 0] = np.nan
    got = _nan_quantiles(a, (0.025, 0.5, 0.975))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = [np.nanquantile(a, q, axis=1) for q in (0.025, 0.5, 0.975)]
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_interval_choice_through_score_synergy():
    t = simulate_table(3, a=BENCH_A, b=BENCH_B, model="sensitize", seed=2)
    delta = score_synergy(t, methods="ci", n_null=0, seed=2)
    boot = score_synergy(t, methods="ci", n_null=0, seed=2, interval="bootstrap")
    none = score_synergy(t, methods="ci", n_null=0, n_boot=0).table
    for res in (delta, boot):
        tab = res.table
        assert ((tab.ci_low <= tab.ci_mean) & (tab.ci_mean <= tab.ci_high)).all()
    assert delta.meta["interval"].startswith("delta")
    assert boot.meta["interval"].startswith("parametric bootstrap, 200")
    assert none.ci_low.isna().all()
    # the two methods estimate the same interval: their log-widths agree within a factor of 2
    ratio = np.log(delta.table.ci_high / delta.table.ci_low) / np.log(
        boot.table.ci_high / boot.table.ci_low
    )
    assert ((ratio > 0.5) & (ratio < 2)).all(), ratio.tolist()
