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

Degenerate curves (no points, fewer points or distinct concentrations than free parameters, a
response that does not vary with dose) never raise: their parameters are NaN, ``converged`` False.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from tallrx.analysis.curves import LN10, ll4
from tallrx.errors import AnalysisError, did_you_mean

__all__ = ["LL4Fit", "fit_ll4", "DEFAULT_HILL_BOUNDS", "DEFAULT_IC50_SPAN"]

DEFAULT_HILL_BOUNDS = (0.1, 20.0)
"""Default box for the Hill slope (drc's b), per natural-log unit of concentration."""
DEFAULT_IC50_SPAN = 100.0
"""Default ic50 box: [lowest positive tested dose / span, highest tested dose * span] (uM)."""

_PARAMS = ("bottom", "top", "ic50", "hill")
_FTOL = 1e-10  # stop when an accepted step lowers the SSE by less than this fraction
_XTOL = 1e-10  # ... or moves (log ic50, hill) by less than this (relative)
_MAX_ITER = 200
_TINY = 1e-300
_BLOCK = 65536  # curves prepared at once (bounds memory)
_POOL = 4096  # starts iterated at once (keeps the working arrays in cache)


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
    if np.any(lo > hi):
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
    key = np.where(valid, x, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    xs = np.take_along_axis(key, order, axis=1)
    vs = np.take_along_axis(valid, order, axis=1)
    ws = np.where(vs, np.take_along_axis(w, order, axis=1), 0.0)
    ys = np.where(vs, np.take_along_axis(y, order, axis=1), 0.0)
    xs = np.where(vs, xs, 0.0)
    new = vs.copy()
    new[:, 1:] &= xs[:, 1:] != xs[:, :-1]
    gid = np.cumsum(new, axis=1) - 1
    n_distinct = new.sum(axis=1)
    kmax = max(int(n_distinct.max(initial=0)), 1)
    flat = (np.arange(n_curves)[:, None] * kmax + np.clip(gid, 0, kmax - 1)).ravel()
    size = n_curves * kmax
    wsum = np.bincount(flat, weights=ws.ravel(), minlength=size).reshape(n_curves, kmax)
    wy = np.bincount(flat, weights=(ws * ys).ravel(), minlength=size).reshape(n_curves, kmax)
    xu = np.bincount(flat, weights=np.where(new, xs, 0.0).ravel(), minlength=size).reshape(
        n_curves, kmax
    )
    ybar = np.divide(wy, wsum, out=np.zeros_like(wy), where=wsum > 0)
    dev = ys - np.take_along_axis(ybar, np.clip(gid, 0, kmax - 1), axis=1)
    within = np.einsum("ij,ij->i", ws * dev, dev)
    return xu, ybar, wsum, within, valid.sum(axis=1), n_distinct


# ----------------------------------------------------------------------------- core numerics
class _Curves(NamedTuple):
    """Normalized, collapsed curves, point-major: 2-D fields are (n_points, n_curves) so that sums
    over points are fast vector adds; 1-D fields are per curve."""

    lx: np.ndarray  # ln concentration (0 where x == 0 or padding)
    y: np.ndarray  # normalized mean response per concentration
    w: np.ndarray  # summed weights (0 = padding)
    nz: np.ndarray  # 1.0 where x > 0 and the point exists, else 0.0
    wy: np.ndarray  # w * y
    syy: np.ndarray  # sum w y^2 per curve
    wsum: np.ndarray  # sum w per curve
    ysum: np.ndarray  # sum w y per curve
    blo: np.ndarray
    bhi: np.ndarray
    tlo: np.ndarray
    thi: np.ndarray
    simple: bool  # every plateau is either free and unbounded or fixed

    def take(self, idx) -> _Curves:
        return _Curves(*(v[:, idx] for v in self[:5]), *(v[idx] for v in self[5:12]), self.simple)


def _dot(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Column-wise inner products of two (n_points, n_curves) arrays."""
    return np.einsum("ij,ij->j", p, q)


def _sigmoid(lx, nz, u, h):
    """s = 1 / (1 + exp(h (ln x - u))) and a = 1 - s (a = 0 at x = 0), both accurate."""
    z = (lx - u) * h
    np.minimum(z, 700.0, out=z)
    e = np.exp(z, out=z)
    e *= nz
    s = 1.0 / (1.0 + e)
    e *= s
    return s, e


def _linear_simple(sums, d: _Curves):
    """(bottom, top) in closed form when each plateau is free and unbounded, or fixed."""
    saa, sas, sss, say, ssy, _ = sums
    fb, ft = d.blo == d.bhi, d.tlo == d.thi
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        det = saa * sss - sas * sas
        det = np.where(det > 1e-13 * saa * sss, det, np.nan)
        b = np.where(
            fb, d.blo, np.where(ft, (say - d.tlo * sas) / saa, (sss * say - sas * ssy) / det)
        )
        t = np.where(
            ft, d.tlo, np.where(fb, (ssy - d.blo * sas) / sss, (saa * ssy - sas * say) / det)
        )
    bad = ~(np.isfinite(b) & np.isfinite(t))
    if bad.any():  # a degenerate sigmoid (a or s ~ 0 at every point): use the general solver
        sub = tuple(v[bad] for v in sums)
        b[bad], t[bad] = _linear_box(sub, (d.blo[bad], d.bhi[bad], d.tlo[bad], d.thi[bad]))
    return b, t


def _linear_box(sums, box):
    """Exact box-constrained weighted least squares for (bottom, top) given the sigmoid.

    ``sums`` = (Saa, Sas, Sss, Say, Ssy, Syy) with a = 1 - s; the optimum of a convex quadratic on a
    box is the interior solution or lies on an edge, where it is the clipped 1-D solution; all
    candidates are scored and the best feasible one is kept.
    """
    saa, sas, sss, say, ssy, syy = sums
    blo, bhi, tlo, thi = box
    mean = 0.0  # the data are centred
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        det = saa * sss - sas * sas
        good = det > 1e-13 * saa * sss
        b0 = np.where(good, (sss * say - sas * ssy) / det, np.nan)
        t0 = np.where(good, (saa * ssy - sas * say) / det, np.nan)
        cands = [(b0, t0)]
        for bb in (blo, bhi):
            cands.append((bb, np.clip((ssy - bb * sas) / sss, tlo, thi)))
        for tt in (tlo, thi):
            cands.append((np.clip((say - tt * sas) / saa, blo, bhi), tt))
        # degenerate sigmoid (a or s ~ 0 everywhere): one plateau carries the fit
        tt = np.clip(np.where(sss > 0, ssy / sss, mean), tlo, thi)
        cands.append((np.clip(tt, blo, bhi), tt))
        bb = np.clip(np.where(saa > 0, say / saa, mean), blo, bhi)
        cands.append((bb, np.clip(bb, tlo, thi)))
        cands.append((np.clip(mean, blo, bhi), np.clip(mean, tlo, thi)))
        best_b = np.full_like(saa, np.nan)
        best_t = np.full_like(saa, np.nan)
        best_q = np.full_like(saa, np.inf)
        for b, t in cands:
            q = syy - 2.0 * (b * say + t * ssy) + b * b * saa + 2.0 * b * t * sas + t * t * sss
            ok = np.isfinite(q) & (q < best_q) & (b >= blo) & (b <= bhi) & (t >= tlo) & (t <= thi)
            best_q = np.where(ok, q, best_q)
            best_b = np.where(ok, b, best_b)
            best_t = np.where(ok, t, best_t)
    return best_b, best_t


def _profile(data, u, h):
    """Profile out (bottom, top) at (log ic50, hill): returns b, t, s, a, r, sse, (Saa, Sas, Sss)."""
    lx, y, w, nz, wy, syy = data[:6]
    s, a = _sigmoid(lx, nz, u, h)
    wa = w * a
    ws = w * s
    saa = _dot(wa, a)
    sas = _dot(wa, s)
    sss = _dot(ws, s)
    say = _dot(wy, a)
    ssy = _dot(wy, s)
    sums = (saa, sas, sss, say, ssy, syy)
    if data.simple:
        b, t = _linear_simple(sums, data)
    else:
        b, t = _linear_box(sums, data[8:12])
    r = y - b * a - t * s
    sse = _dot(w * r, r)
    return b, t, s, a, r, sse, (saa, sas, sss)


def _grid_sse(data, ell, h):
    """Profiled SSE at (u, h) from 3 weighted sums, for ranking start points (``ell`` = ln x - u).

    Uses a + s = 1 (a = 0, s = 1 at x = 0): Sas = S1 - S2, Saa = W - 2 S1 + S2, Say = Sy - Ssy.
    """
    lx, y, w, nz, wy, syy = data[:6]
    z = ell * h
    np.minimum(z, 700.0, out=z)
    e = np.exp(z, out=z)
    e *= nz
    e += 1.0
    s = np.reciprocal(e, out=e)
    ws = w * s
    s1, s2 = ws.sum(axis=0), _dot(ws, s)
    ssy = _dot(wy, s)
    wt, sy = data.wsum, data.ysum
    sums = (wt - 2.0 * s1 + s2, s1 - s2, s2, sy - ssy, ssy, syy)
    b, t = _linear_simple(sums, data) if data.simple else _linear_box(sums, data[8:12])
    saa, sas, sss, say, _, _ = sums
    return syy - 2.0 * (b * say + t * ssy) + b * b * saa + 2.0 * b * t * sas + t * t * sss


def _grid_starts(data, grid_u, hills):
    """One start per grid hill: the log ic50 of ``grid_u`` (n, U) with the lowest profiled SSE.

    Returns (curve index, u0, hill0) stacked curve-major (the starts of a curve are adjacent).
    """
    n, n_u = grid_u.shape
    n_h = hills.shape[1]
    q = np.empty((n, n_h, n_u))
    for k in range(n_u):
        ell = data.lx - grid_u[:, k]
        for j in range(n_h):
            q[:, j, k] = _grid_sse(data, ell, hills[:, j])
    q = np.where(np.isfinite(q), q, np.inf)
    best_k = np.argmin(q, axis=2)  # (n, H)
    cid = np.repeat(np.arange(n), n_h)
    slot = np.tile(np.arange(n_h), n)
    return cid, grid_u[cid, best_k[cid, slot]], hills[cid, slot]


def _duplicates(cid, u, v, sse, live):
    """Live starts that sit within 0.05 (log units) of a better live start of the same curve."""
    idx = np.flatnonzero(live)
    order = idx[np.lexsort((v[idx], u[idx], cid[idx]))]
    a, b = order[:-1], order[1:]
    close = (cid[a] == cid[b]) & (np.abs(u[a] - u[b]) < 0.05) & (np.abs(v[a] - v[b]) < 0.05)
    drop = np.zeros(live.size, dtype=bool)
    worse_b = sse[b] >= sse[a]
    drop[b[close & worse_b]] = True
    drop[a[close & ~worse_b]] = True
    return drop


def _jacobian_sums(data, u, h, b, t, s, a, r, curvature: bool = False):
    """Weighted cross-products of the (log ic50, hill) Jacobian columns, and the gradient.

    With J_u = d h q and J_h = -d q L (d = top - bottom, q = s a, L = ln x - u), returns
    (Hbu, Htu, Hbh, Hth, Huu, Huh, Hhh), (g_u, g_h) with g = J'W r, and with ``curvature`` also the
    residual curvature sum(w r d2f/dtheta_i dtheta_j) for (bu, tu, bh, th, uu, uh, hh); the
    bottom/top block of J'WJ is (Saa, Sas, Sss) and has no curvature (f is linear in them).
    """
    lx, _, w, *_ = data
    q = s * a
    ell = lx - u
    wq = w * q
    wql = wq * ell
    d = t - b
    cross = (
        d * h * _dot(wq, a),
        d * h * _dot(wq, s),
        -d * _dot(wql, a),
        -d * _dot(wql, s),
        (d * h) ** 2 * _dot(wq, q),
        -d * d * h * _dot(wql, q),
        d * d * _dot(wql * ell, q),
    )
    c_q, c_ql = _dot(wq, r), _dot(wql, r)
    grad = (d * h * c_q, -d * c_ql)
    if not curvature:
        return cross, grad
    wqr = wq * r
    wqr *= a - s
    c_qa, c_qla = wqr.sum(axis=0), _dot(wqr, ell)
    c_qlla = _dot(wqr * ell, ell)
    curv = (-h * c_q, h * c_q, c_ql, -c_ql, d * h * h * c_qa, d * (c_q - h * c_qla), d * c_qlla)
    return cross, grad, curv


def _schur(lin, cross, fb, ft):
    """(Muu, Muh, Mhh) = H_NN - H_NL H_LL^-1 H_LN over the free linear parameters."""
    saa, sas, sss = lin
    hbu, htu, hbh, hth, huu, huh, hhh = cross
    hbb, htt, hbt = np.where(fb, saa, 1.0), np.where(ft, sss, 1.0), np.where(fb & ft, sas, 0.0)
    hbu, hbh = np.where(fb, hbu, 0.0), np.where(fb, hbh, 0.0)
    htu, hth = np.where(ft, htu, 0.0), np.where(ft, hth, 0.0)
    det = hbb * htt - hbt * hbt
    det = np.where(det > 1e-14 * hbb * htt, det, np.inf)
    ibb, itt, ibt = htt / det, hbb / det, -hbt / det
    muu = huu - (hbu * (ibb * hbu + ibt * htu) + htu * (ibt * hbu + itt * htu))
    mhh = hhh - (hbh * (ibb * hbh + ibt * hth) + hth * (ibt * hbh + itt * hth))
    muh = huh - (hbu * (ibb * hbh + ibt * hth) + htu * (ibt * hbh + itt * hth))
    return muu, muh, mhh


def _reduced_system(data, state, ref):
    """Reduced 2 x 2 system on (log ic50, log hill): M (3 entries) and g = -1/2 dSSE/dtheta.

    M is the Schur complement (onto the nonlinear parameters) of the observed Hessian 1/2 d2SSE
    (Newton: quadratic convergence) where that is positive definite, else of the Gauss-Newton
    J'WJ (Kaufman's variable-projection step). A plateau on its bound (or fixed) is held constant.
    """
    u, h, b, t, s, a, r, lin = state
    saa, sas, sss = lin
    cross, (gu, gh), curv = _jacobian_sums(data, u, h, b, t, s, a, r, curvature=True)
    fb = (b > data.blo) & (b < data.bhi) & (saa > 1e-14 * ref)
    ft = (t > data.tlo) & (t < data.thi) & (sss > 1e-14 * ref)
    g_uu, g_uh, g_hh = _schur(lin, cross, fb, ft)
    n_uu, n_uh, n_hh = _schur(lin, tuple(c - k for c, k in zip(cross, curv, strict=True)), fb, ft)
    # chain rule to v = log hill: d2/dv2 = h^2 d2/dh2 + h d/dh (gradient term only for Newton)
    g_uv, g_vv = g_uh * h, g_hh * h * h
    n_uv, n_vv = n_uh * h, n_hh * h * h - h * gh
    newton = (n_uu > 0) & (n_vv > 0) & (n_uu * n_vv - n_uv * n_uv > 1e-12 * n_uu * n_vv)
    muu = np.where(newton, n_uu, np.maximum(g_uu, 0.0))
    muv = np.where(newton, n_uv, g_uv)
    mvv = np.where(newton, n_vv, np.maximum(g_vv, 0.0))
    return muu, muv, mvv, gu, gh * h


def _damped_step(muu, muv, mvv, gu, gv, lam, fu, fv):
    """Solve (M + lam diag M) d = g on the free coordinates (frozen ones get d = 0)."""
    gu, gv = np.where(fu, gu, 0.0), np.where(fv, gv, 0.0)
    muv = np.where(fu & fv, muv, 0.0)
    muu, mvv = np.where(fu, muu, 1.0), np.where(fv, mvv, 1.0)
    floor = 1e-12 * (muu + mvv) + _TINY
    auu = muu + lam * np.maximum(muu, floor)
    avv = mvv + lam * np.maximum(mvv, floor)
    det = auu * avv - muv * muv
    det = np.where(det > 0, det, _TINY)
    return (avv * gu - muv * gv) / det, (auu * gv - muv * gu) / det


_ITEM_1D = (
    "work",
    "cid",
    "it",
    "u",
    "v",
    "b",
    "t",
    "sse",
    "saa",
    "sas",
    "sss",
    "lam",
    "nu",
    "radius",
    "ulo",
    "uhi",
    "vlo",
    "vhi",
    "ref",
    "live",
)
_ITEM_2D = ("s", "a", "r")


def _new_items(data: _Curves, work, cid, u, v, ubox, vbox) -> tuple[dict, _Curves]:
    """Working-set state for starts ``work`` (curves ``cid``) entering the pool."""
    d = data.take(cid)
    b, t, s, a, r, sse, (saa, sas, sss) = _profile(d, u, np.exp(v))
    m = work.size
    st = {
        "work": work,
        "cid": cid,
        "it": np.zeros(m, dtype=int),
        "u": u,
        "v": v,
        "b": b,
        "t": t,
        "sse": sse,
        "saa": saa,
        "sas": sas,
        "sss": sss,
        "lam": np.full(m, 1e-3),
        "nu": np.full(m, 2.0),
        "radius": np.ones(m),
        "ulo": ubox[0],
        "uhi": ubox[1],
        "vlo": vbox[0],
        "vhi": vbox[1],
        "ref": d.syy + _TINY,
        "live": np.ones(m, dtype=bool),
        "s": s,
        "a": a,
        "r": r,
    }
    return st, d


def _join(st: dict | None, d: _Curves | None, st2: dict, d2: _Curves) -> tuple[dict, _Curves]:
    if st is None:
        return st2, d2
    out = {k: np.concatenate([st[k], st2[k]]) for k in _ITEM_1D}
    out.update({k: np.concatenate([st[k], st2[k]], axis=1) for k in _ITEM_2D})
    cat = [np.concatenate([x1, x2], axis=1) for x1, x2 in zip(d[:5], d2[:5], strict=True)]
    cat += [np.concatenate([x1, x2]) for x1, x2 in zip(d[5:12], d2[5:12], strict=True)]
    return out, _Curves(*cat, d.simple)


def _compact(st: dict, d: _Curves) -> tuple[dict, _Curves]:
    keep = st["live"]
    out = {k: st[k][keep] for k in _ITEM_1D}
    out.update({k: st[k][:, keep] for k in _ITEM_2D})
    return out, d.take(keep)


def _lm(data: _Curves, cid, u0, v0, ubox, vbox, max_iter: int, capacity: int) -> dict:
    """Projected Levenberg-Marquardt on (log ic50, log hill) for many starts, as a pool.

    ``cid`` (curve of each start, curve-major), ``u0``, ``v0`` (log hill) and the boxes are per
    start. At most ``capacity`` starts are iterated at once (arrays stay in cache); finished starts
    leave the pool and pending ones take their place, so a few slow curves never keep a whole
    batch iterating. Steps stay inside a per-start trust region (|d log ic50| <= 2,
    |d log hill| <= 1; shrunk after a rejected step, grown after a good one) besides the Marquardt
    damping. A start still above its curve's best SSE while creeping (relative gain < 1e-5 per
    step after 8 steps), or within 0.05 log units of a better start of its curve (checked after
    2, 5 and 9 steps), is abandoned. Returns per-start u, h, b, t, sse, converged, iters.
    """
    n_items = cid.size
    out = {
        "u": u0.copy(),
        "h": np.exp(v0),
        "b": np.full(n_items, np.nan),
        "t": np.full(n_items, np.nan),
        "sse": np.full(n_items, np.inf),
        "converged": np.zeros(n_items, dtype=bool),
        "iters": np.zeros(n_items, dtype=int),
    }
    best = np.full(int(cid.max(initial=-1)) + 1, np.inf)
    st, d = None, None
    pos = 0
    while True:
        n_live = 0 if st is None else int(st["live"].sum())
        if pos < n_items and n_live <= capacity // 2:
            if st is not None and n_live < st["u"].size:
                st, d = _compact(st, d)
            end = min(n_items, pos + capacity - n_live)
            while end < n_items and end > pos + 1 and cid[end] == cid[end - 1]:
                end -= 1  # keep the starts of a curve together
            sl = slice(pos, end)
            new = _new_items(
                data,
                np.arange(pos, end),
                cid[sl],
                u0[sl].copy(),
                v0[sl].copy(),
                (ubox[0][sl], ubox[1][sl]),
                (vbox[0][sl], vbox[1][sl]),
            )
            np.minimum.at(best, new[0]["cid"], new[0]["sse"])
            st, d = _join(st, d, *new)
            pos = end
        elif n_live == 0:
            break
        elif n_live < 0.8 * st["u"].size:
            st, d = _compact(st, d)
        finished, converged = _lm_step(st, d, best, max_iter)
        if finished.any():
            idx = st["work"][finished]
            out["u"][idx], out["h"][idx] = st["u"][finished], np.exp(st["v"][finished])
            out["b"][idx], out["t"][idx] = st["b"][finished], st["t"][finished]
            out["sse"][idx], out["iters"][idx] = st["sse"][finished], st["it"][finished]
            out["converged"][idx] = converged[finished]
            st["live"] &= ~finished
    return out


def _lm_step(st: dict, d: _Curves, best: np.ndarray, max_iter: int):
    """One damped Newton / Gauss-Newton step for every live start of the pool (in place)."""
    u, v, live = st["u"], st["v"], st["live"]
    ulo, uhi, vlo, vhi = st["ulo"], st["uhi"], st["vlo"], st["vhi"]
    lam, sse = st["lam"], st["sse"]
    h = np.exp(v)
    lin = (st["saa"], st["sas"], st["sss"])
    muu, muv, mvv, gu, gv = _reduced_system(
        d, (u, h, st["b"], st["t"], st["s"], st["a"], st["r"], lin), st["ref"]
    )
    # active set: a parameter on a bound whose gradient, or whose Newton step, points
    # outward is frozen and the step is recomputed for the other one
    fu = ~(((u <= ulo) & (gu < 0)) | ((u >= uhi) & (gu > 0)))
    fv = ~(((v <= vlo) & (gv < 0)) | ((v >= vhi) & (gv > 0)))
    du, dv = _damped_step(muu, muv, mvv, gu, gv, lam, fu, fv)
    out_u = ((u <= ulo) & (du < 0)) | ((u >= uhi) & (du > 0))
    out_v = ((v <= vlo) & (dv < 0)) | ((v >= vhi) & (dv > 0))
    if (out_u | out_v).any():
        fu, fv = fu & ~out_u, fv & ~out_v
        du, dv = _damped_step(muu, muv, mvv, gu, gv, lam, fu, fv)
    gu, gv = np.where(fu, gu, 0.0), np.where(fv, gv, 0.0)
    # trust region, then truncate the step at the first bound it meets (keeps its direction)
    size = np.maximum(np.abs(du) / 2.0, np.abs(dv))
    alpha = np.minimum(1.0, st["radius"] / (size + _TINY))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.minimum(
            alpha, np.where(du < 0, (ulo - u) / du, np.where(du > 0, (uhi - u) / du, np.inf))
        )
        alpha = np.minimum(
            alpha, np.where(dv < 0, (vlo - v) / dv, np.where(dv > 0, (vhi - v) / dv, np.inf))
        )
    alpha = np.maximum(alpha, 0.0)
    new_u = _snap(np.clip(u + alpha * du, ulo, uhi), ulo, uhi)
    new_v = _snap(np.clip(v + alpha * dv, vlo, vhi), vlo, vhi)
    du, dv = new_u - u, new_v - v
    size = np.maximum(np.abs(du) / 2.0, np.abs(dv))
    pred = 2.0 * (du * gu + dv * gv) - (du * du * muu + 2.0 * du * dv * muv + dv * dv * mvv)
    nb, nt, ns, na, nr, nsse, nlin = _profile(d, new_u, np.exp(new_v))
    gain = sse - nsse
    acc = np.isfinite(nsse) & (gain > 0) & live
    rho = np.where(pred > 0, gain / np.where(pred > 0, pred, 1.0), 0.0)
    st["lam"] = np.minimum(
        np.where(acc, lam * np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), lam * st["nu"]),
        1e17,
    )
    st["nu"] = np.where(acc, 2.0, np.minimum(st["nu"] * 2.0, 1e6))
    grow = np.where(rho > 0.75, np.minimum(1.0, np.maximum(st["radius"], 2.0 * size)), st["radius"])
    st["radius"] = np.where(acc, grow, 0.3 * size)
    small_step = (np.abs(du) <= _XTOL * (1.0 + np.abs(u))) & (
        np.abs(dv) <= _XTOL * (1.0 + np.abs(v))
    )
    stuck_gain = acc & (gain <= _FTOL * sse)
    for key, new in (
        ("u", new_u),
        ("v", new_v),
        ("b", nb),
        ("t", nt),
        ("sse", nsse),
        ("s", ns),
        ("a", na),
        ("r", nr),
        ("saa", nlin[0]),
        ("sas", nlin[1]),
        ("sss", nlin[2]),
    ):
        st[key] = np.where(acc, new, st[key])
    st["it"] = st["it"] + live
    it, sse, cid = st["it"], st["sse"], st["cid"]
    np.minimum.at(best, cid[live], sse[live])
    converged = live & (
        small_step | stuck_gain | (sse <= 1e-28 * st["ref"]) | (~fu & ~fv) | (st["lam"] > 1e16)
    )
    finished = converged | (live & (it >= max_iter))
    finished |= live & (it >= 8) & (sse > best[cid] * (1.0 + 1e-6)) & (gain < 1e-5 * sse)
    check = live & ~finished & ((it == 2) | (it == 5) | (it == 9))
    if check.any():  # starts that have run into the same basin: keep the best one
        finished |= _duplicates(cid, st["u"], st["v"], sse, check)
    return finished, converged


def _snap(val, lo, hi):
    """Values within 1e-12 (relative) of a bound are put exactly on it."""
    val = np.where(np.abs(val - lo) <= 1e-12 * (1.0 + np.abs(lo)), lo, val)
    return np.where(np.abs(val - hi) <= 1e-12 * (1.0 + np.abs(hi)), hi, val)


def _leading_minors_positive(mat: np.ndarray) -> np.ndarray:
    """Sylvester's criterion on a stack of symmetric matrices scaled to unit diagonal."""
    ok = np.ones(mat.shape[0], dtype=bool)
    for k in range(2, mat.shape[1] + 1):
        ok &= np.linalg.det(mat[:, :k, :k]) > 1e-13
    return ok


