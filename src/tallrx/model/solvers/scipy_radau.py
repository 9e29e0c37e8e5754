"""Independent check used in tests: the generated right-hand side integrated one well at a time
by ``scipy.integrate.solve_ivp`` (Radau, analytic dense Jacobian)."""

from __future__ import annotations

import numpy as np

from tallrx.model.network import NETWORK
from tallrx.model.network._table import Network
from tallrx.model.solvers._common import (
    MAX_STEPS,
    PREEQ_HOURS,
    clean_state,
    compiled,
    species_atol,
)


class ScipyEngine:
    """``scipy.integrate.solve_ivp`` (Radau) on the generated right-hand side; reference only."""

    name = "scipy"

    def __init__(self, net: Network = NETWORK, rtol: float = 1e-10, atol: float = 1e-12):
        self.net = net
        self.code = compiled(net)
        self.rtol, self.atol = rtol, species_atol(net, atol)
        self.failures: dict[int, str] = {}

    def _solve(self, p, y0, hours, frozen=()):
        from scipy.integrate import solve_ivp

        P = list(map(float, p))
        Q = self.code.prep(P)
        frozen = list(frozen)
        if not np.all(np.isfinite(y0)):
            raise _NoSolution("the start state is not finite")
        calls = [0]

        def f(t, y):
            calls[0] += 1
            if calls[0] > MAX_STEPS:
                raise _NoSolution(f"step budget used up at t = {t:.4g} h")
            d = self.code.rhs(y, P, Q)
            d[frozen] = 0.0
            return d

        def jac(t, y):
            J = self.code.dense_jacobian(y, P, Q)
            J[frozen] = 0.0
            return J

        sol = solve_ivp(
            f,
            (0.0, float(hours[-1])),
            y0,
            method="Radau",
            t_eval=hours,
            jac=jac,
            rtol=self.rtol,
            atol=self.atol,
        )
        if not sol.success:
            raise _NoSolution(sol.message)
        return sol.y.T

    def _each(self, W: int, solve, shape) -> np.ndarray:
        """Stack ``solve(w)`` over wells; a well without solution is NaN + ``failures[w]``."""
        self.failures = {}
        cols = []
        for w in range(W):
            try:
                with np.errstate(all="ignore"):
                    cols.append(solve(w))
            except (_NoSolution, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
                # Radau's LU raises ValueError on a non-finite Jacobian
                self.failures[w] = f"no solution: {exc}"
                cols.append(np.full(shape, np.nan))
        return np.stack(cols, axis=-1)

    def steady_state(self, P: np.ndarray) -> np.ndarray:
        P = np.asarray(P, dtype=float)
        P = P[:, None] if P.ndim == 1 else P
        iv = self.net.species_index["Viable"]
        n = len(self.net.species)
        return clean_state(
            self._each(
                P.shape[1],
                lambda w: self._solve(P[:, w], self.net.initial_state, [PREEQ_HOURS], [iv])[-1],
                (n,),
            )
        )

    def run(self, P: np.ndarray, y0: np.ndarray, hours) -> np.ndarray:
        P = np.asarray(P, dtype=float)
        y0 = np.asarray(y0, dtype=float)
        P, y0 = (P[:, None], y0[:, None]) if P.ndim == 1 else (P, y0)
        hours = np.asarray(hours, dtype=float)
        return self._each(
            P.shape[1],
            lambda w: self._solve(P[:, w], y0[:, w], hours),
            (len(hours), y0.shape[0]),
        )


class _NoSolution(Exception):
    """A well the SciPy reference could not integrate (reason in the message)."""
