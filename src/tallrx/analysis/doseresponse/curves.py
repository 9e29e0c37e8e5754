"""Dose-response curve models and their closed-form areas (pure numpy, vectorized).

Four-parameter log-logistic (drc's LL.4 parameterization, hill > 0 = decreasing response)::

    f(x) = bottom + (top - bottom) / (1 + (x / ic50) ** hill)          x, ic50 in uM

Median-effect equation (Chou 2006): fa / fu = (D / Dm) ** m, i.e. fa = 1 / (1 + (Dm / D) ** m).

AUC convention (the paper): the area of % viability over log10(concentration in uM); a 4-log window
at 100 % viability has area 400. All functions broadcast over arrays of curves.
"""

from __future__ import annotations

import numpy as np

LN10 = np.log(10.0)


def ll4(x, bottom, top, ic50, hill):
    """Four-parameter log-logistic response at concentration ``x`` (uM); broadcasts.

    >>> float(ll4(2.0, 0.0, 100.0, 2.0, 1.0))
    50.0
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        z = hill * (np.log(np.where(x > 0, x, np.nan)) - np.log(ic50))
        frac = np.where(x > 0, 1.0 / (1.0 + np.exp(z)), np.where(np.asarray(hill) > 0, 1.0, 0.0))
    return bottom + (top - bottom) * frac


def ll4_inverse(y, bottom, top, ic50, hill):
    """Concentration (uM) at which the LL4 curve reaches response ``y``; NaN where it never does.

    >>> float(ll4_inverse(50.0, 0.0, 100.0, 2.0, 1.0))
    2.0
    """
    y = np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (top - y) / (y - bottom)
        x = ic50 * ratio ** (1.0 / hill)
    return np.where(np.isfinite(x) & (x > 0), x, np.nan)


def _log10_1p_pow10(z):
    """log10(1 + 10**z), stable for large |z|."""
    return np.logaddexp(0.0, np.asarray(z, dtype=float) * LN10) / LN10


def auc_ll4(low, high, bottom, top, ic50, hill):
    """Closed-form area under the LL4 curve over log10(x) from ``low`` to ``high`` (uM).

    With u = log10 x and c = log10 ic50, the integral of 1 / (1 + 10**(h (u - c))) du is
    u - log10(1 + 10**(h (u - c))) / h.

    >>> round(float(auc_ll4(0.01, 100.0, 100.0, 100.0, 1.0, 1.0)), 6)  # flat at 100 %, 4 logs
    400.0
    >>> round(float(auc_ll4(0.01, 100.0, 0.0, 100.0, 1.0, 1.0)), 6)  # symmetric about ic50
    200.0
    """
    u1, u2 = np.log10(low), np.log10(high)
    c = np.log10(ic50)
    hill = np.asarray(hill, dtype=float)
    width = u2 - u1
    small = np.abs(hill) < 1e-12
    safe_h = np.where(small, 1.0, hill)
    frac = width - (_log10_1p_pow10(safe_h * (u2 - c)) - _log10_1p_pow10(safe_h * (u1 - c))) / safe_h
    frac = np.where(small, width / 2.0, frac)
    return bottom * width + (top - bottom) * frac


def auc_trapezoid(log10_conc, response, axis=-1):
    """Trapezoid area of ``response`` over ``log10_conc`` (sorted ascending along ``axis``).

    >>> float(auc_trapezoid(np.array([-2.0, 2.0]), np.array([100.0, 100.0])))
    400.0
    """
    return np.trapezoid(response, log10_conc, axis=axis)


def auc_trapezoid_window(log10_conc, response, low, high):
    """Trapezoid area of ``response`` over ``log10_conc`` restricted to [``low``, ``high``] (log10).

    Rows are curves; ``log10_conc`` (n, k) is ascending along each row and NaN-padded at the end.
    Between measured points the response is the straight line of the trapezoid rule; parts of the
    window outside the measured span add nothing (callers add the fitted curve there). ``low`` and
    ``high`` broadcast over rows.

    Hand-worked: points (-2, 100), (-1, 100), (0, 50), (1, 0), (2, 0); full span: 100 + 75 + 25 + 0
    = 200. Window [-1.5, 0.5]: 0.5 x 100 (from -1.5 to -1) + 1 x 75 + 0.5 x (50 + 25) / 2 = 143.75.

    >>> lc = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0]])
    >>> r = np.array([[100.0, 100.0, 50.0, 0.0, 0.0]])
    >>> auc_trapezoid_window(lc, r, -2.0, 2.0).tolist(), auc_trapezoid_window(lc, r, -1.5, 0.5).tolist()
    ([200.0], [143.75])
    """
    lc = np.atleast_2d(np.asarray(log10_conc, dtype=float))
    r = np.atleast_2d(np.asarray(response, dtype=float))
    low = np.broadcast_to(np.asarray(low, dtype=float), lc.shape[:1])[:, None]
    high = np.broadcast_to(np.asarray(high, dtype=float), lc.shape[:1])[:, None]
    x0, x1, y0, y1 = lc[:, :-1], lc[:, 1:], r[:, :-1], r[:, 1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.maximum(x0, low)
        b = np.minimum(x1, high)
        slope = (y1 - y0) / (x1 - x0)
        ya = y0 + slope * (a - x0)
        yb = y0 + slope * (b - x0)
        seg = np.where((b > a) & np.isfinite(ya) & np.isfinite(yb), (b - a) * (ya + yb) / 2.0, 0.0)
    return seg.sum(axis=1)


def median_effect_fa(dose, dm, m):
    """Fraction affected at ``dose`` (uM) for the median-effect equation; broadcasts.

    >>> float(median_effect_fa(3.0, 3.0, 2.0))
    0.5
    """
    dose = np.asarray(dose, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / (1.0 + (dm / dose) ** m)


def median_effect_dose(fa, dm, m):
    """Dose (uM) giving fraction affected ``fa`` (0 < fa < 1): Dx = Dm (fa / (1 - fa)) ** (1/m).

    >>> float(median_effect_dose(0.5, 3.0, 2.0))
    3.0
    """
    fa = np.asarray(fa, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return dm * (fa / (1.0 - fa)) ** (1.0 / m)
