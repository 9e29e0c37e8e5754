"""Generic plate files (matrix grids, long tables, SoftMax PlateFormat) and bad reader input.

Inputs are small hand-written files; expected values are the numbers written into them.
"""

from pathlib import Path

import openpyxl
import pytest

from tallrx.errors import InputError, SchemaError
from tallrx.io import read_plate_file

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "tallrx" / "data" / "examples"


def grid_csv(values, corner="", sep=","):
    """A plate grid with row letters and column numbers; values[r][c] as text."""
    cols = len(values[0])
    lines = [sep.join([corner] + [str(c + 1) for c in range(cols)])]
    for r, row in enumerate(values):
        lines.append(sep.join([chr(65 + r)] + [str(v) for v in row]))
    return "\n".join(lines) + "\n"


def plate96(offset=0.0):
    return [[offset + 100 * r + c for c in range(1, 13)] for r in range(8)]


def test_matrix_96_values_and_id_from_file_name(tmp_path):
    path = tmp_path / "run7.csv"
    path.write_text(grid_csv(plate96()))
    df = read_plate_file(path)
    assert df.attrs["format"] == "matrix"
    assert len(df) == 96 and set(df["plate"]) == {"run7"}
    row = df[df["well"] == "C5"].iloc[0]
    assert (row["row"], row["col"], row["signal"]) == (3, 5, 205.0)
    assert df.attrs["plate_shapes"] == {"run7": (8, 12)}


def test_matrix_stacked_plates_named_by_corner_or_numbered(tmp_path):
    named = tmp_path / "named.csv"
    named.write_text(grid_csv(plate96(), "P1") + "\n" + grid_csv(plate96(1000), "P2"))
    df = read_plate_file(named)
    assert list(df["plate"].unique()) == ["P1", "P2"]
    assert df[(df["plate"] == "P2") & (df["well"] == "A1")]["signal"].item() == 1001.0
    unnamed = tmp_path / "scan.tsv"
    unnamed.write_text(grid_csv(plate96(), sep="\t") + "\n\n" + grid_csv(plate96(5), sep="\t"))
    df = read_plate_file(unnamed)
    assert list(df["plate"].unique()) == ["scan-1", "scan-2"]
    assert df[(df["plate"] == "scan-2") & (df["well"] == "H12")]["signal"].item() == 717.0


def test_matrix_384_bundled_synthetic_plate():
    path = EXAMPLES / "pdx_screen" / "plates" / "PDX01_plate1.csv"
    df = read_plate_file(path)
    # the file's row B starts ',52114,50044' (column 1 empty: the outer ring is not used)
    assert df.attrs["plate_shapes"]["PDX01_plate1"] == (16, 24)
    assert df[df["well"] == "B2"]["signal"].item() == 52114
    assert df[df["well"] == "B3"]["signal"].item() == 50044
    assert "A1" not in set(df["well"])


def test_matrix_xlsx_one_plate_per_sheet(tmp_path):
    book = openpyxl.Workbook()
    for k, title in enumerate(["plateA", "plateB"]):
        ws = book.active if k == 0 else book.create_sheet()
        ws.title = title
        ws.append([None] + list(range(1, 13)))
        for r, row in enumerate(plate96(k * 10)):
            ws.append([chr(65 + r)] + row)
    path = tmp_path / "plates.xlsx"
    book.save(path)
    df = read_plate_file(path)
    assert df.attrs["format"] == "matrix"
    assert list(df["plate"].unique()) == ["plateA", "plateB"]
    assert df[(df["plate"] == "plateB") & (df["well"] == "B2")]["signal"].item() == 112.0


