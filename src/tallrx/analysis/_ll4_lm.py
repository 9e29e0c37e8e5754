"""A pool of damped Newton / Levenberg-Marquardt runs on (log ic50, log hill) for many curves.

Each start iterates with its own damping and trust region; at most ``capacity`` starts are in
the pool at once, finished ones leave and pending ones take their place, so the cost follows the
hard curves rather than the slowest curve times all of them.
"""

from __future__ import annotations

import numpy as np

from tallrx.analysis._ll4_profile import TINY, Curves, profile, reduced_system

_FTOL = 1e-10  # stop when an accepted step lowers the SSE by less than this fraction
_XTOL = 1e-10  # ... or moves (log ic50, log hill) by less than this (relative)


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


def _damped_step(muu, muv, mvv, gu, gv, lam, fu, fv):
    """Solve (M + lam diag M) d = g on the free coordinates (frozen ones get d = 0)."""
    gu, gv = np.where(fu, gu, 0.0), np.where(fv, gv, 0.0)
    muv = np.where(fu & fv, muv, 0.0)
    muu, mvv = np.where(fu, muu, 1.0), np.where(fv, mvv, 1.0)
    floor = 1e-12 * (muu + mvv) + TINY
    auu = muu + lam * np.maximum(muu, floor)
    avv = mvv + lam * np.maximum(mvv, floor)
    det = auu * avv - muv * muv
    det = np.where(det > 0, det, TINY)
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


def _new_items(data: Curves, work, cid, u, v, ubox, vbox) -> tuple[dict, Curves]:
    """Working-set state for starts ``work`` (curves ``cid``) entering the pool."""
    d = data.take(cid)
    b, t, s, a, r, sse, (saa, sas, sss) = profile(d, u, np.exp(v))
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
        "ref": d.syy + TINY,
        "live": np.ones(m, dtype=bool),
        "s": s,
        "a": a,
        "r": r,
    }
    return st, d


def _join(st: dict | None, d: Curves | None, st2: dict, d2: Curves) -> tuple[dict, Curves]:
    if st is None:
        return st2, d2
    out = {k: np.concatenate([st[k], st2[k]]) for k in _ITEM_1D}
    out.update({k: np.concatenate([st[k], st2[k]], axis=1) for k in _ITEM_2D})
    cat = [np.concatenate([x1, x2], axis=1) for x1, x2 in zip(d[:5], d2[:5], strict=True)]
    cat += [np.concatenate([x1, x2]) for x1, x2 in zip(d[5:12], d2[5:12], strict=True)]
    return out, Curves(*cat, d.simple)


def _compact(st: dict, d: Curves) -> tuple[dict, Curves]:
    keep = st["live"]
    out = {k: st[k][keep] for k in _ITEM_1D}
    out.update({k: st[k][:, keep] for k in _ITEM_2D})
    return out, d.take(keep)


def run_pool(data: Curves, cid, u0, v0, ubox, vbox, max_iter: int, capacity: int) -> dict:
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


def _lm_step(st: dict, d: Curves, best: np.ndarray, max_iter: int):
    """One damped Newton / Gauss-Newton step for every live start of the pool (in place)."""
    u, v, live = st["u"], st["v"], st["live"]
    ulo, uhi, vlo, vhi = st["ulo"], st["uhi"], st["vlo"], st["vhi"]
    lam, sse = st["lam"], st["sse"]
    h = np.exp(v)
    lin = (st["saa"], st["sas"], st["sss"])
    muu, muv, mvv, gu, gv = reduced_system(
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
    alpha = np.minimum(1.0, st["radius"] / (size + TINY))
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
    nb, nt, ns, na, nr, nsse, nlin = profile(d, new_u, np.exp(new_v))
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
