"""The well columns of a synergy input: numbers, drug names, per-row problems, pair orientation.

Conventions (how wells are named) are in :mod:`tallrx.analysis.synergy.design`. Whole-input
problems (a missing column, a column that is mostly text) raise; a bad row gets a message that
flags its block.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.errors import SchemaError, did_you_mean
from tallrx.schema import TABLES

MAX_CONC_UM = 1e6  # 1 M: a larger concentration (uM) is a typo or a unit error, never a dose
MAX_ABS_VIABILITY = 1e4  # % of vehicle: a larger |viability| is a broken reading (left out)
REQUIRED = ("sample", "drug_a", "conc_a", "drug_b", "conc_b", "viability")
NON_CONDITION = {
    *TABLES["viability"].required,
    *TABLES["viability"].optional,
    "source",
    "unit",
    "conc_a_unit",
    "conc_b_unit",
}
BLANK_NAMES = ("", "nan", "none", "vehicle", "dmso", "-")


def _text(s: pd.Series) -> np.ndarray:
    """Stripped text of a column (NaN -> ""), computed once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    clean = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return clean[codes]  # code -1 (NaN) picks the trailing ""


def _text_blank(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``_text`` of a drug column and whether each entry names no drug (``BLANK_NAMES``)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    clean = [str(u).strip() for u in uniques] + [""]
    blank = np.array([c.lower() in BLANK_NAMES for c in clean])
    return np.array(clean, dtype=object)[codes], blank[codes]


def _condition_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in NON_CONDITION]


def _numbers(df: pd.DataFrame, col: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Column ``col`` as floats (NaN where empty or not a number) and where it holds text that is
    not a number. A column that is mostly text is a whole-input error."""
    column = df[col]
    if column.dtype.kind in "iuf":  # numpy numbers: nothing to parse
        num = column.to_numpy(dtype=float, na_value=np.nan)
        return num, np.zeros(len(num), bool)
    num = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(num) & column.notna().to_numpy()
    if bad.any():
        text = np.char.lower(_text(column).astype(str))
        filled = (text != "") & (text != "nan")
        bad &= filled
        if bad.sum() * 2 > filled.sum():
            row = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"{where}: column '{col}' must be numeric but most values are text; row "
                f"{row + 1} holds {column.iloc[row]!r}"
            )
    return num, bad


def _check_columns(df: pd.DataFrame, where: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Check the required columns; returns conc_a, conc_b, viability as (float array with NaN where
    empty or not a number, rows holding text that is not a number)."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{where}: a synergy input needs column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, df.columns))}).{did_you_mean(missing[0], df.columns)}"
        )
    return {col: _numbers(df, col, where) for col in ("conc_a", "conc_b", "viability")}


def _conc_problems(
    df: pd.DataFrame, col: str, num: np.ndarray, text: np.ndarray, named: np.ndarray
) -> np.ndarray:
    """Per row: why concentration ``col`` (uM) cannot be used ("" = fine). Empty is fine where
    the row names no drug on that side (a single agent or vehicle well)."""
    bad = text | (np.isnan(num) & named) | np.isinf(num) | (num < 0) | (num > MAX_CONC_UM)
    out = np.full(len(num), "", dtype=object)
    for r in np.flatnonzero(bad):
        v = num[r]
        if text[r]:
            why = f"{col} = {df[col].iloc[r]!r} is not a number"
        elif np.isnan(v):
            why = f"{col} is empty (NaN) for a named drug"
        elif np.isinf(v):
            why = f"{col} = {v:g} is not a finite concentration"
        elif v < 0:
            why = f"negative concentration {col} = {v:g}; concentrations are uM >= 0"
        else:
            why = f"{col} = {v:g} uM is above {MAX_CONC_UM:g} uM (1 M): a typo or a unit error"
        out[r] = f"row {r + 1}: {why}"
    return out


def _viability_problems(
    df: pd.DataFrame, num: np.ndarray, text: np.ndarray, used: np.ndarray
) -> np.ndarray:
    """Per row: why a used well's viability (%) cannot be used ("" = fine); such wells are left
    out of their block."""
    bad = used & (text | ~np.isfinite(num) | (np.abs(num) > MAX_ABS_VIABILITY))
    out = np.full(len(num), "", dtype=object)
    for r in np.flatnonzero(bad):
        v = num[r]
        if text[r]:
            out[r] = f"{df['viability'].iloc[r]!r} (not a number)"
        elif np.isnan(v):
            out[r] = "empty (NaN)"
        else:
            out[r] = f"{v:g} (not a plausible % viability)"
    return out


def _orient(g: dict, pa: str, pb: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Doses (d1, d2) of pair (pa, pb) for the wells of one group and which wells belong to it.

    A sham pair (pa == pb): wells naming the drug in drug_a feed its first axis, in drug_b its
    second (a single agent named in drug_a only is on the first axis)."""
    ga, gb, gba, gbb, gboth, gca, gcb = (
        g[k] for k in ("da", "db", "blank_a", "blank_b", "both", "ca", "cb")
    )
    fwd = gboth & (ga == pa) & (gb == pb)
    rev = gboth & (ga == pb) & (gb == pa) & (pa != pb)
    alone_a = ~gba & gbb & (ga == pa)
    alone_a2 = gba & ~gbb & (gb == pa) & (pa != pb)
    alone_b = ~gba & gbb & (ga == pb) & (pa != pb)
    alone_b2 = gba & ~gbb & (gb == pb)
    # doses as written (drug a's column first) unless the pair is reversed: one np.where each
    d1 = np.where(fwd | alone_a, gca, np.where(rev | alone_a2, gcb, 0.0))
    d2 = np.where(fwd | alone_b2, gcb, np.where(rev | alone_b, gca, 0.0))
    take = fwd | rev | alone_a | alone_b | alone_a2 | alone_b2 | g["vehicle"]
    return d1, d2, take


def _exclude_and_role(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: excluded (bool; True / 1 / yes in ``exclude``) and the role in lower case."""
    excl = np.zeros(len(df), bool)
    if "exclude" in df.columns and df["exclude"].dtype == np.bool_:
        excl = df["exclude"].to_numpy(dtype=bool)
    elif "exclude" in df.columns:
        excl = np.isin(
            np.char.lower(_text(df["exclude"]).astype(str)), ["true", "1", "1.0", "yes", "y"]
        )
    role = (
        np.char.lower(_text(df["role"]).astype(str))
        if "role" in df.columns
        else np.full(len(df), "", dtype="<U1")
    )
    return excl, role
