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
COMPARISONS = ("interval_log10", "lower_log10", "upper_log10", "lower", "upper", "binomial")
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
            float(r["tolerance"])
    return df


def _soft_bound(x: np.ndarray, lower: float, upper: float, tol: float) -> np.ndarray:
    below = np.where(np.isfinite(lower), np.maximum(lower - x, 0.0), 0.0)
    above = np.where(np.isfinite(upper), np.maximum(x - upper, 0.0), 0.0)
    return -0.5 * ((below + above) / tol) ** 2


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
    elif kind.endswith("_log10"):
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.log10(x)
        out = _soft_bound(lx, np.log10(lo) if lo > 0 else -np.inf,
                          np.log10(hi) if np.isfinite(hi) else np.inf, float(row["tolerance"]))
    else:
        out = _soft_bound(x, lo, hi, float(row["tolerance"]))
    return np.where(np.isfinite(out), out, -np.inf)
