"""The ex-vivo screening figures draw what they say: ranking order, the score used, sizes bounded."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.plots.scores import MAX_WATERFALL_DRUGS, dss_heatmap, dss_waterfall, ranking_score


def _curves(n_samples=3, n_drugs=5, sdss=False):
    rng = np.random.default_rng(0)
    rows = [{"sample": f"S{s}", "drug_a": f"d{d}", "dss2": float(rng.uniform(0, 40))}
            for s in range(n_samples) for d in range(n_drugs)]
    df = pd.DataFrame(rows)
    if sdss:
        df["sdss"] = df["dss2"] - 10.0
    return df


def test_waterfall_ranks_highest_first_and_uses_sdss_with_controls():
    df = _curves(sdss=True)
    assert ranking_score(df) == "sdss" and ranking_score(_curves()) == "dss2"
    fig = dss_waterfall(df, "S1")
    heights = [p.get_height() for p in fig.axes[0].patches]
    want = sorted(df.loc[df["sample"] == "S1", "sdss"], reverse=True)
    np.testing.assert_allclose(heights, want)
    assert "selective DSS" in fig.axes[0].get_title()


def test_waterfall_of_a_big_panel_keeps_top_and_bottom():
    df = _curves(n_samples=1, n_drugs=300)
    fig = dss_waterfall(df, "S0")
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert len(heights) == MAX_WATERFALL_DRUGS
    assert heights[0] == df["dss2"].max() and heights[-1] == df["dss2"].min()


def test_heatmap_orders_samples_by_mean():
    df = _curves()
    fig = dss_heatmap(df)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    means = df.groupby("sample")["dss2"].mean().sort_values(ascending=False)
    assert labels == list(means.index)
