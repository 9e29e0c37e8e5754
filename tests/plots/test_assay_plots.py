"""Grouped expression bars show every group, whatever the dtypes of the group columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.plots.assays import blot_bars, expression_bars


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


def _virtual_lab_expression() -> pd.DataFrame:
    """Fig. 3 shape: 8 lines (sample = genotype) x dox 0/1 x prednisolone 0 / 693.5967 uM."""
    rows = []
    for i in range(8):
        for dox in (0.0, 1.0):
            for pred in (0.0, 693.5967151259572):
                value = 1 + i + dox + pred / 100
                rows.append(dict(sample=f"line{i}", genotype=f"line{i}", dox=dox, il7=0.0,
                                 prednisolone=pred, target="BCL2L11", relative_expression=value,
                                 sd=0.1, lower=value - 0.1, upper=value + 0.1, n=3))
    return pd.DataFrame(rows)


def test_expression_legend_names_each_condition_once_in_short_numbers():
    """The 60-entry legend with 'genotype X ... 693.5967151259572' labels is gone: a column
    fixed by the sample (genotype) is not a colour, constant ones neither, numbers are short."""
    fig = expression_bars(_virtual_lab_expression())
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["dox 0 prednisolone 0", "dox 0 prednisolone 693.6",
                      "dox 1 prednisolone 0", "dox 1 prednisolone 693.6"]
    # 32 bars, each inside its own sample's slot (no empty slots pushing bars to neighbours)
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert len(bars) == 32
    ticks = {t.get_text(): x for t, x in zip(ax.get_xticklabels(), ax.get_xticks(), strict=True)}
    centres = sorted(b.get_x() + b.get_width() / 2 for b in bars)
    for k, name in enumerate(sorted(ticks, key=ticks.get)):
        assert all(abs(c - ticks[name]) < 0.5 for c in centres[4 * k:4 * k + 4])


def test_blot_bars_label_every_lane_of_every_blot():
    """Two blots on one axis: the first blot's lanes keep their labels (they used to be
    overwritten by the second blot's ticks), and lanes of one sample say what differs."""
    rows = []
    for blot, samples in (("b1", ["A", "A", "B"]), ("b2", ["C", "C"])):
        for lane, sample in enumerate(samples, start=1):
            for target in ("pERK", "ERK"):
                rows.append(dict(blot=blot, lane=lane, sample=sample, target=target,
                                 normalized=float(lane), dox=float(lane % 2 == 0),
                                 ci1040=0.0))
    fig = blot_bars(pd.DataFrame(rows))
    labels = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
    assert labels == ["A", "A +dox", "B", "C", "C +dox"]
    assert len(fig.axes) == 2 and all(len(ax.patches) == 5 for ax in fig.axes)
