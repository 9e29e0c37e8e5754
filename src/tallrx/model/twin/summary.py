"""Posterior summaries of a twin: weighted quantiles of each parameter against its prior."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.model.twin.fit import TwinFit
from tallrx.model.twin.prior import Prior

LEVEL = 0.90


def weighted_quantile(x: np.ndarray, w: np.ndarray, q) -> np.ndarray:
    """Quantiles ``q`` of ``x`` under normalized weights ``w`` (inverse of the weighted CDF)."""
    o = np.argsort(x)
    cdf = np.cumsum(w[o]) - 0.5 * w[o]
    return np.interp(q, cdf / cdf[-1] if cdf[-1] > 0 else cdf, x[o])


def _width(lo: float, hi: float, positive: bool) -> float:
    if positive and lo > 0:
        return float(np.log(hi / lo))
    return float(hi - lo)


def parameter_table(fit: TwinFit, prior: Prior) -> pd.DataFrame:
    """One row per fitted parameter: prior and posterior median and 90 % interval, the width
    ratio (posterior / prior 90 % width, on the log scale for positive parameters: near 1 =
    the data did not inform it) and the ESS of the weights."""
    lo, hi = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    rows = []
    ref = prior.parameters(np.random.default_rng(0).standard_normal((4000, prior.dim)))
    names = list(prior.names) + (
        [c for c in prior.shared.columns] if prior.shared is not None else []
    )
    for name in names:
        x = fit.params[name].to_numpy(float)
        pq = np.quantile(ref[name].to_numpy(float), [0.5, lo, hi])
        qq = weighted_quantile(x, fit.weights, [0.5, lo, hi])
        positive = bool((ref[name] > 0).all())
        pw = _width(pq[1], pq[2], positive)
        rows.append(
            {
                "sample": fit.sample,
                "parameter": name,
                "prior_median": pq[0],
                "prior_lower": pq[1],
                "prior_upper": pq[2],
                "median": qq[0],
                "lower": qq[1],
                "upper": qq[2],
                "width_ratio": _width(qq[1], qq[2], positive) / pw if pw > 0 else np.nan,
                "ess": fit.ess,
                "n_simulated": fit.n_simulated,
                "tempering": fit.tempering,
            }
        )
    return pd.DataFrame(rows)


def fit_bands(fit: TwinFit) -> pd.DataFrame:
    """Observed condition means (with SE) beside the posterior median and 90 % band of the fitted
    model (% viability), one row per fitted condition."""
    lo, hi = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    q = np.array(
        [
            weighted_quantile(fit.fitted[:, j], fit.weights, [0.5, lo, hi])
            for j in range(fit.fitted.shape[1])
        ]
    ).reshape(-1, 3)
    out = fit.obs.conditions.copy()
    out["observed"] = fit.obs.mean
    out["se"] = fit.obs.se
    out["fit_median"], out["fit_lower"], out["fit_upper"] = q[:, 0], q[:, 1], q[:, 2]
    return out
