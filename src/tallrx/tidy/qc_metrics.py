"""Plate quality metrics as pure, vectorized functions of control-well statistics.

"High" control = vehicle wells (untreated, maximal signal); "low" control = positive-control wells
(full kill) or, when a plate has none, blank wells (no cells). All functions broadcast over
arrays of groups and return NaN where a metric is undefined (too few wells, zero spread).
"""

from __future__ import annotations

import numpy as np

#: scale that makes the median absolute deviation a consistent estimator of the SD (normal data)
MAD_SCALE = 1.4826


def z_prime(mu_high, sd_high, mu_low, sd_low):
    """Z' factor (Zhang, Chung & Oldenburg 1999, J Biomol Screen 4:67, eq. 4 applied to controls).

    Z' = 1 - 3 (sd_high + sd_low) / |mu_high - mu_low|     (sample SDs, ddof = 1)

    1 is ideal; >= 0.5 is "an excellent assay" in that paper's classification.

    Parameters
    ----------
    mu_high, sd_high : array_like
        Mean and sample SD of the high (vehicle) control wells, per group (signal units).
    mu_low, sd_low : array_like
        The same for the low (positive or blank) control wells.

    Returns
    -------
    numpy.ndarray
        Z' per group; NaN where undefined.

    Examples
    --------
    >>> float(z_prime(100.0, 5.0, 10.0, 5.0))    # 1 - 30 / 90
    0.6666666666666667
    """
    mu_high, sd_high, mu_low, sd_low = map(np.asarray, (mu_high, sd_high, mu_low, sd_low))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - 3.0 * (sd_high + sd_low) / np.abs(mu_high - mu_low)
    return np.where(np.isfinite(out), out, np.nan)


def robust_z_prime(med_high, mad_high, med_low, mad_low):
    """Robust Z': Z' with medians for means and 1.4826 x MAD for SDs (Birmingham et al. 2009,
    Nat Methods 6:569, "robust" statistics for screening QC).

    robust Z' = 1 - 3 * 1.4826 (MAD_high + MAD_low) / |median_high - median_low|

    Parameters
    ----------
    med_high, mad_high : array_like
        Median and MAD (unscaled) of the high (vehicle) control wells, per group (signal units).
    med_low, mad_low : array_like
        The same for the low (positive or blank) control wells.

    Returns
    -------
    numpy.ndarray
        Robust Z' per group; NaN where undefined.

    Examples
    --------
    >>> round(float(robust_z_prime(100.0, 2.0, 10.0, 1.0)), 4)   # 1 - 3 * 1.4826 * 3 / 90
    0.8517
    """
    return z_prime(
        med_high, MAD_SCALE * np.asarray(mad_high), med_low, MAD_SCALE * np.asarray(mad_low)
    )


def ssmd(mu_high, sd_high, mu_low, sd_low):
    """Strictly standardized mean difference of independent controls (Zhang 2007, Genomics 89:552).

    SSMD = (mu_high - mu_low) / sqrt(sd_high^2 + sd_low^2)      (positive when vehicle > control)

    Parameters
    ----------
    mu_high, sd_high, mu_low, sd_low : array_like
        Means and sample SDs of the high and low controls, per group (as for :func:`z_prime`).

    Returns
    -------
    numpy.ndarray
        SSMD per group; NaN where undefined.

    Examples
    --------
    >>> float(ssmd(100.0, 3.0, 10.0, 4.0))    # 90 / 5
    18.0
    """
    mu_high, sd_high, mu_low, sd_low = map(np.asarray, (mu_high, sd_high, mu_low, sd_low))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (mu_high - mu_low) / np.sqrt(sd_high**2 + sd_low**2)
    return np.where(np.isfinite(out), out, np.nan)


def cv_percent(mean, sd):
    """Coefficient of variation in %: 100 * sd / mean (sample SD, ddof = 1).

    Parameters
    ----------
    mean, sd : array_like
        Mean and sample SD of the vehicle signals, per group.

    Returns
    -------
    numpy.ndarray
        CV in % per group; NaN where the mean is 0 or a value is missing.

    Examples
    --------
    >>> float(cv_percent(200.0, 30.0))
    15.0
    """
    mean, sd = np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100.0 * sd / np.abs(mean)
    return np.where(np.isfinite(out), out, np.nan)


def robust_outliers(x, median, mad, *, k: float, min_deviation: float):
    """Mask of values more than ``k`` robust SDs (1.4826 x MAD) from their group median and more
    than ``min_deviation`` (a fraction of the median) away from it.

    Parameters
    ----------
    x : array_like
        The values (vehicle signals).
    median, mad : array_like
        Each value's group median and unscaled MAD (broadcast against ``x``).
    k : float
        Robust SDs from the median beyond which a value is an outlier.
    min_deviation : float
        Smallest deviation as a fraction of the median.

    Returns
    -------
    numpy.ndarray of bool
        True for outliers.

    Examples
    --------
    >>> robust_outliers([100, 102, 98, 101, 150], 101, 1, k=3, min_deviation=0.1).tolist()
    [False, False, False, False, True]
    """
    x, median, mad = (np.asarray(v, dtype=float) for v in (x, median, mad))
    dev = np.abs(x - median)
    with np.errstate(invalid="ignore"):
        return (dev > k * MAD_SCALE * mad) & (dev > min_deviation * np.abs(median))
