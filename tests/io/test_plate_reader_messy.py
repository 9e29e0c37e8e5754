"""Plate-reader files tallrx had not seen (issue 9, points 6 and 7): each case failed before.

Files: tests/data/formats/plate_reader (provenance in tests/data/README.md and
tests/data/formats/SOURCES.md). Expected values are read off the files by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tallrx.errors import InputError, SchemaError
from tallrx.io.plates.instruments import read_plate_file

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "plate_reader"


def test_bmg_1536_lowercase_rows_follow_z():
    """BMG MARS writes rows 27-32 of a 32 x 48 plate as a..f; the hand-written file holds
    100 * row + column in every well, so AA1 = 2701 and AF48 = 3248 (not A1 / F48 again)."""
    df = read_plate_file(DATA / "bmg_mars_luminescence_1536_handwritten.csv")
    assert len(df) == 1536 and df["well"].is_unique
    assert df.attrs["plate_shapes"] == {"GDSC_P1": (32, 48)}
    signal = df.set_index("well")["signal"]
    assert signal["A1"] == 101 and signal["F48"] == 648
    assert signal["Z48"] == 2648 and signal["AA1"] == 2701 and signal["AF48"] == 3248
    assert (df["signal"] == 100 * df["row"] + df["col"]).all()


def test_gen5_standard_curve_reads_the_raw_absorbance():
    """Gen5 with a standard curve: raw '450nm:450', reductions 'Blank 450nm:450' and
    '[Concentration]'. Only the raw read is kept (A1 3.411, H3 0.000), with a note."""
    with pytest.warns(Warning, match=r"reduction\(s\) 'Blank 450nm:450', '\[Concentration\]'"):
        df = read_plate_file(DATA / "agilent_biotek_gen5_absorbance_stdcurve.txt")
    assert set(df["read"]) == {"450nm:450"} and len(df) == 96
    signal = df.set_index("well")["signal"]
    assert signal["A1"] == 3.411 and signal["H3"] == 0.0 and signal["E4"] == 2.894


def test_envision_unlabelled_384_grids():
    """EnVision "Plate" export: grids of 16 x 24 numbers with no row letters or column numbers.
    Plate 1 A1 = 2.6300, P24 = 2.6390; plate 2's calculated crosstalk grid is skipped for its
    measured read (P24 = 4)."""
    df = read_plate_file(DATA / "perkinelmer_envision_absorbance_unlabelled_384.csv")
    assert df.groupby("plate").size().tolist() == [384, 384]
    first, second = (g.set_index("well")["signal"] for _, g in df.groupby("plate", sort=False))
    assert first["A1"] == 2.63 and first["B1"] == 2.711 and first["P24"] == 2.639
    assert second["A15"] == 0 and second["P24"] == 4
    assert not df["read"].str.startswith("calculated").any()
    assert set(df.attrs["plate_shapes"].values()) == {(16, 24)}


def test_unlabelled_grid_of_wrong_shape_says_what_was_expected(tmp_path):
    text = (DATA / "perkinelmer_envision_absorbance_unlabelled_384.csv").read_text()
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("2.7110"))
    del lines[k]  # 15 rows left
    path = tmp_path / "short.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"short\.csv: .*15 rows x 24 columns.*not a whole plate"
                       r".*--format matrix"):
        read_plate_file(path)


def test_field_over_128_kb_is_a_clear_error(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("well,signal\nA1," + "x" * 200_000 + "\nA2,3\n")
    with pytest.raises(InputError, match=r"long\.csv: plate 'long' well A1: signal 'x{40}\.\.\. "
                       r"\(200000 characters\)' is not a number"):
        read_plate_file(path)


def test_excel_renamed_csv_is_read_by_content(tmp_path):
    path = tmp_path / "magellan.csv"
    path.write_bytes((DATA / "tecan_magellan_OD.xlsx").read_bytes())
    renamed = read_plate_file(path)
    original = read_plate_file(DATA / "tecan_magellan_OD.xlsx")
    assert renamed["signal"].tolist() == original["signal"].tolist()


def test_broken_zip_renamed_csv_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match=r"broken\.csv: cannot be opened as an XLSX workbook"):
        read_plate_file(path)


def test_missing_signal_column_is_named(tmp_path):
    path = tmp_path / "nosignal.csv"
    path.write_text("well,drug\nA1,3\nA2,4\n")
    with pytest.raises(SchemaError, match=r"nosignal\.csv: .*needs a 'signal' column.*"
                       r"it has: well, drug"):
        read_plate_file(path)


def test_unknown_format_names_the_format_option(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text("hello\nworld\n")
    with pytest.raises(InputError, match=r"prose\.txt: could not recognise.*--format NAME"):
        read_plate_file(path)


def test_a_format_that_does_not_fit_names_the_other_formats(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text(",1,2\nA,1,2\nB,3,4\n")
    with pytest.raises(InputError, match=r"grid\.csv: no plate data found for format 'softmax'"
                       r".*try another --format \(envision, kaleido.*'matrix'"):
        read_plate_file(path, format="softmax")


def test_infinite_header_cell_is_not_a_crash(tmp_path):
    """A grid header cell 'inf' (found by fuzzing the Gen5 export): no OverflowError."""
    path = tmp_path / "g.txt"
    text = (DATA / "agilent_biotek_gen5_absorbance_stdcurve.txt").read_text()
    path.write_text(text.replace("\t1\t2\t3\t4", "\tinf\t2\t3\t4", 1))
    df = read_plate_file(path)  # the Layout grid header is damaged; Results is still read
    assert len(df) == 96


def test_infinite_and_absurd_signals_are_flagged_wells(tmp_path):
    """'inf' or '1e400' in a reader cell (found by the screen fuzz campaign: infinite
    viability): the well stays, signal NaN, excluded with the reason; the others are read."""
    path = tmp_path / "p.csv"
    path.write_text("well,signal\nA1,inf\nA2,1e400\nA3,-1e308\nA4,5\n")
    df = read_plate_file(path).set_index("well")
    assert df.loc[["A1", "A2", "A3"], "signal"].isna().all() and df.loc["A4", "signal"] == 5
    assert df["exclude"].tolist() == [True, True, True, False]
    assert df.loc["A2", "reason"].startswith("signal '1e400' is not a plausible reading")