def _covariance_se(data, u, h, b, t, sse, dof, free_b, free_t):
    """Asymptotic standard errors of (bottom, top, log ic50, hill) at the optimum.

    cov = s^2 H^-1 with s^2 = SSE / dof and H = 1/2 the observed Hessian of the SSE,
    J'WJ - sum(w r d2f), as drc reports (via optim's Hessian); where that matrix is not positive
    definite (e.g. an optimum on a bound) the Gauss-Newton J'WJ is used instead.
    """
    _, _, s, a, r, _, (saa, sas, sss) = _profile(data, u, h)
    (hbu, htu, hbh, hth, huu, huh, hhh), _, curv = _jacobian_sums(
        data, u, h, b, t, s, a, r, curvature=True
    )
    rbu, rtu, rbh, rth, ruu, ruh, rhh = curv
    n = u.shape[0]
    gn = ((saa, sas, hbu, hbh), (sas, sss, htu, hth), (hbu, htu, huu, huh), (hbh, hth, huh, hhh))
    sec = ((0.0, 0.0, rbu, rbh), (0.0, 0.0, rtu, rth), (rbu, rtu, ruu, ruh), (rbh, rth, ruh, rhh))
    free = np.stack([free_b, free_t, np.ones(n, bool), np.ones(n, bool)], axis=1)
    pair = free[:, :, None] & free[:, None, :]
    eye = np.broadcast_to(np.eye(4), (n, 4, 4))
    chosen, scale_of, ok_any = None, None, np.zeros(n, dtype=bool)
    for observed in (True, False):
        hmat = np.empty((n, 4, 4))
        for i in range(4):
            for j in range(4):
                hmat[:, i, j] = gn[i][j] - (sec[i][j] if observed else 0.0)
        hmat = np.where(pair, hmat, eye)
        diag = np.einsum("nii->ni", hmat)
        ok = np.all(np.isfinite(hmat), axis=(1, 2)) & np.all(diag > 0, axis=1)
        scale = 1.0 / np.sqrt(np.where(ok[:, None], diag, 1.0))
        corr = np.where(ok[:, None, None], hmat * scale[:, :, None] * scale[:, None, :], eye)
        ok &= _leading_minors_positive(corr)
        use = ok & ~ok_any
        if chosen is None:
            chosen, scale_of = np.where(use[:, None, None], corr, eye), scale
        else:
            chosen = np.where(use[:, None, None], corr, chosen)
            scale_of = np.where(use[:, None], scale, scale_of)
        ok_any |= ok
    inv_diag = np.einsum("nii->ni", np.linalg.inv(chosen)) * scale_of**2
    sigma2 = np.where(dof > 0, sse / np.maximum(dof, 1), np.nan)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.maximum(inv_diag, 0.0) * sigma2[:, None])
    se = np.where(ok_any[:, None] & free, se, np.nan)
    return se.T


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
) -> LL4Fit:
    """Fit drc's LL.4 to every row of ``y`` at once (weighted least squares).

    ``x`` (uM, broadcast to ``y``'s shape; ``x == 0`` is the untreated top plateau) and ``y`` are
    (n_curves, n_points) arrays padded with NaN; a NaN, a ``mask`` False or a weight <= 0 is a
    missing point. ``fix_top`` / ``fix_bottom``: None, a scalar or an (n_curves,) array (NaN =
    free). ``bounds``: {"bottom"|"top"|"ic50"|"hill": (low, high)} with scalars or per-curve
    arrays (ic50 in uM); defaults: plateaus free, hill in ``DEFAULT_HILL_BOUNDS`` and ic50 within
    ``DEFAULT_IC50_SPAN``-fold of the tested range. ``n_starts`` hill values (0.5 ... 20) each seed
    one Levenberg-Marquardt run; the best SSE wins. Never raises on degenerate data.

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
    blo, bhi = _bound_pair(bounds, "bottom", (-np.inf, np.inf), n)
    tlo, thi = _bound_pair(bounds, "top", (-np.inf, np.inf), n)
    hlo, hhi = _bound_pair(bounds, "hill", DEFAULT_HILL_BOUNDS, n)
    if np.any(hlo <= 0):
        raise AnalysisError(
            "bounds['hill']: the low end must be > 0 (LL.4 convention: hill > 0; "
            "a rising curve is described by top < bottom)"
        )
    with np.errstate(invalid="ignore"):
        pos = np.where(valid & (x > 0), x, np.nan)
        xmin, xmax = (
            np.nanmin(np.where(np.isnan(pos).all(1)[:, None], 1.0, pos), axis=1),
            np.nanmax(np.where(np.isnan(pos).all(1)[:, None], 1.0, pos), axis=1),
        )
    clo, chi = _bound_pair(bounds, "ic50", (xmin / DEFAULT_IC50_SPAN, xmax * DEFAULT_IC50_SPAN), n)
    with np.errstate(divide="ignore"):
        ulo, uhi = np.log(np.maximum(clo, 0.0)), np.log(chi)
    blo, bhi = np.where(np.isnan(fix_b), blo, fix_b), np.where(np.isnan(fix_b), bhi, fix_b)
    tlo, thi = np.where(np.isnan(fix_t), tlo, fix_t), np.where(np.isnan(fix_t), thi, fix_t)
    starts = np.array([1.0]) if n_starts <= 1 else np.geomspace(0.5, 20.0, int(n_starts))

    parts = []
    for lo in range(0, n, _BLOCK):
        sl = slice(lo, min(lo + _BLOCK, n))
        parts.append(
            _fit_block(
                x[sl],
                y[sl],
                w[sl],
                (blo[sl], bhi[sl], tlo[sl], thi[sl]),
                (ulo[sl], uhi[sl]),
                (hlo[sl], hhi[sl]),
                starts,
            )
        )
    if not parts:
        empty = np.empty(0)
        return LL4Fit(*(empty,) * 5, np.empty(0, int), np.empty(0, bool), *(empty,) * 4)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    cat["ic50"] = np.clip(cat["ic50"], clo, chi)  # exp(log(bound)) may miss the bound by an ulp
    cat["hill"] = np.clip(cat["hill"], hlo, hhi)
    return LL4Fit(**cat)


def _fit_block(x, y, w, box, ubox, hbox, starts) -> dict:
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
        mean = np.einsum("ij,ij->i", wsum, ybar) / wtot
        spread = np.sqrt(
            np.einsum("ij,ij->i", wsum, (ybar - mean[:, None]) ** 2) / wtot + within / wtot
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
    wk = np.ascontiguousarray(wsum[idx].T)
    yn = np.where(wk > 0, (ybar[idx].T - m_) / sc, 0.0)
    xk = xu[idx].T
    nz = ((xk > 0) & (wk > 0)).astype(float)
    with np.errstate(divide="ignore"):
        lx = np.where(xk > 0, np.log(np.where(xk > 0, xk, 1.0)), 0.0)
    nbox = tuple((v[idx] - m_) / sc for v in box)
    simple = bool(
        all(np.all((lo == hi) | (np.isinf(lo) & np.isinf(hi))) for lo, hi in (nbox[:2], nbox[2:]))
    )
    wy = wk * yn
    data = _Curves(lx, yn, wk, nz, wy, _dot(wy, yn), wk.sum(axis=0), wy.sum(axis=0), *nbox, simple)
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
    starts_ = []
    for lo in range(0, idx.size, _POOL):  # the grid in cache-sized slices
        sl = slice(lo, min(lo + _POOL, idx.size))
        c_, u_, h_ = _grid_starts(data.take(sl), grid[sl], hills[sl])
        starts_.append((c_ + lo, u_, h_))
    stack, u0, h0 = (np.concatenate(z) for z in zip(*starts_, strict=True))
    fit = _lm(
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
    se_b, se_t, se_u, se_h = _covariance_se(
        data, u, h, b, t, sse_n + within_n, dof, free_b[idx], free_t[idx]
    )
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
