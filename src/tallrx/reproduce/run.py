"""``reproduce``: run every experiment, evaluate every claim, write claims.json and the tables.

Outputs (folder ``out``, written atomically: a failure leaves it as it was):

* ``claims.json``: one record per claim: id, figure, statement, rule, status (held / not held /
  not run), held (true / false / null), summary, evidence (the numbers that decided it) and,
  with ``sensitivity``, the fraction of sampled parameter sets in which it held;
* ``tables/*.csv``: every tidy table (virtual assay outputs and their analyses);
* ``meta.json``: seed, options, seconds, failures and the distinct warnings per experiment;
* with ``sensitivity`` > 0: ``sensitivity.csv`` (per claim) and ``sensitivity_runs.csv`` (per
  parameter set: the parameter values and each claim's status).

``render(result, folder)`` (e.g. :func:`tallrx.report.reproduce.render`) is called inside the
atomic folder to add the report and figures; this layer never imports plots or reports.
"""

from __future__ import annotations

import json
import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx import __version__
from tallrx._atomic import atomic_dir, write_csv, write_text
from tallrx._result import Result, json_safe
from tallrx.errors import InputError
from tallrx.model import NETWORK
from tallrx.model.cohort import PARAMS as PATIENT_PARAMS
from tallrx.reproduce.claims import CLAIMS, Claim, Verdict, not_run
from tallrx.reproduce.experiments import EXPERIMENTS, Context, ExperimentRun

__all__ = [
    "ReproduceResult",
    "reproduce",
    "run_experiments",
    "evaluate_claims",
    "sample_parameters",
    "uncertain_parameters",
    "n_steps",
]

Progress = Callable[[str], None]
#: experiments run in this order; the two chains run side by side when jobs > 1
CHAINS = (("pdx", "fig5c"), ("supt1", "fig2", "fig3", "fig4"))
SENSITIVITY_KINDS = ("kinetic", "level")
_RESULT = "__tallrx_result__"
MAX_WARNINGS = 20  # distinct warning messages kept per experiment in meta.json
MIN_INFLUENCE_RUNS = 30  # sensitivity runs needed before naming influential parameters


@dataclass(frozen=True)
class ReproduceResult:
    """Everything a run produced (the report renderer reads this)."""

    out: Path
    seed: int
    records: list[dict]
    verdicts: dict[int, Verdict]
    runs: dict[str, ExperimentRun]
    failures: dict[str, str]
    log: dict[str, dict]
    seconds: float = 0.0
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    spread: float = 1.0

    def held(self) -> dict[int, bool | None]:
        """Claim id -> held (None = not run)."""
        return {cid: v.held for cid, v in self.verdicts.items()}

    def claim_inputs(self, claim_id: int) -> dict[str, pd.DataFrame]:
        """The analysis tables claim ``claim_id`` was evaluated on, plus its figure extras."""
        for run in self.runs.values():
            if claim_id in run.claim_inputs:
                return {**run.claim_inputs[claim_id], **run.figure_inputs.get(claim_id, {})}
        return {}


def n_steps(sensitivity: int = 0) -> int:
    """Progress steps of a run: one per experiment, one for the outputs, one per parameter set."""
    return len(EXPERIMENTS) + 1 + int(sensitivity)


