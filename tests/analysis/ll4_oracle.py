"""Independent per-curve reference for the batched LL.4 fitter: scipy.optimize.least_squares.

Written straight from drc's LL.4 formula, f(x) = c + (d - c) / (1 + exp(b (log x - log e))), with
parameters (c, d, log e, b) and the same default boxes as the batched fitter (plateaus within one
data range beyond the data, [min y - R, max y + R] with R = max y - min y, or free with
``plateau_margin=None``; b in [0.1, 20], e within 100-fold of the tested dose range). Used by the tests and by
benchmarks/bench_fit.py; it shares no code with tallrx.analysis.doseresponse.fitting.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

HILL_BOX = (0.1, 20.0)
IC50_SPAN = 100.0
HILL_STARTS = (0.5, 1.0, 2.0, 5.0)


def _model(p, x):
    c, d, log_e, b = p
    with np.errstate(over="ignore"):
        lx = np.log(np.where(x > 0, x, 1.0))
        term = np.where(x > 0, np.exp(np.minimum(b * (lx - log_e), 700.0)), 0.0)
    return c + (d - c) / (1.0 + term)


def _jac(p, x, y):
    c, d, log_e, b = p
    lx = np.log(np.where(x > 0, x, 1.0))
    with np.errstate(over="ignore"):
        e = np.where(x > 0, np.exp(np.minimum(b * (lx - log_e), 700.0)), 0.0)
    s = 1.0 / (1.0 + e)
    a = e * s
    return np.column_stack([a, s, (d - c) * b * s * a, -(d - c) * s * a * (lx - log_e)])


def scipy_fit_one(x, y, hill_starts=(1.0,), plateau_margin=1.0):
    """Least-squares LL.4 fit of one curve; returns (c, d, e, b, sse), best over ``hill_starts``.

    Start: c = min(y), d = max(y), e = the tested dose whose mean response is closest to the
    middle of the range (the usual hand-made initial guess).
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    pos = x[x > 0]
    if plateau_margin is None:
        p_lo, p_hi = -np.inf, np.inf
    else:
        span = plateau_margin * (y.max() - y.min())
        p_lo, p_hi = y.min() - span, y.max() + span
    lo = [p_lo, p_lo, np.log(pos.min() / IC50_SPAN), HILL_BOX[0]]
    hi = [p_hi, p_hi, np.log(pos.max() * IC50_SPAN), HILL_BOX[1]]
    doses = np.unique(pos)
    means = np.array([y[x == v].mean() for v in doses])
    mid = 0.5 * (y.min() + y.max())
    e0 = np.log(doses[np.argmin(np.abs(means - mid))])
    best = None
    for b0 in hill_starts:
        p0 = [y.min(), y.max(), e0, b0]
        fit = least_squares(
            lambda p: _model(p, x) - y,
            p0,
            jac=lambda p: _jac(p, x, y),
            bounds=(lo, hi),
            method="trf",
        )
        sse = float(np.sum(fit.fun**2))
        if best is None or sse < best[-1]:
            best = (fit.x[0], fit.x[1], float(np.exp(fit.x[2])), fit.x[3], sse)
    return best
