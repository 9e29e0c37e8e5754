"""Well names and plate sizes: ``"B7" <-> (2, 7)``, standard plate formats.

Rows are 1-based and lettered like spreadsheet columns (A=1 ... Z=26, AA=27 ... AF=32 on a
1536-well plate); columns are 1-based numbers. Well names carry no zero padding ("A1", not "A01"),
but zero-padded names are accepted on input.

>>> parse_well("B07")
(2, 7)
>>> well_name(32, 48)
'AF48'
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tallrx.errors import InputError

# wells -> (rows, columns) of the standard SBS plate formats
PLATE_SHAPES: dict[int, tuple[int, int]] = {
    6: (2, 3),
    12: (3, 4),
    24: (4, 6),
    48: (6, 8),
    96: (8, 12),
    384: (16, 24),
    1536: (32, 48),
}
MAX_ROWS, MAX_COLS = PLATE_SHAPES[1536]
#: the formats of drug screens (a partly used 96-well plate is not a 24-well plate)
SCREEN_FORMATS = (96, 384, 1536)

#: a well name: row letter(s), optional zero padding, column number ('A1', 'b07', ' H 12 ')
WELL_RE = re.compile(r"^\s*([A-Za-z]{1,2})\s*0*(\d{1,3})\s*$")
_ROW_RE = re.compile(r"^[A-Za-z]{1,2}$")


def row_letter(row: int) -> str:
    """Letter(s) of a 1-based row number: 1 -> 'A', 27 -> 'AA'."""
    if row < 1:
        raise InputError(f"row number {row} is not valid; rows start at 1 (A)")
    letters = ""
    n = int(row)
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def row_number(label: str) -> int:
    """1-based number of a row label: 'A' -> 1, 'h' -> 8, 'AF' -> 32 (InputError if not letters)."""
    text = str(label).strip()
    if not _ROW_RE.match(text):
        raise InputError(f"row '{label}' is not a row letter (expected A, B, ... or AA-AF)")
    n = 0
    for ch in text.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def is_row_label(text: str) -> bool:
    """True when ``text`` looks like a plate row letter (A ... AF)."""
    text = str(text).strip()
    return bool(_ROW_RE.match(text)) and row_number(text) <= MAX_ROWS


def well_name(row: int, col: int) -> str:
    """Well name of 1-based (row, col): ``well_name(2, 7) == 'B7'``."""
    if int(col) < 1:
        raise InputError(f"column number {col} is not valid; columns start at 1")
    return f"{row_letter(int(row))}{int(col)}"


def parse_well(name: str) -> tuple[int, int]:
    """1-based (row, col) of a well name such as 'B7', 'b07' or 'AF48'; InputError otherwise."""
    match = WELL_RE.match(str(name))
    if not match:
        raise InputError(
            f"'{name}' is not a well name; expected a row letter and a column number such as "
            "'A1' or 'H12'"
        )
    row, col = row_number(match.group(1)), int(match.group(2))
    if col < 1:
        raise InputError(f"'{name}' is not a well name; columns start at 1 (e.g. 'A1')")
    return row, col


def well_names(rows, cols) -> np.ndarray:
    """Vectorized :func:`well_name` over arrays of 1-based rows and columns (object array)."""
    rows = np.asarray(rows, dtype=int)
    cols = np.asarray(cols, dtype=int)
    letters = {r: row_letter(r) for r in np.unique(rows)}
    return np.array([f"{letters[r]}{c}" for r, c in zip(rows, cols, strict=True)], dtype=object)


def plate_for(
    max_row: int, max_col: int, formats: tuple[int, ...] | None = None
) -> tuple[int, int] | None:
    """Smallest standard plate (rows, cols) holding row ``max_row`` and column ``max_col``.

    ``formats`` restricts the choice to these well counts (e.g. :data:`SCREEN_FORMATS`); None
    when no plate is large enough.

    >>> plate_for(4, 6), plate_for(4, 6, formats=SCREEN_FORMATS), plate_for(33, 1)
    ((4, 6), (8, 12), None)
    """
    for wells, shape in PLATE_SHAPES.items():
        if formats is not None and wells not in formats:
            continue
        if max_row <= shape[0] and max_col <= shape[1]:
            return shape
    return None


def shape_text(shape: tuple[int, int]) -> str:
    """Human description of a plate shape: '96-well plate (rows A-H, columns 1-12)'."""
    rows, cols = shape
    return f"{rows * cols}-well plate (rows A-{row_letter(rows)}, columns 1-{cols})"


def known_shapes_text() -> str:
    """'2 x 3, 3 x 4, ..., 32 x 48' for error messages."""
    return ", ".join(f"{r} x {c} ({r * c})" for r, c in PLATE_SHAPES.values())


def sort_wells(frame: pd.DataFrame, plates: list[str] | None = None) -> pd.DataFrame:
    """Rows in plate order (``plates``, else first appearance), then read (if any), row, col."""
    order = plates if plates is not None else list(pd.unique(frame["plate"]))
    keys = [frame["col"].to_numpy(), frame["row"].to_numpy()]
    if "read" in frame.columns:
        keys.append(pd.factorize(frame["read"], sort=True)[0])
    keys.append(pd.Categorical(frame["plate"], categories=order).codes)
    return frame.iloc[np.lexsort(keys)].reset_index(drop=True)