def test_long_table_with_plate_exclude_and_numeric_rows(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("Plate,Row,Col,Response,Exclude\nP1,1,1,10,0\nP1,2,3,12.5,1\nP2,H,12,7,no\n")
    df = read_plate_file(path)
    assert df.attrs["format"] == "long"
    assert df[["plate", "well", "signal", "exclude"]].values.tolist() == [
        ["P1", "A1", 10.0, False],
        ["P1", "B3", 12.5, True],
        ["P2", "H12", 7.0, False],
    ]


def test_softmax_plate_format_two_wavelengths(tmp_path):
    header = [
        "Plate:",
        "abs1",
        "1.3",
        "PlateFormat",
        "Endpoint",
        "Absorbance",
        "Raw",
        "FALSE",
        "1",
        "",
        "",
        "",
        "",
        "",
        "2",
        "450 620",
        "1",
        "12",
        "96",
        "1",
        "8",
    ]
    lines = [
        "##BLOCKS= 1",
        "\t".join(header),
        "\t".join(
            ["", "Temperature(C)"]
            + [str(c) for c in range(1, 13)]
            + [""]
            + [str(c) for c in range(1, 13)]
        ),
    ]
    for r in range(8):
        first = ["", "25.0"] if r == 0 else ["", ""]
        a450 = [f"{0.1 * r + 0.01 * c:.2f}" for c in range(1, 13)]
        a620 = [f"{0.05:.2f}"] * 12
        lines.append("\t".join(first + a450 + [""] + a620))
    lines += ["", "~End", ""]
    path = tmp_path / "smp.txt"
    path.write_text("\r\n".join(lines), encoding="utf-16")
    df = read_plate_file(path)
    assert df.attrs["format"] == "softmax"
    assert set(df["read"]) == {"Absorbance 450 nm", "Absorbance 620 nm"}
    a450 = df[df["read"] == "Absorbance 450 nm"]
    assert len(a450) == 96
    assert a450[a450["well"] == "C4"]["signal"].item() == pytest.approx(0.24)
    assert df[(df["read"] == "Absorbance 620 nm") & (df["well"] == "H12")]["signal"].item() == 0.05


# ---- bad input: each message names the file and says what was expected ----------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        read_plate_file(tmp_path / "nope.csv")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("  \n\n")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty; expected a plate-reader"):
        read_plate_file(path)


def test_unrecognised_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("meeting notes\nnothing to see here\n")
    with pytest.raises(
        InputError,
        match=r"notes\.txt: could not recognise the file format; "
        r"expected one of softmax, envision",
    ):
        read_plate_file(path)


def test_damaged_xlsx_and_old_xls(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(InputError, match=r"broken\.xlsx: cannot be opened as an XLSX workbook"):
        read_plate_file(bad)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"old binary Excel \(\.xls\) files are not supported"):
        read_plate_file(old)


def test_unknown_format_name_did_you_mean(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(grid_csv(plate96()))
    with pytest.raises(
        InputError,
        match=r"unknown plate-reader format 'envison'.*"
        r"Did you mean 'envision'\?",
    ):
        read_plate_file(path, format="envison")


def test_wrong_forced_format(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(grid_csv(plate96()))
    with pytest.raises(InputError, match=r"p\.csv: no plate data found for format 'kaleido'"):
        read_plate_file(path, format="kaleido")


def test_overflow_marks_are_flagged_wells(tmp_path):
    """A few OVRFLW / ##### / #DIV/0! cells are excluded wells with the mark quoted; the other
    wells keep their readings (one bad well never stops a plate)."""
    values = plate96()
    values[1][2] = "OVRFLW"
    values[4][6] = "#DIV/0!"
    path = tmp_path / "over.csv"
    path.write_text(grid_csv(values, "P9"))
    df = read_plate_file(path).set_index("well")
    assert len(df) == 96
    assert bool(df.loc["B3", "exclude"]) and "'OVRFLW' is not a number" in df.loc["B3", "reason"]
    assert bool(df.loc["E7", "exclude"]) and "'#DIV/0!'" in df.loc["E7", "reason"]
    assert df["signal"].isna().sum() == 2 and int(df["exclude"].sum()) == 2
    assert df.loc["C5", "signal"] == 205.0


def test_mostly_text_grid_names_the_well(tmp_path):
    values = [["OVRFLW"] * 12 for _ in range(8)]
    values[0][0] = 1.0
    path = tmp_path / "over.csv"
    path.write_text(grid_csv(values, "P9"))
    with pytest.raises(
        InputError,
        match=r"over\.csv: plate 'P9' well A2: signal 'OVRFLW' is "
        r"not a number \(95 of 96 cells are not\); expected a numeric reading",
    ):
        read_plate_file(path)


def test_grid_that_is_not_a_plate(tmp_path):
    path = tmp_path / "seven.csv"
    path.write_text(grid_csv(plate96()[:7]))
    with pytest.raises(
        InputError,
        match=r"seven\.csv: the grid at line 1 has 7 rows \(A-G\) x "
        r"12 columns, which is not a whole plate; expected .*"
        r"8 x 12 \(96\)",
    ):
        read_plate_file(path)


def test_long_table_misspelled_signal_column(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("well,sginal\nA1,1\n")
    with pytest.raises(
        SchemaError,
        match=r"long\.csv: .*needs a 'signal' column"
        r".*Did you mean 'signal' for column 'sginal'\?",
    ):
        read_plate_file(path, format="long")


def test_long_table_duplicate_wells(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("plate,well,signal\nP1,A1,1\nP1,B2,2\nP1,A01,3\n")
    with pytest.raises(
        InputError,
        match=r"dup\.csv: plate 'P1' lists well\(s\) A1 more than "
        "once",
    ):
        read_plate_file(path)


def test_long_table_bad_exclude_flag(tmp_path):
    path = tmp_path / "flag.csv"
    path.write_text("well,signal,exclude\nA1,1,maybe\n")
    with pytest.raises(InputError, match=r"well A1: flag value 'maybe' is not understood"):
        read_plate_file(path)