# ------------------------------------------------------------------ experiments
def _failure(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _run_chain(
    keys: tuple[str, ...], ctx: Context, strict: bool, progress: Progress | None = None
) -> tuple[dict, dict, dict]:
    """Run ``keys`` in order: (runs, failures, log); log[key] = {seconds, warnings} (the
    distinct warnings the experiment's assays and analyses raised, at most MAX_WARNINGS)."""
    runs: dict[str, ExperimentRun] = {}
    failures: dict[str, str] = {}
    log: dict[str, dict] = {}
    for key in keys:
        fn = EXPERIMENTS[key][0]
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
                failures[key] = _failure(exc)
        notes = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        log[key] = {
            "seconds": time.perf_counter() - t0,
            "warnings": notes[:MAX_WARNINGS],
            "n_warnings": len(caught),
        }
        if progress is not None:
            progress(f"{key} ({EXPERIMENTS[key][1]})")
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
    keys, ctx, strict = task
    runs, failures, log = _run_chain(keys, ctx, strict)
    return {k: _portable(r) for k, r in runs.items()}, failures, log


def run_experiments(
    ctx: Context, *, progress: Progress | None = None, strict: bool = False
) -> tuple[dict, dict, dict]:
    """Run every experiment: (runs, failure reasons, log) by experiment key; log[key] holds
    the seconds and the distinct warnings raised.

    With ``ctx.jobs`` > 1 the two independent chains (PDX screen -> combinations; the SUPT-1
    experiments) run in two worker processes, each simulating in one process.
    """
    if ctx.jobs <= 1:
        out = [_run_chain(keys, ctx, strict, progress) for keys in CHAINS]
    else:
        one = replace(ctx, jobs=1)
        with ProcessPoolExecutor(max_workers=min(ctx.jobs, len(CHAINS))) as pool:
            futures = {pool.submit(_chain_task, (keys, one, strict)): keys for keys in CHAINS}
            out = []
            for done in as_completed(futures):  # progress as each chain finishes
                out.append(done.result())
                for key in futures[done] if progress is not None else ():
                    progress(f"{key} ({EXPERIMENTS[key][1]})")
        out.sort(key=lambda o: [k for keys in CHAINS for k in keys].index(next(iter(o[2]))))
    runs, failures, log = {}, {}, {}
    for r, f, lg in out:
        runs.update({k: _portable(v, back=True) for k, v in r.items()})
        failures.update(f)
        log.update(lg)
    return runs, failures, log


# ------------------------------------------------------------------ claims
def _source(claim: Claim) -> str:
    return next(k for k, (_, _, ids) in EXPERIMENTS.items() if claim.id in ids)


def evaluate_claims(
    runs: Mapping[str, ExperimentRun], failures: Mapping[str, str], *, strict: bool = False
) -> dict[int, Verdict]:
    """Evaluate every claim on the analysis tables of its experiment (not run when it failed)."""
    verdicts = {}
    for claim in CLAIMS:
        key = _source(claim)
        run = runs.get(key)
        if run is None:
            verdicts[claim.id] = not_run(
                f"experiment '{key}' ({EXPERIMENTS[key][1]}) did not run: "
                f"{failures.get(key, 'unknown reason')}"
            )
            continue
        inputs = run.claim_inputs.get(claim.id, {})
        missing = [name for name in claim.inputs if name not in inputs]
        if missing:
            verdicts[claim.id] = not_run(f"no {', '.join(missing)} table from experiment '{key}'")
            continue
        try:
            verdicts[claim.id] = claim.evaluate(**{n: inputs[n] for n in claim.inputs})
        except Exception as exc:
            if strict:
                raise
            verdicts[claim.id] = not_run(f"evaluation failed: {_failure(exc)}")
    return verdicts


# ------------------------------------------------------------------ sensitivity
def uncertain_parameters() -> pd.DataFrame:
    """Model parameters varied in sensitivity runs: kinetic and level parameters with a stated
    range (low < high), except those each virtual patient sets. Columns name, value, low, high,
    unit, source."""
    rows = [
        dict(name=p.name, value=p.value, low=p.low, high=p.high, unit=p.unit, source=p.source)
        for p in NETWORK.parameters
        if p.kind in SENSITIVITY_KINDS and p.high > p.low and p.name not in PATIENT_PARAMS
    ]
    return pd.DataFrame(rows)


def _check_spread(spread: float) -> None:
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
    """
    _check_spread(spread)
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


def _influence(table: pd.DataFrame, params: pd.DataFrame, top: int = 3) -> dict[int, list]:
    """Per claim: the parameters whose (log) value is most rank-correlated with 'held'.

    Exploratory: with ~100 parameters, the largest of their chance correlations is about
    3 / sqrt(runs), so nothing is reported below :data:`MIN_INFLUENCE_RUNS` runs."""
    out = {}
    if len(table) < MIN_INFLUENCE_RUNS:
        return out
    logp = np.log10(params.clip(lower=1e-300)).rank().to_numpy()
    for claim in CLAIMS:
        held = table[f"claim{claim.id}"]
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
        out[claim.id] = [
            {"parameter": params.columns[i], "rank_correlation": float(r[i])} for i in order
        ]
    return out


def _sensitivity(
    n: int, ctx: Context, progress: Progress | None, strict: bool, spread: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    params = sample_parameters(n, ctx.seed, spread)
    rows = []
    for i, p in params.iterrows():
        run_ctx = replace(ctx, params=p.to_dict(), n_boot=0)
        runs, failures, _ = run_experiments(run_ctx, strict=strict)
        verdicts = evaluate_claims(runs, failures, strict=strict)
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
    influence = _influence(table, params)
    summary = []
    for claim in CLAIMS:
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


# ------------------------------------------------------------------ the command
def _records(verdicts: Mapping[int, Verdict], sensitivity: pd.DataFrame) -> list[dict]:
    out = []
    for claim in CLAIMS:
        rec = claim.record(verdicts[claim.id])
        if len(sensitivity):
            row = sensitivity[sensitivity["claim"] == claim.id].iloc[0]
            rec["sensitivity"] = json_safe(
                {
                    "n_runs": row["n_runs"],
                    "n_held": row["n_held"],
                    "fraction_held": row["fraction_held"],
                    "n_not_run": row["n_not_run"],
                    "most_influential": row["most_influential"],
                }
            )
        out.append(rec)
    return out


def _write(folder: Path, result: ReproduceResult, options: dict) -> None:
    write_text(folder / "claims.json", json.dumps(result.records, indent=2) + "\n")
    for run in result.runs.values():
        for stem, table in run.tables.items():
            if isinstance(table, pd.DataFrame) and len(table.columns):
                write_csv(folder / "tables" / f"{stem}.csv", table)
    if len(result.sensitivity):
        write_csv(folder / "sensitivity.csv", result.sensitivity)
        write_csv(folder / "sensitivity_runs.csv", result.sensitivity_runs)
    meta = {
        "tallrx_version": __version__,
        "seed": result.seed,
        **options,
        "seconds": {k: round(v["seconds"], 2) for k, v in result.log.items()},
        "warnings": {k: v["warnings"] for k, v in result.log.items() if v["warnings"]},
        "n_warnings": {k: v["n_warnings"] for k, v in result.log.items()},
        "failures": result.failures,
        "claims": {str(c): v.status for c, v in result.verdicts.items()},
    }
    write_text(folder / "meta.json", json.dumps(json_safe(meta), indent=2) + "\n")


def reproduce(
    out: str | Path,
    *,
    seed: int = 0,
    sensitivity: int = 0,
    spread: float = 1.0,
    jobs: int = 2,
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
    and reports per claim the fraction of runs in which it held.
    ``jobs`` worker processes (experiments run side by side). ``progress(label)`` is called
    after each step (:func:`n_steps`). ``render(result, folder)`` adds the report. With
    ``strict`` an experiment or evaluation error raises instead of becoming "not run".
    """
    _check_spread(spread)
    t0 = time.perf_counter()
    ctx = Context(seed=int(seed), jobs=int(jobs), n_boot=int(n_boot), n_null=int(n_null))
    runs, failures, log = run_experiments(ctx, progress=progress, strict=strict)
    verdicts = evaluate_claims(runs, failures, strict=strict)
    sens, sens_runs = (
        _sensitivity(int(sensitivity), ctx, progress, strict, float(spread))
        if sensitivity
        else (pd.DataFrame(), pd.DataFrame())
    )
    result = ReproduceResult(
        Path(out),
        int(seed),
        _records(verdicts, sens),
        verdicts,
        runs,
        failures,
        log,
        sensitivity=sens,
        sensitivity_runs=sens_runs,
        spread=float(spread),
    )
    options = {
        "sensitivity": int(sensitivity),
        "spread": float(spread),
        "jobs": int(jobs),
        "n_boot": int(n_boot),
        "n_null": int(n_null),
    }
    with atomic_dir(out) as folder:
        _write(folder, result, options)
        if render is not None:
            render(result, folder)
        if progress is not None:
            progress("outputs written")
    return replace(result, seconds=time.perf_counter() - t0)
