"""Bio-Rad CFX Manager / CFX Maestro 'Quantification Cq Results' CSV -> the qpcr table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tallrx.io.assays._tables import (
    PathLike,
    find_column,
    normalize_wells,
    read_table,
    require_column,
    to_number,
)
from tallrx.io.assays.qpcr._common import finish, set_ct, task_names


def read_biorad_cfx(path: PathLike, *, plate: str | None = None) -> pd.DataFrame:
    """Bio-Rad CFX Manager / CFX Maestro 'Quantification Cq Results' CSV.

    Empty Target cells take the fluorophore name (Fluor), so FAM / VIC channels stay apart.

    Returns
    -------
    pandas.DataFrame
        The qpcr table (columns: see :func:`~tallrx.io.assays.qpcr.read_qpcr`), with the condition column
        ``biological_set`` from 'Biological Set Name' when the file fills it.
    """
    where = str(path)
    raw = read_table(path, what="a Bio-Rad CFX 'Quantification Cq Results' CSV")
    well = require_column(raw, ("Well",), where=where, what="the well of each row")
    cq = require_column(raw, ("Cq", "Ct", "C(t)"), where=where, what="the Cq value")
    out = pd.DataFrame({"well": normalize_wells(raw[well], where=where)})
    fluor = find_column(raw.columns, ("Fluor", "Dye"))
    target = find_column(raw.columns, ("Target",))
    tgt = raw[target].fillna("").astype(str).str.strip() if target else pd.Series("", raw.index)
    if fluor:
        tgt = tgt.mask(tgt == "", raw[fluor].fillna("").astype(str).str.strip())
    out["target"] = tgt
    sample = find_column(raw.columns, ("Sample",))
    out["sample"] = raw[sample] if sample else ""
    set_ct(out, raw[cq], where=where, column=cq)
    content = find_column(raw.columns, ("Content",))
    out["task"] = task_names(raw[content]) if content else "unknown"
    sq = find_column(raw.columns, ("Starting Quantity (SQ)", "SQ"))
    if sq:
        q = to_number(raw[sq], where=where, column=sq)
        out["quantity"] = q.where(out["task"] == "standard")
    bio = find_column(raw.columns, ("Biological Set Name", "Biological Set"))
    if bio and raw[bio].notna().any():
        out["biological_set"] = raw[bio].fillna("").astype(str).str.strip()
    return finish(out, plate=plate or Path(path).stem, where=where)
