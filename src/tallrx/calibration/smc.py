"""Sequential Monte Carlo with likelihood tempering (numpy; whole populations per call).

Target: prior(x) exp(base(x)) L(x)**beta, beta raised from 0 to 1 in adaptive steps (each keeps
the ESS of the incremental weights at ``ess_fraction`` of the particles), then systematic
resampling and ``moves`` random-walk Metropolis steps (proposal: 2.38 / sqrt(d) x the population
covariance x an adaptive scale, halved after a move that accepts under 15 % and raised 1.5x
after one over 40 %: in a narrow 100-dimensional box most unscaled proposals leave the support). ``base`` is an already-reached log-likelihood (0 for :func:`smc`; the line targets
when :func:`temper` continues a population with the cohort targets). When ``max_steps`` ends
before beta = 1, the last stage is an importance reweighting to beta = 1 (its ESS recorded,
unequal weights kept). The likelihood is evaluated once per step on the whole population (an
(n, d) array), which is what the batched ODE engine needs; pyabc evaluates one parameter set per
call (why it is not used).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tallrx.model.twin.fit import ess

#: evaluate(x) -> (tempered log-likelihood, base log-likelihood, per-particle extras or None)
Evaluate = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray | None]]


@dataclass
class SMCResult:
    """Final particles, their weights (equal unless the last stage was a reweighting) and
    per-step diagnostics; ``aux`` holds the evaluator's per-particle extras (e.g. observables)."""

    x: np.ndarray
    loglik: np.ndarray
    weights: np.ndarray
    betas: list[float] = field(default_factory=list)
    ess: list[float] = field(default_factory=list)
    acceptance: list[float] = field(default_factory=list)
    scale: list[float] = field(default_factory=list)
    n_simulations: int = 0
    base: np.ndarray | None = None
    aux: np.ndarray | None = None
    reweight_ess: float | None = None


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


def _weights(lw: np.ndarray) -> np.ndarray:
    lw = np.where(np.isfinite(lw), lw, -1e300)
    w = np.exp(lw - lw.max())
    return w / w.sum()


def temper(
    x: np.ndarray,
    evaluate: Evaluate,
    log_prior: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    *,
    ess_fraction: float = 0.5,
    moves: int = 2,
    max_steps: int = 50,
    on_step: Callable[[SMCResult], None] | None = None,
) -> SMCResult:
    """Temper the population ``x`` (equal weights) from prior x exp(base) to prior x exp(base) x L.

    Parameters
    ----------
    x : numpy.ndarray
        (n, d) starting particles, distributed as prior x exp(base).
    evaluate : callable
        (m, d) -> (tempered log-likelihood (m,), base log-likelihood (m,), extras (m, k) or None).
    log_prior : callable
        (m, d) -> (m,) log prior density (-inf outside the support).
    rng : numpy.random.Generator
        Random stream.
    ess_fraction, moves, max_steps
        ESS kept per step (share of n), Metropolis moves per step, steps before reweighting.
    on_step : callable, optional
        Called with the running result after each step (progress).
    """
    n = len(x)
    ll, lb, aux = evaluate(x)
    out = SMCResult(x, ll, np.full(n, 1 / n), n_simulations=n, base=lb, aux=aux)
    beta, scale = 0.0, 1.0
    for _ in range(max_steps):
        if beta >= 1.0:
            break
        new = _next_beta(ll, beta, ess_fraction * n)
        w = _weights((new - beta) * ll)
        out.ess.append(float(1 / np.sum(w**2)))
        beta = new
        out.betas.append(beta)
        idx = _systematic(w, rng)
        x, ll, lb = x[idx], ll[idx], lb[idx]
        aux = None if aux is None else aux[idx]
        d = x.shape[1]
        cov = np.atleast_2d(np.cov(x.T)) * (2.38**2 / d) + 1e-10 * np.eye(d)
        chol = np.linalg.cholesky(cov)
        acc = 0.0
        out.scale.append(scale)
        for _ in range(moves):
            prop = x + scale * rng.standard_normal(x.shape) @ chol.T
            lp_new = log_prior(prop)
            ll_new, lb_new = np.full(n, -np.inf), np.full(n, -np.inf)
            aux_new = None if aux is None else np.full_like(aux, np.nan)
            ok = np.isfinite(lp_new)
            if ok.any():
                ll_new[ok], lb_new[ok], a = evaluate(prop[ok])
                if aux_new is not None:
                    aux_new[ok] = a
                out.n_simulations += int(ok.sum())
            with np.errstate(invalid="ignore"):
                log_a = lp_new + lb_new + beta * ll_new - log_prior(x) - lb - beta * ll
            accept = np.log(rng.random(n)) < np.nan_to_num(log_a, nan=-np.inf)
            x = np.where(accept[:, None], prop, x)
            ll, lb = np.where(accept, ll_new, ll), np.where(accept, lb_new, lb)
            if aux is not None:
                aux = np.where(accept[:, None], aux_new, aux)
            acc += accept.mean() / moves
            scale *= 0.5 if accept.mean() < 0.15 else 1.5 if accept.mean() > 0.4 else 1.0
        out.acceptance.append(float(acc))
        out.x, out.loglik, out.base, out.aux = x, ll, lb, aux
        if on_step is not None:
            on_step(out)
    weights = np.full(n, 1 / n)
    if beta < 1.0:  # out of steps: reweight the last population to beta = 1
        weights = _weights((1.0 - beta) * ll)
        out.reweight_ess = float(1 / np.sum(weights**2))
    out.x, out.loglik, out.base, out.aux, out.weights = x, ll, lb, aux, weights
    return out


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

    def evaluate(x: np.ndarray):
        ll = loglik(x)
        return ll, np.zeros(len(x)), None

    return temper(sample_prior(n, rng), evaluate, log_prior, rng, ess_fraction=ess_fraction,
                  moves=moves, max_steps=max_steps)
