"""Output table of ``fit_dose_response``: the curve columns and the text of the ``message`` column.

Each curve's flags (computed by :mod:`tallrx.analysis.doseresponse.curve_fits`) become one message
text, joined in a fixed order, with the rows left out of the curve named after them.
"""

from __future__ import annotations

from math import lgamma

import numpy as np

from tallrx.analysis.doseresponse.grouping import MAX_CONC_UM, MAX_RESPONSE
from tallrx.schema import TABLES

__all__ = [
    "CURVE_COLUMNS",
    "FLAT_ALPHA",
    "ALL_DEAD_FRACTION",
    "MESSAGES",
    "bad_rows",
    "messages",
    "f_sf",
]

FLAT_ALPHA = 0.05
"""Significance level of the flat-curve F-test (LL.4 vs a constant)."""
ALL_DEAD_FRACTION = 0.10
"""A curve whose every tested dose leaves less than this fraction of the vehicle is 'all dead'."""
#: the fitted columns of a curves table, in the schema's order (keys and conditions come first)
#: columns added after the fit, from other curves or inputs (selective DSS, cohort z-scores)
POST_FIT_COLUMNS = ("sdss", "zdss", "rdss", "n_controls", "auc_z")
CURVE_COLUMNS = tuple(
    c for c in TABLES["curves"].names
    if c not in ("sample", "drug_a", "source", "reference", *POST_FIT_COLUMNS)
)
# message flags, in the order their texts are joined
MESSAGES = (
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


def bad_rows(pts: dict, n_groups: int) -> np.ndarray:
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


def messages(flags: dict, n: int, extra: np.ndarray | None = None) -> np.ndarray:
    """Join the texts of the raised flags per curve ('' when none), via one code per curve;
    ``extra`` (per-curve texts) is appended."""
    code = np.zeros(n, dtype=np.int64)
    for bit, (name, _) in enumerate(MESSAGES):
        code |= np.asarray(flags[name], dtype=np.int64) << bit
    uniq, inverse = np.unique(code, return_inverse=True)
    texts = np.array(
        ["; ".join(t for b, (_, t) in enumerate(MESSAGES) if c >> b & 1) for c in uniq.tolist()],
        dtype=object,
    )
    out = texts[inverse] if n else np.empty(0, dtype=object)
    if extra is not None:
        for i in np.flatnonzero(extra != ""):
            out[i] = f"{out[i]}; {extra[i]}" if out[i] else extra[i]
    return out


# keep the schema honest: every required ``curves`` column is produced
assert set(TABLES["curves"].required) - {"sample", "drug_a"} <= set(CURVE_COLUMNS)


def f_sf(x, d1, d2) -> np.ndarray:
    """Survival function P(F > x) of the F distribution with (d1, d2) degrees of freedom, as
    ``scipy.stats.f.sf`` (``tallrx fit`` then needs no SciPy import, ~0.3 s): the regularized
    incomplete beta I_z(d2 / 2, d1 / 2) at z = d2 / (d2 + d1 x), by its continued fraction
    (modified Lentz, Numerical Recipes 6.4), which converges in a few terms for these degrees of
    freedom. ``x`` inf gives 0, ``x`` <= 0 gives 1; NaN stays NaN.

    >>> float(f_sf(1.0, 2.0, 2.0))  # F(2, 2): P(F > x) = 1 / (1 + x)
    0.5
    """
    x, d1, d2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, d1, d2)))
    with np.errstate(all="ignore"):
        z = np.where(np.isinf(x), 0.0, d2 / (d2 + d1 * np.maximum(x, 0.0)))
        out = _betainc(d2 / 2.0, d1 / 2.0, z)
    return np.where(np.isnan(x) | np.isnan(d1) | np.isnan(d2), np.nan, out)


def _betainc(a: np.ndarray, b: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Regularized incomplete beta I_z(a, b) for a, b > 0 and z in [0, 1] (arrays)."""
    def lg(v):  # ln Gamma once per distinct value (degrees of freedom repeat)
        uniq, inv = np.unique(v, return_inverse=True)
        return np.array([lgamma(u) for u in uniq.tolist()])[inv].reshape(np.shape(v))

    safe = np.clip(z, 1e-300, 1 - 1e-16)
    front = np.exp(lg(a + b) - lg(a) - lg(b) + a * np.log(safe) + b * np.log1p(-safe))
    direct = z < (a + 1.0) / (a + b + 2.0)
    head = np.full(np.shape(front), np.nan)
    for sel, p, q, at in ((direct, a, b, safe), (~direct, b, a, 1.0 - safe)):
        if sel.any():  # each side's continued fraction only where it is used (it converges there)
            cf = _beta_cf(*(np.broadcast_to(v, sel.shape)[sel] for v in (p, q, at)))
            head[sel] = front[sel] * cf / np.broadcast_to(p, sel.shape)[sel]
    head[~direct] = 1.0 - head[~direct]
    return np.where(z <= 0.0, 0.0, np.where(z >= 1.0, 1.0, head))


def _beta_cf(a, b, z, terms: int = 300, tiny: float = 1e-300) -> np.ndarray:
    """Continued fraction of the incomplete beta (Lentz), vectorized; each value stops at its own
    convergence (|delta - 1| < 1e-15) or after ``terms`` terms, so it does not depend on the
    other values of the call, and converged values leave the arrays."""
    a, b, z = np.broadcast_arrays(a, b, z)
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(z)
    d = 1.0 - qab * z / qap
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    out = h.copy()
    idx = np.arange(h.size).reshape(h.shape)
    for m in range(1, terms + 1):
        m2 = 2 * m
        aa = m * (b - m) * z / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        h *= d * c
        aa = -(a + m) * (qab + m) * z / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        delta = d * c
        h *= delta
        done = np.abs(delta - 1.0) < 1e-15
        if done.any() or m == terms:
            out.flat[idx[done]] = h[done]
            if m == terms or done.all():
                out.flat[idx[~done]] = h[~done]
                break
            keep = ~done
            a, b, z, qab, qap, qam, c, d, h, idx = (
                v[keep] for v in (a, b, z, qab, qap, qam, c, d, h, idx)
            )
    return out
