"""Solvers of the model, all generated from :data:`tallrx.model.network.NETWORK`.

* ``batched`` (:class:`BatchedEngine`, default): generated NumPy right-hand side, analytic
  Jacobian and sparse LU (:mod:`._codegen`), batched Rodas3 steps (:mod:`._rosenbrock`);
* ``roadrunner`` (:class:`RoadRunnerEngine`, the reference): SBML -> libroadrunner (CVODE);
* ``scipy`` (:class:`ScipyEngine`, independent check): ``solve_ivp`` Radau, one well at a time.

Names load on first use, so importing this package loads no solver library.
"""

from __future__ import annotations

from tallrx._lazy import lazy_exports

_NAMES = {
    "ENGINES": "._common",
    "MAX_STEPS": "._common",
    "PREEQ_HOURS": "._common",
    "clean_state": "._common",
    "compiled": "._common",
    "BatchedEngine": ".batched",
    "RoadRunnerEngine": ".roadrunner",
    "ScipyEngine": ".scipy_radau",
    "make_engine": ".engines",
}
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
__all__ = list(_NAMES)
