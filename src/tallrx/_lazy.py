"""Lazy public names for packages: ``import tallrx.analysis.doseresponse`` stays cheap.

A package lists ``{public name: defining module}`` and gets a module ``__getattr__`` that imports
the defining module on first use (PEP 562), so importing a package never loads pandas, SciPy or
the model engines until a function that needs them is touched.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, names: Mapping[str, str]) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package`` serving ``names`` (relative modules allowed)."""

    def __getattr__(name: str):
        if name in names:
            return getattr(importlib.import_module(names[name], package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
