"""Sequential Monte Carlo with likelihood tempering (numpy; whole populations per call).

Target: prior(x) L(x)**beta, beta raised from 0 to 1 in adaptive steps (each keeps the ESS of
the incremental weights at ``ess_fraction`` of the particles), then systematic resampling and
``moves`` random-walk Metropolis steps (proposal: 2.38 / sqrt(d) x the population covariance).
``loglik`` is called once per step on the whole population (an (n, d) array), which is what the
batched ODE engine needs; pyabc evaluates one parameter set per call (why it is not used).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tallrx.model.twin.fit import ess


@dataclass
class SMCResult:
    """Final particles (equal weights after the last resampling) and per-step diagnostics."""

    x: np.ndarray
    loglik: np.ndarray
    weights: np.ndarray
    betas: list[float] = field(default_factory=list)
    ess: list[float] = field(default_factory=list)
    acceptance: list[float] = field(default_factory=list)
    n_simulations: int = 0


def _next_beta(ll: np.ndarray, beta: float, target: float) -> float:
    """Largest beta' in (beta, 1] whose incremental weights keep ESS >= target."""
    ll = np.where(np.isfinite(ll), ll, -1e300)
    if ess((1 - beta) * ll) >= target:
        return 1.0
    lo, hi = beta, 1.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ess((mid - beta) * ll) >= target else (lo, mid)
    return max(lo, beta + 1e-6)


def _systematic(w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(w)
    u = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(w), u), n - 1)


def smc(
    sample_prior: Callable[[int, np.random.Generator], np.ndarray],
    log_prior: Callable[[np.ndarray], np.ndarray],
    loglik: Callable[[np.ndarray], np.ndarray],
    n: int,
    rng: np.random.Generator,
    *,
    ess_fraction: float = 0.5,
    moves: int = 2,
    max_steps: int = 50,
) -> SMCResult:
    """Tempered SMC from the prior to prior x likelihood (see module).

    Parameters
    ----------
    sample_prior : callable
        (n, rng) -> (n, d) prior draws.
    log_prior : callable
        (n, d) -> (n,) log prior density (-inf outside the support).
    loglik : callable
        (n, d) -> (n,) log-likelihood of every particle (one call per population).
    n : int
        Particles.
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    SMCResult
    """
    x = sample_prior(n, rng)
    ll = loglik(x)
    out = SMCResult(x, ll, np.full(n, 1 / n), n_simulations=n)
    beta = 0.0
    for _ in range(max_steps):
        if beta >= 1.0:
            break
        new = _next_beta(ll, beta, ess_fraction * n)
        lw = (new - beta) * np.where(np.isfinite(ll), ll, -1e300)
        w = np.exp(lw - lw.max())
        w /= w.sum()
        out.ess.append(float(1 / np.sum(w**2)))
        beta = new
        out.betas.append(beta)
        idx = _systematic(w, rng)
        x, ll = x[idx], ll[idx]
        d = x.shape[1]
        cov = np.atleast_2d(np.cov(x.T)) * (2.38**2 / d) + 1e-10 * np.eye(d)
        chol = np.linalg.cholesky(cov)
        acc = 0.0
        for _ in range(moves):
            prop = x + rng.standard_normal(x.shape) @ chol.T
            lp_new = log_prior(prop)
            ll_new = np.full(n, -np.inf)
            ok = np.isfinite(lp_new)
            if ok.any():
                ll_new[ok] = loglik(prop[ok])
                out.n_simulations += int(ok.sum())
            with np.errstate(invalid="ignore"):
                log_a = lp_new + beta * ll_new - log_prior(x) - beta * ll
            accept = np.log(rng.random(n)) < np.nan_to_num(log_a, nan=-np.inf)
            x = np.where(accept[:, None], prop, x)
            ll = np.where(accept, ll_new, ll)
            acc += accept.mean() / moves
        out.acceptance.append(float(acc))
    out.x, out.loglik, out.weights = x, ll, np.full(n, 1 / n)
    return out
