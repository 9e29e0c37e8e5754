"""A pool of damped Newton / Levenberg-Marquardt runs on (log ic50, log hill) for many curves.

Each start iterates with its own damping and trust region; at most ``capacity`` starts are in
the pool at once, finished ones leave and pending ones take their place, so the cost follows the
hard curves rather than the slowest curve times all of them. The per-start state is one stacked
(17, n) array (rows below) plus the (5, n_points, n) work array of :func:`profile`, so that
accepting a step, leaving the pool or joining it is a handful of numpy calls whatever the pool
size: small batches cost a fixed number of calls per iteration.
"""

from __future__ import annotations

import numpy as np

from tallrx.analysis.doseresponse._ll4_profile import SYY, TINY, Curves, profile, reduced_system

_FTOL = 1e-10  # stop when a step lowers (or a rejected one was predicted to lower) the SSE by
# less than this fraction
_XTOL = 1e-10  # ... or moves (log ic50, log hill) by less than this (relative)

# rows of the state array: (log ic50, log hill), the profiled plateaus, SSE and (Saa, Sas, Sss)
# as returned by profile(), damping, its growth factor, trust radius, iterations, boxes, the
# boxes shrunk by the snapping margin (a step strictly inside needs no truncation), scale
U, V, B, T, SSE, SAA, SAS, SSS, LAM, NU, RAD, IT, ULO, VLO, UHI, VHI, ULO_IN, VLO_IN = range(18)
UHI_IN, VHI_IN, REF = range(18, 21)
_HALF = np.array([[0.5], [1.0]])
_IN = np.array(
    [[1.0], [1.0], [-1.0], [-1.0]]
)  # lower bounds move up, upper ones down  # trust-region norm: max(|d log ic50| / 2, |d log hill|)
_CHECK = np.zeros(11, dtype=bool)  # iterations after which duplicate starts are merged
_CHECK[[2, 5, 9]] = True


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


def _damped_step(M, g, lam, free):
    """Solve (M + lam diag M) d = g on the free coordinates (frozen ones get d = 0).

    ``M`` (3, n) = (uu, uv, vv); ``g`` and ``free`` (2, n) (None: all free); returns d (2, n).
    """
    if free is None:
        muv, diag = M[1], M[::2]
    else:
        g = np.where(free, g, 0.0)
        muv = np.where(free[0] & free[1], M[1], 0.0)
        diag = np.where(free, M[::2], 1.0)
    floor = 1e-12 * (diag[0] + diag[1]) + TINY
    damped = diag + lam * np.maximum(diag, floor)
    det = damped[0] * damped[1] - muv * muv
    det = np.where(det > 0, det, TINY)
    return (damped[::-1] * g - muv * g[::-1]) / det


def _enter(data: Curves, work, cid, u, v, ubox, vbox):
    """Pool state (x, z, curves, cid, work, live) for starts ``work`` (curves ``cid``)."""
    d = data.take(cid)
    z, pv = profile(d, u, np.exp(v))
    x = np.empty((21, work.size))
    x[U], x[V] = u, v
    x[B : SSS + 1] = pv
    x[LAM], x[NU], x[RAD], x[IT] = 1e-3, 2.0, 1.0, 0.0
    x[ULO], x[VLO], x[UHI], x[VHI] = ubox[0], vbox[0], ubox[1], vbox[1]
    x[ULO_IN : VHI_IN + 1] = x[ULO : VHI + 1] + 1e-12 * (1.0 + np.abs(x[ULO : VHI + 1])) * _IN
    x[REF] = d.per[SYY] + TINY
    return x, z, d, cid, work, np.ones(work.size, dtype=bool)


def _keep(pool, keep):
    x, z, d, cid, work, live = pool
    idx = np.flatnonzero(keep)
    return x.take(idx, axis=1), z.take(idx, axis=2), d.take(idx), cid[idx], work[idx], live[idx]


def _join(pool, new):
    if pool is None:
        return new
    (x, z, d, cid, work, live), (x2, z2, d2, cid2, work2, live2) = pool, new
    cat = Curves(
        np.concatenate([d.pts, d2.pts], axis=2), np.concatenate([d.per, d2.per], 1), d.kind
    )
    return (
        np.concatenate([x, x2], axis=1),
        np.concatenate([z, z2], axis=2),
        cat,
        np.concatenate([cid, cid2]),
        np.concatenate([work, work2]),
        np.concatenate([live, live2]),
    )


