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

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tallrx import parallel, progress
from tallrx._result import Result, checksum
from tallrx.analysis.doseresponse import grouping
from tallrx.analysis.doseresponse.curve_fits import curve_metrics
from tallrx.analysis.doseresponse.curve_table import ALL_DEAD_FRACTION, CURVE_COLUMNS, FLAT_ALPHA
from tallrx.analysis.doseresponse.fitting import DEFAULT_HILL_BOUNDS, DEFAULT_IC50_SPAN
from tallrx.analysis.doseresponse.grouping import (
    MAX_CONC_UM,
    MAX_RESPONSE,
    VIABILITY_PLATEAU_BOUNDS,
)
from tallrx.analysis.doseresponse.scores import DSS_THRESHOLD
from tallrx.errors import AnalysisError

__all__ = [
    "fit_dose_response",
    "FLAT_ALPHA",
    "ALL_DEAD_FRACTION",
    "CURVE_COLUMNS",
    "VIABILITY_PLATEAU_BOUNDS",
    "MAX_CONC_UM",
    "MAX_RESPONSE",
]


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
    dss_threshold: float | None = DSS_THRESHOLD,
    where: str = "viability table",
    jobs: int | None = None,
    client: Any = None,
) -> Result:
    """Fit every dose-response curve of a tidy table; one row per curve (a ``curves`` Result).

    ``viability`` needs sample, drug_a, conc_a (in ``unit``) and the ``response`` column (optional:
    replicate, exclude, role, drug_b/conc_b and condition columns). ``by`` replaces the default
    group keys; ``window`` = (low, high) in ``unit``; ``plateau_bounds`` = (low, high) in response
    units (default: see the module docstring); ``chunk_size`` curves are fitted at a time (memory
    stays flat). ``dss_threshold`` (% inhibition, default 10) adds the drug sensitivity scores
    ``dss1``-``dss3`` of % viability curves from their own constrained fit (see
    :mod:`tallrx.analysis.doseresponse.scores`; None or another response: NaN). ``where`` names
    the input in error messages. ``jobs`` (N > 1: a local Dask cluster of N processes) or
    ``client`` (a ``distributed.Client``) fit the chunks on Dask (:mod:`tallrx.parallel`); the
    table is identical to the in-process one. See the module docstring for how each column is computed.

    Returns
    -------
    Result
        ``kind`` "curves": ``table`` one row per curve with the group keys (sample, drug_a,
        conditions) and n, n_conc, ic50 (uM), ic50_se, hill, hill_se, top, top_se, bottom,
        bottom_se, emax (% viability), auc, auc_fit, auc_max (% x log10 uM), auc_window_low,
        auc_window_high (uM), r2, ic50_rel, ic50_abs (uM), ic50_extrapolated, flat, p_flat,
        at_bound, fit_ok, message, dss1, dss2, dss3, dss_top (%), dss_ic50 (uM), dss_hill;
        ``meta`` the method, units, bounds and counts. Column meanings:
        ``tallrx.schema.TABLES["curves"]``.

    >>> import pandas as pd
    >>> conc = [0.0, 0.01, 0.1, 1.0, 10.0, 100.0]
    >>> v = pd.DataFrame({"sample": "S1", "drug_a": "pred", "conc_a": conc,
    ...                   "viability": [100.0, 100.0, 90.0, 50.0, 10.0, 0.0]})
    >>> row = fit_dose_response(v).table.iloc[0]
    >>> float(row["auc"]), float(row["auc_max"]), bool(row["fit_ok"])  # 100+95+70+30+5
    (200.0, 400.0, True)
    """
    pbox = grouping.plateau_bounds(plateau_bounds, response)
    df, keys, vkeys = grouping.prepare(viability, by=by, response=response, unit=unit, where=where)
    groups, pts = grouping.points(df, keys, vkeys)
    win_um = grouping.window_um(window, unit, groups, keys)
    dss = dss_threshold if response == "viability" else None
    if dss is not None and not 0.0 < float(dss) < 100.0:
        raise AnalysisError(
            f"dss_threshold {dss_threshold!r}: expected a % inhibition between 0 and 100 (default 10)"
        )
    size = parallel.chunk_size_for(len(groups), chunk_size, jobs=jobs, client=client)
    chunks = grouping.chunks(pts["count"], size)
    opts = {"response": response, "anchor_top": anchor_top, "plateau_box": pbox,
            "dss_threshold": dss}
    with progress.task("fitting curves", total=len(groups), unit="curves"):
        parts = parallel.map_chunks(
            partial(_chunk_metrics, opts), _curve_chunks(pts, win_um, chunks),
            jobs=jobs, client=client, sizes=[hi - lo for lo, hi in chunks],
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
        "dss": None if dss is None else {
            "threshold_pct_inhibition": float(dss),
            "method": "Yadav et al. 2014 DSS1-3 (reference R package's types) on inhibition = "
            "100 - viability, from the DSS's OWN constrained fit, not the free LL.4 above: "
            "bottom 0 % inhibition, top in [0, 100] %, slope in [0.1, 2.5], IC50 inside the "
            "tested range; flat curves score 0",
        },
        "args": {
            "by": None if by is None else list(by),
            "response": response,
            "unit": unit,
            "anchor_top": anchor_top,
            "plateau_bounds": None if plateau_bounds is None else list(plateau_bounds),
            "chunk_size": chunk_size,
            "dss_threshold": dss_threshold,
        },
        "input_checksum": checksum(viability),
        "n_curves": len(table),
        "n_fit_ok": int(table["fit_ok"].sum()) if len(table) else 0,
        "n_flat": int(table["flat"].sum()) if len(table) else 0,
        "n_at_bound": int(table["at_bound"].sum()) if len(table) else 0,
        "n_flagged": int((table["message"] != "").sum()) if len(table) else 0,
    }
    return Result(kind="curves", table=table, meta=meta)


def _curve_chunks(pts: dict, win_um, chunks: list[tuple[int, int]]) -> Iterator[tuple]:
    """(points, n curves, window) of each (lo, hi) range of curves; gid renumbered from 0."""
    for lo, hi in chunks:
        rows = slice(pts["start"][lo], pts["start"][hi - 1] + pts["count"][hi - 1])
        chunk = {k: pts[k][rows] for k in grouping.POINT_FIELDS}
        chunk["gid"] = chunk["gid"] - lo
        win = None if win_um is None else (win_um[0][lo:hi], win_um[1][lo:hi])
        yield chunk, hi - lo, win


def _chunk_metrics(opts: dict, item: tuple) -> dict:
    """Curve metrics of one chunk (pure: runs in process or on a Dask worker)."""
    chunk, n, win = item
    return curve_metrics(chunk, n, win, **opts)
