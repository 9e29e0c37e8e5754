"""Posterior draws for ``tallrx reproduce --draws N``: parameter sets resampled from a calibration
posterior (``posterior.csv`` of ``tallrx model calibrate``: a ``weight`` column plus one column per
model parameter, optionally ``p.``-prefixed).

The draws are a weighted resample with replacement (multinomial, probability proportional to the
weight, seeded by the run seed), so they are independent draws from the weighted posterior; each
one is run through every experiment by :func:`tallrx.reproduce.sensitivity.run_parameter_sets`.
Parameters the posterior does not name keep their nominal values; per-patient parameters in the
file are left to each virtual patient (as :func:`tallrx.model.twin.prior.read_posterior` does).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean

__all__ = ["POSTERIOR_FILE", "shipped_posterior", "read_draws_posterior", "posterior_draws"]

POSTERIOR_FILE = "posterior.csv"
_DRAW_STREAM = 0xD7A5  # the draws' random stream, apart from the sensitivity sets' one


def shipped_posterior() -> Path | None:
    """The posterior shipped with the package (``tallrx/data/model/posterior.csv``), or None."""
    ref = importlib.resources.files("tallrx") / "data" / "model" / POSTERIOR_FILE
    path = Path(str(ref))
    return path if path.is_file() else None


def read_draws_posterior(path: str | Path) -> pd.DataFrame:
    """A posterior file checked for ``--draws``: the format of
    :func:`~tallrx.model.twin.prior.read_posterior`, and every column other than ``weight`` a model
    parameter (an unknown column is an error, never silently dropped).

    Returns
    -------
    pandas.DataFrame
        One row per posterior draw, one column per model parameter (its unit); the normalized
        weights in ``attrs["weight"]``.
    """
    from tallrx.model.network import NETWORK
    from tallrx.model.twin.prior import read_posterior

    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"--posterior {path}: no such file (a posterior.csv written by tallrx model calibrate)"
        )
    header = pd.read_csv(path, nrows=0).columns
    known = set(NETWORK.parameter_index)
    unknown = [c for c in header if c != "weight" and str(c).removeprefix("p.") not in known]
    if unknown:
        hint = did_you_mean(str(unknown[0]).removeprefix("p."), known)
        raise InputError(
            f"{path}: column(s) {', '.join(map(repr, unknown))} name no model parameter.{hint} "
            "A posterior holds 'weight' plus one column per model parameter (tallrx model show)"
        )
    post = read_posterior(path)
    values = post.to_numpy(float)
    if not np.isfinite(values).all():
        raise InputError(f"{path}: parameter values must be finite numbers in every row")
    return post


def posterior_draws(n: int, seed: int, path: str | Path | None = None) -> pd.DataFrame:
    """``n`` parameter sets resampled (with replacement, by weight) from a posterior.

    Parameters
    ----------
    n : int
        Number of draws (>= 1).
    seed : int
        Run seed (the same seed gives the same draws).
    path : str or Path, optional
        The posterior file; default the shipped one (:func:`shipped_posterior`).

    Returns
    -------
    pandas.DataFrame
        One row per draw, one column per posterior parameter; ``attrs["posterior_row"]`` holds
        the 0-based row of the file each draw came from and ``attrs["posterior"]`` the file.
    """
    if path is None:
        path = shipped_posterior()
        if path is None:
            raise InputError(
                "--draws needs a posterior, and this tallrx ships none yet "
                f"(tallrx/data/model/{POSTERIOR_FILE}): pass --posterior FILE, e.g. the "
                "posterior.csv written by tallrx model calibrate"
            )
    post = read_draws_posterior(path)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), _DRAW_STREAM]))
    rows = rng.choice(len(post), size=int(n), replace=True, p=post.attrs["weight"])
    out = post.iloc[rows].reset_index(drop=True)
    out.attrs = {"posterior_row": rows, "posterior": str(path)}
    return out
