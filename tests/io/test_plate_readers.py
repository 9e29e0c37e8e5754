"""Plate-reader exports: one test per real vendor file (tests/data/formats/plate_reader/).

Every expected number was read by eye from the fixture files (see formats/SOURCES.md), not from
our parser's output.
"""

from pathlib import Path

import pytest

from tallrx.io import read_plate_file
from tallrx.io._cells import read_sheets
from tallrx.io.plates.instruments import detect_format

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "plate_reader"
FIXTURES = {
    "perkinelmer_envision_luminescence_384_example01.csv": "envision",
    "moldev_softmaxpro_luminescence_endpoint_utf16.txt": "softmax",
    "bmg_mars_absorbance_96.csv": "mars",
    "agilent_biotek_gen5_luminescence_layout_normalized.txt": "gen5",
    "tecan_magellan_OD.xlsx": "magellan",
    "revvity_kaleido_luminescence_endpoint.csv": "kaleido",
}


def _signal(df, plate, well):
    hit = df[(df["plate"] == plate) & (df["well"] == well)]
    assert len(hit) == 1, (plate, well, len(hit))
    return float(hit["signal"].iloc[0])


@pytest.mark.parametrize(("name", "fmt"), FIXTURES.items())
def test_format_detection(name, fmt):
    assert detect_format(read_sheets(DATA / name)) == fmt
    df = read_plate_file(DATA / name)
    assert df.attrs["format"] == fmt
    assert list(df.columns[:5]) == ["plate", "well", "row", "col", "signal"]
    assert df["signal"].dtype == float


@pytest.mark.parametrize(("name", "fmt"), FIXTURES.items())
def test_format_override_matches_detection(name, fmt):
    auto = read_plate_file(DATA / name)
    forced = read_plate_file(DATA / name, format=fmt.upper())
    assert auto.equals(forced)


def test_envision_two_plates_barcodes_raw_reads():
    df = read_plate_file(DATA / "perkinelmer_envision_luminescence_384_example01.csv")
    # two 'Plate information' blocks; barcodes are stored as ="..." text
    assert list(df["plate"].unique()) == ["8/22/2023 11:01:43 AM", "8/22/2023 12:16:57 PM"]
    # only the raw 'Results for' grids (not 'Calculated results'): 4 rows x 24 columns per plate
    assert df.groupby("plate").size().tolist() == [96, 96]
    assert set(df["read"]) == {"0_1 US LUM 384(1) - channel 0 (CPS)"}
    assert sorted(df["well"].str[0].unique()) == ["A", "E", "I", "M"]
    assert df.attrs["plate_shapes"]["8/22/2023 11:01:43 AM"] == (16, 24)
    assert _signal(df, "8/22/2023 11:01:43 AM", "I8") == 120
    assert _signal(df, "8/22/2023 11:01:43 AM", "A7") == 80
    assert _signal(df, "8/22/2023 11:01:43 AM", "A1") == 0
    assert _signal(df, "8/22/2023 12:16:57 PM", "E1") == 80
    assert _signal(df, "8/22/2023 12:16:57 PM", "M24") == 40


def test_softmax_utf16_time_format():
    df = read_plate_file(DATA / "moldev_softmaxpro_luminescence_endpoint_utf16.txt")
    assert list(df["plate"].unique()) == ["c12345_2", "c123455_3"]
    # rows A-D read, E-H left empty: 48 wells per plate on a 96-well plate
    assert df.groupby("plate", sort=False).size().tolist() == [48, 48]
    assert df.attrs["plate_shapes"] == {"c12345_2": (8, 12), "c123455_3": (8, 12)}
    assert set(df["read"]) == {"Luminescence"}
    assert _signal(df, "c12345_2", "A1") == 1011329
    assert _signal(df, "c12345_2", "C10") == 1299308
    assert _signal(df, "c12345_2", "D12") == 3633
    assert _signal(df, "c123455_3", "A1") == 1497823
    assert _signal(df, "c123455_3", "D12") == 98
    assert "E1" not in set(df["well"])


def test_mars_absorbance():
    df = read_plate_file(DATA / "bmg_mars_absorbance_96.csv")
    assert set(df["plate"]) == {"xxxxxxxxxxxxx"}  # ID1 (anonymised in the source repository)
    assert len(df) == 96
    assert set(df["read"]) == {"Raw Data (450 1)"}
    assert _signal(df, "xxxxxxxxxxxxx", "A1") == pytest.approx(0.073)
    assert _signal(df, "xxxxxxxxxxxxx", "C9") == pytest.approx(0.71)
    assert _signal(df, "xxxxxxxxxxxxx", "H12") == pytest.approx(0.207)


def test_gen5_takes_raw_lum_not_normlum():
    df = read_plate_file(DATA / "agilent_biotek_gen5_luminescence_layout_normalized.txt")
    stem = "agilent_biotek_gen5_luminescence_layout_normalized"
    assert set(df["plate"]) == {stem}  # 'Plate Number: Plate 1' is not an id: file name
    assert len(df) == 96
    assert set(df["read"]) == {"LUM:Lum"}
    assert _signal(df, stem, "A1") == 8718  # NormLum would be 99.846
    assert _signal(df, stem, "A12") == 210
    assert _signal(df, stem, "E1") == 215
    assert _signal(df, stem, "H12") == 8490


def test_magellan_xlsx():
    df = read_plate_file(DATA / "tecan_magellan_OD.xlsx")
    # the Plate column is filled for the first 45 wells only; the rest continue that plate
    assert set(df["plate"]) == {"96WEL008"}
    assert len(df) == 96
    assert set(df["read"]) == {"Raw data"}
    assert _signal(df, "96WEL008", "A1") == pytest.approx(0.1462)
    assert _signal(df, "96WEL008", "B1") == pytest.approx(0.2118)
    assert _signal(df, "96WEL008", "H12") == pytest.approx(0.0461)


def test_kaleido_barcode_and_grid_not_platemap():
    df = read_plate_file(DATA / "revvity_kaleido_luminescence_endpoint.csv")
    assert set(df["plate"]) == {"V-2023-05-17 16:21:29"}
    assert len(df) == 96  # the later 'Platemap' grid of '-' is not data
    assert set(df["read"]) == {"Luminescence 1"}
    assert _signal(df, "V-2023-05-17 16:21:29", "A1") == 94395
    assert _signal(df, "V-2023-05-17 16:21:29", "G9") == 825
    assert _signal(df, "V-2023-05-17 16:21:29", "H12") == 75
