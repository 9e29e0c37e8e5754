"""The default engine: generated NumPy right-hand side, analytic Jacobian and sparse LU, integrated
by the batched Rodas3 method (one vectorized step advances thousands of wells, each with its own
parameters and step size; :mod:`._rosenbrock`)."""

from __future__ import annotations

import numpy as np

from tallrx.model.network import NETWORK
from tallrx.model.network._table import Network
from tallrx.model.solvers._common import (
    PREEQ_HOURS,
    clean_state,
    compiled,
    param_columns,
    species_atol,
)
from tallrx.model.solvers._rosenbrock import integrate


class BatchedEngine:
    """Vectorized Rodas3 over a batch of wells (see module docstring)."""

    name = "batched"

    def __init__(self, net: Network = NETWORK, rtol: float = 1e-4, atol: float = 1e-7):
        self.net = net
        self.code = compiled(net)
        self.rtol = rtol
        self.atol = species_atol(net, atol)
        self.frozen = [net.species_index["Viable"]]
        self.last_stats = None
        self.failures: dict[int, str] = {}

    def steady_state(self, P: np.ndarray) -> np.ndarray:
        """Untreated steady state of each column of ``P`` (viable cells stay 1)."""
        P = np.atleast_2d(np.asarray(P, dtype=float).T).T
        Pl = param_columns(P)
        Q = self.code.prep(Pl)
        y0 = np.repeat(self.net.initial_state[:, None], P.shape[1], axis=1)
        out, self.last_stats = integrate(
            self.code, y0, Pl, Q, [PREEQ_HOURS], rtol=self.rtol, atol=self.atol, frozen=self.frozen
        )
        self.failures = dict(self.last_stats.failures)
        return clean_state(out[0])

    def run(self, P: np.ndarray, y0: np.ndarray, hours) -> np.ndarray:
        """States (len(hours), n, W) from ``y0`` under parameters ``P``; hours start at 0."""
        Pl = param_columns(np.asarray(P, dtype=float))
        Q = self.code.prep(Pl)
        out, self.last_stats = integrate(
            self.code, np.asarray(y0, dtype=float), Pl, Q, hours, rtol=self.rtol, atol=self.atol
        )
        self.failures = dict(self.last_stats.failures)
        return out
