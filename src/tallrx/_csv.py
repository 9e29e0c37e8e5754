"""Fast CSV writing of large tables, byte for byte what ``DataFrame.to_csv(path, index=False)`` writes.

Why: pandas formats every float with numpy's float-to-text, about 1 us per value; a 10,000-matrix
synergy ``surface.csv`` (640,000 rows, 17 float columns) spent more time being written than being
computed. Here float columns are formatted first by Arrow's C++ cast (the same shortest round-trip
digits as Python's ``repr``) and the text is brought to ``repr``'s form: "100" -> "100.0", and the
values ``repr`` writes in scientific notation (exponent < -4 or >= 16) or that Arrow wrote in
scientific notation go through ``repr`` itself (rare in measured data). NaN is written as the
empty field, as pandas does. Everything else (text, integers, booleans, quoting) is left to pandas.
This module imports nothing from tallrx (layer 0).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

__all__ = ["write_csv", "format_floats"]

#: below this many rows pandas alone is as fast (Arrow's start-up is not worth it)
MIN_ROWS = 5_000
#: rows formatted and written at a time (their text, ~70 bytes a value, is what memory holds)
CHUNK_ROWS = 50_000


def format_floats(values: np.ndarray) -> np.ndarray:
    """Float64 values as ``repr`` text (object array), NaN as "" (pandas' na_rep).

    >>> format_floats(np.array([100.0, 0.1, 1e-05, np.nan, -np.inf, 1e16, -0.0])).tolist()
    ['100.0', '0.1', '1e-05', '', '-inf', '1e+16', '-0.0']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    v = np.asarray(values, dtype=float)
    arr = pc.cast(pa.array(v), pa.string())
    a = np.abs(v)
    plain = (a >= 1e-4) & (a < 1e16)
    has_e = pc.match_substring(arr, "e").to_numpy(zero_copy_only=False)
    integral = plain & ~has_e & (np.floor(v) == v)
    if integral.any():
        arr = pc.if_else(pa.array(integral), pc.binary_join_element_wise(arr, ".0", ""), arr)
    text = arr.to_numpy(zero_copy_only=False).astype(object)
    slow = np.flatnonzero(~plain | has_e)
    text[slow] = [repr(float(x)) for x in v[slow]]
    text[np.isnan(v)] = ""
    return text


def write_csv(df: pd.DataFrame, path: str | os.PathLike, chunk_rows: int = CHUNK_ROWS) -> None:
    """``df.to_csv(path, index=False)``, with float columns formatted by :func:`format_floats`,
    ``chunk_rows`` rows at a time (the text of one chunk is in memory at once, not the table's)."""
    floats = [
        i
        for i, dt in enumerate(df.dtypes)
        if dt == np.float64 and not isinstance(dt, pd.ArrowDtype)
    ]
    if len(df) < MIN_ROWS or not floats:
        df.to_csv(path, index=False)
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for start in range(0, len(df), chunk_rows):
            part = df.iloc[start : start + chunk_rows].copy(deep=False)
            for i in floats:
                part.isetitem(i, format_floats(part.iloc[:, i].to_numpy()))
            part.to_csv(fh, index=False, header=start == 0)
