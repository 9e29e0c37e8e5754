"""The one weighted-quantile helper, against numpy's Hazen quantiles and hand-worked cases."""

import numpy as np

from tallrx.calibration.weighted import weighted_quantiles


def test_equal_weights_match_numpy_hazen():
    x = np.random.default_rng(3).normal(size=101)
    q = [0.05, 0.25, 0.5, 0.9]
    np.testing.assert_allclose(weighted_quantiles(x, np.ones_like(x), q),
                               np.quantile(x, q, method="hazen"), rtol=1e-12)


def test_unequal_weights_hand_worked():
    # weights 3/4 on 1.0 and 1/4 on 5.0: each value at the middle of its CDF step, 0.375 and
    # 0.875; the median is 1 + (0.5 - 0.375) / 0.5 * 4 = 2; below 0.375 / above 0.875 clamped
    got = weighted_quantiles(np.array([5.0, 1.0]), np.array([1.0, 3.0]), [0.1, 0.5, 0.9])
    np.testing.assert_allclose(got, [1.0, 2.0, 5.0])


def test_nan_values_and_zero_weights_are_left_out():
    x = np.array([np.nan, 2.0, 4.0, 100.0])
    w = np.array([1.0, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(weighted_quantiles(x, w, [0.5]), [3.0])
    assert np.isnan(weighted_quantiles(np.array([np.nan]), np.ones(1), [0.5])).all()
