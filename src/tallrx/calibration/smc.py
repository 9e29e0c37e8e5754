"""Sequential Monte Carlo with likelihood tempering (numpy; whole populations per call).

Target: prior(x) exp(base(x)) L(x)**beta, beta raised from 0 to 1 in adaptive steps (each keeps
the ESS of the incremental weights at ``ess_fraction`` of the particles), then systematic
resampling and Metropolis-Hastings moves. ``base`` is an already-reached log-likelihood (0 for
:func:`smc`; the line targets when :func:`temper` continues a population with the cohort
targets). When ``max_steps`` ends before beta = 1, the last stage is an importance reweighting
to beta = 1 (its ESS recorded, unequal weights kept). The likelihood is evaluated once per move
on the whole population (an (n, d) array), which is what the batched ODE engine needs; pyabc
evaluates one parameter set per call (why it is not used).

**Moves until the particles have moved.** After each resampling the population holds copies of
few ancestors. Moves are repeated (at least ``moves``, at most ``max_moves``) until the share
of particles that have accepted at least one move since the resampling reaches
``1 - unmoved`` -- the empirical form of the rule R = ceil(log c / log(1 - acceptance)) of
Drovandi & Pettitt (2011, Biometrics 67:225), counted per particle, so particles stuck in a
low-acceptance region keep the moves going.

**Proposal: a mixture of two symmetric kernels.** Each particle, at each move, picks one of
them with probability 1/2 (a choice that does not depend on its state):

1. *population random walk*: x + s N(0, 2.38^2 / d x the population covariance), the scale s
   halved after a move whose acceptance is under 15 % and raised 1.5x over 40 %;
2. *random-subset coordinate move*: k coordinates chosen at random each take a Gaussian step of
   the prior's own sd (``prior_sd``, transformed space), reflected into ``bounds`` when given;
   k halves under 15 % acceptance and grows 1.5x over 40 %.

The first follows the shape of what the data pin down; but after resampling its covariance is
that of few ancestors, and it cannot spread parameters the data do not inform again (the
collapse of the first shipped censored posterior: median sd 0.015 log units vs 0.32 in the
prior). The second steps on the prior's scale regardless of the population, so uninformed
coordinates re-diffuse over their prior. Each kernel is a symmetric Metropolis-Hastings kernel
(a Gaussian reflected at the walls of a box is symmetric too), so each leaves the tempered
target invariant, and so does their state-independent mixture. The adaptations (s, k and the
number of moves) use the population of the previous move only, as usual in adaptive SMC.
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
    moves: list[int] = field(default_factory=list)
    moved: list[float] = field(default_factory=list)  # share moved at least once, per step
    subset: list[int] = field(default_factory=list)  # coordinates per subset move, per step
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


def _reflect(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Fold ``x`` into [low, high] by reflection at the walls (any distance out); a
    zero-width coordinate stays at its bound."""
    width = high - low
    w = np.where(width > 0, width, 1.0)
    y = np.mod(x - low, 2 * w)
    return np.where(width > 0, low + np.where(y > w, 2 * w - y, y), low)


def _propose(
    x: np.ndarray,
    chol: np.ndarray,
    scale: float,
    k: int,
    prior_sd: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray] | None,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One proposal per particle from the kernel mixture (see module); also returns which
    particles drew the subset kernel."""
    n, d = x.shape
    walk = x + scale * rng.standard_normal(x.shape) @ chol.T
    sub = rng.random(n) < 0.5
    pick = np.argsort(rng.random((n, d)), axis=1)[:, :k]  # k distinct coordinates per particle
    mask = np.zeros((n, d), bool)
    np.put_along_axis(mask, pick, True, axis=1)
    step = x + np.where(mask, rng.standard_normal((n, d)) * prior_sd, 0.0)
    if bounds is not None:
        step = np.where(mask, _reflect(step, *bounds), x)
    return np.where(sub[:, None], step, walk), sub


def temper(
    x: np.ndarray,
    evaluate: Evaluate,
    log_prior: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    *,
    ess_fraction: float = 0.5,
    moves: int = 2,
    max_moves: int | None = None,
    unmoved: float = 0.05,
    prior_sd: np.ndarray | None = None,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
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
    ess_fraction : float
        ESS kept per tempering step (share of n).
    moves, max_moves : int
        Fewest and most Metropolis moves per step (``max_moves`` None: exactly ``moves``).
    unmoved : float
        Moves go on until at most this share of particles has not moved since resampling.
    prior_sd : numpy.ndarray, optional
        (d,) prior sd per coordinate for the subset move (None: the starting population's sd).
    bounds : (low, high), optional
        The prior's box: subset steps are reflected into it.
    max_steps : int
        Tempering steps before the final reweighting.
    on_step : callable, optional
        Called with the running result after each step (progress).
    """
    n, d = x.shape
    max_moves = moves if max_moves is None else max(moves, max_moves)
    if prior_sd is None:
        prior_sd = np.std(x, axis=0)
    prior_sd = np.broadcast_to(np.asarray(prior_sd, float), (d,))
    ll, lb, aux = evaluate(x)
    out = SMCResult(x, ll, np.full(n, 1 / n), n_simulations=n, base=lb, aux=aux)
    beta, scale, k = 0.0, 1.0, max(1, round(d / 10))
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
        cov = np.atleast_2d(np.cov(x.T)) * (2.38**2 / d) + 1e-10 * np.eye(d)
        chol = np.linalg.cholesky(cov)
        out.scale.append(scale)
        out.subset.append(k)
        moved = np.zeros(n, bool)
        n_acc, m = 0, 0
        while m < max_moves and (m < moves or 1 - moved.mean() > unmoved):
            prop, sub = _propose(x, chol, scale, k, prior_sd, bounds, rng)
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
            moved |= accept
            n_acc, m = n_acc + int(accept.sum()), m + 1
            a_walk = accept[~sub].mean() if (~sub).any() else 0.25
            a_sub = accept[sub].mean() if sub.any() else 0.25
            scale *= 0.5 if a_walk < 0.15 else 1.5 if a_walk > 0.4 else 1.0
            k = max(1, k // 2) if a_sub < 0.15 else min(d, int(np.ceil(1.5 * k))) if a_sub > 0.4 else k
        out.acceptance.append(n_acc / (n * m))
        out.moves.append(m)
        out.moved.append(float(moved.mean()))
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
    max_moves: int | None = None,
    unmoved: float = 0.05,
    prior_sd: np.ndarray | None = None,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
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
    ess_fraction, moves, max_moves, unmoved, prior_sd, bounds, max_steps
        As in :func:`temper`.

    Returns
    -------
    SMCResult
    """

    def evaluate(x: np.ndarray):
        ll = loglik(x)
        return ll, np.zeros(len(x)), None

    return temper(sample_prior(n, rng), evaluate, log_prior, rng, ess_fraction=ess_fraction,
                  moves=moves, max_moves=max_moves, unmoved=unmoved, prior_sd=prior_sd,
                  bounds=bounds, max_steps=max_steps)
