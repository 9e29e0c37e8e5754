"""Checks of the tables stratification reads: columns, numbers, IL7 doses, pairing keys.

Every message names the table, the row and what was expected; none of these checks fits or
calls anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx.errors import AnalysisError, SchemaError, did_you_mean
from tallrx.paper import IL7_NG_ML
from tallrx.schema import TABLES, condition_columns

#: AUCs (and viabilities) beyond this in magnitude (and inf) are overflows, not areas: the pair
#: gets no call
MAX_AUC = 1e100

#: columns a fitter may add that are results, not conditions to pair on (``by`` overrides)
_RESULT_PREFIXES = (
    "n_",
    "ic50",
    "auc",
    "hill",
    "top",
    "bottom",
    "emax",
    "r2",
    "fit",
    "flat",
    "sse",
    "rmse",
    "aic",
    "bic",
    "se_",
    "p_",
    "at_",
    "message",
)
_RESULT_SUFFIXES = ("_se", "_sd", "_ci", "_low", "_high", "_lo", "_hi", "_p", "_pvalue")


def _require(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    """A SchemaError unless ``df`` is a DataFrame with the columns ``cols``."""
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what}: needs column(s) {', '.join(missing)} (has: "
            f"{', '.join(map(str, df.columns))}).{did_you_mean(missing[0], df.columns)}"
        )


def _show(value) -> str:
    """A cell value for a message: text quoted, numbers plain (no numpy reprs)."""
    return repr(value) if isinstance(value, str) else str(value)


def _numeric(df: pd.DataFrame, col: str, what: str, expected: str) -> pd.Series:
    """``df[col]`` as float; a non-numeric entry is an error naming its row."""
    raw = df[col]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna() & raw.notna() & raw.astype("str").str.strip().ne("")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"{what}: row {i + 1} (sample {df['sample'].iloc[i]}) has {col} = {_show(raw.iloc[i])}; "
            f"expected {expected}"
        )
    return num.astype(float)


def _doses(df: pd.DataFrame, condition: str, what: str) -> pd.Series:
    """The condition column as an IL7 dose (ng/ml; 0 = without)."""
    expected = f"the IL7 dose in ng/ml (0 = without IL7, e.g. {IL7_NG_ML:g} = with)"
    dose = _numeric(df, condition, what, expected)
    bad = ~np.isfinite(dose) | (dose < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"{what}: row {i + 1} (sample {df['sample'].iloc[i]}) has {condition} = "
            f"{_show(df[condition].iloc[i])}; expected {expected}"
        )
    return dose


def _drug_mask(df: pd.DataFrame, drug: str | None, what: str) -> np.ndarray:
    """Rows of ``drug`` in drug_a (case-insensitive); None or "all": every row."""
    names = df["drug_a"].astype("str").str.strip()
    if drug is None or str(drug).lower() == "all":
        return np.ones(len(df), dtype=bool)
    mask = (names.str.lower() == str(drug).strip().lower()).to_numpy()
    if not mask.any():
        present = sorted(set(names))
        raise AnalysisError(
            f"{what}: no rows with drug_a '{drug}' (drugs present: {', '.join(present)})."
            f"{did_you_mean(str(drug), present)} Pass drug=None (--drug all) for every drug."
        )
    return mask


def _pairing_columns(curves: pd.DataFrame, condition: str, by: Sequence[str] | None) -> list[str]:
    """Condition columns (besides ``condition``) that must match between -IL7 and +IL7 rows."""
    if by is not None:
        by = [b for b in dict.fromkeys(by) if b not in ("sample", "drug_a", condition)]
        _require(curves, by, "curves (--by)")
        return list(by)
    out = []
    for c in condition_columns(curves, "curves"):
        if _is_result_column(c, condition):
            continue
        col = curves[c]
        if pd.api.types.is_float_dtype(col):
            vals = col.dropna().to_numpy()
            if not np.all(vals == np.round(vals)):
                continue  # a measured quantity, not a condition level
        out.append(c)
    return out


def _is_result_column(column, condition: str) -> bool:
    """True for the condition itself, internal columns and fit results (auc, ic50_se, n_...)."""
    name = str(column).lower()
    return (
        column == condition
        or column in TABLES["curves"].required
        or name.startswith(("_", *_RESULT_PREFIXES))
        or name.endswith(_RESULT_SUFFIXES)
    )


def _check_unique(df: pd.DataFrame, keys: list[str], condition: str, what: str) -> None:
    """One row per pairing key and dose; otherwise name the rows and what differs between them."""
    cols = [*keys, "_dose"]
    dup = df.duplicated(cols, keep=False)
    if not dup.any():
        return
    rows = df[dup]
    first = rows.iloc[0]
    gid = rows.groupby(cols, dropna=False, sort=False).ngroup().to_numpy()
    same = rows[gid == gid[0]]
    differ = [
        c
        for c in df.columns
        if c not in cols and not str(c).startswith("_") and same[c].nunique(dropna=False) > 1
    ]
    label = ", ".join(f"{k} {first[k]}" for k in keys) + f", {condition}={first['_dose']:g}"
    conditions = [c for c in differ if not _is_result_column(c, condition)]
    if conditions:
        hint = (
            f" They differ in {', '.join(map(str, conditions[:5]))}; if that is a condition, "
            "pass by=[...] (--by) naming it."
        )
    else:
        hint = " Remove the duplicate rows (the same curve listed twice?)."
    raise AnalysisError(
        f"{what}: {len(same)} rows for {label}; expected one curve per sample, drug and "
        f"condition.{hint}"
    )


def _usable(v: pd.DataFrame, role: str) -> np.ndarray:
    """Wells of ``role`` (when a role column exists), not excluded, with a finite ``_viab``."""
    keep = np.isfinite(v["_viab"].to_numpy(dtype=float))
    if "role" in v.columns:
        keep = keep & v["role"].astype("str").str.strip().str.lower().eq(role).to_numpy()
    if "exclude" in v.columns:
        flag = v["exclude"].astype("str").str.strip().str.lower()
        keep = keep & ~flag.isin(["true", "1", "yes", "1.0"]).to_numpy()
    return keep
