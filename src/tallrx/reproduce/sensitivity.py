"""Claims over many parameter sets: rerun every experiment with each set and count, per claim, the
runs in which it held (with a Wilson 95 % interval). The sets are sampled within the model's stated
ranges (sensitivity) or drawn from a calibration posterior (:mod:`.draws`)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from tallrx.errors import InputError
from tallrx.model import NETWORK
from tallrx.model.virtual.cohort import PARAMS as PATIENT_PARAMS
from tallrx.reproduce.claims import CLAIMS, Claim
from tallrx.reproduce.evaluate import evaluate_claims
from tallrx.reproduce.experiments import Context
from tallrx.reproduce.runner import Progress, run_experiments

__all__ = [
    "uncertain_parameters",
    "sample_parameters",
    "check_spread",
    "wilson_interval",
    "run_parameter_sets",
    "run_sensitivity",
]

SENSITIVITY_KINDS = ("kinetic", "level")
MIN_INFLUENCE_RUNS = 30  # sensitivity runs needed before naming influential parameters
WILSON_Z = 1.959963984540054  # two-sided 95 % standard-normal quantile


def uncertain_parameters() -> pd.DataFrame:
    """Model parameters varied in sensitivity runs: kinetic and level parameters with a stated
    range (low < high), except those each virtual patient sets.

    Returns
    -------
    pandas.DataFrame
        Columns name, value, low, high, unit, source.
    """
    rows = [
        dict(name=p.name, value=p.value, low=p.low, high=p.high, unit=p.unit, source=p.source)
        for p in NETWORK.parameters
        if p.kind in SENSITIVITY_KINDS and p.high > p.low and p.name not in PATIENT_PARAMS
    ]
    return pd.DataFrame(rows)


def check_spread(spread: float) -> None:
    """Raise :class:`~tallrx.errors.InputError` unless 0 < ``spread`` <= 1."""
    if not 0 < spread <= 1:
        raise InputError(
            f"spread = {spread!r}: expected a fraction in (0, 1] of each "
            "parameter's stated range (1 = the whole range, e.g. 0.25)"
        )


def sample_parameters(n: int, seed: int = 0, spread: float = 1.0) -> pd.DataFrame:
    """``n`` parameter sets (rows), each parameter drawn independently within its stated range:
    log-uniform when the range is positive, uniform when it starts at 0.

    ``spread`` (0-1] narrows each range around the nominal value: the draw covers that fraction
    of the (log) distance from the nominal value to each bound (1 = the whole stated range).

    Returns
    -------
    pandas.DataFrame
        One row per set; one column per parameter of :func:`uncertain_parameters` (its unit).
    """
    check_spread(spread)
    spec = uncertain_parameters()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5E75]))
    u = rng.random((int(n), len(spec)))
    low, high = spec["low"].to_numpy(float), spec["high"].to_numpy(float)
    mid = np.clip(spec["value"].to_numpy(float), low, high)
    pos = low > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = [np.log(np.where(pos, x, 1.0)) for x in (low, mid, high)]
    lo_l, hi_l = lg[1] - spread * (lg[1] - lg[0]), lg[1] + spread * (lg[2] - lg[1])
    lo, hi = mid - spread * (mid - low), mid + spread * (high - mid)
    vals = np.where(pos, np.exp(lo_l + u * (hi_l - lo_l)), lo + u * (hi - lo))
    return pd.DataFrame(np.clip(vals, low, high), columns=spec["name"].tolist())


def _influence(
    table: pd.DataFrame,
    params: pd.DataFrame,
    top: int = 3,
    claims: Sequence[Claim] | None = None,
) -> dict[int, list]:
    """Per claim: the parameters whose (log) value is most rank-correlated with 'held'.

    Exploratory: with ~100 parameters, the largest of their chance correlations is about
    3 / sqrt(runs), so nothing is reported below :data:`MIN_INFLUENCE_RUNS` runs. ``claims``
    default to :data:`tallrx.reproduce.claims.CLAIMS`."""
    out = {}
    if len(table) < MIN_INFLUENCE_RUNS:
        return out
    logp = np.log10(params.clip(lower=1e-300)).rank().to_numpy()
    for cid in (c.id for c in (CLAIMS if claims is None else claims)):
        held = table[f"claim{cid}"]
        ok = held.isin(["held", "not held"]).to_numpy()
        y = (held == "held").to_numpy(float)[ok]
        if ok.sum() < MIN_INFLUENCE_RUNS or y.std() == 0:
            continue
        x = logp[ok]
        xc = x - x.mean(0)
        r = (xc * (y - y.mean())[:, None]).sum(0) / np.sqrt(
            (xc**2).sum(0) * ((y - y.mean()) ** 2).sum()
        )
        order = np.argsort(-np.abs(np.nan_to_num(r)))[:top]
        out[cid] = [
            {"parameter": params.columns[i], "rank_correlation": float(r[i])} for i in order
        ]
    return out


def wilson_interval(k: int, n: int, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n`` (95 % for the default ``z``).

    Parameters
    ----------
    k, n : int
        Successes (runs in which a claim held) and trials (runs in which it was evaluated).
    z : float
        Standard-normal quantile of the two-sided level (1.959964 -> 95 %).

    Returns
    -------
    (float, float)
        Lower and upper bound (both NaN when ``n`` = 0).
    """
    if n <= 0:
        return float("nan"), float("nan")
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _run_one(task: tuple) -> dict:
    """One parameter set (a pure task for :mod:`tallrx.parallel`): every experiment rerun with
    ``ctx.params``, every claim evaluated -> {claimN: status, failures}."""
    ctx, strict, claims, experiments = task
    if multiprocessing.current_process().daemon:  # a Dask worker may not start a process pool
        ctx = replace(ctx, jobs=1)
    runs, failures, _ = run_experiments(ctx, strict=strict, experiments=experiments)
    verdicts = evaluate_claims(runs, failures, strict=strict, claims=claims, experiments=experiments)
    return {
        **{f"claim{c}": v.status for c, v in verdicts.items()},
        "failures": "; ".join(f"{k}: {v}" for k, v in failures.items()),
    }


