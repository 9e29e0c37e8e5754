"""The twin's prior: the virtual-cohort distributions (and optionally the calibration posterior)
as a map from a standard-normal latent vector to model parameters.

Patient parameters (:data:`tallrx.model.virtual.cohort.PARAMS`) follow the cohort generator
(:func:`~tallrx.model.virtual.cohort.sample_candidates`, whatever its distributions are): a
reference sample of ``n_ref`` patients is drawn once and turned into a Gaussian copula -- each
parameter's empirical quantile function (so point masses such as "no mutation" stay exact) and
the correlation of the normal scores. A latent z ~ N(0, I) maps to one patient. Parameters that
the generator holds fixed (the PDX context) stay fixed.

With a calibration posterior (``posterior.csv``: a ``weight`` column plus one column per
uncertain model parameter), one more latent coordinate picks a posterior draw (probability
proportional to its weight); its shared parameters are set for that particle. Columns that are
patient parameters are left to the cohort prior. The prior in latent space is exactly N(0, I),
which is what :mod:`.fit` samples against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from tallrx.errors import InputError

N_REF = 4000
PRIOR_SEED = 15


@dataclass
class Prior:
    """Latent N(0, I) -> parameters (see module)."""

    names: list[str]  # varying patient parameters
    quantiles: np.ndarray  # (n_ref, len(names)) sorted values of each
    chol: np.ndarray  # Cholesky factor of the normal-score correlation
    fixed: dict[str, float]
    shared: pd.DataFrame | None = None  # posterior draws (model parameter columns)
    shared_cdf: np.ndarray | None = None
    source: dict = field(default_factory=dict)

    @property
    def dim(self) -> int:
        """Latent dimension (patient parameters + 1 for a posterior draw)."""
        return len(self.names) + (self.shared is not None)

    def parameters(self, z: np.ndarray) -> pd.DataFrame:
        """Model parameter values (one row per latent row of ``z``)."""
        z = np.atleast_2d(z)
        k = len(self.names)
        u = ndtr(z[:, :k] @ self.chol.T)
        n = self.quantiles.shape[0]
        grid = (np.arange(n) + 0.5) / n
        out = {
            name: np.interp(u[:, j], grid, self.quantiles[:, j])
            for j, name in enumerate(self.names)
        }
        df = pd.DataFrame(out)
        for name, v in self.fixed.items():
            df[name] = v
        if self.shared is not None:
            idx = np.searchsorted(self.shared_cdf, ndtr(z[:, k]), side="right")
            idx = np.minimum(idx, len(self.shared) - 1)
            shared = self.shared.iloc[idx].reset_index(drop=True)
            df = pd.concat([df, shared], axis=1)
            df["posterior_draw"] = idx
        return df

    def latent(self, params: pd.DataFrame) -> np.ndarray:
        """Approximate latent coordinates of known patient parameters (for diagnostics)."""
        n = self.quantiles.shape[0]
        u = np.column_stack(
            [
                (np.searchsorted(self.quantiles[:, j], params[c].to_numpy(float)) + 0.5) / (n + 1)
                for j, c in enumerate(self.names)
            ]
        )
        return np.linalg.solve(self.chol, ndtri(u).T).T


def _cohort_draws(n: int, seed: int) -> pd.DataFrame:
    """``n`` patients from the cohort generator (its PARAMS columns)."""
    from tallrx.model.virtual import cohort

    pool = cohort.sample_candidates(n, 0, seed)
    return pool[list(cohort.PARAMS)].astype(float).reset_index(drop=True)


def read_posterior(path: str | Path) -> pd.DataFrame:
    """Posterior draws (``weight`` + model parameter columns); InputError when unusable."""
    from tallrx.model.network import NETWORK
    from tallrx.model.virtual import cohort

    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the posterior ({exc})") from None
    if "weight" not in df or len(df) == 0:
        raise InputError(
            f"{path}: a posterior needs a 'weight' column and one row per draw "
            "(model calibrate's posterior.csv)"
        )
    w = pd.to_numeric(df["weight"], errors="coerce").to_numpy(float)
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise InputError(f"{path}: column 'weight' must hold non-negative numbers, not all 0")
    cols = []
    for c in df.columns:
        name = str(c).removeprefix("p.")
        if c == "weight" or name in cohort.PARAMS:
            continue
        if name in NETWORK.parameter_index:
            cols.append(c)
    if not cols:
        raise InputError(
            f"{path}: no column names a model parameter; expected weight plus parameter columns"
        )
    out = df[cols].apply(pd.to_numeric, errors="coerce")
    out.columns = [str(c).removeprefix("p.") for c in cols]
    if out.isna().any().any():
        raise InputError(f"{path}: parameter columns must be numbers in every row")
    out.attrs["weight"] = w / w.sum()
    return out


def build_prior(
    posterior: pd.DataFrame | None = None, *, n_ref: int = N_REF, seed: int = PRIOR_SEED
) -> Prior:
    """The twin prior from the cohort generator (+ posterior draws, see :func:`read_posterior`)."""
    draws = _cohort_draws(n_ref, seed)
    spread = draws.nunique() > 1
    names = [c for c in draws.columns if spread[c]]
    fixed = {c: float(draws[c].iloc[0]) for c in draws.columns if not spread[c]}
    q = np.sort(draws[names].to_numpy(float), axis=0)
    ranks = draws[names].rank(method="average").to_numpy(float)
    scores = ndtri(ranks / (len(draws) + 1))
    corr = np.corrcoef(scores, rowvar=False) + 1e-9 * np.eye(len(names))
    prior = Prior(names, q, np.linalg.cholesky(corr), fixed, source={"n_ref": n_ref, "seed": seed})
    if posterior is not None:
        prior.shared = posterior.reset_index(drop=True)
        prior.shared_cdf = np.cumsum(
            posterior.attrs.get("weight", np.full(len(posterior), 1 / len(posterior)))
        )
        prior.source["posterior_draws"] = len(posterior)
    return prior
