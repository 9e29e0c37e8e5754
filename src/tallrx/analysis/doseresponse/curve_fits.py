"""Fitting batch of ``fit_dose_response``: one chunk of curves -> every curve column at once.

One batched LL.4 fit (:func:`tallrx.analysis.doseresponse.fitting.fit_ll4`) of the chunk, then the
paper's AUC, the fitted-curve area, the flat-curve F-test, ic50s, bounds and flags, all as array
operations over the chunk. The conventions are in :mod:`tallrx.analysis.doseresponse.batch`.
"""

from __future__ import annotations

import numpy as np

from tallrx.analysis.doseresponse.curve_table import (
    ALL_DEAD_FRACTION,
    FLAT_ALPHA,
    bad_rows,
    f_sf,
    messages,
)
from tallrx.analysis.doseresponse.curves import auc_ll4, auc_trapezoid_window, ll4, ll4_inverse
from tallrx.analysis.doseresponse.fitting import fit_ll4
from tallrx.analysis.doseresponse.scores import DSS_COLUMNS, fit_dss

__all__ = ["curve_metrics"]


def curve_metrics(
    pts: dict, n_groups: int, window, *, response: str, anchor_top: bool, plateau_box=None,
    dss_threshold: float | None = None,
) -> dict:
    """Fit and summarize one chunk of curves (points sorted by curve, then concentration).

    ``dss_threshold`` (% inhibition): the drug sensitivity scores of % viability curves from their
    own constrained fit (:func:`tallrx.analysis.doseresponse.scores.fit_dss`); flat curves score 0.
    None: the DSS columns are NaN.
    """
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
            f_sf(np.where(np.isfinite(f_stat), f_stat, np.inf), p_free - 1.0, np.maximum(df2, 1.0)),
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
    params = [
        np.where(flat, mean_all, params[0]),
        np.where(flat, mean_all, params[1]),
        np.where(shown, params[2], np.nan),
        np.where(shown, params[3], np.nan),
    ]
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
    dss = _dss_columns(xs, ys, flat, dss_threshold)
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
        "message": messages(flags, n_groups, bad_rows(pts, n_groups)),
        **dss,
    }


def _dss_columns(xs, ys, flat, threshold: float | None) -> dict:
    """dss1-3 and the DSS fit's parameters per curve (NaN when ``threshold`` is None; 0 if flat)."""
    if threshold is None:
        return {k: np.full(len(flat), np.nan) for k in DSS_COLUMNS}
    out = fit_dss(xs, ys, threshold=threshold)
    for k in ("dss1", "dss2", "dss3"):
        out[k] = np.where(flat & np.isfinite(out[k]), 0.0, out[k])
    return out


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
