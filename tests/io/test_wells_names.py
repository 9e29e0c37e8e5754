"""Well names <-> 1-based (row, col); plate formats."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tallrx.errors import InputError
from tallrx.io import parse_well, well_name
from tallrx.plate import PLATE_SHAPES, plate_for, row_letter, row_number


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("A1", (1, 1)),
        ("B07", (2, 7)),
        ("h12", (8, 12)),
        ("P24", (16, 24)),
        ("Z1", (26, 1)),
        ("AA1", (27, 1)),
        ("AF48", (32, 48)),
        (" C 3 ", (3, 3)),
    ],
)
def test_parse_well(name, expected):
    assert parse_well(name) == expected


@pytest.mark.parametrize(
    ("row", "col", "expected"),
    [
        (1, 1, "A1"),
        (2, 7, "B7"),
        (8, 12, "H12"),
        (16, 24, "P24"),
        (27, 3, "AA3"),
        (32, 48, "AF48"),
    ],
)
def test_well_name(row, col, expected):
    assert well_name(row, col) == expected


@pytest.mark.parametrize("bad", ["", "1A", "A", "A0", "ABC1", "A-1", "12"])
def test_parse_well_rejects_non_wells(bad):
    with pytest.raises(InputError, match="is not a well name"):
        parse_well(bad)


@given(st.integers(1, 32), st.integers(1, 48))
def test_round_trip(row, col):
    assert parse_well(well_name(row, col)) == (row, col)
    assert row_number(row_letter(row)) == row


def test_plate_shapes():
    assert PLATE_SHAPES[96] == (8, 12) and PLATE_SHAPES[384] == (16, 24)
    assert PLATE_SHAPES[1536] == (32, 48)
    assert plate_for(8, 12) == (8, 12)
    assert plate_for(13, 24) == (16, 24)  # EnVision example: rows A, E, I, M of a 384 plate
    assert plate_for(33, 1) is None


def test_plate_for_can_keep_to_screening_formats():
    """A partly used 96-well plate (wells up to D6) is a 24-well plate to plate_for, but the
    smallest *screening* plate holding it is the 96-well plate."""
    from tallrx.plate import SCREEN_FORMATS

    assert plate_for(4, 6) == (4, 6)
    assert plate_for(4, 6, formats=SCREEN_FORMATS) == (8, 12)
    assert plate_for(17, 2, formats=SCREEN_FORMATS) == (32, 48)
    assert plate_for(33, 1, formats=SCREEN_FORMATS) is None
