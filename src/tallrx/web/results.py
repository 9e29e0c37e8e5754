"""What a run's results page shows, read from the CLI's own output files.

Tables are read back from the run's CSVs (never recomputed), so the page shows exactly what the
downloads hold. Sections: plate QC (``qc.csv``), the AUC table (``curves.csv``: one row per drug,
one column per sample and condition), IL7 strata (``strata.csv``), synergy calls
(``combinations.csv``), and flagged rows of every table (``fit_ok`` False, ``flagged`` /
``exclude`` True, or a ``message``), with their messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: rows shown per table on a page (the CSV download holds them all)
MAX_ROWS = 200
#: the tables shown as they are: file stem -> (section id, title)
SHOWN = {
    "qc": ("qc-table", "Plate QC"),
    "strata": ("strata-table", "IL7 strata"),
    "combinations": ("synergy-table", "Synergy calls"),
    "binding": ("binding-table", "Co-IP binding"),
    "expression": ("expression-table", "qPCR expression"),
}
#: columns naming a curve's sample and conditions (not values)
_CURVE_VALUES = {"n", "n_conc", "ic50", "ic50_se", "hill", "hill_se", "top", "top_se", "bottom",
                 "bottom_se", "emax", "auc", "auc_fit", "auc_max", "auc_window_low",
                 "auc_window_high", "r2", "ic50_rel", "ic50_abs", "ic50_extrapolated", "flat",
                 "p_flat", "at_bound", "fit_ok", "message", "reference", "drug_a", "dss1",
                 "dss2", "dss3", "gr50", "grmax", "gr_aoc"}


@dataclass
class Table:
    """One HTML table: id, title, column names, rows of strings, how many rows exist."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    n_rows: int


@dataclass
class Results:
    """The figures (output names) and tables of a finished run."""

    figures: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    flagged: Table | None = None


def _cell(v: object) -> str:
    if isinstance(v, float):
        return "" if pd.isna(v) else f"{v:.4g}"
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _table(df: pd.DataFrame, id_: str, title: str) -> Table:
    shown = df.head(MAX_ROWS)
    return Table(id_, title, [str(c) for c in shown.columns],
                 [[_cell(v) for v in row] for row in shown.itertuples(index=False)], len(df))


def _read(path: Path) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError):
        return None


def auc_table(curves: pd.DataFrame) -> pd.DataFrame:
    """AUC (% x log10 uM, the ``auc`` column) with one row per drug and one column per sample
    (and condition); drug order as in the curves table."""
    keys = [c for c in curves.columns if c not in _CURVE_VALUES]
    if not keys:
        keys = ["sample"] if "sample" in curves else []
    label = (curves[keys].astype(str).agg(" | ".join, axis=1) if keys
             else pd.Series("auc", index=curves.index))
    wide = (curves.assign(_col=label)
            .pivot_table(index="drug_a", columns="_col", values="auc", aggfunc="first",
                         sort=False, dropna=False))
    wide.columns.name = None
    return wide.reset_index().rename(columns={"drug_a": "drug"})


def _flagged(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = []
    for name, df in tables.items():
        mask = pd.Series(False, index=df.index)
        for col in ("fit_ok",):
            if col in df:
                mask |= df[col].astype(str).str.lower().isin(["false", "0"])
        for col in ("flagged", "exclude"):
            if col in df:
                mask |= df[col].astype(str).str.lower().isin(["true", "1"])
        if "message" in df:
            mask |= df["message"].fillna("").astype(str).str.strip().ne("")
        if not mask.any():
            continue
        keys = [c for c in ("plate", "well", "sample", "drug", "drug_a", "drug_b", "protein",
                            "target") if c in df]
        rows = df.loc[mask, keys].astype(str).agg(" | ".join, axis=1) if keys else ""
        parts.append(pd.DataFrame({"table": f"{name}.csv", "row": rows,
                                   "message": df.loc[mask, "message"].fillna("").astype(str)
                                   if "message" in df else ""}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["table", "row", "message"])


def collect(out: Path, files: list[str]) -> Results:
    """The :class:`Results` of the run whose outputs are in ``out`` (``files`` relative names)."""
    res = Results(figures=[f for f in files if f.startswith("figures/")
                           and f.endswith((".png", ".svg"))])
    tables = {Path(f).stem: df for f in files if f.endswith(".csv") and "/" not in f
              and (df := _read(out / f)) is not None}
    if "curves" in tables and {"drug_a", "auc"} <= set(tables["curves"].columns):
        res.tables.append(_table(auc_table(tables["curves"]), "auc-table",
                                 "AUC per drug (% x log10 uM)"))
    for stem, (id_, title) in SHOWN.items():
        if stem in tables:
            res.tables.append(_table(tables[stem], id_, title))
    res.flagged = _table(_flagged(tables), "flagged-table", "Flagged rows")
    return res
