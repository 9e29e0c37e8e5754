"""`tallrx screen` given a folder of plate exports (task D, s7): the folder's files are the plates.

Oracle: the same run with the file named directly (the bundled KiSpi plate)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

KISPI = Path(__file__).parents[2] / "src" / "tallrx" / "data" / "examples" / "kispi_drp_plate"


def test_screen_reads_a_folder_of_plate_files(tmp_path, run):
    folder = tmp_path / "plates"
    folder.mkdir()
    shutil.copy(KISPI / "measurement.csv", folder / "measurement.csv")
    (folder / "~$measurement.xlsx").write_bytes(b"lock")  # Excel's lock file: not a plate
    args = ["--n-boot", "0", "--quiet"]
    code, err = run(["screen", KISPI / "layout.csv", folder, "-o", tmp_path / "a", *args])
    assert code == 0, err
    code, err = run(["screen", KISPI / "layout.csv", KISPI / "measurement.csv", "-o",
                     tmp_path / "b", *args])
    assert code == 0, err
    a, b = (pd.read_csv(tmp_path / d / "curves.csv") for d in ("a", "b"))
    assert len(a) == len(b) > 0
    pd.testing.assert_frame_equal(a, b)


def test_screen_with_an_empty_folder_is_a_clear_error(tmp_path, run):
    (tmp_path / "plates").mkdir()
    code, err = run(["screen", KISPI / "layout.csv", tmp_path / "plates", "-o", tmp_path / "o"])
    assert code == 2 and "the folder holds no files" in err
