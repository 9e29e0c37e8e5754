"""The qpcr table's columns, task names and Ct parsing shared by every qPCR reader."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.errors import InputError
from tallrx.io.assays._tables import to_number
from tallrx.schema import TABLES, validate

#: What ``tallrx qpcr`` reads, for error messages.
ACCEPTED = (
    "accepted: Bio-Rad CFX CSV, QuantStudio / ViiA 7 text, LightCycler text, RDML, a long table "
    "(sample, target, ct) or a wide table (one column per target) as CSV, TSV or XLSX"
)
#: Vendor task / content labels -> tallrx task.
TASKS = {
    "unknown": "unknown",
    "unkn": "unknown",
    "unk": "unknown",
    "sample": "unknown",
    "ntc": "ntc",
    "no template control": "ntc",
    "ntp": "ntc",
    "nac": "ntc",
    "standard": "standard",
    "std": "standard",
    "nrt": "nrt",
    "no rt": "nrt",
    "-rt": "nrt",
    "neg ctrl": "negative",
    "negative": "negative",
    "negative control": "negative",
    "pos ctrl": "positive",
    "positive": "positive",
    "positive control": "positive",
    "pos": "positive",
    "opt": "unknown",
    "unkn_sample": "unknown",
}
UNDETERMINED = ("", "nan", "na", "n/a", "undetermined", "no ct", "no cq", "-", "none", "n.d.",
                "nd", "n/d", "undet", "undet.", "not detected", "no amp", "no amplification")
#: a Ct beyond the run's last cycle written as '>40' or '40+': not detected within the run
_BEYOND_RUN = r"^(?:>\s*\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*\+)$"
#: the qpcr table's columns in the schema's order (source is appended last)
COLUMNS = tuple(c for c in TABLES["qpcr"].names if c != "source")
NON_DETECT = "no Ct (non-detect: Undetermined / no amplification)"


def task_names(values: pd.Series) -> pd.Series:
    """Vendor task labels ('Unkn-01', 'Std', 'NTC', 'STANDARD') -> tallrx task names."""
    text = values.fillna("").astype(str).str.strip().str.lower()
    text = text.str.replace(r"[-_ ]?\d+$", "", regex=True)
    return text.map(lambda t: TASKS.get(t, "unknown" if t == "" else t))


def finish(df: pd.DataFrame, *, plate: str, where: str) -> pd.DataFrame:
    """Fill defaults, drop empty wells, order the columns, validate."""
    out = df.copy()
    out["plate"] = out["plate"].astype(str) if "plate" in out else plate
    for col, default in (
        ("replicate", 1),
        ("task", "unknown"),
        ("quantity", np.nan),
        ("omit", False),
        ("efficiency", np.nan),
        ("exclude", False),
        ("message", ""),
    ):
        if col not in out:
            out[col] = default
    out["sample"] = out["sample"].fillna("").astype(str).str.strip()
    out["target"] = out["target"].fillna("").astype(str).str.strip()
    empty = (out["sample"] == "") & (out["target"] == "") & out["ct"].isna()
    out = out.loc[~empty]
    if out.empty:
        raise InputError(
            f"{where}: no wells with a sample, target or Ct (the results table is empty); "
            "export the results with their Ct / Cq values"
        )
    out["sample"] = out["sample"].mask(
        out["sample"] == "",
        out["task"].map({"ntc": "NTC", "standard": "standard", "nrt": "NRT"}).fillna(""),
    )
    extra = [c for c in out.columns if c not in COLUMNS and c != "source"]
    if "source" not in out:
        out["source"] = "measured"
    out = out[[*COLUMNS, *extra, "source"]]
    return validate(out.reset_index(drop=True), "qpcr", where=where)


def set_ct(out: pd.DataFrame, values: pd.Series, *, where: str, column: str) -> None:
    """Parse Ct text into ``out['ct']`` with ``exclude`` / ``message`` per well (in place).

    '26,5' is read as 26.5 (a decimal comma; a Ct never needs a thousands separator). Non-detect
    words -> NaN + message; other text -> NaN, excluded, message quoting the cell. When
    no cell is a number but some are text, the file is not a Ct table: InputError at the first.
    """
    text = values.astype(str).str.strip()
    # a Ct never reaches 1,000 cycles: '26,5' is a decimal comma (European exports)
    text = text.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)  # other commas: not a Ct
    missing = (values.isna() | text.str.lower().isin(UNDETERMINED)
               | text.str.fullmatch(_BEYOND_RUN).fillna(False).astype(bool))
    num = pd.to_numeric(text.where(~missing), errors="coerce").astype(float)
    bad = num.isna() & ~missing
    if bad.any() and num.notna().sum() == 0:
        to_number(values, where=where, column=column, missing=UNDETERMINED)  # raises at row
    out["ct"] = num.to_numpy()
    out["exclude"] = bad.to_numpy()
    msg = np.where(missing, NON_DETECT, "").astype(object)
    msg[bad.to_numpy()] = [
        f"Ct {v!r} is not a number (column '{column}'): well excluded" for v in values[bad]
    ]
    out["message"] = msg
