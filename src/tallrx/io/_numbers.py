"""Numbers written as text, with the decimal mark and thousands separator decided per column.

English exports write ``1,234.5`` (comma groups thousands, point marks decimals); European ones
write ``1.234,5`` and usually separate fields with ';'. A lone ``1,5`` or ``0,125`` can only be a
decimal comma and ``1,234,567`` or ``5,720.5`` only thousands separators, but ``1,234`` reads both
ways (1.234 or 1234), as does ``1.234`` in a European table. :func:`to_number` settles such values
from the rest of the column (a value that reads one way only shows the convention), then from the
file's delimiter (';' means a decimal-comma locale), and otherwise refuses to guess: an
:class:`InputError` names the file, row, column and value and says how to fix the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx.errors import InputError

MISSING = ("", "nan", "na", "n/a")

_SIGN = r"[+-]?"
_GROUPS = r"[1-9]\d{0,2}"  # a thousands-grouped number opens with 1-3 digits, never 0
#: '1,234' / '1,234,567' / '5,720.5': comma thousands separators (point decimals)
_COMMA_GROUPED = rf"{_SIGN}{_GROUPS}(?:,\d{{3}})+(?:\.\d+)?"
#: '1,5' / ',5' / '1.234,5' / '1,5E+07': a decimal comma (point thousands separators)
_COMMA_DECIMAL = rf"{_SIGN}(?:\d*|{_GROUPS}(?:\.\d{{3}})+),\d+(?:[eE][+-]?\d+)?"
#: '1.234.567': point thousands separators only
_POINTS_GROUPED = rf"{_SIGN}{_GROUPS}(?:\.\d{{3}}){{2,}}"
#: '1.234': one point thousands separator (European) or a decimal point
_ONE_POINT_GROUP = rf"{_SIGN}{_GROUPS}\.\d{{3}}"

_FIX = (
    "write the column's numbers with a decimal point and no thousands separators (1234.5), or "
    "save the table with ';' between fields if ',' is its decimal mark"
)


def to_number(
    values: pd.Series,
    *,
    where: str,
    column: str,
    missing: Sequence[str] = MISSING,
    delimiter: str | None = None,
    rows: Sequence[str] | None = None,
    invalid: str = "raise",
) -> pd.Series:
    """Text cells -> floats, the decimal mark decided for the whole column.

    Parameters
    ----------
    values
        Text cells of one column (numbers pass through).
    where, column
        The file and column, named in error messages.
    missing
        Words (case-insensitive) that mean "no value": NaN.
    delimiter
        The file's field delimiter; default ``values.attrs['delimiter']`` (kept by
        :func:`tallrx.io._cells.text_table`). ';' (a decimal-comma locale) settles an
        ambiguous '1,234' as 1.234.
    rows
        Names each value's place in messages ("line 5 (well A1)"); default "row 2", "row 3", ...
        (the header is row 1).
    invalid
        'raise' (default): a cell that is not a number is an error; 'nan': it becomes NaN (the
        caller reports it). A value that reads two ways is an error either way.

    Returns
    -------
    pandas.Series
        Floats on the index of ``values``; NaN for missing words (and, with ``invalid='nan'``,
        for cells that are not numbers).

    Raises
    ------
    InputError
        At the first cell that is not a number, or that reads two ways and nothing in the
        column or file settles which.
    """
    delimiter = delimiter or values.attrs.get("delimiter")
    text = values.astype(str).str.strip()
    absent = values.isna() | text.str.lower().isin([m.lower() for m in missing])
    text = text.where(~absent)
    out = pd.to_numeric(text, errors="coerce").astype(float)
    if text.str.contains(",", regex=False, na=False).any() or delimiter == ";":
        shape = {
            name: text.str.fullmatch(pattern).fillna(False).astype(bool)
            for name, pattern in (
                ("grouped", _COMMA_GROUPED),
                ("decimal", _COMMA_DECIMAL),
                ("points", _POINTS_GROUPED),
                ("one_point", _ONE_POINT_GROUP),
            )
        }
        point_only = shape["grouped"] & ~shape["decimal"]  # '1,234,567', '5,720.5'
        comma_only = (shape["decimal"] & ~shape["grouped"]) | shape["points"]  # '1,5', '1.234.567'
        comma_two = shape["grouped"] & shape["decimal"]  # '1,234'
        two_ways = comma_two | shape["one_point"]  # '1,234', '1.234'
        pointed = out.notna() & text.str.contains(".", regex=False, na=False) & ~two_ways
        comma_read = pd.to_numeric(
            text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
            errors="coerce",
        )
        point_read = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
        out[comma_only] = comma_read[comma_only]
        out[point_only] = point_read[point_only]
        convention = _convention(
            values,
            comma_only,
            point_only | pointed,
            comma_two,
            shape["one_point"],
            delimiter,
            where=where,
            column=column,
            rows=rows,
        )
        if convention == "comma":
            out[two_ways] = comma_read[two_ways]
        elif convention == "point":
            out[comma_two] = point_read[comma_two]  # '1.234' is already read as 1.234
    if invalid == "raise":
        _reject(values, out.isna() & text.notna(), where, column, "expected a number", rows)
    return out.astype(float)


def numbers_if_all(values: pd.Series, *, where: str = "table") -> pd.Series:
    """A condition column as floats when every non-empty cell is a number (decimal commas read as
    :func:`to_number` reads them: '25,0' in a ';' table is 25.0), else unchanged (a text
    condition such as a drug name, or a value that reads two ways, stays text)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values
    try:
        nums = to_number(values, where=where, column=str(values.name), invalid="nan")
    except InputError:  # '1,234' with nothing to settle it: not a number column
        return values
    text = values.astype(str).str.strip()
    given = values.notna() & ~text.str.lower().isin(MISSING)
    if given.any() and nums[given].notna().all():
        return nums
    return values


