"""Variable projection for LL.4: the plateaus in closed form, sums for Newton steps and errors.

Data are stacked so that one numpy call serves several quantities (small batches are bound by
the number of calls, large ones by memory traffic): per-point fields are one (5, n_points,
n_curves) array, point-major so that sums over the points of every curve are vector adds; the
sigmoid s = 1 / (1 + exp(hill (ln x - ln ic50))), a = 1 - s (a = 0 at x = 0) and the residual live
in one (5, n_points, n_curves) work array; model f = bottom a + top s.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

TINY = 1e-300
LX, Y, W, NZ, WY = range(5)  # rows of Curves.pts
SYY, WSUM, YSUM, BLO, TLO, BHI, THI = range(7)  # rows of Curves.per
A, S, R = range(3)  # rows of the work array (rows 3 and 4 are scratch for the Jacobian sums)
_PM = np.array([1.0, -1.0])[None, :, None]  # bottom / top sign of the residual curvature terms


class Curves(NamedTuple):
    """Normalized, collapsed curves.

    ``pts`` (5, n_points, n_curves): ln x (0 where x == 0 or padding), mean response y, summed
    weight w (0 = padding), nz (1.0 where x > 0 and the point exists), w y. ``per`` (7, n_curves):
    sum w y^2, sum w, sum w y, bottom low, top low, bottom high, top high. ``kind`` says how the
    plateaus are solved: "free" (both free and unbounded), "top" / "bottom" / "both" (that one
    fixed for every curve, any other free and unbounded), "mixed" (each plateau free and
    unbounded or fixed), "boxtop" / "boxbottom" (that one fixed, the other in a finite box) or
    "box" (bounded plateaus: exact box-constrained solve).
    """

    pts: np.ndarray
    per: np.ndarray
    kind: str

    def take(self, idx) -> Curves:
        """The curves ``idx`` (a slice, boolean mask or indices)."""
        if isinstance(idx, slice):
            return Curves(self.pts[:, :, idx], self.per[:, idx], self.kind)
        idx = np.flatnonzero(idx) if idx.dtype == bool else idx
        # np.take: several times faster than fancy indexing along the last axis
        return Curves(self.pts.take(idx, axis=2), self.per.take(idx, axis=1), self.kind)


def plateau_kind(blo, bhi, tlo, thi) -> str:
    """The :class:`Curves` ``kind`` for per-curve plateau boxes (fixed = zero-width box)."""
    fb, ft = blo == bhi, tlo == thi
    ub, ut = np.isinf(blo) & np.isinf(bhi), np.isinf(tlo) & np.isinf(thi)
    if not np.all((fb | ub) & (ft | ut)):
        bb, bt = np.isfinite(blo) & np.isfinite(bhi) & ~fb, np.isfinite(tlo) & np.isfinite(thi) & ~ft
        if np.all(ft & bb):
            return "boxtop"
        if np.all(fb & bt):
            return "boxbottom"
        return "box"
    for kind, b_ok, t_ok in (
        ("free", ub, ut),
        ("top", ub, ft),
        ("bottom", fb, ut),
        ("both", fb, ft),
    ):
        if np.all(b_ok) and np.all(t_ok):
            return kind
    return "mixed"


def plateaus(sums, per, kind: str, degenerate: bool = True):
    """Least-squares (bottom, top) given the sigmoid sums (Saa, Sas, Sss, Say, Ssy, Syy).

    ``per`` holds the plateau boxes (rows BLO, TLO, BHI, THI), broadcastable to the sums.
    ``degenerate=False`` leaves NaN where the sigmoid is degenerate (a or s ~ 0 at every point).
    """
    saa, sas, sss, say, ssy, _ = sums
    blo, tlo = per[BLO], per[TLO]
    if kind.startswith("box"):
        return _box_plateaus(sums, per, kind, degenerate)
    if kind == "free":
        det = saa * sss - sas * sas
        det = np.where(det > 1e-13 * saa * sss, det, np.nan)
        b = (sss * say - sas * ssy) / det
        t = (saa * ssy - sas * say) / det
    elif kind == "top":  # a fixed plateau comes back as given (broadcastable)
        b, t = (say - tlo * sas) / saa, tlo
    elif kind == "bottom":
        b, t = blo, (ssy - blo * sas) / sss
    elif kind == "both":
        b, t = blo, tlo
    else:  # mixed: each plateau either free and unbounded or fixed
        fb, ft = blo == per[BHI], tlo == per[THI]
        det = saa * sss - sas * sas
        det = np.where(det > 1e-13 * saa * sss, det, np.nan)
        b = np.where(fb, blo, np.where(ft, (say - tlo * sas) / saa, (sss * say - sas * ssy) / det))
        t = np.where(ft, tlo, np.where(fb, (ssy - blo * sas) / sss, (saa * ssy - sas * say) / det))
    bad = ~np.isfinite(b + t)
    if (
        degenerate and bad.any()
    ):  # a degenerate sigmoid (a or s ~ 0 at every point): one plateau carries the fit
        b, t = (np.array(np.broadcast_to(v, bad.shape)) for v in (b, t))
        sub = tuple(np.broadcast_to(v, bad.shape)[bad] for v in sums)
        box = tuple(np.broadcast_to(per[k], bad.shape)[bad] for k in (BLO, BHI, TLO, THI))
        # with plateaus fixed or unbounded, the interior and box-edge candidates of linear_box
        # are exactly the non-finite solutions above: only its degenerate ones remain
        b[bad], t[bad] = linear_box(sub, box, edges=False)
    return b, t


def _box_plateaus(sums, per, kind: str, degenerate: bool):
    """Bounded plateaus. "boxtop" / "boxbottom" (one plateau fixed, the other in a box): the
    clipped 1-D solution. "box": the unconstrained solution where it lies inside the box (then it
    is the optimum of the convex problem), the exact box solve (:func:`linear_box`) elsewhere;
    with ``degenerate=False`` (scoring start points only) the clipped unconstrained solution, a
    feasible point whose SSE bounds the optimum from above (NaN where the sigmoid is degenerate).
    """
    saa, sas, sss, say, ssy, _ = sums
    blo, bhi, tlo, thi = per[BLO], per[BHI], per[TLO], per[THI]
    if kind == "boxtop":
        b = _clip((say - tlo * sas) / saa, blo, bhi)  # a ~ 0 everywhere: NaN (degenerate)
        return (np.where(np.isnan(b), _clip(0.0, blo, bhi), b) if degenerate else b), tlo
    if kind == "boxbottom":
        t = _clip((ssy - blo * sas) / sss, tlo, thi)
        return blo, (np.where(np.isnan(t), _clip(0.0, tlo, thi), t) if degenerate else t)
    det = saa * sss - sas * sas
    det = np.where(det > 1e-13 * saa * sss, det, np.nan)
    b = (sss * say - sas * ssy) / det
    t = (saa * ssy - sas * say) / det
    if not degenerate:  # ranking starts: the clipped solution is feasible, its SSE an upper bound
        return _clip(b, blo, bhi), _clip(t, tlo, thi)
    out = ~((b >= blo) & (b <= bhi) & (t >= tlo) & (t <= thi))  # NaN fails too
    if out.any():
        b, t = np.array(np.broadcast_to(b, out.shape)), np.array(np.broadcast_to(t, out.shape))
        sub = tuple(np.broadcast_to(v, out.shape)[out] for v in sums)
        box = tuple(np.broadcast_to(v, out.shape)[out] for v in (blo, bhi, tlo, thi))
        b[out], t[out] = linear_box(sub, box)
    return b, t


def _clip(v, lo, hi):
    """np.clip without its overhead (NaN stays NaN)."""
    return np.minimum(np.maximum(v, lo), hi)


def linear_box(sums, box, edges: bool = True):
    """Exact box-constrained weighted least squares for (bottom, top) given the sigmoid.

    ``sums`` = (Saa, Sas, Sss, Say, Ssy, Syy) with a = 1 - s; the optimum of a convex quadratic on a
    box is the interior solution or lies on an edge, where it is the clipped 1-D solution; all
    candidates are scored and the best feasible one is kept (``edges=False``: only the
    degenerate ones, where one plateau carries the fit).
    """
    saa, sas, sss, say, ssy, syy = sums
    blo, bhi, tlo, thi = box
    mean = 0.0  # the data are centred
    cands = []
    if edges:
        det = saa * sss - sas * sas
        good = det > 1e-13 * saa * sss
        cands.append(
            (
                np.where(good, (sss * say - sas * ssy) / det, np.nan),
                np.where(good, (saa * ssy - sas * say) / det, np.nan),
            )
        )
        for bb in (blo, bhi):
            cands.append((bb, _clip((ssy - bb * sas) / sss, tlo, thi)))
        for tt in (tlo, thi):
            cands.append((_clip((say - tt * sas) / saa, blo, bhi), tt))
    # degenerate sigmoid (a or s ~ 0 everywhere): one plateau carries the fit
    tt = _clip(np.where(sss > 0, ssy / sss, mean), tlo, thi)
    cands.append((_clip(tt, blo, bhi), tt))
    bb = _clip(np.where(saa > 0, say / saa, mean), blo, bhi)
    cands.append((bb, _clip(bb, tlo, thi)))
    cands.append((_clip(mean, blo, bhi), _clip(mean, tlo, thi)))
    shape = np.broadcast_shapes(*(np.shape(v) for v in (*sums, *box)))
    best_b = np.full(shape, np.nan)
    best_t = np.full(shape, np.nan)
    best_q = np.full(shape, np.inf)
    for b, t in cands:
        q = syy - 2.0 * (b * say + t * ssy) + b * b * saa + 2.0 * b * t * sas + t * t * sss
        ok = np.isfinite(q) & (q < best_q) & (b >= blo) & (b <= bhi) & (t >= tlo) & (t <= thi)
        best_q = np.where(ok, q, best_q)
        best_b = np.where(ok, b, best_b)
        best_t = np.where(ok, t, best_t)
    return best_b, best_t



def point_sum(a: np.ndarray, b: np.ndarray | None = None, out: np.ndarray | None = None) -> np.ndarray:
    """Sum over points (axis 0) of ``a`` (or of ``a * b``), added point by point in order.

    The same numbers for a curve whatever else is in its batch: NumPy's reductions (and einsum)
    switch to pairwise or SIMD-blocked sums when the batch axis has length 1, so a curve fitted
    alone would differ from the same curve fitted in a chunk by a rounding -- which an
    ill-conditioned fit can amplify to 1e-8.

    >>> point_sum(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 1.0], [2.0, 0.5]])).tolist()
    [7.0, 4.0]
    """
    if a.shape[0] == 0:
        return np.zeros(a.shape[1:]) if out is None else np.multiply(out, 0.0, out=out)
    term = (lambda j: a[j]) if b is None else (lambda j: a[j] * b[j])
    acc = np.multiply(a[0], 1.0 if b is None else b[0], out=out)
    for j in range(1, a.shape[0]):
        acc += term(j)
    return acc


def profile(data: Curves, u, h):
    """Profile out (bottom, top) at (log ic50, hill) for every curve of ``data``.

    Returns the work array z (5, n_points, n) with rows A, S, R = a, s, residual, and pv (6, n)
    = bottom, top, SSE, Saa, Sas, Sss.
    """
    pts = data.pts
    z = np.empty((5, *pts.shape[1:]))
    e, s = z[A], z[S]
    np.subtract(pts[LX], u, out=e)
    e *= h
    np.minimum(e, 700.0, out=e)
    np.exp(e, out=e)
    e *= pts[NZ]
    np.add(e, 1.0, out=s)
    np.reciprocal(s, out=s)
    e *= s  # a = e / (1 + e), accurate where s ~ 1
    pv = np.empty((6, pts.shape[2]))
    wa, ws = pts[W] * e, pts[W] * s  # (one einsum per sum: faster than stacked ones on big pools)
    point_sum(wa, e, out=pv[3])
    point_sum(wa, s, out=pv[4])
    point_sum(ws, s, out=pv[5])
    say, ssy = point_sum(pts[WY], e), point_sum(pts[WY], s)
    b, t = plateaus((pv[3], pv[4], pv[5], say, ssy, data.per[SYY]), data.per, data.kind)
    r = z[R]
    np.multiply(e, b, out=r)
    r += t * s
    np.subtract(pts[Y], r, out=r)
    pv[0], pv[1] = b, t
    pv[2] = point_sum(r * pts[W], r)
    return z, pv


def grid_sse(data: Curves, grid_u: np.ndarray, hills: np.ndarray) -> np.ndarray:
    """Profiled SSE (c, H, U) of c curves at every (hill, log ic50) of ``hills`` (c, H) x
    ``grid_u`` (c, U), for ranking start points.

    Uses a + s = 1 (a = 0, s = 1 at x = 0): Sas = S1 - S2, Saa = W - 2 S1 + S2, Say = Sy - Ssy.
    """
    pts = data.pts[:, :, :, None, None]
    # one layout and one grid for every curve: the sigmoid is computed once (same numbers)
    shared = _same_curves(data.pts[LX], data.pts[NZ], grid_u.T, hills.T)
    one = slice(0, 1) if shared else slice(None)
    z = (pts[LX, :, one] - grid_u[None, one, None, :]) * hills[None, one, :, None]
    np.minimum(z, 700.0, out=z)
    np.exp(z, out=z)
    z *= pts[NZ, :, one]
    z += 1.0
    s = np.broadcast_to(np.reciprocal(z, out=z), (z.shape[0], grid_u.shape[0], *z.shape[2:]))
    ws = pts[W] * s
    s1, s2 = point_sum(ws), point_sum(ws, s)
    ssy = point_sum(s, data.pts[WY][:, :, None, None])
    per = data.per[:, :, None, None]
    wt, sy, syy = per[WSUM], per[YSUM], per[SYY]
    sums = (wt - 2.0 * s1 + s2, s1 - s2, s2, sy - ssy, ssy, syy)
    # a degenerate sigmoid (flat over the tested doses) is no start: it scores NaN and ranks last
    b, t = plateaus(sums, per, data.kind, degenerate=False)
    saa, sas, sss, say, _, _ = sums
    return syy - 2.0 * (b * say + t * ssy) + b * b * saa + 2.0 * b * t * sas + t * t * sss


def _same_curves(*arrays: np.ndarray) -> bool:
    """Every column (curve) of each (k, n) array equals its first column."""
    return all(a.shape[1] > 0 and bool(np.all(a == a[:, :1])) for a in arrays)


def grid_starts(data: Curves, grid_u, hills, budget: int):
    """One start per grid hill: the log ic50 of ``grid_u`` (n, U) with the lowest profiled SSE.

    Candidates are scored ``budget`` (curve x candidate) at a time. Returns (curve index, u0,
    hill0) stacked curve-major (the starts of a curve are adjacent).
    """
    n, n_u = grid_u.shape
    n_h = hills.shape[1]
    q = np.empty((n, n_h, n_u))
    step = max(1, budget // (n_u * n_h))
    for lo in range(0, n, step):
        sl = slice(lo, lo + step)
        q[sl] = grid_sse(data.take(sl), grid_u[sl], hills[sl])
    q = np.where(np.isfinite(q), q, np.inf)
    best_k = np.argmin(q, axis=2)  # (n, H)
    cid = np.repeat(np.arange(n), n_h)
    slot = np.tile(np.arange(n_h), n)
    return cid, grid_u[cid, best_k[cid, slot]], hills[cid, slot]


def jacobian_sums(data: Curves, u, z) -> np.ndarray:
    """S (3, 5, n): sums over points of w q L^k (k = 0, 1, 2; q = s a, L = ln x - u) times
    (a, s, r, q, r (a - s)) -- every cross-product the Jacobian, the gradient and the residual
    curvature of (log ic50, hill) need. Fills the scratch rows 3 and 4 of ``z``. The k = 2 sums
    of (a, s, r) are never used (:func:`_blocks`): they are NaN, not computed (a fifth of the
    work; every other sum is the same number as before, term by term)."""
    pts = data.pts
    q = np.multiply(z[A], z[S], out=z[3])
    np.subtract(z[A], z[S], out=z[4])
    z[4] *= z[R]
    left = np.empty((3, *q.shape))
    np.multiply(pts[W], q, out=left[0])
    ell = pts[LX] - u
    np.multiply(left[0], ell, out=left[1])
    np.multiply(left[1], ell, out=left[2])
    out = np.empty((3, 5, q.shape[1]))
    point_sum(left[:2].transpose(1, 0, 2)[:, :, None, :], z.transpose(1, 0, 2)[:, None, :, :],
              out=out[:2])
    point_sum(left[2][:, None, :], z[3:].transpose(1, 0, 2), out=out[2, 3:])
    out[2, :3] = np.nan
    return out


def _blocks(S, d, h):
    """Cross-products of the plateau columns (a, s) with the base columns c_u = d q, c_v = d q L,
    K (2, 2, 2, n) [variant, (c_u, c_v), (bottom, top)], and the base block H (2, 3, n) [variant,
    (uu, uv, vv)]; variant 0 is J'WJ, variant 1 the observed Hessian 1/2 d2SSE (the residual
    curvature sum(w r d2f) subtracted; f is linear in the plateaus, so their block has none).

    d = top - bottom. In (bottom, top, log ic50, hill) J_u = h c_u and J_h = -c_v; in log hill
    J_v = -h c_v. Both systems are these blocks scaled by those factors.
    """
    K = np.empty((2, 2, 2, S.shape[-1]))
    np.multiply(d, S[:2, :2], out=K[0])
    np.add(K[0], S[:2, 2:3] * _PM, out=K[1])
    H = np.empty((2, 3, S.shape[-1]))
    np.multiply(d * d, S[:, 3], out=H[0])  # d^2 (Sqq, Slq, Sllq)
    np.multiply(d, S[:, 4], out=H[1])  # d sum w q L^k r (a - s)
    np.subtract(H[0], H[1], out=H[1])
    H[1, 1] += d * S[0, 2] / h
    return K, H


def _schur_terms(K, inv):
    """(v, 3, n): K_i' inv K_k for (i, k) = (0, 0), (0, 1), (1, 1) of each variant v, i.e.
    sum over l, j of K[v, i, l] inv[l, j] K[v, k, j], added in the order (l, j) = (0, 0), (0, 1),
    (1, 0), (1, 1) from 0 -- the numbers ``np.einsum("vilm,ljm,vkjm->vikm", ...)`` gives on a
    batch of several starts, for a batch of one too (einsum changes its summation order when the
    batch axis has length 1, so a start left alone in the pool took other steps). Checked equal
    to the einsum for every batch size from 2 to 39 and 127 ... 40,000; einsum is 3-9x faster
    there, so only a batch of one takes the loop."""
    if K.shape[-1] > 1:
        Q = np.einsum("vilm,ljm,vkjm->vikm", K, inv, K)
        return np.stack([Q[:, 0, 0], Q[:, 0, 1], Q[:, 1, 1]], axis=1)
    left, right = K[:, _ROW_I], K[:, _ROW_K]  # (v, 3, 2, n): K[v, i] and K[v, k] of each row
    out = np.zeros((K.shape[0], 3, K.shape[-1]))
    for l_ in range(2):
        for j in range(2):
            out += left[:, :, l_] * inv[l_, j] * right[:, :, j]
    return out


_ROW_I, _ROW_K = np.array([0, 0, 1]), np.array([0, 1, 1])  # (i, k) of the rows of _schur_terms


def reduced_system(data: Curves, u, h, bt, z, lin, ref):
    """Reduced 2 x 2 system on (log ic50, log hill): M (3, n) = (uu, uv, vv) and g (2, n) =
    -1/2 dSSE/d(log ic50, log hill).

    M is the Schur complement (onto the nonlinear parameters) of the observed Hessian 1/2 d2SSE
    (Newton: quadratic convergence) where that is positive definite, else of the Gauss-Newton
    J'WJ (Kaufman's variable-projection step). A plateau on its bound (or fixed) is held constant.
    ``bt`` (2, n) = (bottom, top); ``lin`` (3, n) = (Saa, Sas, Sss). Computed in the base
    columns (c_u, c_v) and scaled to (log ic50, log hill) at the end (positive definiteness and
    the choice between the two matrices do not depend on that scaling).
    """
    S = jacobian_sums(data, u, z)
    d = bt[1] - bt[0]
    K, H = _blocks(S, d, h)
    g = d * S[:2, 2]  # base gradient (d Sqr, d Slr)
    H[1, 2] += g[1] / h  # the gradient term of d2/d(log hill)2
    per = data.per
    if data.kind.startswith("box"):  # a plateau on its bound is held there
        free = (bt > per[BLO : TLO + 1]) & (bt < per[BHI : THI + 1])
    else:  # plateaus are fixed or unbounded
        free = per[BLO : TLO + 1] != per[BHI : THI + 1]
    free &= lin[::2] > 1e-14 * ref
    hbb, htt = np.where(free, lin[::2], 1.0)
    hbt = np.where(free[0] & free[1], lin[1], 0.0)
    det = hbb * htt - hbt * hbt
    det = np.where(det > 1e-14 * hbb * htt, det, np.inf)
    inv = np.empty((2, 2, u.shape[0]))
    inv[0, 0], inv[1, 1] = htt, hbb
    np.negative(hbt, out=inv[0, 1])
    inv[1, 0] = inv[0, 1]
    inv /= det
    K *= free
    Q = _schur_terms(K, inv)
    M = np.empty_like(H)
    np.subtract(H, Q, out=M)
    n_uu, n_uv, n_vv = M[1]
    newton = (n_uu > 0) & (n_uu * n_vv - n_uv * n_uv > 1e-12 * n_uu * n_vv)
    np.maximum(M[0, ::2], 0.0, out=M[0, ::2])
    M = np.where(newton, M[1], M[0])
    M *= h * h  # J_u = h c_u, J_v = -h c_v
    np.negative(M[1], out=M[1])
    g *= h
    np.negative(g[1], out=g[1])
    return M, g


def _leading_minors_positive(mat: np.ndarray) -> np.ndarray:
    """Sylvester's criterion on a stack of symmetric matrices scaled to unit diagonal."""
    ok = np.ones(mat.shape[0], dtype=bool)
    for k in range(2, mat.shape[1] + 1):
        ok &= np.linalg.det(mat[:, :k, :k]) > 1e-13
    return ok


