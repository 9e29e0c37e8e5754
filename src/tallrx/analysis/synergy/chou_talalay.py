"""Chou-Talalay median-effect analysis and combination index (Chou 2006, Pharmacol Rev 58:621).

Median-effect equation: fa / fu = (D / Dm) ** m with fa the fraction affected (1 - viability/100),
fu = 1 - fa, D the dose (uM; for a constant-ratio mixture the total dose d_a + d_b). Its linear form
log(fa / fu) = m log(D) - m log(Dm) is fitted by least squares on every replicate well with D > 0
and 0 < fa < 1 (points outside are not representable and are counted as dropped).

Combination index of a combination (d1, d2) that produces effect fa (mutually exclusive drugs)::

    CI = d1 / Dx1(fa) + d2 / Dx2(fa),   Dx(fa) = Dm (fa / (1 - fa)) ** (1 / m)

**Sign convention: CI < 1 synergy, CI = 1 additive, CI > 1 antagonism** (paper: < 0.3 strong
synergy, 0.3-0.8 synergy). Dose-reduction index DRI_i = Dx_i / d_i (> 1 favourable).

Hand-worked example (Chou's median-effect numbers are of this form): drug 1 Dm = 10 uM, m = 1;
drug 2 Dm = 20 uM, m = 2. The combination 2.5 uM + 5 uM kills half the cells (fa = 0.5), so
Dx1 = 10, Dx2 = 20 and CI = 2.5/10 + 5/20 = 0.5; at fa = 0.9, Dx1 = 10 * 9 = 90 and
Dx2 = 20 * 3 = 60, so the same doses give CI = 2.5/90 + 5/60 = 0.1111.

>>> m, dm = np.array([1.0, 2.0]), np.array([10.0, 20.0])
>>> float(combination_index(2.5, 5.0, 0.5, dm[0], m[0], dm[1], m[1]))
0.5
>>> round(float(combination_index(2.5, 5.0, 0.9, dm[0], m[0], dm[1], m[1])), 4)
0.1111

All functions broadcast over leading batch axes (plates, series).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallrx.analysis.doseresponse.curves import median_effect_dose

__all__ = [
    "MedianEffectFit",
    "median_effect_fit",
    "combination_index",
    "ci_at_fa",
    "window_stats",
    "nanmedian",
    "FA_EPS",
    "ED_LEVELS",
    "CI_WINDOW_MIN_FA",
]

FA_EPS = 1e-9
ED_LEVELS = (0.5, 0.75, 0.9, 0.95)  # CI reported at ED50, ED75, ED90, ED95 (Chou 2006)
#: the therapeutic window (paper, Fig. 5C: the mean CI "over the complete therapeutic window of the
#: combination treatment") holds the combination points with an effect of at least 10 %. Below
#: that the effect is within plate noise (vehicle CV up to 20 %), and Dx(fa) of a drug near its
#: top plateau tends to 0, so d / Dx (hence the CI) is arbitrarily large: a handful of such
#: points would dominate the mean (values of 1e150 were seen on steroid-resistant samples).
CI_WINDOW_MIN_FA = 0.10


@dataclass(frozen=True)
class MedianEffectFit:
    """Batched median-effect fits: arrays of shape (...,) for m, dm (uM), r (linear correlation),
    r2, n (points used), n_dropped (points with fa outside (0, 1)), max_fa, max_dose (uM)."""

    m: np.ndarray
    dm: np.ndarray
    r: np.ndarray
    n: np.ndarray
    n_dropped: np.ndarray
    max_fa: np.ndarray
    max_dose: np.ndarray

    @property
    def r2(self) -> np.ndarray:
        return self.r**2

    @property
    def ok(self) -> np.ndarray:
        """Fit usable: >= 2 distinct points, finite positive Dm, positive slope m."""
        return (
            (self.n >= 2)
            & np.isfinite(self.dm)
            & (self.dm > 0)
            & np.isfinite(self.m)
            & (self.m > 0)
        )

    def dose(self, fa) -> np.ndarray:
        """Dx (uM) giving fraction affected ``fa`` (broadcast against the fit's shape)."""
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return median_effect_dose(fa, self.dm, self.m)


def median_effect_fit(dose, fa, mask=None) -> MedianEffectFit:
    """Least-squares median-effect fit along the last axis (one fit per leading index).

    ``dose`` (uM) and ``fa`` broadcast to (..., n_points); NaN entries and ``mask == False`` are
    ignored. Points with dose <= 0 or fa outside (0, 1) cannot enter the log-linear form.

    >>> d = np.array([1.0, 2.0, 4.0, 8.0])
    >>> fit = median_effect_fit(d, 1 / (1 + (3.0 / d) ** 1.5))
    >>> round(float(fit.m), 6), round(float(fit.dm), 6), round(float(fit.r), 6)
    (1.5, 3.0, 1.0)
    """
    dose = np.asarray(dose, dtype=float)
    fa = np.asarray(fa, dtype=float)
    dose, fa = np.broadcast_arrays(dose, fa)
    present = np.isfinite(dose) & np.isfinite(fa) & (dose > 0)
    if mask is not None:
        present &= np.broadcast_to(np.asarray(mask, bool), present.shape)
    valid = present & (fa > FA_EPS) & (fa < 1 - FA_EPS)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.where(valid, np.log(np.where(valid, dose, 1.0)), 0.0)
        y = np.where(valid, np.log(np.where(valid, fa / (1 - fa), 1.0)), 0.0)
        n = valid.sum(-1)
        nf = n.astype(float)
        mx = x.sum(-1) / nf
        my = y.sum(-1) / nf
        dx = np.where(valid, x - mx[..., None], 0.0)
        dy = np.where(valid, y - my[..., None], 0.0)
        sxx = (dx * dx).sum(-1)
        sxy = (dx * dy).sum(-1)
        syy = (dy * dy).sum(-1)
        m = sxy / sxx
        m = np.where(sxx > 1e-12, m, np.nan)
        dm = np.exp(mx - my / m)
        r = sxy / np.sqrt(sxx * syy)
    max_fa = np.where(present, fa, -np.inf).max(-1, initial=-np.inf)
    max_dose = np.where(present, dose, 0.0).max(-1, initial=0.0)
    return MedianEffectFit(
        m=m,
        dm=dm,
        r=r,
        n=n,
        n_dropped=present.sum(-1) - n,
        max_fa=np.where(np.isfinite(max_fa), max_fa, np.nan),
        max_dose=max_dose,
    )


def combination_index(d1, d2, fa, dm1, m1, dm2, m2):
    """CI = d1/Dx1(fa) + d2/Dx2(fa) with median-effect Dx; NaN where fa is outside (0, 1).

    Sign convention: < 1 synergy, 1 additive, > 1 antagonism.
    """
    fa = np.asarray(fa, dtype=float)
    ok = (fa > FA_EPS) & (fa < 1 - FA_EPS)
    fa = np.where(ok, fa, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return d1 / median_effect_dose(fa, dm1, m1) + d2 / median_effect_dose(fa, dm2, m2)


def ci_at_fa(fa, ratio, mix: MedianEffectFit, dx1, dx2):
    """CI of a constant-ratio mixture (d_b / d_a = ``ratio``) at effect level(s) ``fa``.

    ``mix`` is the mixture's median-effect fit (total dose); ``dx1``/``dx2`` are the single drugs'
    doses at the same ``fa`` (uM). The mixture dose Dx_mix splits into d1 = Dx_mix / (1 + ratio)
    and d2 = Dx_mix * ratio / (1 + ratio).
    """
    total = mix.dose(fa)
    p1 = 1.0 / (1.0 + ratio)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total * p1 / dx1 + total * (1 - p1) / dx2


def window_stats(ci, weights=None) -> dict[str, np.ndarray]:
    """Mean, geometric mean, median and n of the finite CI values along the last axis.

    ``weights`` (same shape, counts >= 0) give a bootstrap resample of the points.
    """
    ci = np.asarray(ci, dtype=float)
    ok = np.isfinite(ci) & (ci > 0)
    w = ok.astype(float) if weights is None else np.where(ok, weights, 0.0)
    n = w.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, (np.where(ok, ci, 0.0) * w).sum(-1) / n, np.nan)
        gmean = np.exp(
            np.where(
                n > 0, (np.where(ok, np.log(np.where(ok, ci, 1.0)), 0.0) * w).sum(-1) / n, np.nan
            )
        )
    return {
        "mean": mean,
        "gmean": gmean,
        "median": nanmedian(np.where(ok, ci, np.nan), axis=-1),
        "n": ok.sum(-1),
    }


def nanmedian(a, axis: int = -1) -> np.ndarray:
    """Median of the finite values along ``axis`` (NaN where none), without all-NaN warnings."""
    a = np.asarray(a, dtype=float)
    finite = np.isfinite(a)
    s = np.sort(np.where(finite, a, np.inf), axis=axis)
    n = finite.sum(axis)
    lo = np.take_along_axis(s, np.expand_dims(np.maximum((n - 1) // 2, 0), axis), axis)
    hi = np.take_along_axis(s, np.expand_dims(np.maximum(n // 2, 0), axis), axis)
    med = 0.5 * (np.squeeze(lo, axis) + np.squeeze(hi, axis))
    return np.where(n > 0, med, np.nan)
