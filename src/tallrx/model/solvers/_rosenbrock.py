"""Batched stiff integrator: the Rodas3 Rosenbrock method with per-well adaptive steps.

Every well (column of the state matrix) has its own parameters, time, step size and error
control; all wells advance together, one vectorized step per iteration, and wells that reached
their last output time leave the active set. Each step needs one analytic Jacobian, one sparse
LU of ``G = I/(h*gamma) - J`` (generated straight-line code, see :mod:`._codegen`), three
right-hand sides and four triangular solves.

Rodas3 (Sandu et al., Atmos. Environ. 31:3459, 1997; in the form of the KPP Rosenbrock
integrators): four stages, order 3, embedded order 2, L-stable and stiffly accurate; gamma = 1/2,
``A`` = {a31 = a41 = 2, a43 = 1}, ``C`` = {c21 = 4, c31 = 1, c32 = -1, c41 = 1, c42 = -1,
c43 = -8/3}, ``M`` = (2, 0, 1, 1), error estimate ``K4``. Steps end exactly on the requested
output times, so no interpolation is involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tallrx.model.solvers._codegen import Compiled

GAMMA = 0.5
SAFETY, FAC_MIN, FAC_MAX, FAC_REJECT = 0.9, 0.2, 6.0, 0.1


#: attempted steps one well may take in one call before it is failed (the default parameters
#: need about a hundred for four days; a pre-equilibration a few hundred)
MAX_STEPS = 20_000
#: smallest step (h) relative to the well's next output time; below it the well is failed
H_MIN_REL = 1e-12


@dataclass
class Stats:
    steps: int = 0  # vectorized iterations
    well_steps: int = 0  # sum over wells of attempted steps
    rejected: int = 0
    failures: dict = field(default_factory=dict)  # well -> why it could not be integrated


def _frozen_slots(code: Compiled, frozen: np.ndarray) -> np.ndarray:
    """LU-storage slots of the Jacobian rows of frozen species (set to zero)."""
    rows = set(np.asarray(frozen, dtype=int).tolist())
    return np.array(
        [code.jac_slots[k] for k, (i, _) in enumerate(code.pattern) if i in rows], dtype=int
    )


#: below this many wells the dense batched inverse beats the generated sparse LU (fewer NumPy
#: calls per step); above it the sparse code wins (far fewer flops)
DENSE_MAX_WELLS = 80


def _linear_solver(code: Compiled, G: np.ndarray):
    """Factor ``G`` (slot storage, one column per well); return ``solve(b)``."""
    W = G.shape[1]
    if W > DENSE_MAX_WELLS:
        code.factor(G)
        return lambda b: code.solve(G, b)
    D = np.zeros((W, code.n, code.n))
    D[:, code.slot_rows, code.slot_cols] = G.T
    try:
        inv = np.linalg.inv(D)
    except np.linalg.LinAlgError:  # a broken trial step: let the sparse path produce inf/nan
        code.factor(G)
        return lambda b: code.solve(G, b)
    return lambda b: np.matmul(inv, b.T[:, :, None])[:, :, 0].T


def _take(values: list, idx: np.ndarray) -> list:
    return [v[idx] if isinstance(v, np.ndarray) and v.ndim else v for v in values]


def integrate(
    code: Compiled,
    y0: np.ndarray,
    P: list,
    Q: list,
    t_out,
    *,
    rtol: float = 1e-6,
    atol: np.ndarray | float = 1e-9,
    frozen=(),
    h0: float = 1e-3,
    max_steps: int = MAX_STEPS,
    h_min_rel: float = H_MIN_REL,
) -> tuple[np.ndarray, Stats]:
    """Integrate ``y0`` (n, W) from t = 0; return states at ``t_out`` as (len(t_out), n, W).

    ``P``/``Q``: parameter and parameter-rule values, each a float (shared) or a (W,) array.
    ``frozen``: species indices held constant. ``atol``: scalar or per-species (n,) array.

    A well that cannot be integrated leaves the batch with a reason in ``Stats.failures`` and
    NaN at the output times it did not reach; the other wells go on. A well fails when its
    start state is not finite, when it has taken ``max_steps`` attempted steps, or when its
    step size falls below ``h_min_rel`` times its next output time (the step collapses on a
    state where the right-hand side is not finite or the problem is too stiff). So the loop
    always ends, after at most about ``max_steps`` iterations.
    """
    t_out = np.asarray(t_out, dtype=float)
    if t_out.ndim != 1 or np.any(np.diff(t_out) <= 0) or t_out[0] < 0:
        raise ValueError("t_out must be increasing and non-negative")
    n, W = y0.shape
    m = len(t_out)
    out = np.empty((m, n, W))
    atol_v = np.broadcast_to(np.asarray(atol, dtype=float), (n,))[:, None]
    frozen = np.asarray(frozen, dtype=int)
    frozen_slots = _frozen_slots(code, frozen)

    out.fill(np.nan)
    stats = Stats()
    good = np.all(np.isfinite(y0), axis=0)
    for w in np.flatnonzero(~good):
        stats.failures[int(w)] = "the start state is not finite"
    nxt = np.zeros(W, dtype=int)
    if t_out[0] == 0.0:
        out[0][:, good] = y0[:, good]
        nxt[:] = 1
    ids = np.flatnonzero((nxt < m) & good)
    y = y0[:, ids].copy()
    t = np.zeros(ids.size)
    h = np.full(ids.size, float(h0))
    nx = nxt[ids]
    tried = np.zeros(ids.size, dtype=int)
    Pa, Qa = _take(P, ids), _take(Q, ids)

    def f(state):
        d = code.rhs(state, Pa, Qa)
        if frozen.size:
            d[frozen] = 0.0
        return d

    with np.errstate(all="ignore"):  # a broken trial step is rejected, not reported
        while ids.size:
            stats.steps += 1
            target = t_out[nx]
            remaining = target - t
            hit = remaining <= h * (1.0 + 1e-12)
            hs = np.where(hit, remaining, h)
            c = 1.0 / (GAMMA * hs)
            G = code.neg_jac_into(np.empty((code.n_slots, ids.size)), y, Pa, Qa)
            if frozen_slots.size:
                G[frozen_slots] = 0.0
            G[code.diag_slots] += c
            solve = _linear_solver(code, G)
            F1 = f(y)
            K1 = solve(F1)
            K2 = solve(F1 + (4.0 / hs) * K1)
            F3 = f(y + 2.0 * K1)
            K3 = solve(F3 + (K1 - K2) / hs)
            F4 = f(y + 2.0 * K1 + K3)
            K4 = solve(F4 + (K1 - K2 - (8.0 / 3.0) * K3) / hs)
            ynew = y + 2.0 * K1 + K3 + K4
            scale = atol_v + rtol * np.maximum(np.abs(y), np.abs(ynew))
            with np.errstate(over="ignore", invalid="ignore"):
                err = np.sqrt(np.mean((K4 / scale) ** 2, axis=0))
            err = np.where(np.isfinite(err), err, np.inf)
            acc = err <= 1.0
            stats.well_steps += ids.size
            stats.rejected += int((~acc).sum())
            with np.errstate(divide="ignore"):
                fac = np.clip(SAFETY * err ** (-1.0 / 3.0), FAC_MIN, FAC_MAX)
            fac = np.where(acc, fac, np.minimum(fac, 1.0))
            fac = np.where(np.isfinite(err), fac, FAC_REJECT)
            y[:, acc] = ynew[:, acc]
            t = np.where(acc, np.where(hit, target, t + hs), t)
            landed = acc & hit
            h_new = hs * fac
            h = np.where(landed, np.maximum(h_new, h), h_new)
            if landed.any():
                out[nx[landed], :, ids[landed]] = y[:, landed].T
                nx = nx + landed
            tried += 1
            stuck = (nx < m) & _stuck(
                h, tried, t_out[np.minimum(nx, m - 1)], t, max_steps, h_min_rel
            )
            for k in np.flatnonzero(stuck):
                stats.failures[int(ids[k])] = _why(tried[k], h[k], t[k], max_steps)
            done = (nx >= m) | stuck
            if done.any():
                keep = ~done
                ids, y, t, h, nx, tried = (
                    ids[keep],
                    y[:, keep],
                    t[keep],
                    h[keep],
                    nx[keep],
                    tried[keep],
                )
                Pa, Qa = _take(Pa, keep), _take(Qa, keep)
    return out, stats


def _stuck(h, tried, target, t, max_steps: int, h_min_rel: float) -> np.ndarray:
    """Wells out of step budget, or whose step collapsed (or is not a number)."""
    with np.errstate(invalid="ignore"):
        tiny = ~(h >= h_min_rel * np.maximum(target, 1.0))
    return (tried >= max_steps) | (tiny & (t < target))


def _why(tried: int, h: float, t: float, max_steps: int) -> str:
    if tried >= max_steps:
        return f"no solution: step budget of {max_steps} steps used up at t = {t:.4g} h"
    return f"no solution: the step size collapsed to {h:.2g} h at t = {t:.4g} h"


def steady_state(
    code: Compiled,
    y0: np.ndarray,
    P: list,
    Q: list,
    *,
    atol: np.ndarray,
    frozen=(),
    dt0: float = 1e-2,
    growth: float = 4.0,
    dt_max: float = 1e9,
    tol: float = 1e-11,
    max_iter: int = 400,
) -> tuple[np.ndarray, np.ndarray]:
    """Steady states by pseudo-transient continuation (implicit Euler with growing steps).

    Each well takes steps ``y += (I/dt - J)^-1 f(y)``; ``dt`` grows by ``growth`` after a step
    that keeps the state finite and non-negative (else it shrinks 4x and the step is retried).
    A well has converged when ``dt >= dt_max`` and the last update is below ``tol`` relative
    to ``|y| + atol``. Returns (states (n, W), converged (W,) bool).
    """
    n, W = y0.shape
    y = y0.copy()
    dt = np.full(W, float(dt0))
    done = np.zeros(W, dtype=bool)
    frozen = np.asarray(frozen, dtype=int)
    frozen_slots = _frozen_slots(code, frozen)
    atol_v = np.broadcast_to(np.asarray(atol, dtype=float), (n,))[:, None]
    ids = np.arange(W)
    for _ in range(max_iter):
        if ids.size == 0:
            break
        ya = y[:, ids]
        Pa, Qa = _take(P, ids), _take(Q, ids)
        f = code.rhs(ya, Pa, Qa)
        G = code.neg_jac_into(np.empty((code.n_slots, ids.size)), ya, Pa, Qa)
        if frozen.size:
            f[frozen] = 0.0
            G[frozen_slots] = 0.0
        G[code.diag_slots] += 1.0 / dt[ids]
        with np.errstate(all="ignore"):
            dy = _linear_solver(code, G)(f)
            ynew = ya + dy
            ok = np.all(np.isfinite(ynew), axis=0) & np.all(ynew >= -atol_v, axis=0)
            change = np.max(np.abs(dy) / (np.abs(ynew) + atol_v), axis=0)
        ynew = np.maximum(ynew, 0.0)
        y[:, ids[ok]] = ynew[:, ok]
        conv = ok & (dt[ids] >= dt_max) & (change < tol)
        dt[ids] = np.where(ok, np.minimum(dt[ids] * growth, dt_max), dt[ids] / 4.0)
        done[ids[conv]] = True
        ids = ids[~conv]
    return y, done
