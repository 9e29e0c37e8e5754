"""Running the virtual experiments: in order, in two independent chains, side by side on the open
Dask cluster when there is one (:func:`tallrx.parallel.cluster`); a failing experiment is recorded
with its reason, never faked."""

from __future__ import annotations

import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from tallrx._result import Result
from tallrx.reproduce.experiments import EXPERIMENTS, Context, ExperimentRun

__all__ = ["CHAINS", "Progress", "run_experiments", "failure_reason"]

Progress = Callable[[str], None]
#: experiments run in this order; the two chains run side by side on a Dask cluster
CHAINS = (("pdx", "fig5c"), ("supt1", "fig2", "fig3", "fig4"))
_RESULT = "__tallrx_result__"
MAX_WARNINGS = 20  # distinct warning messages kept per experiment in meta.json


def failure_reason(exc: BaseException) -> str:
    """'Type: message (at file:line)' of an exception, for claims.json and meta.json."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _run_chain(
    keys: tuple[str, ...],
    ctx: Context,
    strict: bool,
    experiments: Mapping,
    progress: Progress | None = None,
) -> tuple[dict, dict, dict]:
    """Run ``keys`` in order: (runs, failures, log); log[key] = {seconds, warnings} (the
    distinct warnings the experiment's assays and analyses raised, at most MAX_WARNINGS)."""
    runs: dict[str, ExperimentRun] = {}
    failures: dict[str, str] = {}
    log: dict[str, dict] = {}
    for key in keys:
        fn = experiments[key][0]
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if key == "fig5c":
                    if "pdx" not in runs:
                        raise RuntimeError(
                            "needs the PDX screen's resistant groups, which did not run"
                            f" ({failures.get('pdx', 'not run')})"
                        )
                    runs[key] = fn(ctx, runs["pdx"].results["groups"])
                else:
                    runs[key] = fn(ctx)
            except Exception as exc:  # recorded as "not run" with its reason, never faked
                if strict:
                    raise
                failures[key] = failure_reason(exc)
        notes = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        log[key] = {
            "seconds": time.perf_counter() - t0,
            "warnings": notes[:MAX_WARNINGS],
            "n_warnings": len(caught),
        }
        if progress is not None:
            progress(f"{key} ({experiments[key][1]})")
    return runs, failures, log


def _portable(run: ExperimentRun, back: bool = False) -> ExperimentRun:
    """Results hold read-only mappings that do not pickle: send them between processes as
    plain (kind, table, meta, extra) tuples and rebuild them on arrival."""

    def conv(v):
        if not back and isinstance(v, Result):
            return (_RESULT, v.kind, v.table, dict(v.meta), dict(v.extra))
        if back and isinstance(v, tuple) and v and v[0] == _RESULT:
            return Result(v[1], v[2], meta=v[3], extra=v[4])
        return v

    return replace(run, results={k: conv(v) for k, v in run.results.items()})


def _chain_task(task: tuple) -> tuple[dict, dict, dict]:
    """One chain on a worker (a pure task for :mod:`tallrx.parallel`): results made portable."""
    keys, ctx, strict, experiments = task
    runs, failures, log = _run_chain(keys, ctx, strict, experiments)
    return {k: _portable(r) for k, r in runs.items()}, failures, log


def run_experiments(
    ctx: Context,
    *,
    progress: Progress | None = None,
    strict: bool = False,
    experiments: Mapping | None = None,
) -> tuple[dict, dict, dict]:
    """Run every experiment: (runs, failure reasons, log) by experiment key; log[key] holds
    the seconds and the distinct warnings raised.

    Inside an open :func:`tallrx.parallel.cluster` (``--jobs N`` > 1 or ``--scheduler``) the two
    independent chains (PDX screen -> combinations; the SUPT-1 experiments) are two Dask tasks,
    each simulating in its worker; else they run in turn in this process. Each chain depends
    only on ``ctx``, so the results are the same either way. ``experiments`` (default
    :data:`tallrx.reproduce.experiments.EXPERIMENTS`): key -> (function, figure, claim ids).
    """
    from tallrx import parallel
    from tallrx import progress as bars

    experiments = EXPERIMENTS if experiments is None else experiments
    if parallel.current() is None:
        out = [_run_chain(keys, ctx, strict, experiments, progress) for keys in CHAINS]
    else:
        one = replace(ctx, jobs=1)
        tasks = [(keys, one, strict, experiments) for keys in CHAINS]
        out = []
        n = sum(map(len, CHAINS))
        with bars.task("virtual experiments", n, "experiments"):
            parts = parallel.imap_chunks(_chain_task, tasks, sizes=[len(k) for k in CHAINS])
            for keys, part in zip(CHAINS, parts, strict=True):
                out.append(part)
                for key in keys if progress is not None else ():
                    progress(f"{key} ({experiments[key][1]})")
    runs, failures, log = {}, {}, {}
    for r, f, lg in out:
        runs.update({k: _portable(v, back=True) for k, v in r.items()})
        failures.update(f)
        log.update(lg)
    return runs, failures, log
