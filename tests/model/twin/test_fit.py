"""The AMIS posterior against a case with a closed-form answer, and its helpers by hand.

Linear-Gaussian check: a 'model' y = A z (z ~ N(0, I) is the prior in latent space) observed
with Gaussian noise has the Gaussian posterior with covariance (I + A' S^-1 A)^-1 and mean
C A' S^-1 y -- textbook conjugacy, independent of the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.model.twin import fit as F
from tallrx.model.twin.data import Observations


def test_ess_by_hand():
    assert F.ess(np.zeros(10)) == pytest.approx(10.0)
    assert F.ess(np.array([0.0, 0.0, -np.inf, -np.inf])) == pytest.approx(2.0)


def test_temper_keeps_the_target_ess():
    ll = np.linspace(0, -200, 400)
    g, w = F.temper(np.zeros(400), ll, 30.0)
    assert 0 < g < 1
    assert 1 / np.sum(w**2) == pytest.approx(30.0, rel=0.02)
    g1, _ = F.temper(np.zeros(400), np.zeros(400), 30.0)
    assert g1 == 1.0


class _LinearPrior:
    """Latent z -> 'parameters' z itself (the prior is N(0, I))."""

    dim = 2

    def parameters(self, z):
        z = np.atleast_2d(z)
        return pd.DataFrame({"a": z[:, 0], "b": z[:, 1]})


A = np.array([[1.0, 0.5], [0.0, 1.0], [1.0, -1.0]])


def _linear_sim(params, conditions, **_):
    return params[["a", "b"]].to_numpy() @ A.T


def test_amis_posterior_matches_the_conjugate_answer(monkeypatch):
    monkeypatch.setattr(F, "simulate_viability", _linear_sim)
    monkeypatch.setattr(F, "MODEL_SD", 0.0)
    sd = 1.0
    y = np.array([0.8, -0.4, 1.1])
    cond = pd.DataFrame({"drug": ["x", "y", "z"], "conc": 1.0, "il7": 0.0, "ref_il7": 0.0})
    obs = Observations("S", cond, y, np.ones(3), sd)
    rng = np.random.default_rng(3)
    prior = _LinearPrior()
    z0 = rng.standard_normal((2000, 2))
    lib = F.Library(cond, z0, _linear_sim(prior.parameters(z0), cond))
    fit = F.fit_twin(obs, prior, lib, rng, rounds=3, per_round=1000, min_ess=10)
    assert fit.tempering == 1.0
    cov = np.linalg.inv(np.eye(2) + A.T @ A / sd**2)
    mean = cov @ A.T @ y / sd**2
    est = fit.weights @ fit.z
    np.testing.assert_allclose(est, mean, atol=0.05)
    var = fit.weights @ (fit.z - est) ** 2
    np.testing.assert_allclose(var, np.diag(cov), rtol=0.15)
