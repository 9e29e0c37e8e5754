"""Dose-response curves of a screen: one LL.4 fit and the paper's AUC per sample x condition x drug.

Conventions (concentrations in uM; ``unit`` converts the input):

* Curves: rows are grouped by ``by`` or, by default, sample + drug_a + every condition column
  (the columns the ``viability`` schema does not know, e.g. ``il7``; plus ``reference`` when the
  table mixes normalizations). Rows with ``exclude`` True are ignored (never deleted from the
  input), so are blanks and positive controls, and rows with a second drug
  (``drug_b`` with ``conc_b`` > 0) are combinations and are skipped here. Vehicle rows (role
  ``vehicle``; without a role column, conc 0 of a "drug" that is never given at a dose > 0, e.g.
  DMSO) are the x = 0 top plateau of every drug of their sample x condition group.
* Fit: drc's free LL.4, ``f = bottom + (top - bottom) / (1 + (x / ic50) ** hill)`` (any numeric
  response; hill > 0 = falling), by :func:`tallrx.analysis.doseresponse.fitting.fit_ll4`; ``anchor_top`` fixes
  top to the mean vehicle response.
* ``auc`` (the paper's): trapezoid area of the MEAN response per concentration over log10(uM)
  inside the window; window = the tested nonzero range of that curve unless ``window`` is given.
  Where the window reaches beyond the tested doses, the fitted curve is integrated there (said in
  ``message``). ``auc_fit`` = closed-form area under the fitted curve over the same window.
  ``auc_max`` = 100 x window width in log10 units (400 for 4 logs; AUC may exceed it).
* ``ic50`` = ``ic50_rel`` (the fitted inflection point, uM); ``ic50_abs`` = where the fitted curve
  crosses 50 % of the vehicle (mean of the x = 0 points; else 100 for ``viability``; else the
  fitted top); ``ic50_extrapolated`` = ic50 outside the tested range; ``emax`` = fitted response at
  the highest tested dose; ``r2`` = 1 - SSE / total SS over the points used (vehicles included).
* ``flat``: an F-test of the LL.4 fit against a constant is not significant (alpha
  ``FLAT_ALPHA``); then the curve is reported as the constant model: top = bottom = emax = the
  mean response of its points, ic50 and hill NaN, ``auc_fit`` = that mean x the window width
  (log10 units). Degenerate curves (no data, one dose, flat, every dose killing) are rows with
  ``fit_ok`` False and a ``message``, never exceptions.
* Plateau bounds (issue 9): for ``viability`` (%) the plateaus lie in ``VIABILITY_PLATEAU_BOUNDS``
  = [-50, 200] %, widened to the curve's own data where those go beyond; for any other response
  in [min - R, max + R] of the curve's points (R = their range;
  :func:`tallrx.analysis.doseresponse.fitting.plateau_box`); ``plateau_bounds`` overrides (also widened to the
  data). ``at_bound`` is True (and ``message`` names the parameter) when an estimate of a fitted,
  non-flat curve sits on its bound (plateau box, ic50 100-fold beyond the tested range, hill 0.1
  or 20): a partial curve whose plateau the data do not reach.
* Bad values never stop the batch: a row whose concentration is missing, not finite (inf, 1e400)
  or above ``MAX_CONC_UM`` (1 M), or whose response is infinite or beyond ``MAX_RESPONSE`` in
  magnitude (an overflow, not a measurement), is left out of its curve, and the curve's
  ``message`` says how many such rows and the first row number (1 = first data row). Text in a
  numeric column, a negative concentration or a missing column is a whole-input error naming the
  row (exit 2 in the CLI).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from tallrx._result import Result, checksum
from tallrx.analysis.doseresponse.curves import auc_ll4, auc_trapezoid_window, ll4, ll4_inverse
from tallrx.analysis.doseresponse.fitting import DEFAULT_HILL_BOUNDS, DEFAULT_IC50_SPAN, fit_ll4
from tallrx.errors import AnalysisError, SchemaError, UnitError, did_you_mean
from tallrx.schema import ROLES, TABLES, condition_columns
from tallrx.units import MOLAR_TO_UM, normalize_unit, to_um

__all__ = [
    "fit_dose_response",
    "FLAT_ALPHA",
    "ALL_DEAD_FRACTION",
    "CURVE_COLUMNS",
    "VIABILITY_PLATEAU_BOUNDS",
    "MAX_CONC_UM",
    "MAX_RESPONSE",
]

FLAT_ALPHA = 0.05
"""Significance level of the flat-curve F-test (LL.4 vs a constant)."""
ALL_DEAD_FRACTION = 0.10
"""A curve whose every tested dose leaves less than this fraction of the vehicle is 'all dead'."""
VIABILITY_PLATEAU_BOUNDS = (-50.0, 200.0)
"""Plateau box of % viability curves (widened to a curve's own data where those go beyond)."""
MAX_CONC_UM = 1e6
"""Concentrations above this (uM; 1 M, beyond any drug's solubility) are treated as errors."""
MAX_RESPONSE = 1e100
"""Responses beyond this in magnitude are overflows, not measurements (squares must stay finite)."""
CURVE_COLUMNS = (
    "n",
    "n_conc",
    "ic50",
    "ic50_se",
    "hill",
    "hill_se",
    "top",
    "top_se",
    "bottom",
    "bottom_se",
    "emax",
    "auc",
    "auc_fit",
    "auc_max",
    "auc_window_low",
    "auc_window_high",
    "r2",
    "ic50_rel",
    "ic50_abs",
    "ic50_extrapolated",
    "flat",
    "p_flat",
    "at_bound",
    "fit_ok",
    "message",
)
_MAX_CELLS = 20_000_000  # padded points per chunk (float64: 160 MB per array at most)
_TRUE = {"true", "1", "yes", "y", "t", "1.0"}

# message flags, in the order their texts are joined
_MESSAGES = (
    ("no_data", "no usable points (all missing, excluded or combinations)"),
    ("no_conc", "no tested concentration above 0"),
    ("one_conc", "only one tested concentration: no curve"),
    ("too_few", "too few distinct concentrations for LL.4 (4 parameters): not fitted"),
    ("constant", "the response does not vary: flat"),
    (
        "flat",
        f"flat curve: not better than a constant (F-test, alpha {FLAT_ALPHA}); ic50 not defined",
    ),
    ("dead", f"every tested dose leaves < {ALL_DEAD_FRACTION:.0%} of the vehicle (all dead)"),
    ("no_conv", "the LL.4 fit did not converge"),
    ("extrapolated", "ic50 outside the tested range (extrapolated)"),
    ("no_df", "as many parameters as points: no flat-curve test, no standard errors"),
    (
        "window_ext",
        "AUC window reaches beyond the tested doses: the fitted curve is integrated there",
    ),
    ("window_nofit", "AUC window reaches beyond the tested doses but there is no fit: auc is NaN"),
    ("no_anchor", "anchor_top: no vehicle points, top left free"),
    ("bottom_bound", "bottom at its bound (the data do not reach a lower plateau)"),
    ("top_bound", "top at its bound (the data do not reach an upper plateau)"),
    ("ic50_bound", "ic50 at its bound (100-fold beyond the tested range)"),
    ("hill_bound", "hill at its bound (0.1 or 20)"),
)


def fit_dose_response(
    viability: pd.DataFrame,
    *,
    by: Sequence[str] | None = None,
    response: str = "viability",
    window: tuple[float, float] | None = None,
    unit: str = "uM",
    anchor_top: bool = False,
    plateau_bounds: tuple[float, float] | None = None,
    chunk_size: int = 50_000,
    where: str = "viability table",
) -> Result:
    """Fit every dose-response curve of a tidy table; one row per curve (a ``curves`` Result).

    ``viability`` needs sample, drug_a, conc_a (in ``unit``) and the ``response`` column (optional:
    replicate, exclude, role, drug_b/conc_b and condition columns). ``by`` replaces the default
    group keys; ``window`` = (low, high) in ``unit``; ``plateau_bounds`` = (low, high) in response
    units (default: see the module docstring); ``chunk_size`` curves are fitted at a time (memory
    stays flat). ``where`` names the input in error messages. See the module docstring for every
    output column.

    >>> import pandas as pd
    >>> conc = [0.0, 0.01, 0.1, 1.0, 10.0, 100.0]
    >>> v = pd.DataFrame({"sample": "S1", "drug_a": "pred", "conc_a": conc,
    ...                   "viability": [100.0, 100.0, 90.0, 50.0, 10.0, 0.0]})
    >>> row = fit_dose_response(v).table.iloc[0]
    >>> float(row["auc"]), float(row["auc_max"]), bool(row["fit_ok"])  # 100+95+70+30+5
    (200.0, 400.0, True)
    """
    pbox = _plateau_bounds(plateau_bounds, response)
    df, keys, vkeys = _prepare(viability, by=by, response=response, unit=unit, where=where)
    groups, points = _points(df, keys, vkeys)
    win_um = _window_um(window, unit, groups, keys)
    parts = []
    for lo, hi in _chunks(points["count"], chunk_size):
        rows = slice(points["start"][lo], points["start"][hi - 1] + points["count"][hi - 1])
        chunk = {k: points[k][rows] for k in _POINT_FIELDS}
        chunk["gid"] = chunk["gid"] - lo
        win = None if win_um is None else (win_um[0][lo:hi], win_um[1][lo:hi])
        parts.append(
            _curve_metrics(
                chunk, hi - lo, win, response=response, anchor_top=anchor_top, plateau_box=pbox
            )
        )
    metrics = {
        c: np.concatenate([p[c] for p in parts]) if parts else np.empty(0) for c in CURVE_COLUMNS
    }
    table = pd.concat([groups.reset_index(drop=True), pd.DataFrame(metrics)], axis=1)
    table["message"] = table["message"].astype(str) if len(table) else table["message"]
    meta = {
        "method": "drc LL.4 least squares (tallrx.analysis.doseresponse.fitting.fit_ll4, batched); "
        "auc = trapezoid of the mean response per concentration over log10(uM)",
        "units": {
            "conc_a": "uM",
            "ic50": "uM",
            "ic50_abs": "uM",
            "auc_window_low": "uM",
            "auc_window_high": "uM",
            "auc": f"{'%' if response == 'viability' else response} x log10(uM)",
        },
        "group_keys": list(keys),
        "window": None if window is None else {"low": window[0], "high": window[1], "unit": unit},
        "bounds": {
            "hill": list(DEFAULT_HILL_BOUNDS),
            "ic50_span": DEFAULT_IC50_SPAN,
            "plateau": (
                "per curve: [min - R, max + R] of its points (R = their range)"
                if pbox is None
                else f"[{pbox[0]:g}, {pbox[1]:g}], widened to a curve's own data beyond it"
            ),
        },
        "flat_alpha": FLAT_ALPHA,
        "args": {
            "by": None if by is None else list(by),
            "response": response,
            "unit": unit,
            "anchor_top": anchor_top,
            "plateau_bounds": None if plateau_bounds is None else list(plateau_bounds),
            "chunk_size": chunk_size,
        },
        "input_checksum": checksum(viability),
        "n_curves": len(table),
        "n_fit_ok": int(table["fit_ok"].sum()) if len(table) else 0,
        "n_flat": int(table["flat"].sum()) if len(table) else 0,
        "n_at_bound": int(table["at_bound"].sum()) if len(table) else 0,
        "n_flagged": int((table["message"] != "").sum()) if len(table) else 0,
    }
    return Result(kind="curves", table=table, meta=meta)


# ----------------------------------------------------------------------------- input
_POINT_FIELDS = ("gid", "conc", "y", "row", "badc", "bady")


def _plateau_bounds(bounds, response: str) -> tuple[float, float] | None:
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


def _prepare(viability, *, by, response, unit, where):
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
            *[c for c in condition_columns(df, "viability") if c != response],
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
    else:  # conc 0 of a "drug" never given above 0 (DMSO, empty drug_a) is a shared vehicle
        top_dose = work.groupby(keys, sort=False, dropna=False)["_conc"].transform("max")
        vehicle = (conc == 0) & (top_dose.to_numpy() <= 0)
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


def _to_um(conc: np.ndarray, unit: str, df: pd.DataFrame, use: np.ndarray, where: str):
    """Concentrations in uM; mass units use each drug's molecular weight (tallrx.units)."""
    if unit in MOLAR_TO_UM:
        return conc * MOLAR_TO_UM[unit]
    out = conc.copy()
    drugs = df["drug_a"].astype("str").to_numpy()
    for drug in pd.unique(drugs[use & (conc > 0)]):  # vehicles (conc 0) need no weight
        sel = drugs == drug
        try:
            out[sel] = conc[sel] * float(to_um(1.0, unit, drug=drug))
        except UnitError as exc:
            raise UnitError(f"{where}: {exc}") from None
    return out


def _points(work: pd.DataFrame, keys: list[str], vkeys: list[str]):
    """Groups (one row per curve, sorted by key) and the curves' points sorted by (curve, conc).

    Vehicle points are repeated for every drug curve of their sample x condition group.
    """
    treated = work[work["_use"] & ~work["_vehicle"]]
    grouped = treated.groupby(keys, sort=True, dropna=False)
    groups = grouped.size().reset_index(name="_rows")[keys]
    gid = grouped.ngroup().to_numpy()
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
    pts = pd.concat(parts, ignore_index=True).sort_values(["gid", "conc"], kind="stable")
    out = {k: pts[k].to_numpy() for k in _POINT_FIELDS}
    out["badc"], out["bady"] = out["badc"].astype(bool), out["bady"].astype(bool)
    out["gid"] = out["gid"].astype(np.int64)
    out["count"] = np.bincount(out["gid"], minlength=len(groups))
    out["start"] = np.concatenate([[0], np.cumsum(out["count"])[:-1]]).astype(np.int64)
    return groups, out


def _window_um(window, unit, groups: pd.DataFrame, keys: list[str]):
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


def _chunks(counts: np.ndarray, chunk_size: int, max_cells: int = _MAX_CELLS):
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


# ----------------------------------------------------------------------------- metrics
def _curve_metrics(
    pts: dict, n_groups: int, window, *, response: str, anchor_top: bool, plateau_box=None
) -> dict:
    """Fit and summarize one chunk of curves (points sorted by curve, then concentration)."""
    g, conc, y = pts["gid"], pts["conc"], pts["y"]
    count = np.bincount(g, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    pos = np.arange(g.size) - start[g]
    width = max(int(count.max(initial=0)), 1)
    xs = np.full((n_groups, width), np.nan)
    ys = np.full((n_groups, width), np.nan)
    xs[g, pos], ys[g, pos] = conc, y
    ok = np.isfinite(y) & np.isfinite(conc)
    zero = ok & (conc == 0)
    n_zero = np.bincount(g, weights=zero, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        zero_mean = np.bincount(g, weights=np.where(zero, y, 0.0), minlength=n_groups) / n_zero
    fix_top = np.where(n_zero > 0, zero_mean, np.nan) if anchor_top else None
    fit = fit_ll4(xs, ys, fix_top=fix_top, bounds=_box_bounds(plateau_box, ys))
    params = [fit.bottom, fit.top, fit.ic50, fit.hill]

    # mean response per tested (nonzero) concentration, padded per curve
    dosed = ok & (conc > 0)
    cg, cc, cy = g[dosed], conc[dosed], y[dosed]
    new = np.ones(cg.size, bool)
    new[1:] = (cg[1:] != cg[:-1]) | (cc[1:] != cc[:-1])
    cell_start = np.flatnonzero(new)
    cell_g = cg[cell_start]
    cell_n = np.diff(np.append(cell_start, cg.size))
    cell_mean = np.add.reduceat(cy, cell_start) / cell_n if cell_start.size else np.empty(0)
    n_conc = np.bincount(cell_g, minlength=n_groups)
    first = np.concatenate([[0], np.cumsum(n_conc)[:-1]])
    kmax = max(int(n_conc.max(initial=0)), 1)
    logc = np.full((n_groups, kmax), np.nan)
    means = np.full((n_groups, kmax), np.nan)
    cpos = np.arange(cell_g.size) - first[cell_g]
    logc[cell_g, cpos] = np.log10(cc[cell_start])
    means[cell_g, cpos] = cell_mean
    has = n_conc > 0
    cell_lc = np.log10(cc[cell_start])
    if cell_lc.size:
        lmin = np.where(has, cell_lc[np.minimum(first, cell_lc.size - 1)], np.nan)
        lmax = np.where(has, cell_lc[np.clip(first + n_conc - 1, 0, cell_lc.size - 1)], np.nan)
    else:
        lmin = lmax = np.full(n_groups, np.nan)

    # goodness of fit and the flat-curve F-test (LL.4 vs the constant model)
    n = fit.n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_all = np.bincount(g, weights=np.where(ok, y, 0.0), minlength=n_groups) / n
        dev = np.where(ok, y - mean_all[g], 0.0)
        sst = np.bincount(g, weights=dev * dev, minlength=n_groups)
        r2 = 1.0 - fit.sse / sst
        p_free = 4.0 - (np.isfinite(fix_top) if fix_top is not None else 0.0)
        df2 = n - p_free
        f_stat = ((sst - fit.sse) / (p_free - 1.0)) / (fit.sse / df2)
        p_flat = np.where(
            df2 > 0,
            stats.f.sf(
                np.where(np.isfinite(f_stat), f_stat, np.inf), p_free - 1.0, np.maximum(df2, 1.0)
            ),
            np.nan,
        )
    fitted = np.isfinite(fit.ic50)
    constant = (n > 0) & ~(sst > 0)
    too_few = (n_conc > 1) & (n_conc + (n_zero > 0) < p_free)
    # enough doses but no fit: the fitted amplitude vanished, i.e. no dose dependence at all
    unfitted = (n_conc > 1) & ~fitted & ~too_few & ~constant
    flat = constant | unfitted | (fitted & (p_flat > FLAT_ALPHA))
    # a flat curve is the constant model: top = bottom = the mean response, no ic50, no hill
    shown = fitted & ~flat
    params = [np.where(flat, mean_all, params[0]), np.where(flat, mean_all, params[1]),
              np.where(shown, params[2], np.nan), np.where(shown, params[3], np.nan)]
    at = {k: v & shown for k, v in fit.at_bound().items()}

    # AUC: the paper's trapezoid inside the window, the fitted curve where the window goes beyond
    if window is None:
        wl, wh = lmin, lmax
    else:
        wl, wh = np.log10(window[0]), np.log10(window[1])
    auc = auc_trapezoid_window(logc, means, wl, wh)
    left = has & (wl < lmin)
    right = has & (wh > lmax)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ext = np.where(left, _area(wl, np.minimum(wh, lmin), flat, params), 0.0) + np.where(
            right, _area(np.maximum(wl, lmax), wh, flat, params), 0.0
        )
        auc = np.where(has & (wh - wl > 0), auc + ext, np.nan)
        auc_fit = _area(wl, wh, flat, params)
        emax = np.where(flat, mean_all, ll4(10**lmax, *params))

    ref = np.where(n_zero > 0, zero_mean, 100.0 if response == "viability" else fit.top)
    top_mean = np.max(np.where(np.isnan(means), -np.inf, means), axis=1)
    dead = has & np.isfinite(ref) & (ref > 0) & (top_mean < ALL_DEAD_FRACTION * ref)
    ic50 = np.where(shown, fit.ic50, np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ic50_abs = np.where(shown, ll4_inverse(0.5 * ref, *params), np.nan)
    extrapolated = np.isfinite(ic50) & (
        (np.log10(ic50) < lmin - 1e-12) | (np.log10(ic50) > lmax + 1e-12)
    )
    fit_ok = fit.converged & shown & ~dead
    at_bound = np.zeros(n_groups, dtype=bool)
    for v in at.values():
        at_bound |= v

    flags = {
        "no_data": n == 0,
        "no_conc": (n > 0) & ~has,
        "one_conc": n_conc == 1,
        "too_few": too_few,
        "constant": constant,
        "flat": flat & ~constant,
        "dead": dead,
        "no_conv": fitted & ~fit.converged,
        "extrapolated": extrapolated,
        "no_df": fitted & ~(df2 > 0),
        "window_ext": (left | right) & np.isfinite(auc),
        "window_nofit": (left | right) & ~np.isfinite(auc) & has,
        "no_anchor": np.full(n_groups, anchor_top) & (n_zero == 0),
        **{f"{k}_bound": v for k, v in at.items()},
    }
    keep = ~flat  # standard errors of the LL.4 parameters mean nothing for the constant model
    return {
        "n": fit.n,
        "n_conc": n_conc,
        "ic50": ic50,
        "ic50_se": np.where(np.isfinite(ic50), fit.se_ic50, np.nan),
        "hill": params[3],
        "hill_se": np.where(keep, fit.se_hill, np.nan),
        "top": params[1],
        "top_se": np.where(keep, fit.se_top, np.nan),
        "bottom": params[0],
        "bottom_se": np.where(keep, fit.se_bottom, np.nan),
        "emax": emax,
        "auc": auc,
        "auc_fit": auc_fit,
        "auc_max": 100.0 * (wh - wl) * np.ones(n_groups),
        "auc_window_low": 10.0**wl * np.ones(n_groups),
        "auc_window_high": 10.0**wh * np.ones(n_groups),
        "r2": r2,
        "ic50_rel": ic50,
        "ic50_abs": ic50_abs,
        "ic50_extrapolated": extrapolated,
        "flat": flat,
        "p_flat": p_flat,
        "at_bound": at_bound,
        "fit_ok": fit_ok,
        "message": _messages(flags, n_groups, _bad_rows(pts, n_groups)),
    }


def _box_bounds(box, ys: np.ndarray) -> dict | None:
    """fit_ll4 plateau bounds: ``box`` widened to each curve's own data (None: fit_ll4's default)."""
    if box is None:
        return None
    nan = np.isnan(ys)
    lo = np.minimum(box[0], np.min(np.where(nan, np.inf, ys), axis=1, initial=np.inf))
    hi = np.maximum(box[1], np.max(np.where(nan, -np.inf, ys), axis=1, initial=-np.inf))
    return {"bottom": (lo, hi), "top": (lo, hi)}


def _area(low, high, flat, params):
    """Area over log10(uM) from ``low`` to ``high`` (log10 uM) under the fitted curve, or under
    the constant (top = bottom) where ``flat``."""
    const = params[1] * (high - low)
    return np.where(flat, const, auc_ll4(10.0**low, 10.0**high, *params))


def _bad_rows(pts: dict, n_groups: int) -> np.ndarray:
    """Per curve: '' or what was left out ('2 rows with a missing or non-finite concentration
    left out (first: row 7)'); row numbers count data rows from 1."""
    out = np.full(n_groups, "", dtype=object)
    for key, what in (
        ("badc", f"a missing, non-finite or > {MAX_CONC_UM:g} uM concentration"),
        ("bady", f"an infinite or > {MAX_RESPONSE:g} response"),
    ):
        bad = pts[key]
        if not bad.any():
            continue
        g, rows = pts["gid"][bad], pts["row"][bad]
        n_bad = np.bincount(g, minlength=n_groups)
        first = np.full(n_groups, np.iinfo(np.int64).max)
        np.minimum.at(first, g, rows.astype(np.int64))
        for i in np.flatnonzero(n_bad):
            text = f"{n_bad[i]} row(s) with {what} left out (first: row {first[i] + 1})"
            out[i] = f"{out[i]}; {text}" if out[i] else text
    return out


def _messages(flags: dict, n: int, extra: np.ndarray | None = None) -> np.ndarray:
    """Join the texts of the raised flags per curve ('' when none), via one code per curve;
    ``extra`` (per-curve texts) is appended."""
    code = np.zeros(n, dtype=np.int64)
    for bit, (name, _) in enumerate(_MESSAGES):
        code |= np.asarray(flags[name], dtype=np.int64) << bit
    uniq, inverse = np.unique(code, return_inverse=True)
    texts = np.array(
        ["; ".join(t for b, (_, t) in enumerate(_MESSAGES) if c >> b & 1) for c in uniq.tolist()],
        dtype=object,
    )
    out = texts[inverse] if n else np.empty(0, dtype=object)
    if extra is not None:
        for i in np.flatnonzero(extra != ""):
            out[i] = f"{out[i]}; {extra[i]}" if out[i] else extra[i]
    return out


# keep the schema honest: every required ``curves`` column is produced
assert set(TABLES["curves"].required) - {"sample", "drug_a"} <= set(CURVE_COLUMNS)
