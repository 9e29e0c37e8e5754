"""Tempered SMC recovers a closed-form (conjugate Gaussian) posterior."""

import numpy as np

from tallrx.calibration.smc import smc


def test_conjugate_gaussian():
    # prior N(0, I_2); y = 1 observed with noise sd 0.5 in each coordinate
    # posterior precision 1 + 1/0.25 = 5 -> var 0.2, mean (1/0.25)/5 = 0.8 (hand-worked)
    s2 = 0.25

    def log_prior(x):
        return -0.5 * np.sum(x**2, axis=1)

    def loglik(x):
        return -0.5 * np.sum((x - 1.0) ** 2, axis=1) / s2

    res = smc(lambda n, r: r.standard_normal((n, 2)), log_prior, loglik, 2000,
              np.random.default_rng(3), moves=4)
    assert res.betas[-1] == 1.0
    np.testing.assert_allclose(res.x.mean(0), [0.8, 0.8], atol=0.05)
    np.testing.assert_allclose(res.x.var(0), [0.2, 0.2], rtol=0.2)
    assert all(0 < a <= 1 for a in res.acceptance)
    assert res.n_simulations > 2000
