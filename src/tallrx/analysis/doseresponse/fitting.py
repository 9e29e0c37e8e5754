"""Batched four-parameter log-logistic (drc's LL.4) least squares for many curves at once.

Model (concentrations in uM, ``hill > 0`` = decreasing; ``top < bottom`` describes a rising curve)::

    f(x) = bottom + (top - bottom) / (1 + (x / ic50) ** hill),      f(0) = top

Algorithm (all curves advance together in numpy; there is no Python loop over curves):

1. Replicate points at the same concentration are collapsed to their weighted mean (weight = summed
   weights); the within-concentration sum of squares is added back, so the optimum and the SSE are
   exactly those of the raw points, at a fraction of the work. Each curve is centred and scaled so
   tolerances do not depend on the response unit.
2. Variable projection: for a given (log ic50, hill) the best (bottom, top) is a 2 x 2 linear least
   squares problem, solved in closed form (exactly, inside box constraints; a fixed plateau is a
   box of zero width). Only (log ic50, log hill) are iterated.
3. Multi-start: for each of ``n_starts`` hill values (0.5 ... 20, geometric) the profiled SSE is
   scored at log ic50 = every midpoint between neighbouring tested doses and one decade beyond each
   end; the best point of each hill seeds one run.
4. Levenberg-Marquardt on (log ic50, log hill): the step solves the Schur complement of the 4 x 4
   observed Hessian (Newton, quadratic convergence) where that is positive definite, else of the
   Gauss-Newton J'WJ (Kaufman's variable projection), with Marquardt scaling, Nielsen's damping
   update and a trust region per start; bounds by an active set plus step truncation. Starts run
   in a fixed-size pool: finished starts leave it and pending ones take their place, starts that
   meet in the same basin are merged, starts stuck above their curve's best are dropped.
5. The best start per curve wins. Standard errors: cov = s^2 H^-1 with s^2 = SSE / (n - number of
   free parameters) and H half the observed Hessian of the SSE at the optimum (as drc reports;
   the Gauss-Newton J'WJ where that is not positive definite).

This module is the fitter's one public entry and its batching (shape classes, replicate collapse,
bounds); it stays whole because those steps share every array. The numerics live in :mod:`tallrx.analysis.doseresponse._ll4_profile` (steps 2, 3, 5) and
:mod:`tallrx.analysis.doseresponse._ll4_lm` (step 4). Degenerate curves (no points, fewer points or distinct
concentrations than free parameters, a response that does not vary with dose) never raise: their
parameters are NaN, ``converged`` False.

Plateau bounds (issue 9): unless given, each plateau of a curve lies within
[min(y) - R, max(y) + R], R = max(y) - min(y) over the curve's used points
(``DEFAULT_PLATEAU_MARGIN`` = 1 range beyond the data on each side), so an inactive or partial curve
can never report a plateau of -1e21; ``LL4Fit.at_bound()`` says which estimates sit on their box.

Batch independence: a curve's fit never depends on the other curves of the call. Curves are
fitted in classes of equal shape (number of used points, number of distinct concentrations and
plateau kind) with their points packed without padding, so every floating-point operation on a
curve is the same whether it is fitted alone or among thousands.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tallrx.analysis.doseresponse._ll4_lm import run_pool
from tallrx.analysis.doseresponse._ll4_profile import (
    Curves,
    covariance_se,
    grid_starts,
    plateau_kind,
    point_sum,
)
from tallrx.analysis.doseresponse.curves import LN10, ll4
from tallrx.errors import AnalysisError, did_you_mean

__all__ = [
    "LL4Fit",
    "fit_ll4",
    "DEFAULT_HILL_BOUNDS",
    "DEFAULT_IC50_SPAN",
    "DEFAULT_PLATEAU_MARGIN",
    "plateau_box",
]

DEFAULT_HILL_BOUNDS = (0.1, 20.0)
"""Default box for the Hill slope (drc's b), per natural-log unit of concentration."""
DEFAULT_IC50_SPAN = 100.0
"""Default ic50 box: [lowest positive tested dose / span, highest tested dose * span] (uM)."""

DEFAULT_PLATEAU_MARGIN = 1.0
"""Default plateau box: [min(y) - m R, max(y) + m R] per curve, R = max(y) - min(y) (response units)."""

_PARAMS = ("bottom", "top", "ic50", "hill")
_KINDS = ("box", "free", "top", "bottom", "both", "boxtop", "boxbottom")  # see Curves.kind
_MAX_ITER = 200
_BLOCK = 65536  # curves prepared at once (bounds memory)
_POOL = 8192  # starts iterated at once (~3 MB per working array; 4096 took ~5 % longer on the
# 30,000-curve benchmark; a start's numbers do not depend on the pool, so neither do the fits)
_GRID_BUDGET = 16384  # (curve x start candidate) scored at once: fewer, larger numpy calls
# (85 vs 99 ms at 4096 for 30,000 curves x 44 candidates; each curve's numbers are the same)


@dataclass(frozen=True)
class LL4Fit:
    """Per-curve LL.4 estimates; every field is an array of shape (n_curves,).

    ``ic50`` and ``se_ic50`` are in the unit of ``x`` (uM); ``sse`` is the (weighted) residual sum
    of squares over all used points; ``n`` counts used points; standard errors are NaN when not
    estimable (fixed parameter, no residual degrees of freedom, singular Jacobian).
    """

    bottom: np.ndarray
    top: np.ndarray
    ic50: np.ndarray
    hill: np.ndarray
    sse: np.ndarray
    n: np.ndarray
    converged: np.ndarray
    se_bottom: np.ndarray
    se_top: np.ndarray
    se_ic50: np.ndarray
    se_hill: np.ndarray
    bounds: Mapping | None = None
    """{parameter: (low, high)} arrays of the boxes used (a fixed plateau: low == high)."""

    def at_bound(self) -> dict[str, np.ndarray]:
        """{parameter: bool array}: the estimate sits on a bound of its box (within 1e-9 x
        (1 + |bound|); a fixed plateau is not "at bound"). Empty when no boxes are known.

        >>> fit = fit_ll4(np.logspace(-2, 2, 9), [100, 100, 99, 98, 96, 93, 90, 85, 80],
        ...               bounds={"bottom": (75.0, 100.0)})
        >>> float(fit.bottom[0]), bool(fit.at_bound()["bottom"][0])  # no lower plateau in sight
        (75.0, True)
        """
        if self.bounds is None:
            return {}
        out = {}
        for name, (lo, hi) in self.bounds.items():
            v = np.asarray(getattr(self, name), dtype=float)
            with np.errstate(invalid="ignore"):
                on = (np.abs(v - lo) <= 1e-9 * (1.0 + np.abs(lo))) | (
                    np.abs(v - hi) <= 1e-9 * (1.0 + np.abs(hi))
                )
            out[name] = on & (lo < hi) & np.isfinite(v)
        return out

    def __len__(self) -> int:
        return int(self.ic50.shape[0])

    def predict(self, x) -> np.ndarray:
        """Fitted response at ``x`` (uM): shape (n_curves, k) for ``x`` of shape (k,) or (n_curves, k).

        >>> fit = LL4Fit(*(np.array([v]) for v in (0.0, 100.0, 2.0, 1.0, 0.0, 4, True,
        ...                                         0.0, 0.0, 0.0, 0.0)))
        >>> fit.predict([0.0, 2.0]).tolist()
        [[100.0, 50.0]]
        """
        x = np.asarray(x, dtype=float)
        x = np.broadcast_to(x, (len(self), x.shape[-1])) if x.ndim else np.full((len(self), 1), x)
        b, t, c, h = (
            np.asarray(v, dtype=float)[:, None]
            for v in (self.bottom, self.top, self.ic50, self.hill)
        )
        return ll4(x, b, t, c, h)


# ----------------------------------------------------------------------------- input handling
def _per_curve(value, n: int, name: str) -> np.ndarray:
    """A scalar or (n,) array -> float array of shape (n,)."""
    arr = np.asarray(np.nan if value is None else value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise AnalysisError(
            f"{name}: expected a scalar or an array of shape ({n},) (one value per "
            f"curve), got shape {arr.shape}"
        )
    return arr


def _bound_pair(bounds: Mapping | None, key: str, default, n: int) -> tuple[np.ndarray, np.ndarray]:
    if bounds is not None and key in bounds:
        pair = bounds[key]
        if len(pair) != 2:
            raise AnalysisError(f"bounds['{key}'] must be a (low, high) pair, got {pair!r}")
        lo, hi = (_per_curve(v, n, f"bounds['{key}']") for v in pair)
    else:
        lo, hi = (_per_curve(v, n, key) for v in default)
    lo, hi = np.where(np.isnan(lo), -np.inf, lo), np.where(np.isnan(hi), np.inf, hi)
    if (lo > hi).any():
        raise AnalysisError(
            f"bounds['{key}']: low must not exceed high (got {lo[lo > hi][0]} > {hi[lo > hi][0]})"
        )
    return lo, hi


def _check_bounds(bounds: Mapping | None) -> None:
    if bounds is None:
        return
    unknown = [k for k in bounds if k not in _PARAMS]
    if unknown:
        raise AnalysisError(
            f"bounds: unknown parameter '{unknown[0]}'; use {', '.join(_PARAMS)}."
            f"{did_you_mean(unknown[0], _PARAMS)}"
        )


@functools.lru_cache(maxsize=16)
def _hill_starts_cached(n_starts: int) -> tuple[float, ...]:
    return (1.0,) if n_starts <= 1 else tuple(np.geomspace(0.5, 20.0, n_starts).tolist())


def _hill_starts(n_starts: int) -> np.ndarray:
    """The default hill starts: 1.0 alone, or ``n_starts`` values 0.5 ... 20 (geometric)."""
    return np.array(_hill_starts_cached(n_starts))


# ----------------------------------------------------------------------------- replicate collapse
def collapse_replicates(x: np.ndarray, y: np.ndarray, w: np.ndarray):
    """Merge points of a curve that share a concentration (vectorized over curves).

    Returns ``(xu, ybar, wsum, within, n_points, n_distinct)``: unique concentrations (padded with
    0 where ``wsum`` is 0), weighted means, summed weights, the within-concentration weighted sum
    of squares and counts per curve. Points with ``w <= 0`` are ignored.

    >>> xu, yb, ws, within, n, k = collapse_replicates(
    ...     np.array([[1.0, 2.0, 1.0]]), np.array([[3.0, 5.0, 5.0]]), np.ones((1, 3)))
    >>> xu.tolist(), yb.tolist(), ws.tolist(), within.tolist(), n.tolist(), k.tolist()
    ([[1.0, 2.0]], [[4.0, 5.0]], [[2.0, 1.0]], [2.0], [3], [2])
    """
    n_curves, n_pts = y.shape
    valid = w > 0
    if n_curves > 1 and valid.all() and bool(np.all(x == x[:1])):
        return _collapse_shared(x[0], y, w)
    key = np.where(valid, x, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    rows = np.arange(n_curves)[:, None]
    xs = key[rows, order]
    vs = valid[rows, order]
    ws = np.where(vs, w[rows, order], 0.0)
    ys = np.where(vs, y[rows, order], 0.0)
    xs = np.where(vs, xs, 0.0)
    new = vs.copy()
    new[:, 1:] &= xs[:, 1:] != xs[:, :-1]
    gid = np.cumsum(new, axis=1) - 1
    n_distinct = new.sum(axis=1)
    kmax = max(int(n_distinct.max(initial=0)), 1)
    gid = np.minimum(np.maximum(gid, 0), kmax - 1)
    flat = (rows * kmax + gid).ravel()
    size = n_curves * kmax
    wsum = np.bincount(flat, weights=ws.ravel(), minlength=size).reshape(n_curves, kmax)
    wy = np.bincount(flat, weights=(ws * ys).ravel(), minlength=size).reshape(n_curves, kmax)
    xu = np.bincount(flat, weights=np.where(new, xs, 0.0).ravel(), minlength=size).reshape(
        n_curves, kmax
    )
    ybar = np.divide(wy, wsum, out=np.zeros_like(wy), where=wsum > 0)
    dev = ys - ybar[rows, gid]
    within = point_sum((ws * dev).T, dev.T)
    return xu, ybar, wsum, within, valid.sum(axis=1), n_distinct


def _collapse_shared(x: np.ndarray, y: np.ndarray, w: np.ndarray):
    """:func:`collapse_replicates` when every curve has every point at the same doses ``x`` (one
    plate layout): one sort for all curves, and each dose's sums added in the same order as the
    general path's ``np.bincount`` (0 + first + second + ...), so the numbers are the same."""
    n_curves, n_pts = y.shape
    order = np.argsort(x, kind="stable")
    xs = x[order]
    new = np.ones(n_pts, dtype=bool)
    new[1:] = xs[1:] != xs[:-1]
    starts = np.flatnonzero(new)
    length = np.diff(np.append(starts, n_pts))
    gid = np.cumsum(new) - 1
    ws, ys = w[:, order], y[:, order]
    wys = ws * ys
    wsum = 0.0 + ws[:, starts]
    wy = 0.0 + wys[:, starts]
    for r in range(1, int(length.max())):
        more = np.flatnonzero(length > r)
        wsum[:, more] += ws[:, starts[more] + r]
        wy[:, more] += wys[:, starts[more] + r]
    xu = np.broadcast_to(0.0 + xs[starts], wsum.shape).copy()
    ybar = np.divide(wy, wsum, out=np.zeros_like(wy), where=wsum > 0)
    dev = ys - ybar[:, gid]
    within = point_sum((ws * dev).T, dev.T)
    return (xu, ybar, wsum, within, np.full(n_curves, n_pts), np.full(n_curves, starts.size))


# ----------------------------------------------------------------------------- public API
def fit_ll4(
    x,
    y,
    *,
    mask=None,
    weights=None,
    fix_top=None,
    fix_bottom=None,
    bounds: Mapping | None = None,
    n_starts: int = 4,
    standard_errors: bool = True,
) -> LL4Fit:
    """Fit drc's LL.4 to every row of ``y`` at once (weighted least squares).

    ``x`` (uM, broadcast to ``y``'s shape; ``x == 0`` is the untreated top plateau) and ``y`` are
    (n_curves, n_points) arrays padded with NaN; a NaN, a ``mask`` False or a weight <= 0 is a
    missing point. ``fix_top`` / ``fix_bottom``: None, a scalar or an (n_curves,) array (NaN =
    free). ``bounds``: {"bottom"|"top"|"ic50"|"hill": (low, high)} with scalars or per-curve
    arrays (ic50 in uM; ``(-inf, inf)`` frees a plateau); defaults: each plateau in
    :func:`plateau_box` of the curve's data (one data range beyond it), hill in
    ``DEFAULT_HILL_BOUNDS`` and ic50 within
    ``DEFAULT_IC50_SPAN``-fold of the tested range. ``n_starts`` hill values (0.5 ... 20) each seed
    one Levenberg-Marquardt run; the best SSE wins. ``standard_errors=False`` skips them (the
    ``se_*`` fields are NaN; the fit is unchanged). Never raises on degenerate data.

    Returns
    -------
    LL4Fit
        Arrays of shape (n_curves,): bottom, top (response units), ic50 (uM), hill, sse, n,
        converged, se_bottom, se_top, se_ic50, se_hill; ``bounds`` the boxes used.

    >>> x = np.array([0.0, 0.01, 0.1, 1.0, 10.0, 100.0])
    >>> fit = fit_ll4(x, ll4(x, 10.0, 90.0, 1.0, 1.5)[None, :])
    >>> [round(float(v[0]), 6) for v in (fit.bottom, fit.top, fit.ic50, fit.hill)]
    [10.0, 90.0, 1.0, 1.5]
    """
    _check_bounds(bounds)
    y = np.atleast_2d(np.asarray(y, dtype=float))
    x = np.broadcast_to(np.asarray(x, dtype=float), y.shape)
    n = y.shape[0]
    w = (
        np.ones(y.shape)
        if weights is None
        else np.broadcast_to(np.asarray(weights, dtype=float), y.shape)
    )
    valid = np.isfinite(y) & np.isfinite(x) & (x >= 0) & np.isfinite(w) & (w > 0)
    if mask is not None:
        valid &= np.broadcast_to(np.asarray(mask, dtype=bool), y.shape)
    w = np.where(valid, w, 0.0)
    fix_b = _per_curve(fix_bottom, n, "fix_bottom")
    fix_t = _per_curve(fix_top, n, "fix_top")
    pbox = plateau_box(np.where(valid, y, np.nan))
    blo, bhi = _bound_pair(bounds, "bottom", pbox, n)
    tlo, thi = _bound_pair(bounds, "top", pbox, n)
    hlo, hhi = _bound_pair(bounds, "hill", DEFAULT_HILL_BOUNDS, n)
    if (hlo <= 0).any():
        raise AnalysisError(
            "bounds['hill']: the low end must be > 0 (LL.4 convention: hill > 0; "
            "a rising curve is described by top < bottom)"
        )
    used = valid & (x > 0)  # tested doses; a curve without any gets the range [1, 1]
    none = ~used.any(axis=1)
    xmin = np.where(none, 1.0, np.where(used, x, np.inf).min(axis=1, initial=np.inf))
    xmax = np.where(none, 1.0, np.where(used, x, -np.inf).max(axis=1, initial=-np.inf))
    clo, chi = _bound_pair(bounds, "ic50", (xmin / DEFAULT_IC50_SPAN, xmax * DEFAULT_IC50_SPAN), n)
    with np.errstate(divide="ignore"):
        ulo, uhi = np.log(np.maximum(clo, 0.0)), np.log(chi)
    blo, bhi = np.where(np.isnan(fix_b), blo, fix_b), np.where(np.isnan(fix_b), bhi, fix_b)
    tlo, thi = np.where(np.isnan(fix_t), tlo, fix_t), np.where(np.isnan(fix_t), thi, fix_t)
    starts = _hill_starts(int(n_starts))
    used_bounds = {"bottom": (blo, bhi), "top": (tlo, thi), "ic50": (clo, chi), "hill": (hlo, hhi)}
    if n == 0:
        empty = np.empty(0)
        return LL4Fit(
            *(empty,) * 5, np.empty(0, int), np.empty(0, bool), *(empty,) * 4, bounds=used_bounds
        )

    res = {k: np.full(n, np.nan) for k in _FIELDS}
    res["n"] = np.zeros(n, dtype=int)
    res["converged"] = np.zeros(n, dtype=bool)
    for rows, width in _shape_classes(x, valid, (blo, bhi, tlo, thi)):
        xc, yc, wc = (_packed(a[rows], valid[rows], width) for a in (x, y, w))
        for lo in range(0, rows.size, _BLOCK):
            sl = rows[lo : lo + _BLOCK]
            part = slice(lo, lo + _BLOCK)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # NaN/inf handled
                out = _fit_block(
                    xc[part],
                    yc[part],
                    wc[part],
                    (blo[sl], bhi[sl], tlo[sl], thi[sl]),
                    (ulo[sl], uhi[sl]),
                    (hlo[sl], hhi[sl]),
                    starts,
                    standard_errors,
                )
            for k, v in out.items():
                res[k][sl] = v
    res["ic50"] = np.clip(res["ic50"], clo, chi)  # exp(log(bound)) may miss the bound by an ulp
    res["hill"] = np.clip(res["hill"], hlo, hhi)
    return LL4Fit(**res, bounds=used_bounds)


_FIELDS = ("bottom", "top", "ic50", "hill", "sse", "se_bottom", "se_top", "se_ic50", "se_hill")


def plateau_box(y, margin: float = DEFAULT_PLATEAU_MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """Default plateau box per curve (rows of ``y``, NaN = unused): [min - m R, max + m R] with
    R = max - min of the row (response units); (-inf, inf) for a row without data.

    >>> [v.tolist() for v in plateau_box(np.array([[10.0, 60.0, np.nan]]))]
    [[-40.0], [110.0]]
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    nan = np.isnan(y)
    lo = np.min(np.where(nan, np.inf, y), axis=1, initial=np.inf)
    hi = np.max(np.where(nan, -np.inf, y), axis=1, initial=-np.inf)
    has = np.isfinite(lo) & np.isfinite(hi)
    span = np.where(has, hi - lo, 0.0) * margin
    return np.where(has, lo - span, -np.inf), np.where(has, hi + span, np.inf)


def _kind_codes(blo, bhi, tlo, thi) -> np.ndarray:
    """Per-curve index into ``_KINDS``: the plateau kind of that curve alone."""
    fb, ft = blo == bhi, tlo == thi
    ub, ut = np.isinf(blo) & np.isinf(bhi), np.isinf(tlo) & np.isinf(thi)
    code = np.zeros(blo.shape, dtype=np.int64)  # box
    code[ub & ut] = 1
    code[ub & ft] = 2
    code[fb & ut] = 3
    code[fb & ft] = 4
    bb, bt = np.isfinite(blo) & np.isfinite(bhi) & ~fb, np.isfinite(tlo) & np.isfinite(thi) & ~ft
    code[ft & bb] = 5
    code[fb & bt] = 6
    return code


def _shape_classes(x, valid, box):
    """Curves grouped by (used points, distinct concentrations, plateau kind): ``(rows, width)``
    per class, in order of first appearance. Fitting each class packed without padding makes a
    curve's arithmetic independent of the other curves of the call."""
    n_valid = valid.sum(axis=1)
    xs = np.sort(np.where(valid, x, np.inf), axis=1)
    distinct = np.isfinite(xs[:, :1]).sum(axis=1)
    if xs.shape[1] > 1:
        distinct = distinct + ((xs[:, 1:] != xs[:, :-1]) & np.isfinite(xs[:, 1:])).sum(axis=1)
    key = (n_valid * (xs.shape[1] + 1) + distinct) * len(_KINDS) + _kind_codes(*box)
    if np.all(key == key[0]):  # the usual screen: one class
        yield np.arange(key.size), max(int(n_valid[0]), 1)
        return
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=uniq.size))
    for c in np.argsort(first):
        rows = order[(bounds[c - 1] if c else 0) : bounds[c]]
        yield rows, max(int(n_valid[rows[0]]), 1)


def _packed(a: np.ndarray, valid: np.ndarray, width: int) -> np.ndarray:
    """``a`` with each row's used points moved to the front (order kept), ``width`` columns: a
    curve's points are laid out the same whatever else is in the batch."""
    if valid.all():
        return np.array(a[:, :width])
    order = np.argsort(~valid, axis=1, kind="stable")[:, :width]
    return np.take_along_axis(a, order, axis=1)


def _fit_block(x, y, w, box, ubox, hbox, starts, standard_errors: bool = True) -> dict:
    """Fit one block of curves (see the module docstring for the algorithm)."""
    n = y.shape[0]
    xu, ybar, wsum, within, n_pts, n_dist = collapse_replicates(x, y, w)
    blo, bhi, tlo, thi = box
    ulo, uhi = ubox
    hlo, hhi = hbox
    free_b, free_t = blo < bhi, tlo < thi
    n_free = 2 + free_b.astype(int) + free_t.astype(int)
    wtot = wsum.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = point_sum(wsum.T, ybar.T) / wtot
        spread = np.sqrt(
            point_sum(wsum.T, ((ybar - mean[:, None]) ** 2).T) / wtot + within / wtot
        )
    ok = (n_pts >= n_free) & (n_dist >= n_free) & np.isfinite(spread) & (spread > 0)
    ok &= (ulo <= uhi) & np.isfinite(ulo) & np.isfinite(uhi)
    res = {k: np.full(n, np.nan) for k in ("bottom", "top", "ic50", "hill", "sse")}
    res["n"] = n_pts.astype(int)
    res["converged"] = np.zeros(n, dtype=bool)
    for k in ("se_bottom", "se_top", "se_ic50", "se_hill"):
        res[k] = np.full(n, np.nan)
    if not ok.any():
        return res
    # normalize each curve: y' = (y - mean) / spread, so tolerances are scale free
    idx = np.flatnonzero(ok)
    m_, sc = mean[idx], spread[idx]
    # point-major layout (n_points, n_curves): sums over points become fast vector adds
    pts = np.empty((5, xu.shape[1], idx.size))
    lx, yn, wk, nz, wy = pts
    wk[:] = wsum[idx].T
    np.divide(ybar[idx].T - m_, sc, out=yn)
    yn[wk <= 0] = 0.0
    xk = xu[idx].T
    nz[:] = (xk > 0) & (wk > 0)
    np.log(np.where(xk > 0, xk, 1.0), out=lx)
    np.multiply(wk, yn, out=wy)
    nbox = tuple((v[idx] - m_) / sc for v in box)  # (blo, bhi, tlo, thi)
    per = np.stack(
        [point_sum(wy, yn), point_sum(wk), point_sum(wy), *nbox[::2], *nbox[1::2]]
    )
    data = Curves(pts, per, plateau_kind(*nbox))
    u_lo, u_hi, h_lo, h_hi = ulo[idx], uhi[idx], hlo[idx], hhi[idx]
    # ---- multi-start: for each hill start, the best log ic50 on a grid over the tested range
    has = nz.any(axis=0)
    lmin = np.where(has, np.min(np.where(nz > 0, lx, np.inf), axis=0), 0.0)
    lmax = np.where(has, np.max(np.where(nz > 0, lx, -np.inf), axis=0), 0.0)
    # candidates: midpoints between neighbouring tested doses, and one decade beyond each end
    mids = np.where((nz[:-1] > 0) & (nz[1:] > 0), 0.5 * (lx[:-1] + lx[1:]), lmin)
    grid = np.column_stack([lmin - LN10, mids.T, lmax + LN10])
    grid = np.clip(grid, u_lo[:, None], u_hi[:, None])
    hills = np.clip(np.broadcast_to(starts, (idx.size, len(starts))), h_lo[:, None], h_hi[:, None])
    stack, u0, h0 = grid_starts(data, grid, hills, _GRID_BUDGET)
    fit = run_pool(
        data,
        stack,
        u0,
        np.log(h0),
        (u_lo[stack], u_hi[stack]),
        (np.log(h_lo[stack]), np.log(h_hi[stack])),
        _MAX_ITER,
        _POOL,
    )
    # best start per curve: sort by (curve, sse) and keep each curve's first row
    sse_all = np.where(np.isfinite(fit["sse"]), fit["sse"], np.inf)
    order = np.lexsort((~fit["converged"], sse_all, stack))
    first = np.ones(order.size, dtype=bool)
    first[1:] = stack[order[1:]] != stack[order[:-1]]
    pick = order[first]
    u, h, b, t = fit["u"][pick], fit["h"][pick], fit["b"][pick], fit["t"][pick]
    sse_n = fit["sse"][pick]
    within_n = within[idx] / sc**2
    dof = (n_pts[idx] - n_free[idx]).astype(float)
    if standard_errors:
        se_b, se_t, se_u, se_h = covariance_se(
            data, u, h, b, t, sse_n + within_n, dof, free_b[idx], free_t[idx]
        )
    else:
        se_b = se_t = se_u = se_h = np.full(idx.size, np.nan)
    # a fitted amplitude of ~0 leaves ic50 and hill undefined: the curve is degenerate (flat)
    good = (
        np.isfinite(b) & np.isfinite(t) & np.isfinite(u) & np.isfinite(h) & (np.abs(t - b) > 1e-9)
    )
    b, t, u, h = (np.where(good, v, np.nan) for v in (b, t, u, h))
    se_b, se_t, se_u, se_h = (np.where(good, v, np.nan) for v in (se_b, se_t, se_u, se_h))
    res["bottom"][idx] = np.clip(m_ + sc * b, blo[idx], bhi[idx])  # a fixed value comes back exact
    res["top"][idx] = np.clip(m_ + sc * t, tlo[idx], thi[idx])
    res["ic50"][idx] = np.exp(u)
    res["hill"][idx] = h
    res["sse"][idx] = np.where(good, sse_n + within_n, np.nan) * sc**2
    res["converged"][idx] = fit["converged"][pick] & good
    res["se_bottom"][idx] = sc * se_b
    res["se_top"][idx] = sc * se_t
    res["se_ic50"][idx] = np.exp(u) * se_u
    res["se_hill"][idx] = se_h
    return res
