"""Ex-vivo screening scores: the drug sensitivity score (DSS), its selective forms, cohort z-scores.

DSS (Yadav et al. 2014, Sci Rep 4:5193): the area between a fitted % inhibition curve and an
activity threshold ``t`` (default 10 % inhibition), over the tested log10 concentration range,
normalized to the area of a full response. With ``x = log10(conc)``, the inhibition model

    f(x) = d + (a - d) / (1 + 10 ** (b (c - x)))        a = top (max inhibition, <= 100), d = 0,
                                                        c = log10(IC50), b = slope > 0

is integrated in closed form from ``x1`` (where f reaches ``t``, kept inside [xmin, xmax]) to
``x2 = xmax``: ``A = int_x1^x2 f dx - t (x2 - x1)``. Then, as the method's reference R package
computes them (DSS types 1-3)::

    DSS1 = 100 A / ((xmax - xmin) (100 - t))
    DSS2 = DSS1 / log10(a)                            (favours full responses; 0 ... 50)
    DSS3 = DSS1 * (2 / log10(a)) * (x2 - x1) / (xmax - xmin)   (also favours wide activity)

An inactive curve (a <= t, or no activity inside the tested range) has DSS 0. The DSS is unit-free:
shifting every log concentration by a constant (uM vs nM) leaves it unchanged.

The curve the DSS integrates is its OWN constrained fit, not tallrx's free LL.4: inhibition = 100 -
% viability with the bottom fixed at 0 % inhibition (viability top 100 %), the top ``a`` in
[0, 100] % inhibition, the slope in [0.1, 2.5] and the IC50 inside the tested range (the bounds of
FIMM's Breeze pipeline). Breeze adds data-driven bounds on ``a`` and a second, bidirectional fit;
tallrx does not, so its DSS can differ from Breeze's where those heuristics bite (docs: "Scores").

Selective scores against healthy donors (DSS-v2.0 conventions, Chen et al. 2023): with the donors'
DSS2 of the same drug, ``sdss = dss2 - mean``, ``zdss = (dss2 - mean) / (sd + 1)`` (sd with n - 1)
and ``rdss = (dss2 - median) / (mad + 1)`` (mad = the unscaled median absolute deviation).

Cohort z-score (the Zurich drug-response-profiling convention): ``auc_z`` = the z-score of a
sample's log10 AUC among the samples of one run for the same drug and condition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx.analysis.doseresponse.fitting import fit_ll4
from tallrx.paper import DSS_THRESHOLD_PCT
from tallrx.schema import condition_columns

__all__ = ["DSS_COLUMNS", "DSS_THRESHOLD", "add_scores", "DSS_HILL_BOUNDS", "dss", "fit_dss", "selective_dss", "cohort_auc_z"]

#: the per-curve columns :func:`fit_dss` returns
DSS_COLUMNS = ("dss1", "dss2", "dss3", "dss_top", "dss_ic50", "dss_hill")
DSS_THRESHOLD = DSS_THRESHOLD_PCT
"""Default activity threshold, % inhibition (Yadav et al. 2014)."""
DSS_HILL_BOUNDS = (0.1, 2.5)
"""Slope box of the DSS fit (FIMM Breeze)."""
_GRID_IC50 = 15  # coarse grid: log IC50 points over the tested range
_GRID_HILLS = 8  # coarse grid: log slope points over DSS_HILL_BOUNDS
_ZOOMS, _ZOOM_POINTS = 2, 7  # zoomed grids around the best point, each 3x finer
_GRID_CHUNK = 512  # curves per coarse-grid pass: chunk x grid x doses floats (~4 MB) stay in
# cache (4096 curves, 35 MB: the grid took 1.6x as long); per-curve arithmetic is the same
_LN10 = np.log(10.0)
NO_CONTROLS = "no healthy-donor DSS for this drug: sdss/zdss/rdss not computed"


def dss(ic50, hill, top, xmin, xmax, *, threshold: float = DSS_THRESHOLD):
    """DSS1, DSS2 and DSS3 of inhibition curves given their parameters (broadcasts).

    ``ic50``, ``xmin`` and ``xmax`` are concentrations in any one unit (uM in tallrx's tables;
    ``xmin``/``xmax`` the lowest and highest tested dose), ``hill`` the slope (> 0), ``top`` the
    maximum inhibition in % (capped at 100). NaN parameters give NaN; inactive curves give 0.

    Hand-worked case: a step-like curve (slope 1e5) with IC50 at 1e-8 on a tested range
    1e-9 ... 1e-5 and a top of 50 % rises above t = 10 % at x1 = -8, so A = (50 - 10) x 3 log units;
    DSS1 = 100 x 120 / (4 x 90) = 33.33, DSS2 = 33.33 / log10(50) = 19.62 and
    DSS3 = 33.33 x (2 / log10(50)) x 3 / 4 = 29.43.

    >>> [round(float(v), 2) for v in dss(1e-8, 1e5, 50.0, 1e-9, 1e-5)]
    [33.33, 19.62, 29.43]
    """
    t = float(threshold)
    if not 0.0 < t < 100.0:
        raise ValueError(f"DSS threshold must be between 0 and 100 % inhibition, got {threshold!r}")
    ic50, hill, top, xmin, xmax = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (ic50, hill, top, xmin, xmax))
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = np.minimum(top, 100.0)
        b = hill
        c, lo, x2 = np.log10(ic50), np.log10(xmin), np.log10(xmax)
        known = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(lo) & np.isfinite(x2)
        active = known & (a > t) & (b > 0) & (x2 > lo)
        x1 = c - (np.log(a - t) - np.log(t)) / (b * _LN10)
        x1 = np.clip(x1, lo, x2)

        def antiderivative(x):  # int f dx with d = 0: a ln(1 + 10^(b (c - x))) / (b ln10) + a x
            return a * np.logaddexp(0.0, b * (c - x) * _LN10) / (b * _LN10) + a * x

        area = antiderivative(x2) - antiderivative(x1) - t * (x2 - x1)
        span = x2 - lo
        dss1 = np.maximum(100.0 * area / (span * (100.0 - t)), 0.0)
        dss2 = dss1 / np.log10(a)
        dss3 = dss1 * (2.0 / np.log10(a)) * (x2 - x1) / span
    out = []
    for v in (dss1, dss2, dss3):
        out.append(np.where(active, v, np.where(known & (x2 > lo), 0.0, np.nan)))
    return tuple(out)


_TIE_RTOL = 1e-9  # relative SSE margin a later DSS fit must beat


def fit_dss(x_um, viability, *, threshold: float = DSS_THRESHOLD) -> dict[str, np.ndarray]:
    """The DSS of many % viability curves at once, each from its own constrained fit.

    ``x_um`` / ``viability``: (n_curves, n_points) arrays padded with NaN (x = 0: vehicle points,
    which do not move the fit since the top is fixed). Returns arrays ``dss1``, ``dss2``, ``dss3``
    and the constrained fit's ``dss_ic50`` (uM), ``dss_hill`` and ``dss_top`` (max % inhibition).
    A curve without two tested doses has NaN scores; a curve the fit cannot follow has DSS 0
    only when it never reaches the threshold, else NaN.
    """
    y = np.atleast_2d(np.asarray(viability, dtype=float))
    x = np.broadcast_to(np.asarray(x_um, dtype=float), y.shape)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0)
    with np.errstate(invalid="ignore"):
        xmin = np.where(ok, x, np.inf).min(axis=1, initial=np.inf)
        xmax = np.where(ok, x, -np.inf).max(axis=1, initial=-np.inf)
    ranged = np.isfinite(xmin) & np.isfinite(xmax) & (xmax > xmin)
    lo_c = np.where(ranged, xmin, 1.0)
    hi_c = np.where(ranged, xmax, 1.0)
    # the profiled SSE can have several local optima (shallow curves stall local search): a
    # coarse grid and two zoomed grids over (log10 IC50, log slope) with the top in closed form,
    # then least squares over the whole box and inside the grid's basin; the least SSE wins
    lo_l, hi_l = np.log10(lo_c), np.log10(hi_c)
    h_lo, h_hi = np.log(DSS_HILL_BOUNDS[0]), np.log(DSS_HILL_BOUNDS[1])
    dc, dh = (hi_l - lo_l) / (_GRID_IC50 - 1), (h_hi - h_lo) / (_GRID_HILLS - 1)
    cg = lo_l[:, None] + (hi_l - lo_l)[:, None] * np.linspace(0.0, 1.0, _GRID_IC50)
    hg = np.broadcast_to(np.linspace(h_lo, h_hi, _GRID_HILLS), (y.shape[0], _GRID_HILLS))
    grid = _grid_search(x, y, cg, hg)
    for _ in range(_ZOOMS):
        offsets = np.linspace(-1.0, 1.0, _ZOOM_POINTS)
        cg = np.clip(grid["c"][:, None] + dc[:, None] * offsets, lo_l[:, None], hi_l[:, None])
        hg = np.clip(grid["h"][:, None] + dh * offsets, h_lo, h_hi)
        grid = _grid_search(x, y, cg, hg)
        dc, dh = dc / 3.0, dh / 3.0
    best = {"bottom": 100.0 - grid["top"], "ic50": 10.0 ** grid["c"], "hill": np.exp(grid["h"]),
            "sse": grid["sse"]}
    basin = {
        "hill": (np.exp(np.maximum(grid["h"] - 9 * dh, h_lo)), np.exp(np.minimum(grid["h"] + 9 * dh, h_hi))),
        "ic50": (10.0 ** np.maximum(grid["c"] - 9 * dc, lo_l), 10.0 ** np.minimum(grid["c"] + 9 * dc, hi_l)),
    }
    for box in ({"hill": DSS_HILL_BOUNDS, "ic50": (lo_c, hi_c)}, basin):
        fit = fit_ll4(x, y, fix_top=100.0, bounds={"bottom": (0.0, 100.0), **box},
                      n_starts=2, standard_errors=False)
        # a later fit wins only by a clear margin: two fits of one optimum differ by rounding
        # (which depends on the batch), so a bare `<` would let the chunking pick the winner
        better = np.nan_to_num(fit.sse, nan=np.inf) < best["sse"] * (1.0 - _TIE_RTOL) - 1e-300
        part = {"bottom": fit.bottom, "ic50": fit.ic50, "hill": fit.hill, "sse": fit.sse}
        best = {k: np.where(better, part[k], best[k]) for k in best}
    top = 100.0 - best["bottom"]
    scores = dss(best["ic50"], best["hill"], top, xmin, xmax, threshold=threshold)
    # no usable fit: a curve whose measured inhibition never reaches t is inactive (0), else unknown
    with np.errstate(invalid="ignore"):
        peak = 100.0 - np.where(ok, y, np.inf).min(axis=1, initial=np.inf)
    never = ranged & (peak <= threshold)
    scores = [np.where(np.isnan(s) & never, 0.0, np.where(ranged, s, np.nan)) for s in scores]
    return {
        "dss1": scores[0],
        "dss2": scores[1],
        "dss3": scores[2],
        "dss_ic50": np.where(ranged, best["ic50"], np.nan),
        "dss_hill": np.where(ranged, best["hill"], np.nan),
        "dss_top": np.where(ranged, top, np.nan),
    }


def _grid_search(x, y, cg, hg) -> dict[str, np.ndarray]:
    """Per curve, the grid point (log10 IC50 in ``cg``, log slope in ``hg``; (n, k) arrays) of
    least SSE, with the top (% inhibition, in [0, 100]) solved in closed form at each point."""
    n, n_c, n_h = y.shape[0], cg.shape[1], hg.shape[1]
    out = {k: np.full(n, np.nan) for k in ("c", "h", "top", "sse")}
    chunk = max(1, _GRID_CHUNK * 15 * 8 // (n_c * n_h))  # the coarse grid's memory per pass
    for a in range(0, n, chunk):
        s = slice(a, a + chunk)
        valid = np.isfinite(x[s]) & np.isfinite(y[s]) & (x[s] >= 0)
        inh = np.where(valid, 100.0 - y[s], 0.0)
        base = np.einsum("cp,cp->c", inh, inh)
        lx, inh, cnt = _dose_sums(x[s], valid, inh)
        # one plate layout and one grid for every curve (the coarse grid): the sigmoid values
        # are the same for all of them, computed once (the same numbers, bit for bit)
        shared = lx.shape[0] == 1 and _same_rows(cg[s]) and _same_rows(hg[s])
        rows_in = slice(0, 1) if shared else slice(None)
        h = np.exp(hg[s][rows_in])[:, :, None] * _LN10  # (chunk or 1, n_h, 1)
        # 1 / (1 + 10^(h (c - x))) as an outer product: one exp per grid point and one per dose
        with np.errstate(over="ignore"):
            shape = np.multiply(np.exp(h * cg[s][rows_in][:, None, :])[..., None],
                                np.exp(-h * lx[:, None, :])[:, :, None, :])
        shape += 1.0
        np.reciprocal(shape, out=shape)
        shape = shape.reshape(shape.shape[0], n_h * n_c, -1)
        if shared:
            shape = np.broadcast_to(shape, (inh.shape[0], *shape.shape[1:]))
        ss = np.einsum("cgp,cgp,cp->cg", shape, shape, cnt)
        sy = np.einsum("cgp,cp->cg", shape, inh)
        top = np.clip(sy / np.where(ss > 0, ss, 1.0), 0.0, 100.0)
        sse = base[:, None] + top * (top * ss - 2.0 * sy)
        sse[np.isnan(sse)] = np.inf  # 0 x inf at extreme grid points: never the optimum
        k = sse.argmin(axis=1)
        rows = np.arange(k.size)
        found = np.isfinite(sse[rows, k])
        out["sse"][s] = sse[rows, k]
        for key, value in (("top", top[rows, k]), ("h", hg[s][rows, k // n_c]),
                           ("c", cg[s][rows, k % n_c])):
            out[key][s] = np.where(found, value, np.nan)
    return out


def _same_rows(a: np.ndarray) -> bool:
    """Every row of ``a`` equals its first row."""
    return a.shape[0] > 0 and bool(np.all(a == a[:1]))


def _dose_sums(x, valid, inh):
    """Collapse replicate doses: (log10 doses, summed inhibition, counts of valid points).

    When every row of ``x`` holds the same doses (one plate layout), the SSE sums of the grid
    need only one term per distinct dose, weighted by its count of valid points; else each point
    is its own term (count 1 or 0). Vehicle points (x = 0) only enter the constant ``base``.
    """
    row = x[0]
    same = x.shape[0] > 0 and bool(np.all((x == row) | (np.isnan(x) & np.isnan(row))))
    if same:
        pos = np.isfinite(row) & (row > 0)
        doses, index = np.unique(row[pos], return_inverse=True)
        member = np.zeros((row.size, doses.size))
        member[np.flatnonzero(pos), index] = 1.0
        return np.log10(doses)[None, :], inh @ member, valid.astype(float) @ member
    use = valid & (x > 0)
    lx = np.log10(np.where(use, x, 1.0))
    return np.where(use, lx, 0.0), np.where(use, inh, 0.0), use.astype(float)


def selective_dss(curves: pd.DataFrame, controls: pd.DataFrame) -> pd.DataFrame:
    """``curves`` with ``sdss``, ``zdss``, ``rdss`` and ``n_controls`` against healthy donors.

    ``controls``: long table ``drug, donor, dss`` (the donors' DSS2). Drugs match
    case-insensitively on ``curves["drug_a"]``; a drug without controls gets NaN and the
    :data:`NO_CONTROLS` text appended to ``message`` (when the table has one).

    >>> c = pd.DataFrame({"drug_a": ["X"], "dss2": [20.0]})
    >>> k = pd.DataFrame({"drug": ["x"] * 3, "donor": ["d1", "d2", "d3"], "dss": [10.0, 12, 14]})
    >>> selective_dss(c, k)[["sdss", "zdss", "rdss"]].round(4).values.tolist()  # sd 2, mad 2
    [[8.0, 2.6667, 2.6667]]
    """
    key = controls["drug"].astype(str).str.strip().str.casefold()
    values = pd.to_numeric(controls["dss"], errors="coerce")
    grouped = values.groupby(key)
    mean, sd, median = grouped.mean(), grouped.std(ddof=1), grouped.median()
    mad = (values - key.map(median)).abs().groupby(key).median()
    count = grouped.count()
    out = curves.copy()
    drug = out["drug_a"].astype(str).str.strip().str.casefold()
    dss2 = pd.to_numeric(out["dss2"], errors="coerce")
    m = drug.map(mean)
    out["sdss"] = dss2 - m
    out["zdss"] = (dss2 - m) / (drug.map(sd).fillna(0.0) + 1.0)
    out["rdss"] = (dss2 - drug.map(median)) / (drug.map(mad) + 1.0)
    out["n_controls"] = drug.map(count).fillna(0).astype(int)
    missing = out["n_controls"] == 0
    if "message" in out and missing.any():
        old = out.loc[missing, "message"].fillna("").astype(str)
        out.loc[missing, "message"] = np.where(old == "", NO_CONTROLS, old + "; " + NO_CONTROLS)
    return out


def cohort_auc_z(curves: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """z-score of each curve's log10 AUC among the curves sharing ``by`` (drug and condition).

    Uses the sample sd (n - 1); groups of one curve, or a zero sd, give NaN; AUC <= 0 is NaN.

    >>> t = pd.DataFrame({"drug_a": ["p"] * 3, "auc": [10.0, 100.0, 1000.0]})
    >>> cohort_auc_z(t, ["drug_a"]).tolist()
    [-1.0, 0.0, 1.0]
    """
    auc = pd.to_numeric(curves["auc"], errors="coerce")
    log_auc = np.log10(auc.where(auc > 0))
    keys = [curves[k] for k in by]
    grouped = log_auc.groupby(keys, dropna=False)
    mean = grouped.transform("mean")
    sd = grouped.transform("std")  # ddof 1
    z = (log_auc - mean) / sd.where(sd > 0)
    return z.rename("auc_z")


def add_scores(
    curves: pd.DataFrame, *, controls: pd.DataFrame | None = None, cohort: bool = False
) -> pd.DataFrame:
    """``curves`` with the scores that need more than one curve.

    ``controls`` (long ``drug, donor, dss`` of healthy donors): ``sdss``, ``zdss``, ``rdss``,
    ``n_controls`` (:func:`selective_dss`). ``cohort``: ``auc_z`` among the table's samples for
    each drug x condition (x normalization reference) (:func:`cohort_auc_z`).
    """
    out = curves
    if controls is not None:
        out = selective_dss(out, controls)
    if cohort:
        keys = ["drug_a", *condition_columns(out, "curves")]
        keys += [k for k in ("reference",) if k in out and k not in keys]
        out = out.assign(auc_z=cohort_auc_z(out, keys).to_numpy())
    return out
