"""Blot quantification: hand-worked band tables and a rendered blot image with known bands.

The synthetic image has 8 lanes (45 px pitch) and 4 band rows: pERK (row 100), GAPDH (row 180)
and a BIM-EL doublet 12 px apart (phospho upper band at row 240, unphosphorylated lower at 252).
Each band is a 2-D Gaussian (sigma_x 9 px, sigma_y 4 px, doublet 2.5 px) with a known amplitude,
so its true volume is amplitude x 2 pi sigma_x sigma_y; on top: a background gradient
(30 + 0.08 y + 0.05 x) and Gaussian noise (SD 2). Ratios between lanes and the upper-band fraction
must come back from the image alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.assays.blots import (
    analyze_blots,
    normalize_bands,
    phospho_ratio,
    quantify_blot_image,
    upper_band_fraction,
)
from tallrx.errors import AnalysisError

ROWS, SIGMA_Y = (100, 180, 240, 252), (4.0, 4.0, 2.5, 2.5)
TARGETS = ["pERK", "GAPDH", "pBIM-EL", "BIM-EL"]
SIGMA_X, PITCH, X0 = 9.0, 45, 40


def render(
    amps: np.ndarray, *, noise: float = 2.0, seed: int = 0, dark: bool = False, height: int = 320
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(amps)
    y, x = np.mgrid[0:height, 0 : 2 * X0 + PITCH * (n - 1)]
    img = 30 + 0.08 * y + 0.05 * x + rng.normal(0, noise, y.shape)
    for i in range(n):
        gx = np.exp(-0.5 * ((x - (X0 + i * PITCH)) / SIGMA_X) ** 2)
        for j, (row, sy) in enumerate(zip(ROWS, SIGMA_Y, strict=True)):
            img = img + amps[i, j] * gx * np.exp(-0.5 * ((y - row) / sy) ** 2)
    return 4000 - 5 * img if dark else img


@pytest.fixture(scope="module")
def amps() -> np.ndarray:
    return np.random.default_rng(1).uniform(50, 400, size=(8, 4))


def _volumes(amps: np.ndarray) -> pd.DataFrame:
    vol = amps * 2 * np.pi * SIGMA_X * np.asarray(SIGMA_Y)
    return pd.DataFrame(vol, columns=TARGETS, index=pd.RangeIndex(1, len(amps) + 1, name="lane"))


@pytest.mark.parametrize("dark", [False, True])
def test_image_recovers_known_lane_ratios(amps, dark):
    res = quantify_blot_image(render(amps, dark=dark, seed=3), targets=TARGETS, blot="fig2c")
    assert res.meta["inverted"] is dark
    assert res.meta["n_lanes"] == 8 and res.meta["n_bands"] == 4
    got = res.table.pivot(index="lane", columns="target", values="intensity")[TARGETS]
    true = _volumes(amps)
    rel = (got / got.iloc[0]) / (true / true.iloc[0])
    assert np.abs(rel[["pERK", "GAPDH"]].to_numpy() - 1).max() < 0.03
    assert np.abs(rel[["pBIM-EL", "BIM-EL"]].to_numpy() - 1).max() < 0.05
    if not dark:  # absolute volume too (dark images are rescaled by the inversion)
        assert np.allclose(got["GAPDH"], true["GAPDH"], rtol=0.03)
    bands = res.extra["bands"].set_index("target")
    assert bands.loc["pERK", "peak_row"] == pytest.approx(100, abs=1)
    assert bands.loc["BIM-EL", "peak_row"] == pytest.approx(252, abs=1)


def test_image_upper_band_fraction_and_phospho_over_loading(amps):
    res = quantify_blot_image(
        render(amps, seed=5), targets=TARGETS, samples=[f"s{i}" for i in range(1, 9)]
    )
    frac = upper_band_fraction(res.table, "pBIM-EL", "BIM-EL")
    true = _volumes(amps)
    expected = true["pBIM-EL"] / (true["pBIM-EL"] + true["BIM-EL"])
    assert np.abs(frac["fraction"].to_numpy() - expected.to_numpy()).max() < 0.015
    ratio = phospho_ratio(res.table, "pERK", "GAPDH", reference="s1")
    want = (true["pERK"] / true["GAPDH"]) / (true["pERK"] / true["GAPDH"]).iloc[0]
    assert np.abs(ratio["relative"].to_numpy() / want.to_numpy() - 1).max() < 0.04


def test_image_given_lane_boxes_and_band_windows(amps):
    boxes = [(X0 + i * PITCH - 22, X0 + i * PITCH + 23) for i in range(8)]
    res = quantify_blot_image(
        render(amps, seed=7), lanes=boxes, bands=[(85, 116), (165, 196)], targets=["pERK", "GAPDH"]
    )
    got = res.table.pivot(index="lane", columns="target", values="intensity")
    true = _volumes(amps)
    assert np.allclose(
        got["pERK"] / got["pERK"].iloc[0], true["pERK"] / true["pERK"].iloc[0], rtol=0.03
    )
    assert res.extra["lanes"]["x0"].tolist() == [a for a, _ in boxes]


def test_image_errors(amps):
    img = render(amps)
    with pytest.raises(AnalysisError, match=r"3 band\(s\) found but 2 target name\(s\)"):
        quantify_blot_image(img, bands=[(85, 116), (165, 196), (230, 262)], targets=["a", "b"])
    with pytest.raises(AnalysisError, match=r"8 lanes in the image but 3 sample names"):
        quantify_blot_image(img, targets=TARGETS, samples=["a", "b", "c"])
    with pytest.raises(AnalysisError, match=r"^scan.tif: lane box 0-9999 is outside the image "
                       r"width 395; expected 0 <= x0 < x1 <= 395 \(--lanes x0-x1,...\)"):
        quantify_blot_image(img, lanes=[(0, 9999)], where="scan.tif")
    with pytest.raises(AnalysisError, match=r"band window 0-9999 .*\(--band-rows y0-y1"):
        quantify_blot_image(img, bands=[(0, 9999)])
    with pytest.raises(AnalysisError, match=r"found 4 band\(s\) in the image, expected 6"):
        quantify_blot_image(img, bands=6)


def _table() -> pd.DataFrame:
    """Two lanes on one blot, hand-worked:
    lane 1: pERK 100, ERK 200, GAPDH 50 ; lane 2: pERK 600, ERK 300, GAPDH 100.
    pERK / GAPDH: 2 and 6 -> normalized 1 and 3; pERK / ERK: 0.5 and 2 -> relative 1 and 4.
    """
    return pd.DataFrame(
        {
            "blot": "b",
            "lane": [1, 1, 1, 2, 2, 2],
            "sample": ["-dox"] * 3 + ["+dox"] * 3,
            "target": ["pERK", "ERK", "GAPDH"] * 2,
            "intensity": [100.0, 200.0, 50.0, 600.0, 300.0, 100.0],
            "dox": ["-"] * 3 + ["+"] * 3,
        }
    )


def test_normalize_to_loading_and_reference_lane_by_hand():
    raw = normalize_bands(_table(), loading="GAPDH")
    assert list(raw.columns[:6]) == ["blot", "lane", "sample", "target", "intensity", "normalized"]
    out = raw.set_index(["lane", "target"])
    assert out.loc[(2, "pERK"), "normalized"] == pytest.approx(3.0)
    assert out.loc[(1, "pERK"), "normalized"] == pytest.approx(1.0)
    assert out.loc[(2, "ERK"), "normalized"] == pytest.approx(0.75)  # (300/100) / (200/50)
    assert out.loc[(2, "GAPDH"), "normalized"] == pytest.approx(2.0)  # loading vs lane 1 only
    no_load = normalize_bands(_table(), reference="+dox").set_index(["lane", "target"])
    assert no_load.loc[(1, "pERK"), "normalized"] == pytest.approx(100 / 600)


def test_phospho_ratio_by_hand_and_across_blots():
    r = phospho_ratio(_table(), "pERK", "ERK").set_index("lane")
    assert r.loc[1, "ratio"] == 0.5 and r.loc[2, "ratio"] == 2.0
    assert r.loc[2, "relative"] == 4.0 and r.loc[2, "dox"] == "+"
    # total ERK on a re-probed second membrane, each blot with its own GAPDH
    t = _table()
    second = t[t["target"] != "pERK"].assign(blot="b2")
    second.loc[second["target"] == "GAPDH", "intensity"] *= 2  # loaded differently
    second.loc[second["target"] == "ERK", "intensity"] *= 2
    split = pd.concat(
        [
            t[t["target"] != "ERK"],
            second[second["target"] == "ERK"],
            second[second["target"] == "GAPDH"],
        ],
        ignore_index=True,
    )
    r2 = phospho_ratio(split, "pERK", "ERK", loading="GAPDH").set_index("lane")
    # (pERK / GAPDH_b) / (ERK / GAPDH_b2): lane 1 (100/50) / (400/100) = 0.5
    assert r2.loc[1, "ratio"] == pytest.approx(0.5) and r2.loc[2, "relative"] == pytest.approx(4)


def test_upper_band_fraction_by_hand():
    df = pd.DataFrame(
        {
            "blot": "b",
            "lane": [1, 1, 2, 2],
            "sample": ["a", "a", "b", "b"],
            "target": ["pBIM", "BIM"] * 2,
            "intensity": [10.0, 30.0, 60.0, -5.0],
        }
    )
    frac = upper_band_fraction(df, "pBIM", "BIM").set_index("lane")["fraction"]
    assert frac[1] == 0.25 and frac[2] == 1.0  # negative (over-subtracted) band clipped to 0


def test_errors_and_analyze_blots():
    with pytest.raises(AnalysisError, match=r"loading control 'GADPH'.*Did you mean 'GAPDH'"):
        normalize_bands(_table(), loading="GADPH")
    with pytest.raises(AnalysisError, match=r"reference 'WT' is neither a lane nor a sample"):
        normalize_bands(_table(), reference="WT")
    with pytest.raises(AnalysisError, match=r"band 'pERK1'.*Did you mean 'pERK'"):
        phospho_ratio(_table(), "pERK1", "ERK")
    res = analyze_blots(_table(), loading="GAPDH", phospho=[("pERK", "ERK")])
    assert res.extra["phospho"]["relative"].tolist() == [1.0, 4.0]
    assert res.meta["reference_lanes"] == {"b": 1}
    t = _table()
    t.loc[5, "intensity"] = 0.0
    with pytest.warns(UserWarning, match=r"loading control 'GAPDH' missing or zero in b lane 2"):
        out = normalize_bands(t, loading="GAPDH")
    assert out.set_index(["lane", "target"])["normalized"].isna().sum() == 2


# --------------------------------------------------------------------------- issue 9: messy blots
@pytest.mark.parametrize("value", [0.0, 65535.0, np.nan])
def test_blank_saturated_or_nan_image_is_a_named_error_not_a_crash(value):
    img = np.full((120, 200), value)
    what = "NaN or infinite" if np.isnan(value) else "uniform .* blank or saturated"
    with pytest.raises(AnalysisError, match=f"^b.tif: .*{what}"):
        quantify_blot_image(img, where="b.tif")


def test_lane_errors_point_to_real_options(amps):
    """No lanes found: the message names the CLI option that exists (--lanes), not --lane-boxes."""
    img = np.tile(np.linspace(0.0, 1.0, 120)[:, None], (1, 200))  # contrast, but no lanes
    with pytest.raises(AnalysisError, match=r"--lanes 8 or --lanes 10-50,60-100"):
        quantify_blot_image(img)
    with pytest.raises(AnalysisError, match=r"give lane boxes in pixels \(--lanes 10-50") as info:
        quantify_blot_image(img, lanes=8)
    assert "--lane-boxes" not in str(info.value)


def test_negative_intensity_is_a_flagged_band_and_never_a_ratio():
    """Hand-worked table of _table() with lane 2 pERK = -600: that band is not normalized (NaN),
    flagged with its value; lane 2 ERK keeps its value ((300/100) / (200/50) = 0.75)."""
    df = _table()
    df.loc[(df["lane"] == 2) & (df["target"] == "pERK"), "intensity"] = -600.0
    res = analyze_blots(df, loading="GAPDH", phospho=[("pERK", "ERK")])
    t = res.table.set_index(["lane", "target"])
    assert np.isnan(t.loc[(2, "pERK"), "normalized"]) and t.loc[(2, "pERK"), "flagged"]
    assert "negative intensity -600" in t.loc[(2, "pERK"), "message"]
    assert t.loc[(2, "ERK"), "normalized"] == pytest.approx(0.75)
    assert not t.drop(index=(2, "pERK"))["flagged"].any()
    ph = res.extra["phospho"].set_index("lane")
    assert np.isnan(ph.loc[2, "ratio"]) and ph.loc[1, "ratio"] == pytest.approx(0.5)


def test_negative_loading_control_flags_its_lane():
    df = _table()
    df.loc[(df["lane"] == 2) & (df["target"] == "GAPDH"), "intensity"] = -100.0
    t = normalize_bands(df, loading="GAPDH").set_index(["lane", "target"])
    assert t.loc[2, "normalized"].isna().all() and t.loc[2, "flagged"].all()
    assert "loading control 'GAPDH' missing, zero or negative" in t.loc[(2, "ERK"), "message"]
    assert t.loc[(1, "pERK"), "normalized"] == 1.0 and not t.loc[1, "flagged"].any()
