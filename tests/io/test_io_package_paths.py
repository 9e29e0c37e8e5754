"""The io package's public module paths survive the split of the qPCR reader and the plate layout.

The name lists are the public names the modules exported before the split (0.2 release), typed
here by hand: a later move that drops one fails this test.
"""

from __future__ import annotations

import importlib
import warnings

import pytest

QPCR_NAMES = [
    "FORMATS", "apply_layout", "detect_format", "read_biorad_cfx", "read_qpcr_layout",
    "read_lightcycler", "read_qpcr", "read_qpcr_table", "read_quantstudio", "read_qpcr_wide",
    "read_rdml",
]
LAYOUT_NAMES = [
    "ALIASES", "VEHICLE_NAMES", "BLANK_NAMES", "ROLE_ALIASES", "ACTIVITY_UNITS", "ACTIVITY_DRUG",
    "WELLMAP_EXTRAS", "read_layout", "normalize_layout", "drop_wellmap_extras",
]


@pytest.mark.parametrize("name", QPCR_NAMES)
def test_qpcr_names_resolve_at_the_new_and_the_old_path(name):
    new = importlib.import_module("tallrx.io.assays.qpcr")
    assert name in new.__all__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = importlib.import_module("tallrx.io.qpcr")
    assert getattr(old, name) is getattr(new, name)


@pytest.mark.parametrize("name", LAYOUT_NAMES)
def test_layout_names_resolve_at_the_new_and_the_old_path(name):
    new = importlib.import_module("tallrx.io.plates.layout")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = importlib.import_module("tallrx.io.layout")
    assert getattr(old, name) is getattr(new, name)


def test_the_assays_package_serves_read_qpcr():
    from tallrx.io.assays import read_qpcr
    from tallrx.io.assays.qpcr.read import read_qpcr as defined

    assert read_qpcr is defined
