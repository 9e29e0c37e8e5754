"""Reference (no-interaction) models on a dose-response surface: Bliss, HSA, Loewe, ZIP.

Everything here works on % viability V (100 = untreated). Each score is reported like SynergyFinder:
**percentage points of inhibition, > 0 = synergy, < 0 = antagonism**, i.e. the expected viability
minus the observed one (= observed inhibition minus expected inhibition, inhibition = 100 - V).
Scores of single-agent cells are 0 by construction; a block's summary is the mean over the
combination cells (both doses > 0).

Bliss (independence)
    V_ref = V_a(d_a) V_b(d_b) / 100 from the observed single-agent wells (cell means).
HSA (highest single agent)
    V_ref = min(V_a(d_a), V_b(d_b)) from the observed single-agent wells.
Loewe (additivity)
    V_ref = y solving d_a / X_a(y) + d_b / X_b(y) = 1 with X_i the inverse of drug i's fitted
    four-parameter curve. Convention where a drug cannot reach y: above its top it needs no dose
    (term = +inf), below its bottom (beyond its maximal effect) it would need an infinite dose
    (term = 0). The equation then always has exactly one root; where one drug alone is already
    stronger than the other can ever be, the root is that drug's own effect (the HSA of the fitted
    curves, as the ``synergy`` package's delta_HSA mode). Solved by vectorized bisection.
ZIP (zero interaction potency, Yadav et al. 2015)
    each row (fixed d_b) and column (fixed d_a) of a matrix is fitted once with a 4-parameter curve
    whose top is fixed at the other drug's single-agent fitted effect; y_c is the mean of the row
    and column fits at a cell; V_ref = f_a(d_a) f_b(d_b) / 100 from the single-drug fits sharing
    the mean top; score = V_ref - y_c.
"""

from __future__ import annotations

import numpy as np

from tallrx.analysis.doseresponse.curves import ll4

__all__ = ["bliss", "hsa", "loewe_reference", "zip_delta", "Curves"]

LOEWE_BISECTIONS = 40  # bracket halvings: a 150 pp bracket shrinks below 1e-9 pp
KSECTION_CELLS = 128  # plates x dose pairs up to which the bracket is cut 16-fold per pass


class Curves:
    """Four-parameter curve parameters of shape (B,) (B = plates) with helpers; hill > 0 decreasing."""

    def __init__(self, bottom, top, ic50, hill):
        self.bottom = np.asarray(bottom, float)
        self.top = np.asarray(top, float)
        self.ic50 = np.asarray(ic50, float)
        self.hill = np.asarray(hill, float)

    def __call__(self, x):
        """Predicted viability (B, n) at doses ``x`` of shape (n,) or (B, n) (uM)."""
        x = np.asarray(x, float)
        x = x[None, :] if x.ndim == 1 else x
        return ll4(
            x, self.bottom[:, None], self.top[:, None], self.ic50[:, None], self.hill[:, None]
        )

    def take(self, index) -> Curves:
        """The curves of plates ``index``."""
        return Curves(self.bottom[index], self.top[index], self.ic50[index], self.hill[index])

    @property
    def decreasing(self) -> np.ndarray:
        return (
            np.isfinite(self.hill)
            & (self.hill > 0)
            & (self.top > self.bottom)
            & np.isfinite(self.ic50)
            & (self.ic50 > 0)
        )


def bliss(v, va, vb):
    """Bliss score (pp inhibition, > 0 synergy) from observed V (combination) and single agents.

    >>> float(bliss(30.0, 60.0, 50.0))   # expected 60 * 50 / 100 = 30: no interaction
    0.0
    """
    return np.asarray(va) * np.asarray(vb) / 100.0 - np.asarray(v)


def hsa(v, va, vb):
    """HSA score (pp inhibition, > 0 synergy): min(V_a, V_b) - V.

    >>> float(hsa(40.0, 60.0, 50.0))
    10.0
    """
    return np.minimum(va, vb) - np.asarray(v)


