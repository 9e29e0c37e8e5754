"""Band tables (generic, ImageJ Gel Analyzer / Measure results), lane sheets and blot images."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import tifffile
from skimage import io as skio

from tallrx.errors import InputError
from tallrx.io.assays.blots import is_image, read_bands, read_blot_image, read_lane_sheet
from tallrx.schema import validate


def test_generic_band_table_with_conditions(tmp_path):
    path = tmp_path / "bands.csv"
    pd.DataFrame(
        {
            "Blot": ["b1"] * 4,
            "Lane": [1, 2, 1, 2],
            "Sample": ["WT", "R724H"] * 2,
            "Target": ["pERK", "pERK", "ERK", "ERK"],
            "Volume": [100, 400, 200, 210],
            "dox": ["-", "+", "-", "+"],
        }
    ).to_csv(path, index=False)
    df = read_bands(path)
    validate(df, "blots")
    assert df["intensity"].tolist() == [100, 400, 200, 210]
    assert df["dox"].tolist() == ["-", "+", "-", "+"]
    assert df["lane"].dtype.kind == "i"


def test_imagej_gel_analyzer_results_with_lane_sheet(tmp_path):
    # Fiji Gel Analyzer "Label Peaks" results as saved from the Results window
    path = tmp_path / "Results.csv"
    path.write_text(" ,Area,Percent\n1,5123.456,20.1\n2,10234.5,40.2\n3,10100.0,39.7\n")
    lanes = tmp_path / "lanes.csv"
    pd.DataFrame(
        {"lane": [1, 2, 3], "sample": ["-dox", "+dox", "+dox CI1040"], "ci1040": [0, 0, 2]}
    ).to_csv(lanes, index=False)
    df = read_bands(path, target="pERK", blot="blot7", lanes=lanes)
    validate(df, "blots")
    assert df["lane"].tolist() == [1, 2, 3]
    assert df["intensity"].tolist() == [5123.456, 10234.5, 10100.0]
    assert df["sample"].tolist() == ["-dox", "+dox", "+dox CI1040"]
    assert df["ci1040"].tolist() == [0, 0, 2]
    assert set(df["blot"]) == {"blot7"} and set(df["target"]) == {"pERK"}
    with pytest.raises(InputError, match=r"no target column; name the band with target="):
        read_bands(path)


def test_imagej_measure_results_use_intden(tmp_path):
    path = tmp_path / "measure.csv"
    path.write_text(
        " ,Label,Area,Mean,IntDen,RawIntDen\n1,blot.tif:lane1,100,50,5000,5000\n"
        "2,blot.tif:lane2,100,80,8000,8000\n"
    )
    df = read_bands(path, target="GAPDH")
    assert df["intensity"].tolist() == [5000, 8000]
    assert df["sample"].tolist() == ["blot.tif:lane1", "blot.tif:lane2"]


def test_band_table_errors(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"lane": [1, 1], "target": ["ERK", "ERK"], "intensity": [1, 2]}).to_csv(
        path, index=False
    )
    with pytest.raises(InputError, match=r"row 3: blot bad lane 1 has two 'ERK' bands"):
        read_bands(path)
    nolane = tmp_path / "nolane.csv"
    pd.DataFrame({"sample": ["a"], "target": ["ERK"], "intensity": [1]}).to_csv(nolane, index=False)
    with pytest.raises(InputError, match=r"no 'lane' column"):
        read_bands(nolane)
    frac = tmp_path / "frac.csv"
    pd.DataFrame({"lane": [1.5], "target": ["ERK"], "intensity": [1]}).to_csv(frac, index=False)
    with pytest.raises(InputError, match=r"row 2: lane '1.5' is not a whole number"):
        read_bands(frac)
    sheet = pd.DataFrame({"lane": [1], "sample": ["x"]})
    ok = tmp_path / "ok.csv"
    pd.DataFrame({"lane": [1, 2], "target": ["ERK", "ERK"], "intensity": [1, 2]}).to_csv(
        ok, index=False
    )
    with pytest.raises(InputError, match=r"lane\(s\) 2 have no row in the lane sheet"):
        read_bands(ok, lanes=sheet)


def test_lane_sheet_defaults_to_order():
    sheet = read_lane_sheet(pd.DataFrame({"sample": ["a", "b"], "dox": ["-", "+"]}))
    assert sheet["lane"].tolist() == [1, 2] and sheet["dox"].tolist() == ["-", "+"]


def test_images_tiff_png_rgb(tmp_path):
    img = (np.arange(40 * 30).reshape(40, 30) % 251).astype(np.uint16) * 200
    tifffile.imwrite(tmp_path / "b.tif", img)
    got = read_blot_image(tmp_path / "b.tif")
    assert got.dtype == float and np.array_equal(got, img.astype(float))
    skio.imsave(tmp_path / "b.png", (img // 256).astype(np.uint8), check_contrast=False)
    assert read_blot_image(tmp_path / "b.png").shape == (40, 30)
    rgb = np.stack([(img // 256).astype(np.uint8)] * 3, axis=-1)
    skio.imsave(tmp_path / "rgb.png", rgb, check_contrast=False)
    assert read_blot_image(tmp_path / "rgb.png").ndim == 2
    assert is_image(tmp_path / "b.TIF") and not is_image(tmp_path / "b.csv")
    (tmp_path / "junk.tif").write_bytes(b"not a tiff at all")
    with pytest.raises(InputError, match=r"junk.tif: cannot be read as an image"):
        read_blot_image(tmp_path / "junk.tif")
    with pytest.raises(InputError, match="no such file"):
        read_blot_image(tmp_path / "none.png")


def test_a_simulated_band_table_stays_simulated(tmp_path):
    """tallrx simulate writes source=simulated: reading it back must not relabel it 'measured'
    (an instrument export without a source column is measured)."""
    path = tmp_path / "blots.csv"
    pd.DataFrame({"blot": "fig2c", "lane": [1, 2], "sample": "NRAS_G12D", "target": "pERK",
                  "intensity": [10.0, 30.0], "source": "simulated"}).to_csv(path, index=False)
    assert read_bands(path)["source"].tolist() == ["simulated", "simulated"]
    pd.read_csv(path).drop(columns="source").to_csv(path, index=False)
    assert read_bands(path)["source"].tolist() == ["measured", "measured"]
