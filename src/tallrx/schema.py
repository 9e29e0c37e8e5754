"""The canonical tidy tables that flow between tallrx layers.

Columns are snake_case and carry no units in their names; units live here (``UNITS``) and in
``Result.meta``. Condition columns (``il7``, ``dox``, ``genotype``, ...) are free-form and carried
through every step. Every table carries ``source`` = ``measured`` | ``simulated``.

Use :func:`validate` at every layer boundary: it raises a :class:`~tallrx.errors.SchemaError`
naming the missing column (with a "did you mean") or the first bad row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tallrx.errors import SchemaError, did_you_mean

SOURCES = ("measured", "simulated")
ROLES = ("treated", "vehicle", "blank", "positive")


@dataclass(frozen=True)
class TableSpec:
    """Required columns of one tidy table, their kinds and units."""

    name: str
    one_row_per: str
    required: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)
    optional: tuple[str, ...] = ()


TABLES: dict[str, TableSpec] = {
    "wells": TableSpec(
        "wells",
        "well",
        ("plate", "well", "sample", "drug_a", "conc_a", "drug_b", "conc_b", "role", "signal",
         "replicate"),
        numeric=("conc_a", "conc_b", "signal"),
        units={"conc_a": "uM", "conc_b": "uM", "signal": "instrument units"},
        optional=("row", "col", "source", "exclude", "exclude_reason", "conc_unit",
                  "conc_unit_b", "vehicle"),
    ),
    "viability": TableSpec(
        "viability",
        "well",
        ("plate", "well", "sample", "drug_a", "conc_a", "drug_b", "conc_b", "role", "signal",
         "replicate", "viability", "exclude", "exclude_reason"),
        numeric=("conc_a", "conc_b", "signal", "viability"),
        units={"conc_a": "uM", "conc_b": "uM", "viability": "% of vehicle",
               "blank_signal": "instrument units", "vehicle_signal": "instrument units"},
        optional=("row", "col", "source", "reference", "blank_signal", "vehicle_signal",
                  "n_vehicle", "conc_unit", "conc_unit_b", "vehicle"),
    ),
    "curves": TableSpec(
        "curves",
        "sample x condition x drug",
        ("sample", "drug_a", "n", "ic50", "hill", "top", "bottom", "emax", "auc", "auc_fit",
         "auc_max", "r2", "ic50_extrapolated", "fit_ok", "message"),
        numeric=("ic50", "hill", "top", "bottom", "emax", "auc", "auc_fit", "auc_max", "r2"),
        units={"ic50": "uM", "auc": "% x log10(uM)", "auc_fit": "% x log10(uM)",
               "auc_window_low": "uM", "auc_window_high": "uM"},
        optional=("auc_window_low", "auc_window_high", "source"),
    ),
    "combinations": TableSpec(
        "combinations",
        "sample x condition x drug pair",
        ("sample", "drug_a", "drug_b", "ci_mean", "bliss", "loewe", "hsa", "zip", "call",
         "fit_ok", "message"),
        numeric=("ci_mean", "bliss", "loewe", "hsa", "zip"),
        units={"bliss": "percentage points of inhibition", "loewe": "percentage points",
               "hsa": "percentage points", "zip": "percentage points"},
    ),
    "coip": TableSpec(
        "coip",
        "sample x protein",
        ("experiment", "bait", "sample", "protein", "ibaq", "replicate"),
        numeric=("ibaq",),
        units={"ibaq": "iBAQ intensity"},
    ),
    "qpcr": TableSpec(
        "qpcr",
        "well x target",
        ("plate", "well", "sample", "target", "ct", "replicate"),
        numeric=("ct",),
        units={"ct": "cycles"},
        optional=("efficiency", "source"),
    ),
    "blots": TableSpec(
        "blots",
        "lane x band",
        ("blot", "lane", "sample", "target", "intensity"),
        numeric=("intensity",),
        units={"intensity": "densitometry units"},
    ),
    "timecourse": TableSpec(
        "timecourse",
        "simulation x time x observable",
        ("sim_id", "time_h", "observable", "value"),
        numeric=("time_h", "value"),
        units={"time_h": "h", "value": "nM (or fraction / fold, per observable)"},
    ),
}

UNITS: dict[str, dict[str, str]] = {name: spec.units for name, spec in TABLES.items()}


def validate(df: pd.DataFrame, kind: str, *, where: str = "table") -> pd.DataFrame:
    """Check that ``df`` is a valid ``kind`` table; return it unchanged.

    ``where`` names the input (a file path or step) in error messages.

    >>> import pandas as pd
    >>> validate(pd.DataFrame({"sim_id": [1], "time_h": [0.0], "observable": ["pERK"],
    ...                        "value": [0.1]}), "timecourse").shape
    (1, 4)
    """
    if kind not in TABLES:
        raise SchemaError(f"unknown table kind '{kind}'.{did_you_mean(kind, TABLES)}")
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{where}: expected a pandas DataFrame for a '{kind}' table, "
                          f"got {type(df).__name__}")
    spec = TABLES[kind]
    missing = [c for c in spec.required if c not in df.columns]
    if missing:
        hint = did_you_mean(missing[0], df.columns)
        raise SchemaError(
            f"{where}: a '{kind}' table needs column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, df.columns))}).{hint}"
        )
    for col in spec.numeric:
        if col in df.columns and not (
            pd.api.types.is_numeric_dtype(df[col]) or df[col].isna().all()
        ):
            bad = pd.to_numeric(df[col], errors="coerce").isna() & df[col].notna()
            row = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
            raise SchemaError(
                f"{where}: column '{col}' must be numeric; row {row + 1} holds "
                f"{df[col].iloc[row]!r}"
            )
    if "source" in df.columns:
        bad = ~df["source"].isin(SOURCES)
        if bad.any():
            raise SchemaError(f"{where}: column 'source' must be one of {SOURCES}, "
                              f"got {df['source'][bad].iloc[0]!r}")
    return df


def condition_columns(df: pd.DataFrame, kind: str) -> list[str]:
    """Columns of ``df`` that are neither required nor optional for ``kind``: the conditions."""
    spec = TABLES[kind]
    known = set(spec.required) | set(spec.optional) | {"source"}
    return [c for c in df.columns if c not in known]
