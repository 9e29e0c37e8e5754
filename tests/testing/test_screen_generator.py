"""The synthetic PDX screen generator: deterministic, bundled copy up to date, truth consistent."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.analysis.doseresponse.curves import auc_ll4
from tallrx.testing import SCREEN_DRUGS, make_pdx_screen, write_pdx_screen

BUNDLED = Path(__file__).resolve().parents[2] / "src" / "tallrx" / "data" / "examples" / "pdx_screen"


def test_same_seed_same_screen_and_bundled_copy_is_current(tmp_path):
    write_pdx_screen(tmp_path / "a", seed=7)
    for rel in ["layout.csv", "truth.csv", "plates/PDX01_plate1.csv", "plates/PDX46_plate1.csv"]:
        assert filecmp.cmp(tmp_path / "a" / rel, BUNDLED / rel, shallow=False), rel
    assert len(list((BUNDLED / "plates").glob("*.csv"))) == 46


def test_design_matches_the_paper():
    s = make_pdx_screen(seed=3)
    t = s.truth
    assert len(t) == 46
    assert t["il7_responsive"].sum() == 12  # 26 % of 46 (Fig. 1D)
    assert t["il7_dependent_resistant"].sum() == 6 and t["il7_independent_resistant"].sum() == 6
    per_plate = s.layout.groupby(["plate", "il7", "role"]).size().unstack()
    assert (per_plate["vehicle"] == 12).all() and (per_plate["blank"] == 4).all()
    assert (per_plate["treated"] == len(SCREEN_DRUGS) * 9 * 3).all()
    # the outer ring stays empty (edge effects)
    rows = s.layout["well"].str[0]
    cols = s.layout["well"].str[1:].astype(int)
    assert not rows.isin(["A", "P"]).any() and not cols.isin([1, 24]).any()


def test_truth_classes_follow_the_paper_definitions():
    """Ground truth is consistent with AUC fold > 1.5 and AUC(+IL7) >= 175 computed independently."""
    t = make_pdx_screen(seed=11).truth
    low, high = SCREEN_DRUGS["prednisolone"]
    without = auc_ll4(low, high, t.prednisolone_bottom, 100.0, t.prednisolone_ic50, t.hill)
    with_il7 = auc_ll4(low, high, t.prednisolone_bottom * t.il7_enhanced, 100.0 * t.il7_enhanced,
                       t.prednisolone_ic50_il7, t.hill)
    fold = with_il7 / without
    assert np.array_equal(fold > 1.5, t.il7_responsive.to_numpy())
    dependent = (fold > 1.5) & (with_il7 >= 175)
    assert np.array_equal(dependent, t.il7_dependent_resistant.to_numpy())


def test_signals_scale_with_viability():
    s = make_pdx_screen(seed=5)
    df = s.layout.merge(s.signals, on=["plate", "well"])
    by_role = df.groupby("role")["signal"].median()
    assert by_role["blank"] < 0.05 * by_role["vehicle"]
    assert isinstance(df, pd.DataFrame)
