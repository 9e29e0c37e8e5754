"""Sum of the target log-likelihoods (:func:`.targets.log_likelihood`) over an observables
table (one row per parameter set, one column per target)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.calibration.targets import load_targets, log_likelihood


def total_log_likelihood(obs: pd.DataFrame, targets: pd.DataFrame | None = None) -> np.ndarray:
    """(n,) summed log-likelihood of the targets that ``obs`` has a column for."""
    targets = load_targets() if targets is None else targets
    total = np.zeros(len(obs))
    for _, row in targets.iterrows():
        if row["target"] in obs:
            total = total + log_likelihood(row, obs[row["target"]].to_numpy(float))
    return total
