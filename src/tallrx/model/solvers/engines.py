"""Simulation engines by name, all generated from the same reaction table.

* :class:`.batched.BatchedEngine` (default for batches): generated NumPy right-hand side, analytic
  Jacobian and sparse LU, integrated by the batched Rodas3 method (one vectorized step advances
  thousands of wells, each with its own parameters and step size).
* :class:`.roadrunner.RoadRunnerEngine` (the reference): Antimony -> SBML -> libroadrunner (compiled CVODE).
* :class:`.scipy_radau.ScipyEngine` (independent check in tests): the generated right-hand side integrated
  one well at a time by ``scipy.integrate.solve_ivp`` (Radau, analytic dense Jacobian).

Every engine offers ``steady_state(P)`` (pre-equilibration with viable cells held fixed) and
``run(P, y0, hours)``; ``P`` is a (n_parameters, W) matrix with one column per well.

Robustness (issue 17): every engine has a step budget and a minimum step size. A well that cannot
be integrated is never retried forever and never stops the batch: its states are NaN from the
first output time it did not reach, and ``engine.failures`` maps its column to the reason (reset
by every call). Tolerances are absolute per species scale (fractions 1x, nM 100x ``atol``), never
relative to the start state, and steady states are returned with round-off below zero cleared,
so a species that is zero in a genotype (e.g. NRAS G12D GTP in a JAK1 line) starts at exactly 0.
"""

from __future__ import annotations

from tallrx.errors import InputError, did_you_mean
from tallrx.model.solvers._common import ENGINES
from tallrx.model.solvers.batched import BatchedEngine
from tallrx.model.solvers.roadrunner import RoadRunnerEngine
from tallrx.model.solvers.scipy_radau import ScipyEngine

__all__ = ["ENGINES", "BatchedEngine", "RoadRunnerEngine", "ScipyEngine", "make_engine"]


def make_engine(name: str = "batched", **kwargs):
    """Engine by name: 'batched', 'roadrunner' or 'scipy'."""
    table = {"batched": BatchedEngine, "roadrunner": RoadRunnerEngine, "scipy": ScipyEngine}
    if name not in table:
        raise InputError(
            f"unknown engine '{name}'; use one of {', '.join(ENGINES)}."
            f"{did_you_mean(name, ENGINES)}"
        )
    return table[name](**kwargs)
