"""Curve grouping of ``fit_dose_response``: a tidy table -> validated points, one group per curve.

Checks the input (missing columns, text in numeric columns, negative concentrations and roles are
whole-input errors naming the row), converts concentrations to uM, marks the rows left out of their
curve (bad concentration or response), groups the rows into curves (sample + drug_a + condition
columns, or ``by``), repeats the vehicle points for every drug of their group and cuts the curves
into chunks of bounded size. The conventions are in :mod:`tallrx.analysis.doseresponse.batch`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.errors import AnalysisError, SchemaError, UnitError, did_you_mean
from tallrx.schema import ROLES, condition_columns
from tallrx.units import MOLAR_TO_UM, normalize_unit, to_um

__all__ = [
    "VIABILITY_PLATEAU_BOUNDS",
    "MAX_CONC_UM",
    "MAX_RESPONSE",
    "POINT_FIELDS",
    "plateau_bounds",
    "prepare",
    "points",
    "window_um",
    "chunks",
]

VIABILITY_PLATEAU_BOUNDS = (-50.0, 200.0)
"""Plateau box of % viability curves (widened to a curve's own data where those go beyond)."""
MAX_CONC_UM = 1e6
"""Concentrations above this (uM; 1 M, beyond any drug's solubility) are treated as errors."""
MAX_RESPONSE = 1e100
"""Responses beyond this in magnitude are overflows, not measurements (squares must stay finite)."""
_MAX_CELLS = 20_000_000  # padded points per chunk (float64: 160 MB per array at most)
_TRUE = {"true", "1", "yes", "y", "t", "1.0"}
POINT_FIELDS = ("gid", "conc", "y", "row", "badc", "bady")


def plateau_bounds(bounds, response: str) -> tuple[float, float] | None:
    """The plateau box in response units (None: derived from each curve's data)."""
    if bounds is None:
        return VIABILITY_PLATEAU_BOUNDS if response == "viability" else None
    try:
        low, high = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise AnalysisError(
            f"plateau_bounds {bounds!r}: expected two numbers (low, high) in response units"
        ) from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise AnalysisError(
            f"plateau_bounds ({low:g}, {high:g}): expected finite numbers with low < high, e.g. "
            f"{VIABILITY_PLATEAU_BOUNDS[0]:g} {VIABILITY_PLATEAU_BOUNDS[1]:g} for % viability"
        )
    return low, high


def prepare(viability, *, by, response, unit, where):
    """Validated working copy: conc in uM, y, role/exclude/combination masks; group keys."""
    if not isinstance(viability, pd.DataFrame):
        raise SchemaError(f"{where}: expected a pandas DataFrame, got {type(viability).__name__}")
    if len(viability) == 0:
        raise AnalysisError(f"{where}: the table has no rows; nothing to fit")
    cols = list(map(str, viability.columns))
    keys = list(dict.fromkeys(map(str, by))) if by is not None else None  # a key named twice
    if keys is not None and not keys:
        raise SchemaError(
            f"{where}: by names no column; pass group columns such as sample, drug_a, il7 "
            "(or None for the default: sample, drug_a and every condition column)"
        )
    needed = ["conc_a", response] + (keys if keys is not None else ["sample", "drug_a"])
    missing = [c for c in dict.fromkeys(needed) if c not in cols]
    if missing:
        hint = did_you_mean(missing[0], cols)
        if hint:
            hint += f" Rename that column to '{missing[0]}'."
        raise SchemaError(
            f"{where}: missing column(s) {', '.join(missing)} (has: {', '.join(cols)}).{hint}"
        )
    unit = normalize_unit(unit)
    df = viability.reset_index(drop=True)
    use = ~_as_bool(df["exclude"]) if "exclude" in df.columns else np.ones(len(df), bool)
    use = np.asarray(use, dtype=bool)
    role = None
    if "role" in df.columns:
        role = _per_unique(df["role"], lambda v: str(v).strip().lower())
        bad = ~np.isin(role, ROLES) & df["role"].notna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"{where}: row {i + 1} has role {_show(df['role'].iloc[i])}; expected one of "
                f"{', '.join(ROLES)}.{did_you_mean(role[i], ROLES)}"
            )
        # blanks and positive controls are not points of a curve; a missing role is "treated"
        use &= np.isin(role, ("treated", "vehicle")) | df["role"].isna().to_numpy()
    conc = _numeric(df["conc_a"], "conc_a", where, use, allow_nan=True)
    negative = use & np.isfinite(conc) & (conc < 0)  # -inf is a missing value: flagged below
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise SchemaError(
            f"{where}: row {i + 1} has conc_a {_show(df['conc_a'].iloc[i])}; concentrations "
            "must be >= 0 (0 = vehicle)"
        )
    y = _numeric(df[response], response, where, use, allow_nan=True)
    combo = np.zeros(len(df), bool)
    if "conc_b" in df.columns:
        cb = pd.to_numeric(df["conc_b"], errors="coerce").fillna(0.0).to_numpy()
        has_b = (
            df["drug_b"].notna().to_numpy() if "drug_b" in df.columns else np.ones(len(df), bool)
        )
        combo = has_b & (cb > 0)
    conc = _to_um(conc, unit, df, use & ~combo, where)
    if role is not None:  # a vehicle well is x = 0 whatever its conc_a cell says when empty
        conc = np.where((role == "vehicle") & np.isnan(conc), 0.0, conc)
    with np.errstate(invalid="ignore"):
        bad_conc = use & ~combo & ~(np.isfinite(conc) & (conc <= MAX_CONC_UM))
        bad_y = use & ~combo & ~bad_conc & (np.abs(y) > MAX_RESPONSE)  # inf included, NaN not
    conc = np.where(bad_conc, np.nan, conc)
    y = np.where(bad_conc | bad_y, np.nan, y)
    if keys is None:
        keys = [
            "sample",
            "drug_a",
            *[c for c in condition_columns(df, "viability")
              if c != response and c not in UNIT_COLUMNS],
        ]
        if "reference" in df.columns and df["reference"].nunique(dropna=False) > 1:
            keys.append("reference")  # viability normalized to different vehicles stays apart
    vkeys = [k for k in keys if k != "drug_a"]
    work = df[keys].copy()
    work["_conc"], work["_y"] = conc, y
    work["_use"] = use & ~combo
    work["_row"], work["_badc"], work["_bady"] = np.arange(len(df)), bad_conc, bad_y
    if role is not None:
        vehicle = role == "vehicle"
    elif (conc == 0).any():  # conc 0 of a "drug" never given above 0 (DMSO, empty drug_a)
        top_dose = work.groupby(keys, sort=False, dropna=False)["_conc"].transform("max")
        vehicle = (conc == 0) & (top_dose.to_numpy() <= 0)  # is a shared vehicle
    else:  # no conc 0 at all: no vehicle (and no grouping needed to find one)
        vehicle = np.zeros(len(df), dtype=bool)
    work["_vehicle"] = vehicle
    return work, keys, vkeys


