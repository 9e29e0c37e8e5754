"""Fast CSV writing of large tables, byte for byte what ``DataFrame.to_csv(path, index=False)`` writes.

Why: pandas formats every float with numpy's float-to-text, about 1 us per value; a 10,000-matrix
synergy ``surface.csv`` (640,000 rows, 17 float columns) spent more time being written than being
computed. Here float columns are formatted first by Arrow's C++ cast (the same shortest round-trip
digits as Python's ``repr``) and the text is brought to ``repr``'s form: "100" -> "100.0", and the
values ``repr`` writes in scientific notation (exponent < -4 or >= 16) or that Arrow wrote in
scientific notation go through ``repr`` itself (rare in measured data). NaN is written as the
empty field, as pandas does. Integers, booleans and text (quoted as pandas quotes) are turned into
Arrow strings too, and the rows are joined by Arrow and written from its buffer (no Python string
per value or row); tables with other column kinds are left to pandas. This module imports
nothing from tallrx (layer 0).
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
    return _float_text(values).to_numpy(zero_copy_only=False).astype(object)


def _float_text(values: np.ndarray):
    """:func:`format_floats` as an Arrow string array (no Python string per value)."""
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
    slow = ~plain | has_e
    nan = np.isnan(v)
    slow &= ~nan
    if slow.any():
        arr = pc.replace_with_mask(
            arr, pa.array(slow), pa.array([repr(float(x)) for x in v[slow]], pa.string())
        )
    if nan.any():
        arr = pc.if_else(pa.array(nan), "", arr)
    return arr


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
    with open(path, "wb") as fh:
        fh.write(_lines([_text(np.array([str(c)], dtype=object)) for c in df.columns]))
        for start in range(0, len(df), chunk_rows):
            part = df.iloc[start : start + chunk_rows]
            fields = [_fields(part.iloc[:, i]) for i in range(part.shape[1])]
            fh.write(_lines(fields))


def _lines(fields: list) -> memoryview:
    """The UTF-8 bytes of the rows: the fields (Arrow string arrays) joined by "," and each row
    ended by a newline, straight from Arrow's data buffer (no Python string per row)."""
    import pyarrow.compute as pc

    rows = pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, ","), "\n", "")
    width = np.int64 if rows.type.equals("large_string") else np.int32
    offsets = np.frombuffer(rows.buffers()[1], dtype=width)
    return memoryview(rows.buffers()[2])[offsets[rows.offset] : offsets[rows.offset + len(rows)]]


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


def _fields(col: pd.Series):
    """The CSV fields (an Arrow string array) of one column (see :func:`_plain`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dt = col.dtype
    if isinstance(dt, np.dtype) and dt.kind == "f":
        return _float_text(col.to_numpy())
    if isinstance(dt, np.dtype) and dt.kind == "b":
        return pc.if_else(pa.array(col.to_numpy()), "True", "False")
    if isinstance(dt, np.dtype) and dt.kind in "iu":
        return pc.cast(pa.array(col.to_numpy()), pa.string())
    text = col.to_numpy(dtype=object, na_value=None)
    text[pd.isna(text)] = ""
    return _text(text)


def _text(text: np.ndarray):
    """Strings (object array) as CSV fields: those holding a comma, a double quote, CR or LF in
    double quotes (quotes doubled), as Python's csv module does with QUOTE_MINIMAL."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text, type=pa.string())
    need = pc.match_substring_regex(arr, '[,"\r\n]')
    if pc.any(need).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
        arr = pc.if_else(need, quoted, arr)
    return arr