def _convention(
    values: pd.Series,
    shows_comma: pd.Series,
    shows_point: pd.Series,
    comma_two: pd.Series,
    point_two: pd.Series,
    delimiter: str | None,
    *,
    where: str,
    column: str,
    rows: Sequence[str] | None,
) -> str | None:
    """'comma' (decimal comma), 'point' (decimal point) or None (no value reads two ways).

    The column's one-way values decide; else a ';' delimiter means 'comma' for '1,234' and
    any other delimiter 'point' for '1.234'. A two-way value left unsettled (or a column that
    shows both conventions) is an InputError at its row.
    """
    two_ways = comma_two | point_two
    if not two_ways.any():
        return None
    if shows_comma.any() and shows_point.any():
        c = values.iloc[int(np.flatnonzero(shows_comma.to_numpy())[0])]
        p = values.iloc[int(np.flatnonzero(shows_point.to_numpy())[0])]
        _reject(
            values,
            two_ways,
            where,
            column,
            (
                f"the column mixes a decimal comma ({c!r}) and a decimal point ({p!r}), so it "
                f"cannot be read safely; {_FIX}"
            ),
            rows,
        )
    if shows_comma.any():
        return "comma"
    if shows_point.any():
        return "point"
    unsettled = point_two if delimiter == ";" else comma_two
    if unsettled.any():
        value = str(values.iloc[int(np.flatnonzero(unsettled.to_numpy())[0])])
        comma = value.replace(".", "").replace(",", ".")
        point = value.replace(",", "")
        _reject(
            values,
            unsettled,
            where,
            column,
            (
                f"it reads as {_plain(comma)} with a decimal comma or {_plain(point)} with a "
                f"decimal point, and no other value in the column tells which; {_FIX}"
            ),
            rows,
        )
    return "comma" if delimiter == ";" else "point"


def _plain(number: str) -> str:
    """'1.234' -> '1.234', '1234' -> '1234' (as a person would write it)."""
    return format(float(number), ".15g")


def _reject(
    values: pd.Series,
    bad: pd.Series,
    where: str,
    column: str,
    why: str,
    rows: Sequence[str] | None = None,
) -> None:
    """InputError at the first cell flagged in ``bad`` (at ``rows[i]``, else "row i + 2": the
    header is row 1), saying ``why``; nothing when none is flagged."""
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        at = rows[i] if rows is not None else f"row {i + 2}"
        raise InputError(f"{where} {at}: column '{column}' holds {values.iloc[i]!r}; {why}")
