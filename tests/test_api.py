"""Every name of the top-level API resolves to a callable of the module it names."""

from __future__ import annotations

import importlib

import pytest

import tallrx


@pytest.mark.parametrize("name", sorted(tallrx._API))
def test_top_level_name_resolves(name):
    obj = getattr(tallrx, name)
    assert callable(obj)
    assert obj is getattr(importlib.import_module(tallrx._API[name]), name)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'fit_curvez'"):
        tallrx.fit_curvez  # noqa: B018
