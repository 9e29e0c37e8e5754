"""Grouped expression bars show every group, whatever the dtypes of the group columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.plots.assays import expression_bars


def test_bars_with_integer_and_float_group_columns():
    # dox is int, prednisolone float: a row-wise view would turn dox into 0.0 / 1.0
    expr = pd.DataFrame({
        "genotype": ["JAK1_WT", "JAK1_WT", "JAK1_T901A", "JAK1_T901A"],
        "dox": [0, 1, 0, 1],
        "prednisolone": [0.0, 693.6, 0.0, 693.6],
        "target": "BCL2L11",
        "relative_expression": [1.0, 6.0, 1.0, 8.0],
        "sd": 0.1, "lower": [0.9, 5.5, 0.9, 7.5], "upper": [1.1, 6.5, 1.1, 8.5], "n": 3,
    })
    fig = expression_bars(expr, x="genotype")
    heights = sorted(p.get_height() for p in fig.axes[0].patches)
    assert np.allclose(heights, [1.0, 1.0, 6.0, 8.0])
