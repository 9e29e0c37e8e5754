"""What every engine shares: the pre-equilibration horizon, step budget, engine names, the
generated code per network, per-species absolute tolerances and steady-state clean-up."""

from __future__ import annotations

import functools

import numpy as np

from tallrx.model.network import NETWORK
from tallrx.model.network._table import Network
from tallrx.model.solvers._codegen import Compiled, generate

#: pre-equilibration horizon (h): the slowest mode (BCLXL turnover) has decayed by e^-70 by then
PREEQ_HOURS = 2400.0
ENGINES = ("batched", "roadrunner", "scipy")
#: step budget of the per-well engines (CVODE: steps per output interval; SciPy: right-hand
#: side evaluations per well, a few per Radau step); the batched engine's is
#: :data:`._rosenbrock.MAX_STEPS`
MAX_STEPS = 20_000


def clean_state(y: np.ndarray) -> np.ndarray:
    """Steady states with round-off below zero set to 0 (every species is non-negative)."""
    return np.where(y < 0.0, 0.0, y)


@functools.lru_cache(maxsize=4)
def compiled(net: Network = NETWORK) -> Compiled:
    """Generated code for ``net`` (cached per process)."""
    return generate(net)


def param_columns(P: np.ndarray) -> list:
    """Parameter rows as floats when equal across wells, else (W,) arrays."""
    out = []
    for row in P:
        out.append(float(row[0]) if row.size and np.all(row == row[0]) else row.copy())
    return out


def species_atol(net: Network, scale: float) -> np.ndarray:
    """Absolute tolerances: ``scale`` for fractions/relative, 100x that for nM species."""
    return np.array([scale * (100.0 if s.unit == "nM" else 1.0) for s in net.species])
