"""Healthy-donor DSS tables (the reference for selective DSS) -> long table ``drug, donor, dss``.

Two shapes are read:

* wide, as FIMM publishes it: one row per donor, one column per drug, the first column naming the
  donor (any header);
* long: columns ``drug``, ``donor`` (optional; rows are numbered when absent) and ``dss``.

A cell that is not a number is an error naming the file, row and column; empty cells are missing
donors for that drug and are left out.
"""

from __future__ import annotations

import pandas as pd

from tallrx.errors import InputError
from tallrx.io.assays._tables import PathLike, norm_name, table_or_file

__all__ = ["read_dss_controls"]

_WHAT = (
    "healthy-donor DSS: a wide table (donors as rows, drugs as columns, first column the donor) "
    "or a long table with columns drug, donor, dss"
)


def read_dss_controls(source: PathLike | pd.DataFrame) -> pd.DataFrame:
    """Read healthy donors' DSS (DSS2) per drug.

    Returns
    -------
    pandas.DataFrame
        One row per donor x drug: ``drug`` (str), ``donor`` (str), ``dss`` (float, the donor's
        DSS2 of that drug).
    """
    cells, where = table_or_file(source, name="controls table", what=_WHAT)
    names = {norm_name(c): c for c in cells.columns}
    if "drug" in names and "dss" in names:
        donor = cells[names["donor"]] if "donor" in names else pd.Series(
            [str(i + 1) for i in range(len(cells))], index=cells.index
        )
        long = pd.DataFrame(
            {"drug": cells[names["drug"]], "donor": donor, "dss": cells[names["dss"]]}
        )
        rows = cells.index
    else:
        if cells.shape[1] < 2:
            raise InputError(f"{where}: one column only; expected {_WHAT}")
        first = cells.columns[0]
        long = cells.melt(id_vars=[first], var_name="drug", value_name="dss").rename(
            columns={first: "donor"}
        )
        rows = long.index % len(cells)
    text = long["dss"].fillna("").astype(str).str.strip()
    empty = text.isin(["", "nan", "NA", "NaN", "None"])
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    bad = ~empty & values.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{where}: row {int(rows[i]) + 2}, drug {long['drug'].iloc[i]!r}: DSS {text.iloc[i]!r} "
            "is not a number; fix the cell or leave it empty for a missing donor"
        )
    out = pd.DataFrame(
        {
            "drug": long["drug"].astype(str).str.strip(),
            "donor": long["donor"].astype(str).str.strip(),
            "dss": values,
        }
    )[~empty.to_numpy()]
    if out.empty:
        raise InputError(f"{where}: no DSS values; expected {_WHAT}")
    return out.reset_index(drop=True)
