"""--keep-outliers reaches GDSC's own normalization exactly (issue 9 point 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.workflows.screen import run_screen

from .gdsc_plate import OUTLIERS, gdsc_normalization, gdsc_plate


@pytest.fixture(scope="module")
def plate(tmp_path_factory):
    return gdsc_plate(tmp_path_factory.mktemp("gdsc"))


def _viability(res) -> pd.Series:
    v = res.viability[res.viability["role"].isin(["treated", "vehicle"])]
    return (v.set_index("well")["viability"] / 100.0)


def test_keep_outliers_equals_gdsc_normalization(plate):
    layout, meas = plate
    res = run_screen(layout, [meas], keep_outliers=True, n_boot=0)
    got = _viability(res)
    want = gdsc_normalization(layout, meas)[got.index]
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=1e-12)
    # QC still flags the planted outliers (counted, named), but nothing is excluded
    assert int(res.qc["n_outliers"].sum()) == len(OUTLIERS)
    flagged = res.viability[res.viability["exclude_reason"].str.contains("vehicle outlier")]
    assert set(flagged["well"]) == set(OUTLIERS)
    assert flagged["exclude_reason"].str.contains("kept").all()
    assert not res.viability["exclude"].any()


def test_default_differs_only_through_the_excluded_wells(plate):
    layout, meas = plate
    res = run_screen(layout, [meas], n_boot=0)
    excluded = set(res.viability.loc[res.viability["exclude"], "well"])
    assert excluded == set(OUTLIERS)
    got = _viability(res)
    without = gdsc_normalization(layout, meas, drop=excluded)[got.index]
    np.testing.assert_allclose(got.to_numpy(), without.to_numpy(), rtol=0, atol=1e-12)
    with_all = gdsc_normalization(layout, meas)[got.index]
    assert (np.abs(got - with_all) > 1e-6).mean() > 0.9  # the mean DMSO moved every well
