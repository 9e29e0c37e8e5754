"""Vectorized replicate bootstrap of the paper's trapezoid AUC (mean % viability over log10 uM)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.analysis.doseresponse.curves import auc_trapezoid

#: largest draws x wells block held in memory at once (float64: 32 MB)
_BLOCK = 4_000_000


def bootstrap_trapezoid_auc(
    wells: pd.DataFrame,
    curve_keys: list[str],
    *,
    conc: str,
    value: str,
    n_boot: int,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Resample replicate wells within each concentration of each curve; recompute the AUC.

    ``wells`` has one row per well: the ``curve_keys``, a concentration ``conc`` (uM, > 0) and a
    response ``value`` (% viability). A curve's AUC is the trapezoid area of the mean response
    per concentration over log10(conc) across its tested concentrations (NaN with < 2 of them).

    All draws are computed as arrays: each well slot of each draw picks a random replicate of
    its own concentration, and per-cell means come from one ``np.add.reduceat`` over the draw
    matrix.

    Returns
    -------
    boot : numpy.ndarray
        (n_boot x n_curves) AUCs of the bootstrap draws (% x log10 uM).
    observed : numpy.ndarray
        (n_curves,) AUCs of the data.
    index : pandas.DataFrame
        One row per curve, columns: the ``curve_keys`` and ``_curve`` (the curve's column in
        ``boot``).

    Examples
    --------
    >>> w = pd.DataFrame({"c": ["x"] * 4, "d": [0.01, 0.01, 100.0, 100.0],
    ...                   "v": [100.0, 100.0, 100.0, 100.0]})
    >>> boot, obs, idx = bootstrap_trapezoid_auc(w, ["c"], conc="d", value="v", n_boot=3)
    >>> obs.tolist(), boot[:, 0].tolist()
    ([400.0], [400.0, 400.0, 400.0])
    """
    df = wells.sort_values([*curve_keys, conc], kind="stable").reset_index(drop=True)
    curve = df.groupby(curve_keys, sort=False, dropna=False).ngroup().to_numpy()
    cell = df.groupby([*curve_keys, conc], sort=False, dropna=False).ngroup().to_numpy()
    index = df[curve_keys].drop_duplicates().reset_index(drop=True)
    index["_curve"] = np.arange(len(index))
    n_curves = len(index)
    if len(df) == 0:
        return np.empty((n_boot, 0)), np.empty(0), index

    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    counts = np.diff(np.r_[starts, len(df)])
    cell_curve = curve[starts]
    logx = np.log10(df[conc].to_numpy(dtype=float)[starts])
    values = df[value].to_numpy(dtype=float)
    curve_starts = np.flatnonzero(np.r_[True, cell_curve[1:] != cell_curve[:-1]])
    n_cells = np.diff(np.r_[curve_starts, len(starts)])

    def auc_of(means: np.ndarray) -> np.ndarray:
        """(draws x cells) mean responses -> (draws x curves) trapezoid AUCs."""
        same = cell_curve[1:] == cell_curve[:-1]
        # one trapezoid per pair of neighbouring cells: x (2, 1, cells-1), y (2, draws, cells-1)
        x_pairs = np.stack([logx[:-1], logx[1:]])[:, None, :]
        y_pairs = np.stack([means[:, :-1], means[:, 1:]])
        seg = np.zeros_like(means)
        seg[:, :-1] = np.where(same, auc_trapezoid(x_pairs, y_pairs, axis=0), 0.0)
        auc = np.add.reduceat(seg, curve_starts, axis=1)
        auc[:, n_cells < 2] = np.nan
        return auc

    observed = auc_of((np.add.reduceat(values, starts) / counts)[None, :])[0]
    rng = np.random.default_rng(seed)
    cell_start_of_well = starts[cell]
    n_of_well = counts[cell]
    boot = np.empty((n_boot, n_curves))
    step = max(1, _BLOCK // len(df))
    for b0 in range(0, n_boot, step):  # blocks of draws; everything inside is array work
        b = min(step, n_boot - b0)
        pick = cell_start_of_well + (rng.random((b, len(df))) * n_of_well).astype(np.int64)
        sums = np.add.reduceat(values[pick], starts, axis=1)
        boot[b0 : b0 + b] = auc_of(sums / counts)
    return boot, observed, index
