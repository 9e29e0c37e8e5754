"""Twins of the samples of one viability table: fit, predict, summarize (what ``tallrx twin``
writes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tallrx import progress
from tallrx.model.twin.data import observations
from tallrx.model.twin.fit import TwinFit, build_library, fit_twin, union_conditions
from tallrx.model.twin.prior import Prior, build_prior
from tallrx.model.twin.summary import parameter_table
from tallrx.workflows.twin.predict import predict_twin, summarize_calls


@dataclass(frozen=True)
class Settings:
    """Sizes of a twin run (simulated parameter sets per sample ~ library/samples + rounds x
    per_round)."""

    library: int = 512
    rounds: int = 4
    per_round: int = 64
    draws: int = 64
    n_null: int = 99


@dataclass
class TwinResults:
    """Tables of ``tallrx twin`` and the per-sample fits and predictions (for the report)."""

    parameters: pd.DataFrame
    surface: pd.DataFrame
    calls: pd.DataFrame
    fits: dict[str, TwinFit] = field(default_factory=dict)
    predictions: dict[str, dict] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


def twin_samples(
    table: pd.DataFrame,
    samples: Sequence[str],
    *,
    prior: Prior | None = None,
    posterior: pd.DataFrame | None = None,
    seed: int = 0,
    settings: Settings = Settings(),
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
    where: str = "viability table",
) -> TwinResults:
    """Fit and predict a twin for each of ``samples`` (conditions pooled into one library)."""
    obs = [observations(table, s, where) for s in samples]
    prior = prior or build_prior(posterior)
    rng = np.random.default_rng(seed)
    with progress.task("simulating the twin prior library", total=1, unit="steps") as bar:
        lib = build_library(
            prior,
            union_conditions(obs),
            settings.library,
            rng,
            engine=engine,
            jobs=jobs,
            mapper=mapper,
        )
        bar.advance()
    out = TwinResults(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    params, surfaces, calls = [], [], []
    tasks = [(o, prior, lib, seed, i, settings, engine) for i, o in enumerate(obs)]
    with progress.task("fitting twins", total=len(obs), unit="samples") as bar:
        for o, (fit, pred) in zip(obs, _map(_one, tasks, jobs, mapper), strict=True):
            out.fits[o.sample], out.predictions[o.sample] = fit, pred
            params.append(parameter_table(fit, prior))
            surfaces.append(pred["surface"].assign(sample=o.sample))
            calls.append(summarize_calls(o.sample, pred))
            bar.advance()
    out.parameters = pd.concat(params, ignore_index=True)
    surf = pd.concat(surfaces, ignore_index=True)
    from tallrx.workflows.twin.predict import DRUG_A, DRUG_B

    surf = surf.assign(drug_a=DRUG_A, drug_b=DRUG_B)
    first = ["sample", "drug_a", "drug_b", "il7", "dose_a", "dose_b"]
    out.surface = surf[first + [c for c in surf.columns if c not in first]]
    out.calls = pd.concat(calls, ignore_index=True)
    out.meta = {
        "seed": seed,
        "settings": settings.__dict__,
        "prior": prior.source,
        "fitted_parameters": list(prior.names),
        "fixed_parameters": prior.fixed,
        "noise_sd": {o.sample: o.noise_sd for o in obs},
    }
    return out


def _one(task: tuple) -> tuple[TwinFit, dict]:
    """Fit and predict one sample (its own random stream: results do not depend on jobs)."""
    o, prior, lib, seed, i, settings, engine = task
    rng = np.random.default_rng([seed, i])
    fit = fit_twin(
        o, prior, lib, rng, rounds=settings.rounds, per_round=settings.per_round, engine=engine
    )
    pred = predict_twin(
        fit, rng, draws=settings.draws, n_null=settings.n_null, seed=seed, engine=engine
    )
    return fit, pred


def _map(fn: Callable, tasks: list, jobs: int, mapper: Callable | None):
    """Samples in turn, over a local process pool (``jobs`` > 1) or any ``mapper(fn, tasks)``
    (e.g. a Dask client's map + gather)."""
    if mapper is not None:
        yield from mapper(fn, tasks)
    elif jobs <= 1 or len(tasks) <= 1:
        yield from map(fn, tasks)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            yield from pool.map(fn, tasks)
