"""Roche LightCycler 480 text exports and LightCycler 96 tables -> the qpcr table."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from tallrx.errors import InputError
from tallrx.io._cells import read_text
from tallrx.io.assays._tables import (
    PathLike,
    find_column,
    normalize_wells,
    require_column,
    to_bool,
    to_number,
)
from tallrx.io.assays.qpcr._common import finish, set_ct, task_names


def read_lightcycler(
    path: PathLike, *, target: str | None = None, plate: str | None = None
) -> pd.DataFrame:
    """Roche LightCycler 480 text export (Pos / Name / Cp) or LightCycler 96 table.

    LightCycler 480 exports have no target column: pass ``target`` or a layout with a target
    column; otherwise the selected filter (e.g. 'SYBR Green I / HRM Dye (465-510)') stands in
    and ``attrs['notes']`` says so. Include=False -> ``omit``; Standard > 0 -> a standard well
    with that quantity.

    Returns
    -------
    pandas.DataFrame
        The qpcr table (columns: see :func:`~tallrx.io.assays.qpcr.read_qpcr`); ``attrs['notes']``.
    """
    where = str(path)
    text = read_text(path, what="a Roche LightCycler text export")
    lines = text.splitlines()
    first = lines[0] if lines else ""
    notes = []
    filt = None
    m = re.match(r"^\s*Experiment:\s*(?P<exp>.*?)\s+Selected Filter:\s*(?P<filter>.+?)\s*$", first)
    if m:
        filt = m.group("filter")
        lines = lines[1:]
        plate = plate or m.group("exp")
    body = "\n".join(ln for ln in lines if ln.strip())
    try:
        raw = pd.read_csv(io.StringIO(body), sep="\t", dtype=str)
    except Exception as exc:
        raise InputError(
            f"{where}: cannot read the LightCycler table ({type(exc).__name__}); "
            "expected tab-separated Pos / Name / Cp columns"
        ) from exc
    well = require_column(raw, ("Pos", "Well", "Position"), where=where, what="well positions")
    cq = require_column(raw, ("Cp", "Cq", "Ct"), where=where, what="Cp / Cq values")
    out = pd.DataFrame({"well": normalize_wells(raw[well], where=where)})
    out["sample"] = raw[
        require_column(raw, ("Name", "Sample Name"), where=where, what="sample names")
    ]
    gene = find_column(raw.columns, ("Gene Name", "Target", "Target Name"))
    if gene:
        out["target"] = raw[gene]
    elif target:
        out["target"] = target
    else:
        out["target"] = filt or "unknown target"
        notes.append(
            "LightCycler 480 export has no target column; the target is the filter "
            f"'{out['target'].iloc[0]}' until a layout or target= names it"
        )
    set_ct(out, raw[cq], where=where, column=cq)
    include = find_column(raw.columns, ("Include",))
    excluded = find_column(raw.columns, ("Excluded",))
    if include:
        out["omit"] = ~to_bool(raw[include], where=where, column=include)
    elif excluded:
        out["omit"] = to_bool(raw[excluded], where=where, column=excluded)
    stype = find_column(raw.columns, ("Sample Type",))
    out["task"] = task_names(raw[stype]) if stype else "unknown"
    std = find_column(raw.columns, ("Standard",))
    if std:
        q = to_number(raw[std], where=where, column=std)
        is_std = (q > 0).fillna(False)
        out["task"] = out["task"].mask(is_std, "standard")
        out["quantity"] = q.where(is_std)
    df = finish(out, plate=plate or Path(path).stem, where=where)
    df.attrs["notes"] = notes
    return df
