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
    """``df.to_csv(path, index=False)``, byte for byte, ``chunk_rows`` rows at a time (the text of
    one chunk is in memory, not the table's).

    Columns of plain numpy floats, integers and booleans, and text columns holding only strings
    and missing values, are turned into their CSV fields here (floats by :func:`format_floats`,
    text quoted as Python's csv module does with QUOTE_MINIMAL) and joined into lines; a table
    with any other column (dates, categories, mixed objects, ...) is written by pandas.
    """
    # one column: pandas writes an empty field as "" (a blank line would end the table)
    if (
        len(df) < MIN_ROWS
        or df.shape[1] < 2
        or not all(_plain(df.iloc[:, i]) for i in range(df.shape[1]))
    ):
        df.to_csv(path, index=False)
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(_quoted(np.array([str(c) for c in df.columns], dtype=object))) + "\n")
        for start in range(0, len(df), chunk_rows):
            part = df.iloc[start : start + chunk_rows]
            fields = [_fields(part.iloc[:, i]) for i in range(part.shape[1])]
            fh.write("".join([",".join(row) + "\n" for row in zip(*fields, strict=True)]))


def _plain(col: pd.Series) -> bool:
    """A column this module formats itself (anything else goes to pandas)."""
    dt = col.dtype
    if isinstance(dt, np.dtype) and dt.kind in "fiub":
        return dt.kind != "f" or dt == np.float64
    if isinstance(dt, pd.StringDtype):
        return True
    if isinstance(dt, np.dtype) and dt.kind == "O":
        return bool(col.dropna().map(type).eq(str).all())
    return False


def _fields(col: pd.Series) -> np.ndarray:
    """The CSV fields (object array of str) of one column (see :func:`_plain`)."""
    dt = col.dtype
    if isinstance(dt, np.dtype) and dt.kind == "f":
        return format_floats(col.to_numpy())
    if isinstance(dt, np.dtype) and dt.kind in "iub":
        return col.to_numpy().astype(str).astype(object)
    text = col.to_numpy(dtype=object, na_value=None)
    missing = pd.isna(text)
    text[missing] = ""
    return _quoted(text)


def _quoted(text: np.ndarray) -> np.ndarray:
    """Fields holding a comma, a double quote, CR or LF in double quotes (quotes doubled)."""
    s = pd.Series(text, dtype=object)
    need = s.str.contains('[,"\r\n]', regex=True).to_numpy(dtype=bool)
    if need.any():
        text = text.copy()
        text[need] = ['"' + t.replace('"', '""') + '"' for t in text[need]]
    return text
