"""Fit a twin: a weighted posterior over one patient's latent parameters.

Method: adaptive multiple importance sampling (AMIS; Cornuet et al. 2012) in the prior's latent
space, where the prior is exactly N(0, I) (:mod:`.prior`):

1. a *library* of prior draws simulated once on the union of the samples' conditions (shared by
   every sample screened on the same design) is weighted by the likelihood;
2. each round fits a Gaussian to the current weights -- tempered, w**g with the largest g that
   keeps an effective sample size of :data:`TEMPER_ESS`, so one lucky draw cannot collapse it --
   inflates it, mixes it with the prior (defensive weight :data:`DEFENSIVE`), and simulates
   ``per_round`` new draws on the batched engine;
3. all draws are re-weighted with the deterministic-mixture (balance) heuristic:
   w = prior(z) L(z)**g / sum_r (n_r / n) q_r(z).

g = 1 is the Bayesian posterior. With a few hundred simulations per patient the exact posterior
of ~11 parameters is often out of reach (its weights degenerate onto one draw); the reported
posterior is then the *power posterior* with the largest g that keeps an effective sample size of
``min_ess`` (g is reported; 1/sqrt(g) is the factor by which the noise SD is effectively
widened). That is a stated approximation: the validation (:mod:`.validate`) measures whether the
resulting intervals cover held-out data.

Likelihood: Gaussian on the condition means of % viability, SD^2 = noise_sd^2 / n_wells +
:data:`MODEL_SD`^2 (noise SD pooled from the sample's replicates; the model term absorbs the
shared error of each vehicle normalization).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx.model.twin.data import Observations
from tallrx.model.twin.prior import Prior
from tallrx.model.twin.simulator import simulate_viability

MODEL_SD = 2.0  # % viability
TEMPER_ESS = 30.0  # ESS of each round's (tempered) proposal fit
MIN_ESS = 20.0  # ESS of the reported posterior (below it the likelihood is tempered)
INFLATE = 1.5  # SD inflation of each round's Gaussian
DEFENSIVE = 0.1  # prior share of each round's proposal
KEYS = ["drug", "conc", "il7", "ref_il7"]


@dataclass
class Library:
    """Prior draws simulated on a condition table (shared by samples with the same design)."""

    conditions: pd.DataFrame
    z: np.ndarray
    values: np.ndarray  # (n, len(conditions)) % viability


def union_conditions(obs: list[Observations]) -> pd.DataFrame:
    """Every condition of any of ``obs`` (sorted, unique)."""
    cond = pd.concat([o.conditions for o in obs], ignore_index=True)
    return cond.drop_duplicates().sort_values(KEYS).reset_index(drop=True)


def build_library(
    prior: Prior,
    conditions: pd.DataFrame,
    n: int,
    rng: np.random.Generator,
    *,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> Library:
    """``n`` prior draws simulated on ``conditions``."""
    z = rng.standard_normal((n, prior.dim))
    y = simulate_viability(prior.parameters(z), conditions, engine=engine, jobs=jobs, mapper=mapper)
    return Library(conditions.reset_index(drop=True), z, y)


def _columns_of(obs: Observations, conditions: pd.DataFrame) -> np.ndarray:
    key = conditions[KEYS].reset_index().merge(obs.conditions[KEYS], on=KEYS, how="right")
    return key["index"].to_numpy(int)


def log_likelihood(values: np.ndarray, obs: Observations) -> np.ndarray:
    """Gaussian log-likelihood of each row of ``values`` (% viability at obs' conditions)."""
    var = obs.se**2 + MODEL_SD**2
    r2 = (values - obs.mean) ** 2 / var
    ll = -0.5 * np.sum(r2 + np.log(2 * np.pi * var), axis=1)
    return np.where(np.isfinite(ll), ll, -np.inf)


def ess(logw: np.ndarray) -> float:
    """Effective sample size of log-weights."""
    w = np.exp(logw - np.max(logw))
    return float(w.sum() ** 2 / np.sum(w**2))


def temper(base: np.ndarray, ll: np.ndarray, target: float) -> tuple[float, np.ndarray]:
    """(g, normalized weights) of the target prior x L**g: the largest g in (0, 1] whose
    importance weights exp(base + g ll) keep an ESS >= ``target`` (base = log prior - log
    proposal)."""
    ll = np.where(np.isfinite(ll), ll, -1e300)
    if ess(base + ll) >= target:
        g = 1.0
    else:
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if ess(base + mid * ll) >= target else (lo, mid)
        g = lo
    lw = base + g * ll
    w = np.exp(lw - np.max(lw))
    return g, w / w.sum()


def _gauss_logpdf(z: np.ndarray, mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    d = z.shape[1]
    y = np.linalg.solve(chol, (z - mean).T)
    return -0.5 * np.sum(y**2, axis=0) - np.log(np.diag(chol)).sum() - 0.5 * d * np.log(2 * np.pi)


@dataclass
class TwinFit:
    """Weighted posterior of one sample (latent z, parameters, fitted values, weights)."""

    sample: str
    obs: Observations
    z: np.ndarray
    params: pd.DataFrame
    fitted: np.ndarray  # (n, len(obs.conditions)) % viability
    weights: np.ndarray
    loglik: np.ndarray
    ess: float
    n_simulated: int
    tempering: float = 1.0  # g of the power posterior prior x L**g

    def resample(self, k: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` particle indices by systematic resampling of the weights."""
        u = (rng.random() + np.arange(k)) / k
        return np.minimum(np.searchsorted(np.cumsum(self.weights), u), len(self.weights) - 1)


def fit_twin(
    obs: Observations,
    prior: Prior,
    library: Library,
    rng: np.random.Generator,
    *,
    rounds: int = 2,
    per_round: int = 128,
    min_ess: float = MIN_ESS,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> TwinFit:
    """Posterior of ``obs``' patient by AMIS from ``library`` (see module)."""
    cols = _columns_of(obs, library.conditions)
    z = library.z
    fitted = library.values[:, cols]
    ll = log_likelihood(fitted, obs)
    d = prior.dim
    eye = np.eye(d)
    props = [(len(z), np.zeros(d), eye)]  # (n, mean, chol) of each proposal; the prior first
    base = np.zeros(len(z))
    for _ in range(rounds):
        _, w = temper(base, ll, TEMPER_ESS)
        mean = w @ z
        cov = np.cov(z.T, aweights=w) * INFLATE**2 + 1e-4 * eye
        chol = np.linalg.cholesky(cov)
        n_def = rng.binomial(per_round, DEFENSIVE)
        new = np.vstack(
            [
                rng.standard_normal((n_def, d)),
                mean + rng.standard_normal((per_round - n_def, d)) @ chol.T,
            ]
        )
        y = simulate_viability(
            prior.parameters(new), obs.conditions, engine=engine, jobs=jobs, mapper=mapper
        )
        z = np.vstack([z, new])
        fitted = np.vstack([fitted, y])
        ll = np.concatenate([ll, log_likelihood(y, obs)])
        props.append((per_round, mean, chol))
        base = _log_base(z, props)
    g, w = temper(base, ll, min_ess)
    params = prior.parameters(z)
    return TwinFit(obs.sample, obs, z, params, fitted, w, ll, 1.0 / np.sum(w**2), len(z), g)


def _log_base(z: np.ndarray, props: list) -> np.ndarray:
    """Balance-heuristic AMIS: log prior - log of the mixture of all proposals."""
    d = z.shape[1]
    n_tot = sum(n for n, _, _ in props)
    logp = -0.5 * np.sum(z**2, axis=1) - 0.5 * d * np.log(2 * np.pi)
    parts = []
    for n, mean, chol in props:
        lq = _gauss_logpdf(z, mean, chol)
        if not np.array_equal(chol, np.eye(d)) or np.any(mean != 0):
            lq = np.logaddexp(np.log(1 - DEFENSIVE) + lq, np.log(DEFENSIVE) + logp)
        parts.append(np.log(n / n_tot) + lq)
    return logp - np.logaddexp.reduce(np.vstack(parts), axis=0)
