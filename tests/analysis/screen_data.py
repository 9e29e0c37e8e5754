"""Synthetic screens shaped like public ones, shared by the fitter and dose-response tests."""

from __future__ import annotations

import numpy as np

from tallrx.analysis.doseresponse.curves import ll4

CCLE_DOSES = np.geomspace(0.0025, 8.0, 8)  # uM, as in the CCLE drug screen


def screen_like(rng: np.random.Generator, n: int, holes: float = 0.1):
    """A CCLE-like screen: 8 doses 0.0025-8 uM, one well each; ~45 % of the curves inactive (flat
    at their top plus noise), the rest active, partial (ic50 beyond the top dose) or very noisy;
    a fraction ``holes`` of wells missing (NaN). Returns x (n, 8) uM and y (n, 8) % viability."""
    kind = rng.choice(4, n, p=[0.45, 0.25, 0.2, 0.1])  # flat, active, partial, noisy
    ic50 = np.where(kind == 1, 10 ** rng.uniform(-2.5, 0.8, n), 10 ** rng.uniform(0.5, 2.5, n))
    top = rng.normal(100, 8, n)
    y = ll4(CCLE_DOSES[None], rng.uniform(-10, 60, n)[:, None], top[:, None], ic50[:, None],
            rng.lognormal(0, 0.6, n)[:, None])
    y = np.where((kind == 0)[:, None], top[:, None], y)
    sd = np.where(kind == 3, rng.uniform(15, 40, n), rng.uniform(2, 12, n))
    y = y + rng.normal(0, 1, y.shape) * sd[:, None]
    y[rng.random(y.shape) < holes] = np.nan
    return np.broadcast_to(CCLE_DOSES, y.shape), y
