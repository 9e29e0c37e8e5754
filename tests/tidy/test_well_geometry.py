"""Plate QC and the synthetic screen read well names through tallrx.plate, the one place for
well naming. Before, tidy/_wells.py and testing/screen.py had their own parsers: the screen's
plate-matrix writer split 'B07' into row 'B' and a new column '07' (a 25th column), and tidy
read row labels past the 32 rows of any plate."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from tallrx.plate import parse_well, well_name
from tallrx.testing.screen import _matrix_csv
from tallrx.tidy._wells import plate_format, well_positions

NAMES = ["A1", "A01", "b07", " H 12 ", "P24", "AA1", "AF48"]


def test_tidy_positions_agree_with_tallrx_plate():
    rows, cols = well_positions(pd.DataFrame({"well": NAMES}))
    assert list(zip(rows, cols, strict=True)) == [parse_well(n) for n in NAMES]


def test_tidy_positions_prefer_row_and_col_columns_and_flag_unreadable_wells():
    df = pd.DataFrame({"well": ["A1", "?", "Q3", "ZZ1"], "row": [2, np.nan, "C", "ZZ"],
                       "col": [5, np.nan, 3, 1]})
    rows, cols = well_positions(df)
    # A1 is overridden by row 2 / col 5; '?' and row 'ZZ' (row 702: no plate has it) are -1;
    # a row letter in the row column is read like a well's ('C' = 3)
    assert rows.tolist() == [2, -1, 3, -1] and cols.tolist() == [5, -1, 3, -1]


@pytest.mark.parametrize(("max_row", "max_col", "shape"),
                         [(4, 6, (8, 12)), (8, 13, (16, 24)), (17, 2, (32, 48)), (40, 2, (40, 2))])
def test_plate_format_is_the_smallest_screening_plate(max_row, max_col, shape):
    assert plate_format(max_row, max_col) == shape


def test_matrix_csv_places_zero_padded_names_in_their_well():
    signals = pd.DataFrame({"well": ["B07", "B7", "P24"], "signal": [1.0, 2.0, 3.0]})
    signals = signals.iloc[[0, 2]]  # B07 and B7 are the same well: write one of them
    grid = pd.read_csv(io.StringIO(_matrix_csv(signals)), index_col=0)
    assert grid.shape == (16, 24)  # no 25th column '07'
    assert grid.loc["B", "7"] == 1.0 and grid.loc["P", "24"] == 3.0
    assert int(grid.notna().sum().sum()) == 2


def test_inner_wells_are_named_like_tallrx_plate():
    from tallrx.testing.screen import _inner_wells

    wells = _inner_wells()
    assert wells[0] == well_name(2, 2) == "B2" and wells[-1] == well_name(15, 23) == "O23"
    assert len(wells) == 14 * 22
