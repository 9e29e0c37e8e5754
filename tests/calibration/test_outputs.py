"""posterior.csv round-trips through the readers of twin and reproduce; identifiability ratios."""

import numpy as np
import pandas as pd

from tallrx.calibration.outputs import identifiability, posterior_table, write_posterior
from tallrx.calibration.prior import calibration_prior
from tallrx.model.twin.prior import read_posterior
from tallrx.reproduce.draws import read_draws_posterior


def test_posterior_round_trips(tmp_path):
    prior = calibration_prior()
    rng = np.random.default_rng(0)
    x = prior.sample(7, rng)
    w = rng.random(7)
    path = tmp_path / "posterior.csv"
    write_posterior(posterior_table(prior, x, w), path)
    back = read_posterior(path)
    want = prior.to_parameters(x)
    pd.testing.assert_frame_equal(back[want.columns], want, check_exact=False, rtol=1e-12)
    np.testing.assert_allclose(back.attrs["weight"], w / w.sum())
    assert len(read_draws_posterior(path)) == 7  # no unknown column


def test_identifiability_prior_vs_narrow():
    prior = calibration_prior()
    rng = np.random.default_rng(1)
    x = prior.sample(5000, rng)
    d = len(prior.names)
    # the prior itself: every ratio ~ 1 -> nothing identified
    t = identifiability(prior, x, np.ones(5000))
    assert not t["identified"].any()
    np.testing.assert_allclose(t["width_ratio"], 1.0, atol=0.05)
    # first coordinate squeezed to a tenth of its range -> ratio ~ 0.1, identified
    mid = 0.5 * (prior.low + prior.high)
    x[:, 0] = mid[0] + 0.1 * (x[:, 0] - mid[0])
    t = identifiability(prior, x, np.ones(5000))
    assert t["identified"].iloc[0] and abs(t["width_ratio"].iloc[0] - 0.1) < 0.01
    assert t["identified"].sum() == 1 and len(t) == d