def run_pool(data: Curves, cid, u0, v0, ubox, vbox, max_iter: int, capacity: int) -> dict:
    """Projected Levenberg-Marquardt on (log ic50, log hill) for many starts, as a pool.

    ``cid`` (curve of each start, curve-major), ``u0``, ``v0`` (log hill) and the boxes are per
    start. At most ``capacity`` starts are iterated at once (arrays stay in cache); finished starts
    leave the pool and pending ones take their place, so a few slow curves never keep a whole
    batch iterating. Steps stay inside a per-start trust region (|d log ic50| <= 2,
    |d log hill| <= 1; shrunk after a rejected step, grown after a good one) besides the Marquardt
    damping. A start still above its curve's best SSE while creeping (relative gain < 1e-5 per
    step after 8 steps), within 0.05 log units of a better start of its curve (checked after
    2, 5 and 9 steps), or within 0.05 log units of a converged start of its curve with no lower
    SSE (every step: it is heading for that optimum), is abandoned. Returns per-start u, h, b, t,
    sse, converged, iters.
    """
    n_items = cid.size
    res = np.full((5, n_items), np.nan)  # u, v, b, t, sse as the state rows U..SSE
    iters = np.zeros(n_items, dtype=int)
    conv = np.zeros(n_items, dtype=bool)
    best = np.full(int(cid.max(initial=-1)) + 1, np.inf)
    opt = None  # (log ic50, log hill, SSE) of each curve's best converged start so far
    pool = None
    pos = 0
    while True:
        n_live = 0 if pool is None else int(np.count_nonzero(pool[5]))
        if pos < n_items and n_live <= capacity // 2:
            if pool is not None and n_live < pool[5].size:
                pool = _keep(pool, pool[5])
            end = min(n_items, pos + capacity - n_live)
            while end < n_items and end > pos + 1 and cid[end] == cid[end - 1]:
                end -= 1  # keep the starts of a curve together
            sl = slice(pos, end)
            new = _enter(
                data,
                np.arange(pos, end),
                cid[sl],
                u0[sl].copy(),
                v0[sl].copy(),
                (ubox[0][sl], ubox[1][sl]),
                (vbox[0][sl], vbox[1][sl]),
            )
            pool = _join(pool, new)
            pos = end
        elif n_live == 0:
            break
        elif n_live < 0.8 * pool[5].size:
            pool = _keep(pool, pool[5])
        x, z, d, pcid, work, live = pool
        finished, converged = _lm_step(x, z, d, pcid, live, best, max_iter, opt)
        if finished.any():
            np.minimum.at(best, pcid[finished], x[SSE, finished])
            done = np.flatnonzero(finished & converged)
            if done.size:
                if opt is None:
                    opt = np.full((3, best.size), np.nan)
                    opt[2] = np.inf
                done = done[np.argsort(-x[SSE, done], kind="stable")]  # the lowest SSE last
                done = done[x[SSE, done] < opt[2, pcid[done]]]
                opt[:, pcid[done]] = x[(U, V, SSE), :][:, done]
            idx = work[finished]
            res[:, idx] = x[U : SSE + 1, finished]
            iters[idx] = x[IT, finished]
            conv[idx] = converged[finished]
            live &= ~finished
    return {
        "u": res[0],
        "h": np.exp(res[1]),
        "b": res[2],
        "t": res[3],
        "sse": res[4],
        "converged": conv,
        "iters": iters,
    }


