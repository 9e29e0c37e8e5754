"""The split analysis packages keep their public names where users import them from.

``tallrx.analysis.assays.{coip,qpcr,blots}``, ``tallrx.analysis.doseresponse.stratify`` and
``tallrx.analysis.synergy.design`` were single modules; each is now split by job. These checks
are invariants of the split, not of the science: every public name resolves at the package path
(and at the pre-0.2 path, with a DeprecationWarning), to the object its part defines, and the
paper's thresholds are the ones of :mod:`tallrx.paper`, not copies.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pytest

import tallrx.paper as paper

PACKAGES = {
    "tallrx.analysis.assays.coip": "tallrx.analysis.coip",
    "tallrx.analysis.assays.qpcr": "tallrx.analysis.qpcr",
    "tallrx.analysis.assays.blots": "tallrx.analysis.blots",
    "tallrx.analysis.doseresponse.stratify": "tallrx.analysis.stratify",
}


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_public_name_resolves_at_the_package_path(package):
    mod = importlib.import_module(package)
    assert mod.__all__, package
    for name in mod.__all__:
        obj = getattr(mod, name)
        assert name in dir(mod)
        if callable(obj) and hasattr(obj, "__module__"):
            # defined in one of the package's parts, not re-typed in the package
            assert obj.__module__.startswith(package + "."), (name, obj.__module__)
    ns: dict = {}
    exec(f"from {package} import *", ns)  # the star import users may write
    assert set(mod.__all__) <= set(ns)
    with pytest.raises(AttributeError):
        _ = mod.no_such_name


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_the_old_module_path_serves_the_same_objects(package):
    new = importlib.import_module(package)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module(PACKAGES[package])
    for name in new.__all__:
        assert getattr(old, name) is getattr(new, name)
    if caught:  # only the first import in a session warns
        assert issubclass(caught[0].category, DeprecationWarning)


def test_stratify_thresholds_are_the_papers():
    from tallrx.analysis.doseresponse import stratify

    assert stratify.IL7_RESPONSIVE_FOLD == paper.IL7_RESPONSIVE_FOLD == 1.5  # Fig. 1D legend
    assert stratify.IL7_DEPENDENT_MIN_AUC == paper.IL7_DEPENDENT_MIN_AUC == 175.0  # Fig. 5B
    assert stratify.IL7_DOSE == paper.IL7_NG_ML == 25.0  # Methods: 25 ng/ml IL7


def test_synergy_design_keeps_its_names():
    from tallrx.analysis.synergy import design, doses

    for name in design.__all__:
        assert hasattr(design, name), name
    assert design.classify is doses.classify and design.BlockDesign is doses.BlockDesign


def test_no_part_is_oversized():
    """Issue 10: modules of one job, none over ~500 lines."""
    root = Path(importlib.import_module("tallrx").__file__).parent / "analysis"
    parts = [
        *(root / "assays").rglob("*.py"),
        *(root / "doseresponse" / "stratify").rglob("*.py"),
        root / "synergy" / "design.py",
        root / "synergy" / "doses.py",
        root / "synergy" / "_columns.py",
    ]
    sizes = {p.relative_to(root).as_posix(): len(p.read_text().splitlines()) for p in parts}
    assert max(sizes.values()) <= 500, sizes