def _show(value) -> str:
    """A cell value as the user typed it: 'ten', -1.0 (no numpy reprs)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _per_unique(col: pd.Series, fn) -> np.ndarray:
    """``fn`` applied once per distinct value of ``col`` (fast on long, repetitive columns)."""
    codes, uniq = pd.factorize(col, use_na_sentinel=False)
    return np.array([fn(v) for v in uniq], dtype=object)[codes] if len(uniq) else np.array([])


def _as_bool(col: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(col):
        return col.fillna(False).to_numpy(dtype=bool)
    return _per_unique(col, lambda v: str(v).strip().lower() in _TRUE).astype(bool)


def _numeric(col: pd.Series, name: str, where: str, use: np.ndarray, *, allow_nan: bool):
    """Column as float; a non-numeric (or, unless allowed, missing) used value is a user error."""
    vals = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    blank = np.zeros(vals.size, dtype=bool)
    nan = np.isnan(vals)
    if nan.any():  # only the unparsed cells need a look: truly empty, or text?
        sub = col[nan]
        blank[nan] = (sub.isna() | (sub.astype("str").str.strip() == "")).to_numpy()
    bad = use & np.isnan(vals) & (~blank | (not allow_nan))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "is empty" if blank[i] else f"holds {_show(col.iloc[i])}"
        raise SchemaError(
            f"{where}: row {i + 1}: column '{name}' {what}; expected a number"
            + ("" if allow_nan else " (0 for vehicle wells)")
        )
    return vals


#: per-row unit columns of conc_a: ``unit`` (a layout's; every value must be a known unit) and
#: ``conc_unit`` (tallrx's own: set where a dose is not in uM; activity units such as U/l stay)
UNIT_COLUMNS = ("unit", "conc_unit")


def _row_units(df: pd.DataFrame, unit: str, use: np.ndarray, where: str) -> np.ndarray:
    """The unit of each row's conc_a: its ``unit`` / ``conc_unit`` cell where filled, else
    ``unit``; a ``conc_unit`` that is no concentration unit (U/l) is kept as the row's own.

    >>> _row_units(pd.DataFrame({"unit": ["nM", None, "nmol/L"]}), "uM", np.ones(3, bool), "t")
    array(['nM', 'uM', 'nM'], dtype=object)
    """
    out = np.full(len(df), unit, dtype=object)
    for col in UNIT_COLUMNS:
        if col not in df.columns:
            continue
        cells = df[col].to_numpy(dtype=object)
        filled = pd.notna(cells) & (pd.Series(cells).astype(str).str.strip() != "").to_numpy()
        for value in pd.unique(cells[filled]):
            at = filled & (cells == value)
            try:
                out[at] = normalize_unit(value)
            except UnitError as exc:
                if col == "conc_unit":
                    out[at] = str(value)  # activity units: conc_a stays in them
                    continue
                i = int(np.flatnonzero(at & use)[0]) if (at & use).any() else int(np.flatnonzero(at)[0])
                raise UnitError(f"{where}: row {i + 1}, column '{col}': {exc}") from None
    return out


def _to_um(conc: np.ndarray, unit: str, df: pd.DataFrame, use: np.ndarray, where: str):
    """Concentrations in uM (each row in its own unit, see :func:`_row_units`); mass units use
    each drug's molecular weight (tallrx.units)."""
    if not any(c in df.columns for c in UNIT_COLUMNS):
        if unit in MOLAR_TO_UM:
            return conc * MOLAR_TO_UM[unit]
        row_unit = np.full(len(df), unit, dtype=object)
    else:
        row_unit = _row_units(df, unit, use, where)
    out = conc.copy()
    drugs = df["drug_a"].astype("str").to_numpy()
    for u in pd.unique(row_unit):
        at = row_unit == u
        if u in MOLAR_TO_UM:
            out[at] = conc[at] * MOLAR_TO_UM[u]
            continue
        try:
            normalize_unit(u)
        except UnitError:
            continue  # an activity unit of conc_unit: left as it is
        for drug in pd.unique(drugs[at & use & (conc > 0)]):  # vehicles (conc 0) need no weight
            sel = at & (drugs == drug)
            try:
                out[sel] = conc[sel] * float(to_um(1.0, u, drug=drug))
            except UnitError as exc:
                raise UnitError(f"{where}: {exc}") from None
    return out


