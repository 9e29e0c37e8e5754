"""Variable projection for LL.4: the plateaus in closed form, sums for Newton steps and errors.

All arrays of a :class:`Curves` are point-major, (n_points, n_curves), so that sums over the
points of every curve are fast vector adds. Sigmoid s = 1 / (1 + exp(hill (ln x - ln ic50))),
a = 1 - s (a = 0 at x = 0), model f = bottom a + top s.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

TINY = 1e-300


class Curves(NamedTuple):
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

    def take(self, idx) -> Curves:
        return Curves(*(v[:, idx] for v in self[:5]), *(v[idx] for v in self[5:12]), self.simple)


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


def linear_simple(sums, d: Curves):
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
        b[bad], t[bad] = linear_box(sub, (d.blo[bad], d.bhi[bad], d.tlo[bad], d.thi[bad]))
    return b, t


def linear_box(sums, box):
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


def profile(data, u, h):
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
        b, t = linear_simple(sums, data)
    else:
        b, t = linear_box(sums, data[8:12])
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
    b, t = linear_simple(sums, data) if data.simple else linear_box(sums, data[8:12])
    saa, sas, sss, say, _, _ = sums
    return syy - 2.0 * (b * say + t * ssy) + b * b * saa + 2.0 * b * t * sas + t * t * sss


def grid_starts(data, grid_u, hills):
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


def reduced_system(data, state, ref):
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


def _leading_minors_positive(mat: np.ndarray) -> np.ndarray:
    """Sylvester's criterion on a stack of symmetric matrices scaled to unit diagonal."""
    ok = np.ones(mat.shape[0], dtype=bool)
    for k in range(2, mat.shape[1] + 1):
        ok &= np.linalg.det(mat[:, :k, :k]) > 1e-13
    return ok


def covariance_se(data, u, h, b, t, sse, dof, free_b, free_t):
    """Asymptotic standard errors of (bottom, top, log ic50, hill) at the optimum.

    cov = s^2 H^-1 with s^2 = SSE / dof and H = 1/2 the observed Hessian of the SSE,
    J'WJ - sum(w r d2f), as drc reports (via optim's Hessian); where that matrix is not positive
    definite (e.g. an optimum on a bound) the Gauss-Newton J'WJ is used instead.
    """
    _, _, s, a, r, _, (saa, sas, sss) = profile(data, u, h)
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
