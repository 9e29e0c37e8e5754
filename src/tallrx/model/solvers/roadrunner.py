"""The reference engine: Antimony -> SBML -> libroadrunner (compiled CVODE), one well at a time.

libroadrunner (and LLVM) load only when an engine is built, never on ``import tallrx.model``.
"""

from __future__ import annotations

import numpy as np

from tallrx.model.network import NETWORK
from tallrx.model.network._table import Network
from tallrx.model.network.sbml import to_sbml
from tallrx.model.solvers._common import MAX_STEPS, PREEQ_HOURS, clean_state, species_atol


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
        vec[self._sidx] = species_atol(net, atol)
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