def points(work: pd.DataFrame, keys: list[str], vkeys: list[str]):
    """Groups (one row per curve, sorted by key) and the curves' points sorted by (curve, conc).

    Vehicle points are repeated for every drug curve of their sample x condition group.
    """
    treated = work[work["_use"] & ~work["_vehicle"]]
    groups, gid = _group_ids(treated, keys)
    fields = {"conc": "_conc", "y": "_y", "row": "_row", "badc": "_badc", "bady": "_bady"}
    parts = [pd.DataFrame({"gid": gid, **{k: treated[c].to_numpy() for k, c in fields.items()}})]
    veh = work[work["_use"] & work["_vehicle"]]
    if len(veh) and len(groups):
        g = groups.assign(_gid=np.arange(len(groups)))
        cols = list(fields.values())
        if vkeys:
            merged = veh[[*vkeys, *cols]].merge(g[[*vkeys, "_gid"]], on=vkeys, how="inner")
        else:
            merged = veh[cols].merge(g[["_gid"]], how="cross")
        vpts = {k: merged[c].to_numpy() for k, c in fields.items()}
        vpts["conc"] = np.where(merged["_badc"].to_numpy(dtype=bool), np.nan, 0.0)
        parts.append(pd.DataFrame({"gid": merged["_gid"].to_numpy(), **vpts}))
    pts = pd.concat(parts, ignore_index=True)
    # by (curve, conc), stable, NaN conc last: what sort_values(kind="stable") gives, 3x faster
    order = np.lexsort((pts["conc"].to_numpy(dtype=float), pts["gid"].to_numpy()))
    out = {k: pts[k].to_numpy()[order] for k in POINT_FIELDS}
    out["badc"], out["bady"] = out["badc"].astype(bool), out["bady"].astype(bool)
    out["gid"] = out["gid"].astype(np.int64)
    out["count"] = np.bincount(out["gid"], minlength=len(groups))
    out["start"] = np.concatenate([[0], np.cumsum(out["count"])[:-1]]).astype(np.int64)
    return groups, out


