"""``reproduce``: run every experiment, evaluate every claim, write claims.json and the tables.

Outputs (folder ``out``, written atomically: a failure leaves it as it was):

* ``claims.json``: one record per claim: id, figure, statement, rule, status (held / not held /
  not run), held (true / false / null), summary, evidence (the numbers that decided it) and,
  with ``sensitivity``, the fraction of sampled parameter sets in which it held; with ``draws``,
  ``n_draws``, ``held_fraction`` (over the draws in which the claim could be evaluated) and
  ``held_fraction_interval`` (Wilson score 95 %, ``held_fraction_interval_method``);
* ``tables/*.csv``: every tidy table (virtual assay outputs and their analyses);
* ``meta.json``: seed, options, seconds, failures and the distinct warnings per experiment;
* with ``sensitivity`` > 0: ``sensitivity.csv`` (per claim) and ``sensitivity_runs.csv`` (per
  parameter set: the parameter values and each claim's status);
* with ``draws`` > 0: ``draws.csv`` and ``draws_runs.csv`` (the same tables over posterior draws;
  ``posterior_row`` names the row of the posterior file each draw came from).

``render(result, folder)`` (e.g. :func:`tallrx.report.reproduce.render`) is called inside the
atomic folder to add the report and figures; this layer never imports plots or reports.

The jobs live in their own modules: :mod:`~tallrx.reproduce.runner` (running the virtual
experiments), :mod:`~tallrx.reproduce.evaluate` (the claims), :mod:`~tallrx.reproduce.sensitivity`
and :mod:`~tallrx.reproduce.outputs` (writing); this module strings them together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from tallrx import parallel
from tallrx._atomic import atomic_dir
from tallrx.errors import InputError  # (re-exported too: callers catch it from here)
from tallrx.reproduce.claims import CLAIMS
from tallrx.reproduce.draws import posterior_draws
from tallrx.reproduce.evaluate import evaluate_claims
from tallrx.reproduce.experiments import EXPERIMENTS, Context
from tallrx.reproduce.outputs import ReproduceResult, claim_records, write_outputs
from tallrx.reproduce.runner import Progress, run_experiments
from tallrx.reproduce.sensitivity import (
    _influence,  # noqa: F401  (re-exported for the tests of the influence ranking)
    check_spread,
    run_parameter_sets,
    run_sensitivity,
    sample_parameters,
    uncertain_parameters,
)

__all__ = [
    "ReproduceResult",
    "reproduce",
    "run_experiments",
    "evaluate_claims",
    "sample_parameters",
    "uncertain_parameters",
    "n_steps",
]


def n_steps(sensitivity: int = 0, draws: int = 0) -> int:
    """Progress steps of a run: one per experiment, one for the outputs, one per parameter set
    (sensitivity sets and posterior draws)."""
    return len(EXPERIMENTS) + 1 + int(sensitivity) + int(draws)


def _draw_runs(
    n: int, posterior: str | Path | None, ctx: Context, progress, strict: bool, setup: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every claim over ``n`` posterior draws (empty tables when ``n`` = 0)."""
    if not n:
        return pd.DataFrame(), pd.DataFrame()
    params = posterior_draws(n, ctx.seed, posterior)
    summary, runs = run_parameter_sets(params, ctx, progress, strict, label="draw", **setup)
    runs.insert(1, "posterior_row", params.attrs["posterior_row"])
    runs.attrs["posterior"] = params.attrs["posterior"]
    return summary, runs


def reproduce(
    out: str | Path,
    *,
    seed: int = 0,
    sensitivity: int = 0,
    spread: float = 1.0,
    draws: int = 0,
    posterior: str | Path | None = None,
    jobs: int = 1,
    n_boot: int = 200,
    n_null: int = 199,
    progress: Progress | None = None,
    render: Callable[[ReproduceResult, Path], None] | None = None,
    strict: bool = False,
) -> ReproduceResult:
    """Run the paper's experiments in silico, evaluate the eight claims, write ``out``.

    ``seed`` fixes every measurement-noise draw (same seed -> identical tables). ``sensitivity``
    N > 0 reruns everything with N parameter sets sampled within the model's stated ranges
    (:func:`sample_parameters`; ``spread`` < 1 narrows each range around the nominal value)
    and reports per claim the fraction of runs in which it held. ``draws`` N > 0 does the same
    over N parameter sets resampled by weight from the calibration ``posterior`` (a
    ``posterior.csv``; default the shipped one): each claim's ``held_fraction`` with its Wilson
    95 % interval (:mod:`tallrx.reproduce.draws`).
    ``jobs`` > 1: a local Dask cluster of ``jobs`` worker processes runs the two experiment
    chains and the parameter sets side by side (:func:`tallrx.parallel.cluster`; an already open
    cluster, e.g. the CLI's ``--scheduler``, serves instead); 1: in this process. The results are
    the same either way. ``progress(label)`` is called
    after each step (:func:`n_steps`). ``render(result, folder)`` adds the report. With
    ``strict`` an experiment or evaluation error raises instead of becoming "not run".
    """
    check_spread(spread)
    if int(draws) < 0:
        raise InputError(f"draws = {draws}: expected a number of posterior draws >= 0")
    if draws:  # a missing or malformed posterior fails before anything runs
        posterior_draws(1, seed, posterior)
    t0 = time.perf_counter()
    # each experiment simulates in its own process; parallelism is the cluster's (chains, sets)
    ctx = Context(seed=int(seed), jobs=1, n_boot=int(n_boot), n_null=int(n_null))
    setup = {"claims": CLAIMS, "experiments": EXPERIMENTS}  # read at call time (tests swap them)
    with parallel.cluster(None if parallel.current() is not None else int(jobs)):
        runs, failures, log = run_experiments(
            ctx, progress=progress, strict=strict, experiments=EXPERIMENTS
        )
        verdicts = evaluate_claims(runs, failures, strict=strict, **setup)
        sens, sens_runs = (
            run_sensitivity(int(sensitivity), ctx, progress, strict, float(spread), **setup)
            if sensitivity
            else (pd.DataFrame(), pd.DataFrame())
        )
        draw_sum, draw_runs = _draw_runs(int(draws), posterior, ctx, progress, strict, setup)
    result = ReproduceResult(
        Path(out),
        int(seed),
        claim_records(verdicts, sens, CLAIMS, draw_sum),
        verdicts,
        runs,
        failures,
        log,
        sensitivity=sens,
        sensitivity_runs=sens_runs,
        spread=float(spread),
        draws=draw_sum,
        draw_runs=draw_runs,
    )
    options = {
        "sensitivity": int(sensitivity),
        "spread": float(spread),
        "draws": int(draws),
        **({"posterior": draw_runs.attrs["posterior"]} if len(draw_runs) else {}),
        "jobs": int(jobs),
        "n_boot": int(n_boot),
        "n_null": int(n_null),
    }
    with atomic_dir(out) as folder:
        write_outputs(folder, result, options)
        if render is not None:
            render(result, folder)
        if progress is not None:
            progress("outputs written")
    return replace(result, seconds=time.perf_counter() - t0)