def covariance_se(data: Curves, u, h, b, t, sse, dof, free_b, free_t):
    """Asymptotic standard errors of (bottom, top, log ic50, hill) at the optimum.

    cov = s^2 H^-1 with s^2 = SSE / dof and H = 1/2 the observed Hessian of the SSE,
    J'WJ - sum(w r d2f), as drc reports (via optim's Hessian); where that matrix is not positive
    definite (e.g. an optimum on a bound) the Gauss-Newton J'WJ is used instead.
    """
    z, pv = profile(data, u, h)
    K, H = _blocks(jacobian_sums(data, u, z), t - b, h)
    K[:, 0] *= h  # to (log ic50, hill): J_u = h c_u, J_h = -c_v
    K[:, 1] *= -1.0
    H *= np.stack([h * h, -h, np.ones_like(h)])
    n = u.shape[0]
    hmat = np.empty((2, n, 4, 4))
    hmat[:, :, 0, 0], hmat[:, :, 0, 1], hmat[:, :, 1, 1] = pv[3], pv[4], pv[5]
    hmat[:, :, 1, 0] = pv[4]
    hmat[:, :, 2:, :2] = K.transpose(0, 3, 1, 2)
    hmat[:, :, :2, 2:] = K.transpose(0, 3, 2, 1)
    hmat[:, :, 2, 2], hmat[:, :, 2, 3], hmat[:, :, 3, 3] = H.transpose(1, 0, 2)
    hmat[:, :, 3, 2] = hmat[:, :, 2, 3]
    free = np.stack([free_b, free_t, np.ones(n, bool), np.ones(n, bool)], axis=1)
    pair = free[:, :, None] & free[:, None, :]
    eye = np.broadcast_to(np.eye(4), (n, 4, 4))
    chosen, scale_of, ok_any = None, None, np.zeros(n, dtype=bool)
    for mat in (hmat[1], hmat[0]):  # observed Hessian first, then Gauss-Newton
        mat = np.where(pair, mat, eye)
        diag = np.einsum("nii->ni", mat)
        ok = np.all(np.isfinite(mat), axis=(1, 2)) & np.all(diag > 0, axis=1)
        scale = 1.0 / np.sqrt(np.where(ok[:, None], diag, 1.0))
        corr = np.where(ok[:, None, None], mat * scale[:, :, None] * scale[:, None, :], eye)
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
    se = np.sqrt(np.maximum(inv_diag, 0.0) * sigma2[:, None])
    se = np.where(ok_any[:, None] & free, se, np.nan)
    return se.T