def _group_ids(treated: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """(one row per group sorted by key, group number of each row), as
    ``groupby(keys, sort=True, dropna=False)`` gives them (``size().reset_index()[keys]``,
    ``ngroup()``). Text keys (the CSV reader's ``str`` columns) are factorized per column and
    combined (missing keys last, as groupby puts them), about 3x faster than the groupby; other
    key types take the groupby."""
    n_rows = len(treated)
    fast = n_rows > 0 and all(isinstance(treated[k].dtype, pd.StringDtype) for k in keys)
    if fast:
        combined = np.zeros(n_rows, dtype=np.int64)
        room = 1
        for k in keys:
            codes, uniq = pd.factorize(treated[k], sort=True, use_na_sentinel=False)
            room *= max(len(uniq), 1)
            if room >= 2**62:  # the combined code would overflow: let pandas do it
                fast = False
                break
            combined = combined * len(uniq) + codes
    if not fast:
        grouped = treated.groupby(keys, sort=True, dropna=False)
        return grouped.size().reset_index(name="_rows")[keys], grouped.ngroup().to_numpy()
    _, first, gid = np.unique(combined, return_index=True, return_inverse=True)
    return treated[keys].iloc[first].reset_index(drop=True), gid.astype(np.int64)


def window_um(window, unit, groups: pd.DataFrame, keys: list[str]):
    """The AUC window in uM per curve (None = each curve's tested range)."""
    if window is None:
        return None
    low, high = (float(v) for v in window)
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
        raise AnalysisError(f"AUC window ({low}, {high}) {unit}: expected 0 < low < high")
    u = normalize_unit(unit)
    if u in MOLAR_TO_UM:
        factor = np.full(len(groups), MOLAR_TO_UM[u])
    else:  # mass unit: per drug
        if "drug_a" not in keys:
            raise AnalysisError(
                f"a window in {unit} needs the drug of each curve; add drug_a to "
                "the group keys (--by) or give the window in a molar unit"
            ) from None
        drugs = groups["drug_a"].astype("str")
        factor = drugs.map({d: float(to_um(1.0, u, drug=d)) for d in drugs.unique()}).to_numpy()
    return low * factor, high * factor


def chunks(counts: np.ndarray, chunk_size: int, max_cells: int = _MAX_CELLS):
    """(lo, hi) ranges of curves: at most ``chunk_size`` curves and ``max_cells`` padded points."""
    out, lo, n = [], 0, counts.size
    size = max(int(chunk_size), 1)
    while lo < n:
        hi = min(n, lo + size)
        while hi - lo > 1 and (hi - lo) * int(counts[lo:hi].max()) > max_cells:
            hi = lo + (hi - lo) // 2
        out.append((lo, hi))
        lo = hi
    return out
