"""Weighted quantiles of particle populations (the posterior predictive table and the
identifiability widths use this one helper)."""

from __future__ import annotations

import numpy as np


def weighted_quantiles(x: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    """Quantiles ``q`` (in [0, 1]) of the finite values of ``x`` under ``weights``.

    Each value sits at the middle of its weight's step of the weighted CDF (Hazen plotting
    position: with equal weights the i-th of n sorted values is the (i - 0.5) / n quantile),
    linear in between, clamped to the extremes; NaN for every q when no value is finite.
    """
    x = np.asarray(x, float)
    w = np.asarray(weights, float)
    q = np.atleast_1d(np.asarray(q, float))
    ok = np.isfinite(x) & (w > 0)
    if not ok.any():
        return np.full(len(q), np.nan)
    x, w = x[ok], w[ok]
    order = np.argsort(x, kind="stable")
    w = w[order] / w.sum()
    return np.interp(q, np.cumsum(w) - 0.5 * w, x[order])
