"""Shared checks and helpers for well-level tables (``wells`` and ``viability``)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx.errors import DegenerateDataWarning, SchemaError, did_you_mean
from tallrx.plate import SCREEN_FORMATS, WELL_RE, is_row_label, plate_for, row_number
from tallrx.schema import ROLES, condition_columns, validate

#: columns written by :func:`tallrx.tidy.normalize.normalize_viability` (recomputed on re-run)
NORMALIZATION_COLUMNS = ("viability", "reference", "blank_signal", "vehicle_signal", "n_vehicle")

_TRUE = {"true", "1", "yes", "y", "t", "1.0"}
_FALSE = {"false", "0", "no", "n", "f", "0.0", "", "nan", "none"}


def well_label(df: pd.DataFrame, i: int) -> str:
    """'plate P1 well B03' for positional row ``i`` of ``df``."""
    return f"plate {df['plate'].iloc[i]} well {df['well'].iloc[i]}"


def prepare_wells(wells: pd.DataFrame, *, where: str = "wells") -> pd.DataFrame:
    """Validate a wells (or viability) table and return a clean copy.

    Roles are lower-cased and checked against :data:`tallrx.schema.ROLES`; ``exclude`` becomes a
    bool column and ``exclude_reason`` a string column (both added when missing); wells without a
    signal are kept but excluded with the reason "missing signal". Duplicate plate/well pairs are
    an error.
    """
    validate(wells, "wells", where=where)
    df = wells.reset_index(drop=True).copy()
    if len(df) == 0:
        raise SchemaError(f"{where}: the table has no wells; check that the plate files were read")
    role = df["role"].astype("str").str.strip().str.lower()
    bad = ~role.isin(ROLES) | df["role"].isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raw = df["role"].iloc[i]
        raise SchemaError(
            f"{where}: {well_label(df, i)} has role {raw!r}; expected one of "
            f"{', '.join(ROLES)}.{did_you_mean(str(raw).strip().lower(), ROLES)} "
            "Fix the role column of the plate layout."
        )
    df["role"] = role
    dup = df.duplicated(["plate", "well"], keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise SchemaError(
            f"{where}: {well_label(df, i)} appears more than once; each well needs exactly one "
            "row (check for a layout listed twice or two readouts merged into one table)"
        )
    df["exclude"] = _as_bool(df["exclude"], where) if "exclude" in df else False
    if "exclude_reason" in df:
        reason = df["exclude_reason"].astype("object")
        df["exclude_reason"] = reason.where(reason.notna(), "").astype("str")
    else:
        df["exclude_reason"] = ""
    df["signal"] = df["signal"].astype("float64")
    missing = df["signal"].isna() & ~df["exclude"]
    if missing.any():
        warnings.warn(
            f"{where}: {int(missing.sum())} well(s) without a signal (first: "
            f"{well_label(df, int(np.flatnonzero(missing.to_numpy())[0]))}) are excluded",
            DegenerateDataWarning,
            stacklevel=3,
        )
        flag(df, missing.to_numpy(), "missing signal")
    return df


def _as_bool(col: pd.Series, where: str) -> pd.Series:
    """Coerce an exclude column (bool, 0/1, 'true'/'false', empty) to bool."""
    if pd.api.types.is_bool_dtype(col):
        return col.fillna(False).astype(bool)
    text = col.astype("object").map(lambda v: "" if v is None or v is pd.NA else str(v))
    text = text.str.strip().str.lower()
    ok = text.isin(_TRUE | _FALSE)
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise SchemaError(
            f"{where}: column 'exclude' row {i + 1} holds {col.iloc[i]!r}; expected true/false "
            "(or 1/0, or empty for not excluded)"
        )
    return text.isin(_TRUE).astype(bool)


def flag(
    df: pd.DataFrame, mask: np.ndarray, reason: str | Sequence[str], *, exclude: bool = True
) -> None:
    """Set ``exclude`` True on ``mask`` and append ``reason`` to ``exclude_reason`` (in place);
    with ``exclude=False`` only the reason is appended (a flag that keeps the well in use)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    old = df["exclude_reason"].to_numpy(dtype=object)[mask]
    new = np.broadcast_to(np.asarray(reason, dtype=object), old.shape)
    joined = [
        n if not o else (o if n in o.split("; ") else f"{o}; {n}")
        for o, n in zip(old, new, strict=True)
    ]
    reasons = df["exclude_reason"].to_numpy(dtype=object).copy()
    reasons[mask] = joined
    df["exclude_reason"] = pd.array(reasons, dtype="str")
    if not exclude:
        return
    excl = df["exclude"].to_numpy(dtype=bool).copy()
    excl[mask] = True
    df["exclude"] = excl


