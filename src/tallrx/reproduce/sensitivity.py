"""The sensitivity analysis: rerun every experiment with parameter sets drawn within the model's
stated ranges and count, per claim, the runs in which it held."""

from __future__ import annotations

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

__all__ = ["uncertain_parameters", "sample_parameters", "check_spread", "run_sensitivity"]

SENSITIVITY_KINDS = ("kinetic", "level")
MIN_INFLUENCE_RUNS = 30  # sensitivity runs needed before naming influential parameters


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
    """Rerun everything with ``n`` sampled parameter sets.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per claim: claim, figure, n_runs, n_held, n_not_run, fraction_held, most_influential.
        Per parameter set: run, claim1..claimN (status), failures, then the parameter values.
    """
    params = sample_parameters(n, ctx.seed, spread)
    rows = []
    for i, p in params.iterrows():
        run_ctx = replace(ctx, params=p.to_dict(), n_boot=0)
        runs, failures, _ = run_experiments(run_ctx, strict=strict, experiments=experiments)
        verdicts = evaluate_claims(
            runs, failures, strict=strict, claims=claims, experiments=experiments
        )
        rows.append(
            {
                "run": i + 1,
                **{f"claim{c}": v.status for c, v in verdicts.items()},
                "failures": "; ".join(f"{k}: {v}" for k, v in failures.items()),
            }
        )
        if progress is not None:
            progress(f"parameter set {i + 1} of {n}")
    table = pd.DataFrame(rows)
    influence = _influence(table, params, claims=claims)
    summary = []
    for claim in claims:
        s = table[f"claim{claim.id}"]
        ran = int(s.isin(["held", "not held"]).sum())
        held = int((s == "held").sum())
        summary.append(
            {
                "claim": claim.id,
                "figure": claim.figure,
                "n_runs": ran,
                "n_held": held,
                "n_not_run": int((s == "not run").sum()),
                "fraction_held": held / ran if ran else np.nan,
                "most_influential": "; ".join(
                    f"{d['parameter']} ({d['rank_correlation']:+.2f})"
                    for d in influence.get(claim.id, [])
                ),
            }
        )
    return pd.DataFrame(summary), pd.concat([table, params], axis=1)
