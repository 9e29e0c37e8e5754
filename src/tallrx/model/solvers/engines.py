"""Simulation engines, all generated from the same reaction table.

* :class:`BatchedEngine` (default for batches): generated NumPy right-hand side, analytic
  Jacobian and sparse LU, integrated by the batched Rodas3 method (one vectorized step advances
  thousands of wells, each with its own parameters and step size).
* :class:`RoadRunnerEngine` (the reference): Antimony -> SBML -> libroadrunner (compiled CVODE).
* :class:`ScipyEngine` (independent check in tests): the generated right-hand side integrated
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

import functools

import numpy as np

from tallrx.errors import InputError, did_you_mean
from tallrx.model._codegen import Compiled, generate
from tallrx.model._rosenbrock import integrate
from tallrx.model._table import Network
from tallrx.model.network import NETWORK
from tallrx.model.sbml import to_sbml

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


def _columns(P: np.ndarray) -> list:
    """Parameter rows as floats when equal across wells, else (W,) arrays."""
    out = []
    for row in P:
        out.append(float(row[0]) if row.size and np.all(row == row[0]) else row.copy())
    return out


def _atol(net: Network, scale: float) -> np.ndarray:
    """Absolute tolerances: ``scale`` for fractions/relative, 100x that for nM species."""
    return np.array([scale * (100.0 if s.unit == "nM" else 1.0) for s in net.species])


class BatchedEngine:
    """Vectorized Rodas3 over a batch of wells (see module docstring)."""

    name = "batched"

    def __init__(self, net: Network = NETWORK, rtol: float = 1e-4, atol: float = 1e-7):
        self.net = net
        self.code = compiled(net)
        self.rtol = rtol
        self.atol = _atol(net, atol)
        self.frozen = [net.species_index["Viable"]]
        self.last_stats = None
        self.failures: dict[int, str] = {}

    def steady_state(self, P: np.ndarray) -> np.ndarray:
        """Untreated steady state of each column of ``P`` (viable cells stay 1)."""
        P = np.atleast_2d(np.asarray(P, dtype=float).T).T
        Pl = _columns(P)
        Q = self.code.prep(Pl)
        y0 = np.repeat(self.net.initial_state[:, None], P.shape[1], axis=1)
        out, self.last_stats = integrate(
            self.code, y0, Pl, Q, [PREEQ_HOURS], rtol=self.rtol, atol=self.atol, frozen=self.frozen
        )
        self.failures = dict(self.last_stats.failures)
        return clean_state(out[0])

    def run(self, P: np.ndarray, y0: np.ndarray, hours) -> np.ndarray:
        """States (len(hours), n, W) from ``y0`` under parameters ``P``; hours start at 0."""
        Pl = _columns(np.asarray(P, dtype=float))
        Q = self.code.prep(Pl)
        out, self.last_stats = integrate(
            self.code, np.asarray(y0, dtype=float), Pl, Q, hours, rtol=self.rtol, atol=self.atol
        )
        self.failures = dict(self.last_stats.failures)
        return out


class RoadRunnerEngine:
    """libroadrunner (CVODE) on the SBML generated from the table; one well at a time."""

    name = "roadrunner"

    def __init__(self, net: Network = NETWORK, rtol: float = 1e-10, atol: float = 1e-12):
        import roadrunner  # imported here: loading LLVM costs time the other engines skip

        self.net = net
        self.rr = roadrunner.RoadRunner(to_sbml(net))
        integ = self.rr.integrator
        integ.relative_tolerance = rtol
        integ.maximum_num_steps = MAX_STEPS
        ids = list(self.rr.model.getGlobalParameterIds())
        self._pidx = np.array([ids.index(n) for n in net.parameter_names], dtype=np.int32)
        fs = list(self.rr.model.getFloatingSpeciesIds())
        self._sidx = np.array([fs.index(n) for n in net.species_names])
        # one absolute tolerance per species scale (a vector; compartment volume 1, so amounts
        # = concentrations). A scalar would be scaled by each species' start value, and a start
        # value of -2e-304 (round-off of a species that is zero) gave CVODE an error weight of
        # inf: CV_TOO_MUCH_ACC at t = 0 for JAK1_R724H +dox (issue 9).
        vec = np.empty(len(fs))
        vec[self._sidx] = _atol(net, atol)
        integ.setValue("absolute_tolerance", [float(v) for v in vec])
        self.failures: dict[int, str] = {}
        self._viable = fs.index("Viable")
        self.rr.timeCourseSelections = ["time"] + [f"[{n}]" for n in net.species_names]

    def _set(self, p: np.ndarray, y: np.ndarray) -> None:
        self.rr.model.setGlobalParameterValues(self._pidx, np.asarray(p, dtype=float))
        conc = np.empty(len(y))
        conc[self._sidx] = y
        self.rr.model.setFloatingSpeciesConcentrations(conc)

    def _state(self) -> np.ndarray:
        return np.asarray(self.rr.model.getFloatingSpeciesConcentrations())[self._sidx]

    def _steady_one(self, p: np.ndarray) -> np.ndarray:
        iv = self.net.species_index["Viable"]
        y = self.net.initial_state.copy()
        segments = 4
        for _ in range(segments):  # reset viable cells between segments (no feedback)
            y[iv] = 1.0
            self._set(p, clean_state(y))
            self.rr.simulate(0.0, PREEQ_HOURS / segments, 2)
            y = self._state()
        y[iv] = 1.0
        return clean_state(y)

    def steady_state(self, P: np.ndarray) -> np.ndarray:
        P = np.asarray(P, dtype=float)
        P = P[:, None] if P.ndim == 1 else P
        out = np.full((len(self.net.species), P.shape[1]), np.nan)
        self.failures = {}
        for w in range(P.shape[1]):
            out[:, w] = self._guarded(w, lambda w=w: self._steady_one(P[:, w]), out[:, w])
        return out

    def _guarded(self, w: int, solve, fallback):
        """``solve()``, or ``fallback`` (NaN) with the reason in ``failures[w]``."""
        try:
            with np.errstate(all="ignore"):
                res = solve()
        except RuntimeError as exc:  # CVODE: too much work, error test failures, ...
            self.failures[w] = "no solution: " + str(exc).split(";")[0].replace("\n", " ")
            return fallback
        if not np.all(np.isfinite(res)):
            self.failures[w] = "no solution: the state became NaN or infinite"
        return res

    def run(self, P: np.ndarray, y0: np.ndarray, hours) -> np.ndarray:
        P = np.asarray(P, dtype=float)
        y0 = np.asarray(y0, dtype=float)
        P, y0 = (P[:, None], y0[:, None]) if P.ndim == 1 else (P, y0)
        hours = np.asarray(hours, dtype=float)
        times = hours if hours[0] == 0 else np.concatenate([[0.0], hours])
        out = np.full((len(hours), y0.shape[0], P.shape[1]), np.nan)
        self.failures = {}

        def one(w: int) -> np.ndarray:
            if not np.all(np.isfinite(y0[:, w])):
                raise RuntimeError("the start state is not finite")
            self._set(P[:, w], y0[:, w])
            res = np.asarray(self.rr.simulate(times=list(times)))
            return res[len(times) - len(hours) :, 1:]

        for w in range(P.shape[1]):
            out[:, :, w] = self._guarded(w, lambda w=w: one(w), out[:, :, w])
        return out


class ScipyEngine:
    """``scipy.integrate.solve_ivp`` (Radau) on the generated right-hand side; reference only."""

    name = "scipy"

    def __init__(self, net: Network = NETWORK, rtol: float = 1e-10, atol: float = 1e-12):
        self.net = net
        self.code = compiled(net)
        self.rtol, self.atol = rtol, _atol(net, atol)
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


def make_engine(name: str = "batched", **kwargs):
    """Engine by name: 'batched', 'roadrunner' or 'scipy'."""
    table = {"batched": BatchedEngine, "roadrunner": RoadRunnerEngine, "scipy": ScipyEngine}
    if name not in table:
        raise InputError(
            f"unknown engine '{name}'; use one of {', '.join(ENGINES)}."
            f"{did_you_mean(name, ENGINES)}"
        )
    return table[name](**kwargs)