def group_columns(df: pd.DataFrame, conditions: Sequence[str] | None, *, where: str) -> list[str]:
    """The condition columns that, with plate and sample, define a normalization group.

    By default every column that the ``viability`` schema does not know (``il7``, ``dox``, ...);
    ``conditions`` names them explicitly.
    """
    if conditions is None:
        return [c for c in condition_columns(df, "viability") if c not in NORMALIZATION_COLUMNS]
    conds = list(conditions)
    for c in conds:
        if c not in df.columns:
            raise SchemaError(
                f"{where}: condition column '{c}' not found "
                f"(has: {', '.join(map(str, df.columns))}).{did_you_mean(c, df.columns)}"
            )
    return conds


def describe_group(keys: Sequence[str], values: Sequence) -> str:
    """'plate P1, sample S1, il7=25' for a group key."""
    parts = []
    for k, v in zip(keys, values, strict=False):
        parts.append(f"{k} {v}" if k in ("plate", "sample") else f"{k}={format_value(v)}")
    return ", ".join(parts)


def format_value(v) -> str:
    """25.0 -> '25', 'a' -> 'a', NaN -> 'NA'."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return "NA"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


# ---------------------------------------------------------------------------- plate geometry
def _row_indices(values: pd.Series) -> np.ndarray:
    """Row labels ('A', 'P', 'AA', 5, '5') -> 1-based ints (letters by :func:`tallrx.plate.row_number`);
    unreadable -> -1."""
    mapping = {}
    for v in pd.unique(values.dropna()):  # a handful of distinct labels
        number = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
        if np.isfinite(number) and float(number).is_integer():
            mapping[v] = int(number)
        else:
            mapping[v] = row_number(str(v)) if is_row_label(str(v)) else -1
    return values.map(mapping).fillna(-1).to_numpy(dtype=float).astype(int)


def well_positions(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """1-based (row, col) of every well, from ``row``/``col`` columns or parsed from ``well``
    (:data:`tallrx.plate.WELL_RE`: 'B7', 'b07', 'AF48').

    Wells whose position cannot be read get -1 (they are left out of the edge test).
    """
    names, inverse = np.unique(df["well"].astype("str").to_numpy(), return_inverse=True)
    parsed = pd.Series(names).str.extract(WELL_RE)  # each distinct name once
    rows = _row_indices(parsed[0].str.upper())[inverse]
    cols = pd.to_numeric(parsed[1], errors="coerce").fillna(-1).to_numpy().astype(int)[inverse]
    if "row" in df.columns and "col" in df.columns:
        r = _row_indices(df["row"])
        c = pd.to_numeric(df["col"], errors="coerce").fillna(-1).to_numpy().astype(int)
        use = (r > 0) & (c > 0)
        rows = np.where(use, r, rows)
        cols = np.where(use, c, cols)
    bad = (rows <= 0) | (cols <= 0)
    rows[bad] = -1
    cols[bad] = -1
    return rows, cols


def plate_format(max_row: int, max_col: int) -> tuple[int, int]:
    """The smallest screening plate (:data:`tallrx.plate.SCREEN_FORMATS`: 96, 384, 1536 wells)
    holding the given positions; the positions themselves when none does."""
    return plate_for(max_row, max_col, formats=SCREEN_FORMATS) or (max_row, max_col)
