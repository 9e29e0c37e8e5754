"""The cited target table parses and scores hand-worked cases."""

import numpy as np
import pandas as pd

from tallrx.calibration.targets import COLUMNS, load_targets, log_likelihood
from tallrx.model import observables

COHORT_FLAGS = {"il7_responsive", "il7_dependent_resistant", "ruxolitinib_responder",
                "mek_responder", "auc_prednisolone", "ci"}


def test_every_row_parses_and_is_sourced():
    t = load_targets()
    assert tuple(t.columns[: len(COLUMNS)]) == COLUMNS
    assert t["target"].is_unique
    assert t["source"].str.len().gt(10).all()
    assert set(t["observable"]) <= set(observables.NAMES) | COHORT_FLAGS
    # the paper's BIM range and IL7-responsive count
    bim = t.set_index("target").loc["bim_mrna_fold_prednisolone"]
    assert (bim["lower"], bim["upper"]) == (4, 10)
    assert t.set_index("target").loc["il7_responsive_share", "tolerance"] == "12/46"


def test_soft_bound_hand_worked():
    row = pd.Series({"lower": 4.0, "upper": 10.0, "comparison": "interval_log10",
                     "tolerance": 0.1})
    ll = log_likelihood(row, np.array([6.0, 100.0, 0.4, np.nan]))
    # inside -> 0; 100 is one decade above 10 -> -0.5 (1/0.1)^2 = -50; 0.4 likewise -> -50
    np.testing.assert_allclose(ll[:3], [0.0, -50.0, -50.0])
    assert ll[3] == -np.inf


def test_binomial_peaks_at_observed_share():
    row = pd.Series({"lower": 0.2, "upper": 0.33, "comparison": "binomial", "tolerance": "12/46"})
    p = np.array([12 / 46, 0.1, 0.5])
    ll = log_likelihood(row, p)
    assert ll[0] == 0.0 and ll[1] < 0 and ll[2] < 0
    # hand-worked: 12 ln(0.5/(12/46)) + 34 ln(0.5/(34/46))
    want = 12 * np.log(0.5 * 46 / 12) + 34 * np.log(0.5 * 46 / 34)
    np.testing.assert_allclose(ll[2], want)


def _censored(kind: str, lower: float, upper: float, sigma: float) -> pd.Series:
    return pd.Series({"lower": lower, "upper": upper, "comparison": kind, "tolerance": sigma})


def test_censored_one_sided_hand_worked():
    # a model value exactly at the bound passes a symmetric noisy assay half the time: log 0.5
    row = _censored("censored_lower_log10", 2.0, np.nan, 0.1)
    ll = log_likelihood(row, np.array([2.0, 2.0 * 10**0.1, 2.0 / 10**0.2, np.nan, 0.0]))
    # one sigma above the bound: Phi(1) = 0.841345; two below: Phi(-2) = 0.0227501
    np.testing.assert_allclose(ll[:3], np.log([0.5, 0.8413447, 0.0227501]), rtol=1e-6)
    assert ll[3] == -np.inf and ll[4] == -np.inf  # failed simulation; zero fold never passes
    up = _censored("censored_upper_log10", np.nan, 0.833, 0.05)
    np.testing.assert_allclose(log_likelihood(up, np.array([0.833])), [np.log(0.5)])
    # far inside a one-sided bound the likelihood is flat (log 1 = 0), unlike the point value
    assert abs(log_likelihood(up, np.array([0.01]))[0]) < 1e-12


def test_censored_interval_hand_worked():
    row = _censored("censored_interval", 0.2, 0.33, 0.05)
    # at the centre 0.265: Phi(1.3) - Phi(-1.3) = 2 * 0.9031995 - 1 = 0.806399
    # at 0.37: Phi(-0.8) - Phi(-3.4) = 0.2118554 - 0.0003369 = 0.2115185
    ll = log_likelihood(row, np.array([0.265, 0.37]))
    np.testing.assert_allclose(ll, np.log([0.806399, 0.2115185]), rtol=1e-5)


def test_censored_tails_are_finite_and_monotone():
    # far outside, the log probability keeps falling (no log(0) plateau): Phi(-30) ~ 4.9e-198
    row = _censored("censored_lower", 0.0, np.nan, 1.0)
    ll = log_likelihood(row, np.array([-30.0, -31.0, 30.0]))
    np.testing.assert_allclose(ll[0], np.log(4.906713e-198), rtol=1e-5)
    assert ll[1] < ll[0] and -1e-190 < ll[2] <= 0.0
    # an interval far on the upper side (both Phi near 1) stays accurate: Phi(-30) - Phi(-31)
    band = _censored("censored_interval", 30.0, 31.0, 1.0)
    np.testing.assert_allclose(log_likelihood(band, np.array([0.0])), [np.log(4.906713e-198)],
                               rtol=1e-4)
