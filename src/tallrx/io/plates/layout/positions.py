"""Layout well positions: a ``well`` column or ``row`` + ``col``, checked against the plate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.errors import InputError
from tallrx.io.plates.layout._values import (
    cell_texts,
    first_index,
    located_error,
    per_unique,
    returning_errors,
)
from tallrx.plate import MAX_COLS, MAX_ROWS, parse_well, row_number


def _row_col(text: str) -> tuple[int, int]:
    """(row, col) of 'C\t3' or '3\t3' (row letter or number, column number)."""
    row, _, col = text.partition("\t")
    return (int(float(row)) if row[:1].isdigit() else row_number(row)), int(float(col))


def positions(
    raw: pd.DataFrame, found: dict, where: str, base: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    if "well" in found:
        text = cell_texts(raw[found["well"]])
        parsed = per_unique(text, returning_errors(parse_well))
        message = "{exc}"
    else:
        text = cell_texts(raw[found["row"]]) + "\t" + cell_texts(raw[found["col"]])
        parsed = per_unique(text, returning_errors(_row_col))
        message = (
            "row '{row}' / col '{col}' is not a well position; expected a row letter "
            "(A) or number (1) and a column number (1..48)"
        )
    failed = [p is None or isinstance(p, Exception) for p in parsed]
    k = first_index(np.asarray(failed, dtype=bool))
    if k is not None:
        row, _, col = str(text[k]).partition("\t")
        raise located_error(
            InputError, where, base[k], message.format(exc=parsed[k], row=row, col=col)
        )
    rows = [p[0] for p in parsed]
    cols = [p[1] for p in parsed]
    r_arr, c_arr = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
    bad = (r_arr < 1) | (c_arr < 1) | (r_arr > MAX_ROWS) | (c_arr > MAX_COLS)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise located_error(
            InputError,
            where,
            base[k],
            f"row {r_arr[k]} / column {c_arr[k]} is outside any plate; the largest "
            f"(1536 wells) has rows 1-{MAX_ROWS} (A-AF) and columns 1-{MAX_COLS}",
        )
    return r_arr, c_arr


def check_duplicates(
    plate: np.ndarray | None, wells: np.ndarray, locs: list[str], where: str
) -> None:
    keys = pd.Series(
        [
            f"{p}\x00{w}"
            for p, w in zip(
                plate if plate is not None else np.full(len(wells), ""), wells, strict=True
            )
        ]
    )
    dup = keys.duplicated(keep=False).to_numpy()
    if dup.any():
        first = keys[dup].iloc[0]
        places = [locs[k] for k in np.flatnonzero(keys.to_numpy() == first)]
        names = ", ".join(pd.unique(wells[dup])[:10])
        raise InputError(
            f"{where}: well(s) {names} listed more than once ({'; '.join(places)}); "
            "each well may appear once per plate"
        )
