"""Small, pure helpers the claim evaluators share: reading condition levels and picking rows.

Condition columns come from lab sheets as numbers, booleans or text ('+', '-', 'yes', 0, 250);
these helpers read them the same way for measured and simulated tables.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: drug columns a lane / well / IP condition can carry (uM); a row is "untreated" when all are 0
DRUG_COLUMNS = (
    "prednisolone",
    "dexamethasone",
    "selumetinib",
    "trametinib",
    "binimetinib",
    "ci1040",
    "ruxolitinib",
    "bortezomib",
)
_ON = {"+", "yes", "y", "true", "on", "induced", "dox", "with"}
_OFF = {"-", "no", "n", "false", "off", "", "none", "nan", "uninduced", "without"}


def is_on(values: pd.Series | Iterable) -> np.ndarray:
    """Condition levels as booleans: numbers > 0, True, '+', 'yes' -> True; 0, '-', '' -> False.

    >>> is_on(pd.Series([0, 1, "+", "-", "yes", 25.0, None])).tolist()
    [False, True, True, False, True, True, False]
    """
    out = []
    for v in pd.Series(list(values), dtype=object):
        if isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
            continue
        if pd.isna(v):
            out.append(False)
            continue
        try:
            out.append(float(v) > 0)
            continue
        except (TypeError, ValueError):
            pass
        text = str(v).strip().lower()
        out.append(text in _ON or (text not in _OFF and bool(text)))
    return np.asarray(out, dtype=bool)


def numeric(values: pd.Series) -> np.ndarray:
    """A column as floats (text that is not a number becomes NaN; '-' and '' read as 0)."""
    s = pd.Series(values, dtype=object).map(
        lambda v: 0.0 if isinstance(v, str) and v.strip().lower() in _OFF else v
    )
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def line_of(df: pd.DataFrame) -> pd.Series:
    """The cell line / sample label of each row: ``genotype`` when present, else ``sample``."""
    col = "genotype" if "genotype" in df.columns else "sample"
    return df[col].astype("str")


def untreated(df: pd.DataFrame, keep: Iterable[str] = ()) -> pd.Series:
    """Rows where every drug column (except those in ``keep``) is 0 or missing."""
    mask = pd.Series(True, index=df.index)
    for col in DRUG_COLUMNS:
        if col in df.columns and col not in keep:
            mask &= ~is_on(df[col])
    return mask


def with_only(df: pd.DataFrame, drug: str, others: Iterable[str] = ()) -> pd.Series:
    """Rows treated with ``drug`` (> 0) and no other drug except those named in ``others``."""
    if drug not in df.columns:
        return pd.Series(False, index=df.index)
    return untreated(df, keep=(drug, *others)) & is_on(df[drug])


def drug_mask(df: pd.DataFrame, drug: str, column: str = "drug_a") -> pd.Series:
    """Rows whose ``column`` names ``drug`` (case-insensitive)."""
    if column not in df.columns:
        return pd.Series(False, index=df.index)
    return df[column].astype("str").str.strip().str.lower() == drug.lower()


def own_reference(curves: pd.DataFrame) -> pd.DataFrame:
    """Curves normalized to each condition's own vehicle (``reference == 'own'`` when present)."""
    if "reference" in curves.columns:
        return curves[curves["reference"].astype("str") == "own"]
    return curves


def mean_by(df: pd.DataFrame, keys: list[str], value: str) -> pd.Series:
    """Mean of ``value`` per key combination (NaN ignored)."""
    return df.assign(_v=numeric(df[value])).groupby(keys, dropna=False)["_v"].mean()


def ratio(a: float, b: float) -> float:
    """a / b, NaN when b is not a positive finite number."""
    return float(a / b) if np.isfinite(a) and np.isfinite(b) and b > 0 else float("nan")