def _summary(table: pd.DataFrame, params: pd.DataFrame, claims: Sequence[Claim]) -> pd.DataFrame:
    """Per claim: runs, held, not run, fraction held and its Wilson 95 % interval, influence."""
    influence = _influence(table, params, claims=claims)
    rows = []
    for claim in claims:
        s = table[f"claim{claim.id}"]
        ran = int(s.isin(["held", "not held"]).sum())
        held = int((s == "held").sum())
        low, high = wilson_interval(held, ran)
        rows.append(
            {
                "claim": claim.id,
                "figure": claim.figure,
                "n_runs": ran,
                "n_held": held,
                "n_not_run": int((s == "not run").sum()),
                "fraction_held": held / ran if ran else np.nan,
                "fraction_held_low": low,
                "fraction_held_high": high,
                "most_influential": "; ".join(
                    f"{d['parameter']} ({d['rank_correlation']:+.2f})"
                    for d in influence.get(claim.id, [])
                ),
            }
        )
    return pd.DataFrame(rows)


def run_parameter_sets(
    params: pd.DataFrame,
    ctx: Context,
    progress: Progress | None,
    strict: bool,
    *,
    claims: Sequence[Claim],
    experiments: Mapping,
    label: str = "parameter set",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rerun every experiment once per row of ``params`` (model parameter overrides) and count,
    per claim, the runs in which it held: the one code path of sensitivity sets and posterior
    draws.

    The sets are mapped through :func:`tallrx.parallel.imap_chunks` (one task per set on the open
    Dask cluster of ``--jobs N`` / ``--scheduler`` when there is one, else in this process);
    each set's result depends only on the set and the seed, so the tables are the same either way.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per claim: claim, figure, n_runs, n_held, n_not_run, fraction_held, fraction_held_low,
        fraction_held_high (Wilson 95 %), most_influential.
        Per parameter set: run, claim1..claimN (status), failures, then the parameter values.
    """
    from tallrx import parallel
    from tallrx import progress as bars

    params = params.reset_index(drop=True)
    # a resampled posterior repeats draws: each distinct set runs once (its result is the same)
    key = params.apply(tuple, axis=1)
    first = ~key.duplicated()
    tasks = (
        (replace(ctx, params=p.to_dict(), n_boot=0), strict, claims, experiments)
        for _, p in params[first].iterrows()
    )
    done: dict[tuple, dict] = {}
    repeats = key.value_counts()
    with bars.task(f"{label}s", int(first.sum()), f"{label}s"):
        for k, row in zip(key[first], parallel.imap_chunks(_run_one, tasks), strict=True):
            done[k] = row
            for _ in range(int(repeats[k]) if progress is not None else 0):  # one step per row
                progress(f"{label} {len(done)} of {int(first.sum())} distinct")
    table = pd.DataFrame(
        [{"run": i + 1, **done[k]} for i, k in enumerate(key)],
        columns=["run", *(f"claim{c.id}" for c in claims), "failures"],
    )
    return _summary(table, params, claims), pd.concat([table, params], axis=1)


def run_sensitivity(
    n: int,
    ctx: Context,
    progress: Progress | None,
    strict: bool,
    spread: float,
    *,
    claims: Sequence[Claim],
    experiments: Mapping,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rerun everything with ``n`` parameter sets from :func:`sample_parameters` (see
    :func:`run_parameter_sets` for the tables)."""
    return run_parameter_sets(
        sample_parameters(n, ctx.seed, spread), ctx, progress, strict,
        claims=claims, experiments=experiments,
    )
