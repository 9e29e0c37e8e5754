"""Box prior: log transform, support and hand-worked density / widths."""

import numpy as np
import pandas as pd

from tallrx.calibration.prior import BoxPrior, calibration_prior


def test_box_prior_hand_worked():
    spec = pd.DataFrame({"name": ["k", "f"], "low": [0.1, 0.0], "high": [10.0, 2.0]})
    p = BoxPrior.from_table(spec)
    np.testing.assert_allclose(p.low, [np.log(0.1), 0.0])
    # density = 1 / (ln(100) * 2) inside, 0 outside
    x = np.array([[0.0, 1.0], [np.log(20.0), 1.0]])
    np.testing.assert_allclose(p.log_density(x)[0], -np.log(np.log(100.0) * 2))
    assert p.log_density(x)[1] == -np.inf
    draws = p.to_parameters(p.sample(4000, np.random.default_rng(0)))
    assert draws["k"].between(0.1, 10).all()
    # log-uniform: median of k ~ geometric mean 1
    assert abs(np.log10(draws["k"].median())) < 0.1
    # uniform draws on [0, 1]: 5-95 % width 0.9
    u = np.random.default_rng(1).random((20000, 1))
    np.testing.assert_allclose(p.width(u, np.ones(20000)), [0.9], atol=0.02)


def test_calibration_prior_covers_uncertain_parameters():
    p = calibration_prior()
    assert len(p.names) > 50
    assert np.all(p.high > p.low)