def _lm_step(x, z, d: Curves, cid, live, best: np.ndarray, max_iter: int, opt=None):
    """One damped Newton / Gauss-Newton step for every live start of the pool (in place)."""
    th = x[U : V + 1]
    lo, hi = x[ULO : VLO + 1], x[UHI : VHI + 1]
    M, g = reduced_system(d, x[U], np.exp(x[V]), x[B : T + 1], z, x[SAA : SSS + 1], x[REF])
    # active set: a parameter on a bound whose gradient, or whose Newton step, points
    # outward is frozen and the step is recomputed for the other one
    on_lo, on_hi = th <= lo, th >= hi
    free, frozen = None, False
    if (on_lo | on_hi).any():
        free = ~((on_lo & (g < 0)) | (on_hi & (g > 0)))
        step = _damped_step(M, g, x[LAM], free)
        out = (on_lo & (step < 0)) | (on_hi & (step > 0))
        if out.any():
            free &= ~out
            step = _damped_step(M, g, x[LAM], free)
        g = np.where(free, g, 0.0)
        frozen = ~free.any(axis=0)
    else:
        step = _damped_step(M, g, x[LAM], None)
    # trust region, then truncate the step at the first bound it meets (keeps its direction)
    alpha = np.minimum(1.0, x[RAD] / ((np.abs(step) * _HALF).max(axis=0) + TINY))
    new = th + alpha * step
    if not ((new > x[ULO_IN : VLO_IN + 1]) & (new < x[UHI_IN : VHI_IN + 1])).all():
        room = np.where(step < 0, th - lo, np.where(step > 0, hi - th, np.inf)) / np.abs(step)
        alpha = np.maximum(np.minimum(alpha, room.min(axis=0)), 0.0)
        new = _snap(np.minimum(np.maximum(th + alpha * step, lo), hi), lo, hi)
    step = new - th
    size = (np.abs(step) * _HALF).max(axis=0)
    s0, s1 = step
    pred = 2.0 * np.einsum("km,km->m", step, g) - (
        s0 * (s0 * M[0] + 2.0 * s1 * M[1]) + s1 * s1 * M[2]
    )
    z_new, pv = profile(d, new[0], np.exp(new[1]))
    sse = x[SSE]
    gain = sse - pv[2]
    acc = (gain > 0) & live
    rho = np.where(pred > 0, gain / pred, 0.0)
    lam, nu, rad = x[LAM], x[NU], x[RAD]
    x[LAM] = np.minimum(
        np.where(acc, lam * np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), lam * nu), 1e17
    )
    x[NU] = np.where(acc, 2.0, np.minimum(nu * 2.0, 1e6))
    x[RAD] = np.where(
        acc, np.where(rho > 0.75, np.minimum(1.0, np.maximum(rad, 2.0 * size)), rad), 0.3 * size
    )
    small_step = (np.abs(step) <= _XTOL * (1.0 + np.abs(th))).all(axis=0)
    # converged: a negligible step, gain, or predicted gain (a rejected step whose model gain
    # is below the tolerance: the optimum is reached to rounding)
    done = small_step | ((gain <= _FTOL * sse) & acc) | ((pred <= _FTOL * sse) & ~acc)
    # accept (np.where: a masked np.copyto is several times slower on big pools)
    th[:] = np.where(acc, new, th)
    x[B : SSS + 1] = np.where(acc, pv, x[B : SSS + 1])
    z[:3] = np.where(acc, z_new[:3], z[:3])
    x[IT] += live
    it = x[IT]
    converged = live & (done | (sse <= 1e-28 * x[REF]) | frozen | (x[LAM] > 1e16))
    finished = converged | (live & (it >= max_iter))
    late = live & (it >= 8)
    if late.any():  # a start still above its curve's best while creeping is abandoned
        now = best.copy()  # best of the finished starts, and of the live ones as they are now
        np.minimum.at(now, cid[live], sse[live])
        finished |= late & (sse > now[cid] * (1.0 + 1e-6)) & (gain < 1e-5 * sse)
    check = live & ~finished & _CHECK.take(it.astype(np.intp), mode="clip")
    if check.any():  # starts that have run into the same basin: keep the best one
        finished |= _duplicates(cid, x[U], x[V], sse, check)
    if opt is not None:  # starts heading for an optimum their curve has already converged to
        o = opt[:, cid]
        near = (np.abs(x[U] - o[0]) < 0.05) & (np.abs(x[V] - o[1]) < 0.05) & (sse >= o[2])
        finished |= live & near
    return finished, converged


def _snap(val, lo, hi):
    """Values within 1e-12 (relative) of a bound are put exactly on it."""
    val = np.where(np.abs(val - lo) <= 1e-12 * (1.0 + np.abs(lo)), lo, val)
    return np.where(np.abs(val - hi) <= 1e-12 * (1.0 + np.abs(hi)), hi, val)
