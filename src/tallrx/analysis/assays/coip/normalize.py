"""Bait normalization of co-IP iBAQ (paper Fig. 4A): relative stoichiometry per sample.

Each protein's iBAQ is divided by the bait's iBAQ in the same sample. ``method="perseus"`` works
on log2 iBAQ instead, with Perseus' valid-value filter and down-shifted normal imputation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tallrx.analysis.assays.coip.proteins import (
    _bait_rows,
    _conditions,
    _is_control,
    _matrix,
    _sample_table,
)
from tallrx.errors import AnalysisError, DegenerateDataWarning
from tallrx.schema import validate

__all__ = ["IMPUTE_SHIFT", "IMPUTE_WIDTH", "bait_normalize"]

#: Perseus defaults for down-shifted normal imputation (in SD of the sample's log2 values).
IMPUTE_WIDTH = 0.3
IMPUTE_SHIFT = 1.8


def _impute(
    log2: np.ndarray,
    rng: np.random.Generator,
    width: float = IMPUTE_WIDTH,
    shift: float = IMPUTE_SHIFT,
) -> tuple[np.ndarray, np.ndarray]:
    """Perseus down-shifted normal imputation per column (sample) of a log2 matrix."""
    missing = ~np.isfinite(log2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(log2, axis=0)
        sd = np.nanstd(log2, axis=0, ddof=1)
    sd = np.where(np.isfinite(sd), sd, 0.0)
    draws = rng.normal(mu - shift * sd, width * sd, size=log2.shape)
    return np.where(missing, draws, log2), missing


def bait_normalize(
    coip: pd.DataFrame,
    bait: str | None = None,
    *,
    control_bait: str | None = None,
    where: str = "co-IP table",
) -> pd.DataFrame:
    """Per sample x protein: ``ratio`` = ibaq / bait ibaq in the same sample (paper Fig. 4A).

    Proteins not detected in a sample (ibaq NaN) get ratio 0; samples whose bait was not
    detected get NaN ratios and a :class:`DegenerateDataWarning`. Control IPs (IgG / beads) are
    left out.

    Parameters
    ----------
    coip
        The tidy ``coip`` table (experiment, bait, sample, condition columns, protein, ibaq,
        replicate).
    bait
        The bait of every sample (e.g. ``"BIM"``); default: each sample's ``bait`` column.
    control_bait
        One more bait name that marks a control IP (besides IgG, beads, mock, ...).
    where
        The table's name for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per bait-IP sample x protein: the coip columns plus ``bait_protein`` (HGNC
        symbol of the sample's bait), ``bait_ibaq`` (the bait's iBAQ in that sample) and
        ``ratio`` (iBAQ / bait iBAQ, unitless relative stoichiometry).
    """
    validate(coip, "coip", where=where)
    conds = _conditions(coip)
    ip = coip[~_is_control(coip["bait"], control_bait)]
    if ip.empty:
        raise AnalysisError(
            f"{where}: every sample is a control IP (bait IgG / beads); "
            "expected at least one bait IP"
        )
    samples = _sample_table(ip, conds, where)
    mat = _matrix(ip, samples, where)
    proteins = mat.index.tolist()
    rows = _bait_rows(samples, proteins, bait, where)
    x = mat.to_numpy()
    bait_ibaq = x[rows, np.arange(x.shape[1])]
    _warn_missing_bait(samples, bait_ibaq)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, x, 0.0) / np.where(bait_ibaq > 0, bait_ibaq, np.nan)
    return _ratio_table(ip, samples, np.asarray(proteins), x, ratio, rows)


def _warn_missing_bait(samples: pd.DataFrame, bait_ibaq: np.ndarray) -> None:
    """Warn (DegenerateDataWarning) about samples whose bait iBAQ is missing or not > 0."""
    bad = ~(np.isfinite(bait_ibaq) & (bait_ibaq > 0))
    if bad.any():
        warnings.warn(
            f"bait not detected in sample(s) {', '.join(samples['sample'][bad])}: "
            "their ratios are NaN and they are left out of the statistics",
            DegenerateDataWarning,
            stacklevel=3,
        )


def _valid_value_filter(
    detected: np.ndarray, samples: pd.DataFrame, conds: list[str], min_valid: int | None
) -> np.ndarray:
    """Perseus valid-value filter: proteins detected in >= ``min_valid`` (default: all)
    replicates of at least one condition group."""
    keep = np.zeros(detected.shape[0], bool)
    for _, idx in samples.groupby(conds, dropna=False, sort=False).indices.items():
        need = len(idx) if min_valid is None else min(min_valid, len(idx))
        keep |= detected[:, idx].sum(1) >= need
    return keep


def _ratio_table(
    ip: pd.DataFrame,
    samples: pd.DataFrame,
    proteins: np.ndarray,
    x: np.ndarray,
    ratio: np.ndarray,
    rows: np.ndarray,
    imputed: np.ndarray | None = None,
) -> pd.DataFrame:
    """``ip`` plus bait_protein, bait_ibaq, ratio (and ``imputed`` when given) per sample x
    protein, from the protein x sample matrices ``x`` (iBAQ) and ``ratio``."""
    cols = np.arange(x.shape[1])
    long = pd.DataFrame(
        {
            "sample": np.tile(samples["sample"].to_numpy(), len(proteins)),
            "protein": np.repeat(proteins, len(samples)),
            "bait_protein": np.tile(proteins[rows], len(proteins)),
            "bait_ibaq": np.tile(x[rows, cols], len(proteins)),
            "ratio": ratio.ravel(),
        }
    )
    if imputed is not None:
        long["imputed"] = imputed.ravel()
    return ip.merge(long, on=["sample", "protein"], how="left")
