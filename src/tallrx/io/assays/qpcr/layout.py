"""qPCR plate layouts (wellmap TOML or a table with a well column) joined onto a qpcr table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.io.assays._tables import (
    PathLike,
    find_column,
    norm_name,
    normalize_wells,
    numeric_if_possible,
    read_table,
    require_column,
)
from tallrx.io.assays.qpcr._common import finish, task_names
from tallrx.io.plates.layout.files import read_wellmap

_SAMPLE_ALIASES = ("sample", "sample_name")
_TARGET_ALIASES = ("target", "primers", "primer", "gene", "assay", "target_name")


def read_qpcr_layout(path: PathLike | pd.DataFrame) -> pd.DataFrame:
    """A plate layout -> one row per well: well [+ plate] + annotation columns.

    wellmap TOML files are read with the ``wellmap`` package; CSV / TSV / XLSX need a ``well``
    column. Columns named sample / target (or primers / gene) / replicate / task fill those
    fields of the qPCR table; all other columns become condition columns.

    Returns
    -------
    pandas.DataFrame
        ``well`` ("A1"), ``plate`` (when given) and the layout's other columns, names in
        snake_case, numbers converted where every cell is one; ``attrs['where']``.
    """
    if isinstance(path, pd.DataFrame):
        layout, where = path.copy(), "layout"
    elif str(path).lower().endswith(".toml"):
        where = str(path)
        layout = read_wellmap(Path(path))
    else:
        where = str(path)
        layout = read_table(path, what="a plate layout with a 'well' column")
    well = require_column(
        layout,
        ("well", "well_position", "pos", "position"),
        where=where,
        what="the well of each layout row",
    )
    out = layout.rename(columns={well: "well"})
    out.columns = [c if c == "well" else norm_name(c) for c in out.columns]
    out["well"] = normalize_wells(out["well"], where=where)
    for c in out.columns:
        if c != "well":
            col = out[c]
            if col.map(lambda v: not isinstance(v, str | int | float | bool | type(None))).any():
                col = col.map(
                    lambda v: v if v is None or isinstance(v, float) and np.isnan(v) else str(v)
                )
            out[c] = (
                numeric_if_possible(col.astype(object).where(col.notna(), None))
                if col.dtype == object
                else col
            )
    key = ["plate", "well"] if "plate" in out.columns else ["well"]
    dup = out.duplicated(key)
    if dup.any():
        raise InputError(
            f"{where}: well {out.loc[dup, 'well'].iloc[0]} is listed twice in the layout"
        )
    out.attrs["where"] = where
    return out.reset_index(drop=True)


def apply_layout(qpcr: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """Join a layout (from :func:`read_qpcr_layout`) onto a qpcr table by well (and plate).

    Layout sample / target / replicate / task columns replace the file's values where given.
    Wells with data (a Ct or a sample name) that the layout does not cover are an error.

    Returns
    -------
    pandas.DataFrame
        The qpcr table (columns: see :func:`~tallrx.io.assays.qpcr.read_qpcr`), the layout's columns joined
        in as conditions.
    """
    where = layout.attrs.get("where", "layout")
    lay = layout.copy()
    rename = {}
    for field, aliases in (
        ("sample", _SAMPLE_ALIASES),
        ("target", _TARGET_ALIASES),
        ("replicate", ("replicate", "biological_replicate")),
        ("task", ("task",)),
        ("efficiency", ("efficiency",)),
    ):
        col = find_column([c for c in lay.columns if c != "well"], aliases)
        if col is not None:
            rename[col] = f"_layout_{field}"
    lay = lay.rename(columns=rename)
    on = ["plate", "well"] if "plate" in lay.columns and "plate" in qpcr.columns else ["well"]
    if on == ["well"] and "plate" in lay.columns:
        lay = lay.drop(columns="plate")
    clash = [c for c in lay.columns if c not in on and c in qpcr.columns]
    merged = qpcr.drop(columns=clash).merge(lay, on=on, how="left", indicator=True)
    uncovered = (merged["_merge"] == "left_only") & (
        merged["ct"].notna() | (merged["sample"] != "")
    )
    if uncovered.any():
        wells = merged.loc[uncovered, "well"].unique()
        raise InputError(
            f"{where}: well(s) {', '.join(wells[:8])}"
            f"{' ...' if len(wells) > 8 else ''} have data but no layout entry; "
            f"add them to the layout (layout wells: {len(lay)})."
            f"{did_you_mean(wells[0], lay['well'])}"
        )
    merged = merged.drop(columns="_merge")
    for field in ("sample", "target", "replicate", "task", "efficiency"):
        col = f"_layout_{field}"
        if col in merged.columns:
            val = merged.pop(col)
            if field == "task":
                val = task_names(val)
            elif field in ("sample", "target"):
                val = val.where(val.notna(), None).map(lambda v: "" if v is None else str(v))
            merged[field] = val.where(
                pd.Series(val).astype(str).ne("") & pd.Series(val).notna(),
                merged[field] if field in merged.columns else np.nan,
            )
    return finish(merged, plate="plate", where=where)
