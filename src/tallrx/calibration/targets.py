"""The cited calibration targets (``tallrx/data/calibration_targets.csv``) and how a model
observable is scored against each.

Columns (stable; other tools read them): target, figure, observable, context, hours, value,
lower, upper, unit, comparison, tolerance, source.

Comparisons (``tolerance`` in the same scale as the comparison):

- ``interval_log10`` / ``lower_log10`` / ``upper_log10``: a soft bound on log10(observable):
  log-likelihood 0 inside the bound(s), -0.5 (distance / tolerance)^2 outside.
- ``lower`` / ``upper``: the same on the linear scale (shares).
- ``binomial``: ``tolerance`` is "k/n" (e.g. 12/46); log-likelihood k log p + (n - k) log(1 - p)
  of the model's share p (clipped to [1e-3, 1 - 1e-3]), minus its value at p = k/n.
- ``censored_lower_log10`` / ``censored_upper_log10`` / ``censored_interval_log10`` and
  ``censored_lower`` / ``censored_upper`` / ``censored_interval``: the paper's finding as a
  censored observation of the virtual assay. ``tolerance`` is that assay's own noise
  (sigma: sd of the read-out around the noise-free model value, log10 or linear), and the
  log-likelihood is the log probability that the noisy read-out passes the bound(s):
  log Phi((y - lower) / sigma), log Phi((upper - y) / sigma), or
  log(Phi((upper - y) / sigma) - Phi((lower - y) / sigma)), y the (log10) model value.
  A model value at a one-sided bound scores log 0.5.
"""

from __future__ import annotations

import importlib.resources

import numpy as np
import pandas as pd

from tallrx.errors import InputError

TARGETS_FILE = "calibration_targets.csv"
COLUMNS = (
    "target", "figure", "observable", "context", "hours", "value", "lower", "upper", "unit",
    "comparison", "tolerance", "source",
)
_SOFT = ("interval_log10", "lower_log10", "upper_log10", "lower", "upper")
CENSORED = tuple(f"censored_{k}" for k in ("interval_log10", "lower_log10", "upper_log10",
                                          "interval", "lower", "upper"))
COMPARISONS = (*_SOFT, "binomial", *CENSORED)
_P_CLIP = 1e-3


def load_targets() -> pd.DataFrame:
    """The shipped target table, checked (InputError naming the row when a row is unusable)."""
    ref = importlib.resources.files("tallrx") / "data" / "model" / TARGETS_FILE
    with importlib.resources.as_file(ref) as path:
        df = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{TARGETS_FILE}: missing column(s) {', '.join(missing)}")
    for i, r in df.iterrows():
        where = f"{TARGETS_FILE}: row {i + 2} ({r['target']})"
        if r["comparison"] not in COMPARISONS:
            raise InputError(f"{where}: comparison {r['comparison']!r}; use one of {COMPARISONS}")
        if not isinstance(r["source"], str) or not r["source"].strip():
            raise InputError(f"{where}: every target needs a source")
        if r["comparison"] != "binomial":
            tol = float(r["tolerance"])
            if not tol > 0:
                raise InputError(f"{where}: tolerance {r['tolerance']!r}; expected a number > 0")
    return df


def _soft_bound(x: np.ndarray, lower: float, upper: float, tol: float) -> np.ndarray:
    below = np.where(np.isfinite(lower), np.maximum(lower - x, 0.0), 0.0)
    above = np.where(np.isfinite(upper), np.maximum(x - upper, 0.0), 0.0)
    return -0.5 * ((below + above) / tol) ** 2


def log_prob_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a <= b (either may be infinite), accurate in both tails."""
    from scipy.special import log_ndtr

    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    # upper tail: Phi(b) - Phi(a) = Phi(-a) - Phi(-b); use the side where both terms are small
    flip = a > 0
    hi = np.where(flip, -a, b)
    lo = np.where(flip, -b, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        lh, ll = log_ndtr(hi), log_ndtr(lo)
        out = lh + np.log1p(-np.exp(ll - lh))
    return np.where(a < b, out, -np.inf)


def censored(y: np.ndarray, lower: float, upper: float, sigma: float) -> np.ndarray:
    """log P(lower <= y + sigma Z <= upper), Z standard normal (bounds may be infinite)."""
    y = np.asarray(y, float)
    return log_prob_between((lower - y) / sigma, (upper - y) / sigma)


def log_likelihood(row: pd.Series, x: np.ndarray) -> np.ndarray:
    """Log-likelihood of observable values ``x`` (one per particle) under target ``row``.

    NaN observables (failed simulations) get -inf.
    """
    x = np.asarray(x, dtype=float)
    lo = float(row["lower"]) if pd.notna(row["lower"]) else -np.inf
    hi = float(row["upper"]) if pd.notna(row["upper"]) else np.inf
    kind = row["comparison"]
    if kind == "binomial":
        k, n = (int(v) for v in str(row["tolerance"]).split("/"))
        p = np.clip(x, _P_CLIP, 1 - _P_CLIP)
        p0 = k / n
        out = k * np.log(p) + (n - k) * np.log1p(-p) - (k * np.log(p0) + (n - k) * np.log1p(-p0))
    elif kind.startswith("censored_"):
        y = x
        if kind.endswith("_log10"):
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(x)
            lo = np.log10(lo) if lo > 0 else -np.inf
            hi = np.log10(hi) if np.isfinite(hi) else np.inf
        out = censored(np.where(np.isnan(y), np.nan, y), lo, hi, float(row["tolerance"]))
        out = np.where(np.isnan(y), -np.inf, out)
    elif kind.endswith("_log10"):
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.log10(x)
        out = _soft_bound(lx, np.log10(lo) if lo > 0 else -np.inf,
                          np.log10(hi) if np.isfinite(hi) else np.inf, float(row["tolerance"]))
    else:
        out = _soft_bound(x, lo, hi, float(row["tolerance"]))
    return np.where(np.isfinite(out), out, -np.inf)
