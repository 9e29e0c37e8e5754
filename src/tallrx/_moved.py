"""Deprecation aliases for modules that moved when the package was laid out by science (0.2).

``import tallrx.analysis.fitting`` still works: a finder on ``sys.meta_path`` serves the old name
as the module at its new place and issues a ``DeprecationWarning`` naming the new path. The
table below is the one list of moves; remove an entry one release after its warning shipped.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: old module path -> new module path
MOVED = {
    "tallrx.io.wells": "tallrx.plate",
    "tallrx.io.layout": "tallrx.io.plates.layout",
    "tallrx.io.plate_readers": "tallrx.io.plates.instruments",
    "tallrx.io.readers": "tallrx.io.plates.readers",
    "tallrx.io.qpcr": "tallrx.io.assays.qpcr",
    "tallrx.io.maxquant": "tallrx.io.assays.maxquant",
    "tallrx.io.blots": "tallrx.io.assays.blots",
    "tallrx.io.synergyfinder": "tallrx.io.assays.synergyfinder",
    "tallrx.analysis.fitting": "tallrx.analysis.doseresponse.fitting",
    "tallrx.analysis.curves": "tallrx.analysis.doseresponse.curves",
    "tallrx.analysis.stratify": "tallrx.analysis.doseresponse.stratify",
    "tallrx.analysis.coip": "tallrx.analysis.assays.coip",
    "tallrx.analysis.qpcr": "tallrx.analysis.assays.qpcr",
    "tallrx.analysis.blots": "tallrx.analysis.assays.blots",
    "tallrx.model.assays": "tallrx.model.virtual",
    "tallrx.model.cohort": "tallrx.model.virtual.cohort",
    "tallrx.model.engines": "tallrx.model.solvers",
    "tallrx.model.sbml": "tallrx.model.network.sbml",
    "tallrx.model._table": "tallrx.model.network._table",
    "tallrx.model._expr": "tallrx.model.network._expr",
    "tallrx.model._codegen": "tallrx.model.solvers._codegen",
    "tallrx.model._rosenbrock": "tallrx.model.solvers._rosenbrock",
}


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serve an old module path as the module at its new path."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        new = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} moved to {new}; import it from there (the old path goes in a later release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(new)

    def exec_module(self, module) -> None:
        """The new module is already executed."""


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
