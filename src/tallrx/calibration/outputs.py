"""Calibration output tables: posterior.csv (the format :func:`tallrx.model.twin.prior.read_posterior`
and ``tallrx reproduce --posterior`` read) and identifiability.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.calibration.prior import BoxPrior

#: a parameter counts as identified when its posterior 5-95 % width (transformed space) is below
#: this share of the prior's
IDENTIFIED_RATIO = 0.5


def posterior_table(prior: BoxPrior, x: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """``weight`` (normalized) + one column per parameter (natural units) per particle."""
    params = prior.to_parameters(x)
    params.insert(0, "weight", np.asarray(weights, float) / np.sum(weights))
    return params


def write_posterior(table: pd.DataFrame, path: str | Path) -> None:
    """Write a :func:`posterior_table` (17 significant digits, so values round-trip)."""
    table.to_csv(path, index=False, float_format="%.17g")


def identifiability(prior: BoxPrior, x: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """Per parameter: prior and posterior 5-95 % width (log space for positive ranges), their
    ratio, and ``identified`` (ratio < :data:`IDENTIFIED_RATIO`)."""
    post = prior.width(x, np.asarray(weights, float))
    pri = 0.9 * (prior.high - prior.low)
    ratio = post / pri
    return pd.DataFrame(
        {
            "parameter": list(prior.names),
            "scale": np.where(prior.log, "log", "linear"),
            "prior_width": pri,
            "posterior_width": post,
            "width_ratio": ratio,
            "identified": ratio < IDENTIFIED_RATIO,
        }
    )