class _Isobole:
    """Pre-computed pieces of d / X(y) for one drug: log(d / ic50), 1 / hill, bottom, top."""

    def __init__(self, d, c: Curves):
        dec = c.decreasing
        self.top = c.top[:, None]
        self.bottom = np.where(dec, c.bottom, c.top)[:, None]  # flat/rising: an inactive drug
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ic50 = np.log(np.where(dec, c.ic50, 1.0))[:, None]
            self.logd = np.log(np.where(d > 0, d, 1.0)) - log_ic50
        self.inv_h = (1.0 / np.where(dec, c.hill, 1.0))[:, None]
        self.active = d > 0

    def terms(self, y):
        """d / X(y) at trial responses ``y`` (k, B, n): +inf above the top, 0 at or below the
        bottom, 0 where d = 0."""
        inside = (y > self.bottom) & (y < self.top)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = np.exp(self.logd + self.inv_h * np.log((y - self.bottom) / (self.top - y)))
        t = np.where(inside, t, np.where(y >= self.top, np.inf, 0.0))
        return np.where(self.active, t, 0.0)


def loewe_reference(d1, d2, ca: Curves, cb: Curves):
    """Loewe-additive expected viability (B, n) at dose pairs ``d1``, ``d2`` (n,) in uM.

    Also returns a bool (B, n): True where one drug could not reach the expected effect (the
    reference fell back to that drug's plateau convention). The isobole sum is monotone in y, so
    its root is bracketed and the bracket cut into k parts per pass (k = 16, four halvings at
    once, for small batches; plain bisection for large ones: the same bracket, less work).
    """
    d1 = np.asarray(d1, float)
    d2 = np.asarray(d2, float)
    B, n = len(ca.top), d1.shape[0]
    iso_a, iso_b = _Isobole(d1[None, :], ca), _Isobole(d2[None, :], cb)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hi = np.minimum(
            np.where(d1 > 0, ca.top[:, None], np.inf), np.where(d2 > 0, cb.top[:, None], np.inf)
        )
        hi = np.where(np.isfinite(hi), hi, np.maximum(ca.top, cb.top)[:, None])
        lo = np.minimum(np.minimum(ca.bottom, cb.bottom), np.minimum(ca.top, cb.top))[:, None] - 1.0
        lo = np.broadcast_to(lo, (B, n)).copy()
        hi = np.broadcast_to(hi, (B, n)).copy()
        k = 16 if B * n <= KSECTION_CELLS else 2
        if k == 2:
            for _ in range(LOEWE_BISECTIONS):
                mid = 0.5 * (lo + hi)
                up = iso_a.terms(mid) + iso_b.terms(mid) > 1.0
                hi = np.where(up, mid, hi)
                lo = np.where(up, lo, mid)
        else:
            frac = (np.arange(1, k) / k)[:, None, None]
            for _ in range(-(-LOEWE_BISECTIONS // int(np.log2(k)))):
                width = hi - lo
                trial = lo + width * frac
                below = ~(iso_a.terms(trial) + iso_b.terms(trial) > 1.0)
                j = below.sum(axis=0)  # trial points below the root: it lies in part j
                hi = lo + width * ((j + 1) / k)
                lo = lo + width * (j / k)
        y = 0.5 * (lo + hi)
    capped = ((d1 > 0) & (y <= iso_a.bottom + 1e-9)) | ((d2 > 0) & (y <= iso_b.bottom + 1e-9))
    bad = ~(np.isfinite(ca.top) & np.isfinite(cb.top))[:, None]
    return np.where(bad, np.nan, y), capped & ~bad


def zip_delta(cd1, cd2, combo, row_fit, col_fit, ca: Curves, cb: Curves, row_of, col_of):
    """ZIP delta, reference and fitted surface (each (B, n_c), % viability for the latter two).

    ``row_fit`` holds curves over d_a at each fixed d_b level (params (B, n_rows)), ``col_fit``
    curves over d_b at each fixed d_a level; ``row_of``/``col_of`` map cells to fit indices.
    delta = reference - fitted (pp inhibition, > 0 synergy); non-combination cells score 0.
    """
    e0 = 0.5 * (ca.top + cb.top)[:, None]
    fa = ll4(cd1[None, :], ca.bottom[:, None], e0, ca.ic50[:, None], ca.hill[:, None])
    fb = ll4(cd2[None, :], cb.bottom[:, None], e0, cb.ic50[:, None], cb.hill[:, None])
    ref = fa * fb / 100.0
    r = np.where(combo, row_of, 0)
    c = np.where(combo, col_of, 0)
    yr = ll4(cd1[None, :], *(p[:, r] for p in row_fit))
    yc = ll4(cd2[None, :], *(p[:, c] for p in col_fit))
    fit = np.where(combo[None, :], 0.5 * (yr + yc), np.nan)
    return np.where(combo[None, :], ref - fit, 0.0), ref, fit
