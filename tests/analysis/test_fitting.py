"""The batched LL.4 fitter against references from outside tallrx.

* drc's published LL.4 fit of the ryegrass data (tests/data/drc_ryegrass/README.md);
* per-curve scipy.optimize.least_squares (tests/analysis/ll4_oracle.py) on random curves;
* invariances any least-squares fit must have (point order, batch composition, response scale,
  concentration unit) and replicate weights = repeated points;
* degenerate input never raises and comes back NaN + converged False.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from ll4_oracle import HILL_STARTS, scipy_fit_one
from screen_data import screen_like

from tallrx.analysis.doseresponse.curves import ll4
from tallrx.analysis.doseresponse.fitting import LL4Fit, fit_ll4
from tallrx.errors import AnalysisError

RYEGRASS = Path(__file__).resolve().parents[1] / "data" / "drc_ryegrass" / "ryegrass.csv"
DOSES = np.logspace(-2, 2, 9)  # uM, 4 logs


def random_curves(rng, n, reps=3, noise=(2.0, 15.0)):
    """Synthetic screens: 9 doses x ``reps`` replicates, ic50 anywhere from 1e-3 to 1e3 uM."""
    x = np.repeat(DOSES, reps)
    ic50 = 10 ** rng.uniform(-3, 3, n)
    hill = rng.lognormal(0.0, 0.6, n)
    top = rng.normal(100, 10, n)
    bottom = rng.uniform(-5, 60, n)
    sd = rng.uniform(*noise, n)
    y = ll4(x[None], bottom[:, None], top[:, None], ic50[:, None], hill[:, None])
    return x, y + rng.normal(0.0, 1.0, y.shape) * sd[:, None]


# ----------------------------------------------------------------------------- drc reference
def test_ryegrass_matches_published_drc_fit():
    data = pd.read_csv(RYEGRASS)
    fit = fit_ll4(data["conc"].to_numpy()[None], data["rootl"].to_numpy()[None])
    # drc: b = 2.98222 (0.46506), c = 0.48141 (0.21219), d = 7.79296 (0.18857),
    # e = 3.05795 (0.18573); residual standard error 0.5196 on 20 degrees of freedom
    assert fit.converged[0]
    assert fit.n[0] == 24
    published = {
        "hill": (2.98222, 0.46506),
        "bottom": (0.48141, 0.21219),
        "top": (7.79296, 0.18857),
        "ic50": (3.05795, 0.18573),
    }
    for name, (value, se) in published.items():
        assert getattr(fit, name)[0] == pytest.approx(value, rel=1e-4), name
        assert getattr(fit, f"se_{name}")[0] == pytest.approx(se, rel=1e-3), name
    assert np.sqrt(fit.sse[0] / 20) == pytest.approx(0.5196, rel=1e-3)


# ----------------------------------------------------------------------------- scipy oracle
def _oracle_fraction(x, y, ours: LL4Fit, **kw) -> float:
    ref = np.array(
        [scipy_fit_one(x if x.ndim == 1 else x[i], y[i], **kw)[-1] for i in range(y.shape[0])]
    )
    return float(np.mean(ours.sse <= ref * (1 + 1e-6)))


def test_matches_or_beats_scipy_least_squares_on_random_curves():
    rng = np.random.default_rng(20240601)
    x, y = random_curves(rng, 160)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the batched fitter must run warning-free
        ours = fit_ll4(x, y)
    assert ours.converged.mean() >= 0.99
    assert _oracle_fraction(x, y, ours, hill_starts=HILL_STARTS) >= 0.99


def test_matches_scipy_on_ragged_curves_with_vehicle_points():
    """NaN padding, missing wells and zero-dose (vehicle) points in one batch."""
    rng = np.random.default_rng(7)
    x1, y1 = random_curves(rng, 60)
    x = np.concatenate([np.zeros(4), x1])
    y = np.column_stack([rng.normal(y1[:, :3].mean(axis=1, keepdims=True), 4.0, (60, 4)), y1])
    y[rng.random(y.shape) < 0.15] = np.nan  # knocked-out wells
    y[:20, -6:] = np.nan  # a shorter dose range for a third of the curves
    ours = fit_ll4(x, y)
    assert _oracle_fraction(np.broadcast_to(x, y.shape), y, ours, hill_starts=HILL_STARTS) >= 0.99


def test_fixed_top_matches_scipy_three_parameter_fit():
    from scipy.optimize import least_squares

    rng = np.random.default_rng(11)
    x, y = random_curves(rng, 40)
    ours = fit_ll4(x, y, fix_top=100.0)
    assert np.all(ours.top == 100.0) and np.all(np.isnan(ours.se_top))
    lx = np.log(x)
    worse = 0
    for i in range(y.shape[0]):
        best = np.inf
        span = np.ptp(y[i])  # the default plateau box: one data range beyond the data
        c_lo, c_hi = y[i].min() - span, y[i].max() + span
        for b0 in HILL_STARTS:
            res = least_squares(
                lambda p, i=i: p[0] + (100.0 - p[0]) / (1 + np.exp(p[2] * (lx - p[1]))) - y[i],
                [y[i].min(), np.log(np.sqrt(x.min() * x.max())), b0],
                bounds=(
                    [c_lo, np.log(x.min() / 100), 0.1],
                    [c_hi, np.log(x.max() * 100), 20],
                ),
            )
            best = min(best, float(np.sum(res.fun**2)))
        worse += ours.sse[i] > best * (1 + 1e-6)
    assert worse <= 1


# ----------------------------------------------------------------------------- invariances
curve_params = st.tuples(
    st.floats(-3, 3),  # log10 ic50
    st.floats(0.3, 4.0),  # hill
    st.floats(0, 40),  # bottom
    st.floats(70, 130),  # top
    st.integers(0, 2**32 - 1),  # noise seed
)


def _one(params):
    lic, hill, bottom, top, seed = params
    x = np.repeat(DOSES, 3)
    noise = np.random.default_rng(seed).normal(0, 5, x.size)
    return x, ll4(x, bottom, top, 10**lic, hill) + noise


FAST = {"deadline": None, "phases": (Phase.explicit, Phase.reuse, Phase.generate)}


@settings(max_examples=25, **FAST)
@given(curve_params, st.randoms(use_true_random=False))
def test_point_order_does_not_matter(params, rnd):
    x, y = _one(params)
    perm = np.arange(x.size)
    rnd.shuffle(perm)
    a, b = fit_ll4(x[None], y[None]), fit_ll4(x[perm][None], y[perm][None])
    assert b.sse[0] == pytest.approx(a.sse[0], rel=1e-9)
    if a.se_ic50[0] < 0.5 * a.ic50[0]:  # where the SSE valley is flat, only the SSE is unique
        assert b.ic50[0] == pytest.approx(a.ic50[0], rel=1e-5)


@settings(max_examples=20, **FAST)
@given(curve_params, st.floats(1e-3, 1e3), st.floats(0.01, 100.0))
def test_unit_and_scale_equivariance(params, x_factor, y_factor):
    """Concentrations in another unit scale ic50 only; a response unit scales the plateaus."""
    x, y = _one(params)
    a = fit_ll4(x[None], y[None])
    b = fit_ll4(x[None] * x_factor, y[None] * y_factor)
    assert b.sse[0] == pytest.approx(a.sse[0] * y_factor**2, rel=1e-6)
    if a.se_ic50[0] < 0.5 * a.ic50[0]:  # a well-determined optimum (else only the SSE is unique)
        assert b.ic50[0] == pytest.approx(a.ic50[0] * x_factor, rel=1e-5)
        assert b.hill[0] == pytest.approx(a.hill[0], rel=1e-5)
        assert b.top[0] == pytest.approx(a.top[0] * y_factor, rel=1e-5)
        assert b.se_ic50[0] == pytest.approx(a.se_ic50[0] * x_factor, rel=1e-4)


def test_batch_composition_does_not_change_a_fit():
    rng = np.random.default_rng(3)
    x, y = random_curves(rng, 50)
    alone = [fit_ll4(x, y[i : i + 1]) for i in (0, 17, 49)]
    batch = fit_ll4(x, y[::-1])
    for i, one in zip((0, 17, 49), alone, strict=True):
        assert batch.sse[49 - i] == pytest.approx(one.sse[0], rel=1e-9)
        assert batch.ic50[49 - i] == pytest.approx(one.ic50[0], rel=1e-6)


def test_integer_weights_equal_repeated_points():
    rng = np.random.default_rng(5)
    x, y = random_curves(rng, 1, reps=1)
    wts = rng.integers(1, 4, x.size).astype(float)
    weighted = fit_ll4(x, y, weights=wts)
    repeated = fit_ll4(np.repeat(x, wts.astype(int))[None], np.repeat(y[0], wts.astype(int))[None])
    for f in ("bottom", "top", "ic50", "hill", "sse"):
        assert getattr(weighted, f)[0] == pytest.approx(getattr(repeated, f)[0], rel=1e-6)


def test_mask_equals_dropping_points():
    rng = np.random.default_rng(9)
    x, y = random_curves(rng, 4)
    keep = np.ones(x.size, bool)
    keep[[2, 10, 11]] = False
    masked = fit_ll4(x, y, mask=keep)
    dropped = fit_ll4(x[keep], y[:, keep])
    np.testing.assert_allclose(masked.sse, dropped.sse, rtol=1e-9)
    assert np.all(masked.n == keep.sum())


def test_bounds_and_fixed_bottom_are_respected():
    rng = np.random.default_rng(2)
    x, y = random_curves(rng, 30)
    fit = fit_ll4(
        x,
        y,
        fix_bottom=np.where(np.arange(30) % 2 == 0, 0.0, np.nan),
        bounds={"hill": (0.5, 3.0), "ic50": (0.05, 50.0)},
    )
    assert np.all(fit.bottom[::2] == 0.0)
    assert np.all((fit.hill >= 0.5) & (fit.hill <= 3.0))
    assert np.all((fit.ic50 >= 0.05 * (1 - 1e-12)) & (fit.ic50 <= 50.0 * (1 + 1e-12)))


def test_bad_arguments_are_user_errors():
    x = np.array([[0.1, 1.0, 10.0, 100.0]])
    with pytest.raises(AnalysisError, match="hill"):
        fit_ll4(x, x, bounds={"hil": (1, 2)})
    with pytest.raises(AnalysisError, match="low end must be > 0"):
        fit_ll4(x, x, bounds={"hill": (0, 2)})
    with pytest.raises(AnalysisError, match="shape"):
        fit_ll4(x, x, fix_top=np.array([1.0, 2.0]))


def test_skipping_standard_errors_leaves_the_fit_unchanged():
    rng = np.random.default_rng(4)
    x, y = random_curves(rng, 30)
    full = fit_ll4(x, y, fix_top=np.where(np.arange(30) % 3 == 0, 100.0, np.nan))
    lean = fit_ll4(
        x, y, fix_top=np.where(np.arange(30) % 3 == 0, 100.0, np.nan), standard_errors=False
    )
    for f in ("bottom", "top", "ic50", "hill", "sse", "converged", "n"):
        np.testing.assert_array_equal(getattr(lean, f), getattr(full, f), err_msg=f)
    for f in ("se_bottom", "se_top", "se_ic50", "se_hill"):
        assert np.all(np.isnan(getattr(lean, f))), f


def test_predict_shape_and_values():
    fit = fit_ll4(DOSES, ll4(DOSES, 5.0, 95.0, 1.0, 1.0)[None].repeat(2, axis=0))
    pred = fit.predict(DOSES)
    assert pred.shape == (2, DOSES.size)
    np.testing.assert_allclose(pred, ll4(DOSES, 5.0, 95.0, 1.0, 1.0)[None].repeat(2, 0), atol=1e-6)


# ----------------------------------------------------------------------------- degenerate data
def test_degenerate_curves_never_raise_and_are_flagged():
    x = np.tile(DOSES, (6, 1))
    y = ll4(x, 10.0, 90.0, 1.0, 1.0)
    y[0] = np.nan  # no data
    y[1, 3:] = np.nan  # 3 points < 4 parameters
    y[2] = 55.0  # constant response
    x[3] = 1.0  # one concentration
    y[4, :] = np.where(np.arange(9) % 2 == 0, 40.0, np.nan)  # 5 points, constant
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_ll4(x, y)
    assert list(fit.converged) == [False] * 5 + [True]
    for f in ("bottom", "top", "ic50", "hill", "se_ic50"):
        assert np.all(np.isnan(getattr(fit, f)[:5])), f
    assert list(fit.n) == [0, 3, 9, 9, 5, 9]
    assert fit.ic50[5] == pytest.approx(1.0, rel=1e-6)


def test_empty_and_single_curve_inputs():
    empty = fit_ll4(np.empty((0, 5)), np.empty((0, 5)))
    assert len(empty) == 0
    one = fit_ll4(DOSES, ll4(DOSES, 0.0, 100.0, 2.0, 1.2))  # a 1-D y is one curve
    assert len(one) == 1 and one.ic50[0] == pytest.approx(2.0, rel=1e-6)


# ----------------------------------------------------------------------------- issue 9: bounds
def test_plateaus_stay_in_the_default_data_box_and_bound_hits_are_reported():
    """The default box is [min y - R, max y + R] (R = data range; worked by hand in
    plateau_box's docstring); unbounded, inactive curves ran to plateaus of -1e21 (issue 9)."""
    rng = np.random.default_rng(12)
    x, y = screen_like(rng, 400)
    fit = fit_ll4(x, y)
    lo, hi = np.nanmin(y, axis=1), np.nanmax(y, axis=1)
    span = hi - lo
    for p in (fit.bottom, fit.top):
        ok = np.isfinite(p)
        assert ok.mean() > 0.95
        assert np.all(p[ok] >= (lo - span)[ok] - 1e-9) and np.all(p[ok] <= (hi + span)[ok] + 1e-9)
    at = fit.at_bound()
    assert set(at) == {"bottom", "top", "ic50", "hill"}
    on_box = np.isclose(fit.bottom, lo - span) | np.isclose(fit.bottom, hi + span)
    np.testing.assert_array_equal(at["bottom"], on_box & np.isfinite(fit.bottom))
    assert at["bottom"].any()  # partial curves do hit it


def test_explicitly_free_plateaus_match_scipy_without_plateau_bounds():
    rng = np.random.default_rng(20240602)
    x, y = random_curves(rng, 60)
    free = {"bottom": (-np.inf, np.inf), "top": (-np.inf, np.inf)}
    ours = fit_ll4(x, y, bounds=free)
    assert _oracle_fraction(x, y, ours, hill_starts=HILL_STARTS, plateau_margin=None) >= 0.98


POOL_X, POOL_Y = screen_like(np.random.default_rng(99), 300)
_ALONE: dict[int, LL4Fit] = {}


@settings(max_examples=30, **FAST)
@given(st.lists(st.integers(0, 299), min_size=1, max_size=150), st.integers(0, 299))
def test_a_curve_fits_the_same_alone_and_in_any_batch(others, target):
    """Issue 9 point 5: the fit of a curve does not depend on the batch around it (flat, noisy,
    partial and ragged neighbours included). Same optimum (SSE to 1e-9); parameters to 1e-6
    wherever the optimum is well determined (where the SSE valley is flat, only the SSE is)."""
    rows = [*others[: len(others) // 2], target, *others[len(others) // 2 :]]
    pos = len(others) // 2
    batch = fit_ll4(POOL_X[rows], POOL_Y[rows])
    if target not in _ALONE:
        _ALONE[target] = fit_ll4(POOL_X[target : target + 1], POOL_Y[target : target + 1])
    one = _ALONE[target]
    assert batch.converged[pos] == one.converged[0]
    if np.isnan(one.sse[0]):
        assert np.isnan(batch.sse[pos])
        return
    assert batch.sse[pos] == pytest.approx(one.sse[0], rel=1e-9, abs=1e-12)
    for f in ("bottom", "top"):
        assert getattr(batch, f)[pos] == pytest.approx(getattr(one, f)[0], rel=1e-6, abs=1e-6)
    if one.se_ic50[0] < 0.5 * one.ic50[0] and one.se_hill[0] < 0.5 * one.hill[0]:
        assert batch.ic50[pos] == pytest.approx(one.ic50[0], rel=1e-6)
        assert batch.hill[pos] == pytest.approx(one.hill[0], rel=1e-6)


def test_synergy_single_agent_fits_get_the_same_bounded_plateaus():
    """Issue 9 point 2: the synergy engine's single-agent fits (they call fit_ll4 with its
    defaults) reported bottoms of -6e10 % for inactive drugs; now every plateau lies in the
    default box [min y - R, max y + R] of its own data."""
    from tallrx.analysis.synergy.engine import fit_curves

    rng = np.random.default_rng(8)
    doses = np.array([0.0, 0.01, 0.03, 0.1, 0.3, 1.0])
    y = 100.0 + rng.normal(0, 4, (300, doses.size))  # inactive drugs: noise around 100 %
    y[:100] -= np.linspace(0, 12, doses.size)  # a slight trend at the top dose
    cur, _ = fit_curves(np.broadcast_to(doses, y.shape), y)
    lo, hi = y.min(axis=1), y.max(axis=1)
    span = hi - lo
    for p in (cur.bottom, cur.top):
        ok = np.isfinite(p)
        assert np.all(p[ok] >= (lo - span)[ok] - 1e-9) and np.all(p[ok] <= (hi + span)[ok] + 1e-9)


def test_a_shared_plate_layout_gives_the_same_numbers_as_per_curve_starts():
    """When every curve has the same doses, the start grid's sigmoid is computed once for all
    (a speed-up); a batch where one curve has other doses takes the per-curve path. The other
    curves' fits must be the same numbers, bit for bit, either way."""
    rng = np.random.default_rng(4)
    x, y = random_curves(rng, 40)
    shared = np.broadcast_to(x, y.shape)
    odd = shared.copy()
    odd[-1, :3] *= 1.5  # the last curve: another lowest dose, same number of points
    a, b = fit_ll4(shared, y), fit_ll4(odd, y)
    for f in ("bottom", "top", "ic50", "hill", "sse", "se_ic50", "se_hill", "converged"):
        np.testing.assert_array_equal(getattr(a, f)[:-1], getattr(b, f)[:-1], err_msg=f)
    assert b.sse[-1] == pytest.approx(fit_ll4(odd[-1:], y[-1:]).sse[0], rel=1e-9)
