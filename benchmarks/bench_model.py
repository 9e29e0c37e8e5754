"""Model speed: four-day virtual wells per second, libroadrunner vs the batched engine, side by
side in one run (same wells, same pre-equilibrated starting states, 2 worker processes each, one
simulator per worker built before the clock starts), plus the 46-sample cohort screen end to end.

    .venv/bin/python benchmarks/bench_model.py [--wells 8192] [--rr-wells 1000] [--jobs 2]
        [--draws]

``--draws``: the same wells, each with every kinetic / level / context parameter drawn at once,
log-uniformly inside its stated range (what calibration and ``reproduce --spread`` meet), timed
next to the default parameters; failed wells (no solution within the step budget) are counted.

Each well: a SUPT-1 line (random genotype, induced or not) under random prednisolone and
selumetinib doses, integrated for 96 h with only the 96 h state requested (what a viability
assay needs). Accuracy of both engines is reported against a tight libroadrunner reference
(rtol 1e-10) on a subset. Targets (docs/benchmarks.md): >= 1,000 wells/s on 2 cores; the cohort screen
(about 14,000 wells) in under 30 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from tallrx.model import GENOTYPES, NETWORK
from tallrx.model.simulate import conditions_to_parameters, steady_states, untreated
from tallrx.model.solvers import BatchedEngine, RoadRunnerEngine
from tallrx.model.virtual.cohort import cohort_screen, load_cohort

_ENGINE = None


def _init(kind: str, rtol: float) -> None:
    global _ENGINE
    _ENGINE = (
        BatchedEngine(rtol=rtol) if kind == "batched" else RoadRunnerEngine(rtol=rtol, atol=1e-9)
    )


def _run(task):
    P, y0 = task
    return _ENGINE.run(P, y0, [0.0, 96.0])[-1]


def _warm(_):
    return os.getpid()


def wells(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "genotype": rng.choice(GENOTYPES, n),
            "dox": rng.integers(0, 2, n).astype(float),
            "prednisolone": 10 ** rng.uniform(-2.5, 2.8, n),
            "selumetinib": np.where(rng.random(n) < 0.5, 10 ** rng.uniform(-3, 1, n), 0.0),
        }
    )


def draw_parameters(P: np.ndarray, seed: int = 1) -> np.ndarray:
    """Copy of ``P`` with every non-input parameter drawn log-uniformly in its stated range
    (ranges starting at 0 from high/1000; BIM isoform shares kept <= 0.95 in sum)."""
    rng = np.random.default_rng(seed)
    Q = P.copy()
    for i, p in enumerate(NETWORK.parameters):
        if p.kind in ("input", "genotype"):
            continue
        lo = p.low if p.low > 0 else p.high / 1000
        Q[i] = np.exp(rng.uniform(np.log(lo), np.log(p.high), P.shape[1]))
    ix = NETWORK.parameter_index
    Q[ix["f_L"]] = np.minimum(Q[ix["f_L"]], 0.95 - Q[ix["f_EL"]])
    return Q


def timed_map(
    kind: str, rtol: float, P: np.ndarray, y0: np.ndarray, jobs: int, chunk: int
) -> tuple[float, np.ndarray]:
    edges = list(range(0, P.shape[1], chunk)) + [P.shape[1]]
    tasks = [(P[:, a:b], y0[:, a:b]) for a, b in zip(edges[:-1], edges[1:], strict=False)]
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(kind, rtol)) as pool:
        list(pool.map(_warm, range(jobs * 4)))  # every worker has built its simulator
        t = time.perf_counter()
        out = np.concatenate(list(pool.map(_run, tasks)), axis=1)
        return time.perf_counter() - t, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wells", type=int, default=8192)
    ap.add_argument("--rr-wells", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-cohort", action="store_true")
    ap.add_argument("--draws", action="store_true", help="also time random parameter draws")
    args = ap.parse_args(argv)
    jobs = args.jobs
    print(
        f"model: {len(NETWORK.species)} species, {len(NETWORK.reactions)} reactions; "
        f"{jobs} worker processes; {os.cpu_count()} CPUs visible"
    )

    cond = wells(args.wells)
    P = conditions_to_parameters(cond)
    t = time.perf_counter()
    y0 = steady_states(untreated(P))
    t_pre = time.perf_counter() - t
    print(
        f"pre-equilibration of {args.wells} wells ({np.unique(untreated(P), axis=1).shape[1]} "
        f"distinct lines, batched PTC): {t_pre:.2f} s"
    )

    rows = []
    n_rr = min(args.rr_wells, args.wells)
    per = max(1, (args.wells + jobs - 1) // jobs)
    dt_b, out_b = timed_map("batched", 1e-4, P, y0, jobs, min(per, 4096))
    rows.append(("batched Rodas3 (rtol 1e-4)", args.wells, dt_b))
    dt_r, out_r = timed_map(
        "roadrunner", 1e-6, P[:, :n_rr], y0[:, :n_rr], jobs, max(1, n_rr // (8 * jobs))
    )
    rows.append(("libroadrunner CVODE (rtol 1e-6)", n_rr, dt_r))

    # accuracy vs a tight reference on a subset
    k = min(50, n_rr)
    ref = RoadRunnerEngine().run(P[:, :k], y0[:, :k], [0.0, 96.0])[-1]
    iv = NETWORK.species_index["Viable"]

    def err(x):
        return float(np.max(np.abs(x[iv, :k] - ref[iv]) / np.abs(ref[iv])))

    print(f"\n{'engine':34s} {'wells':>7s} {'seconds':>8s} {'wells/s':>9s} {'max rel err':>12s}")
    for (name, n, dt), e in zip(rows, (err(out_b), err(out_r)), strict=True):
        print(f"{name:34s} {n:7d} {dt:8.2f} {n / dt:9.0f} {e:12.1e}")
    ratio = (rows[0][1] / rows[0][2]) / (rows[1][1] / rows[1][2])
    print(
        f"batched / libroadrunner speed ratio: {ratio:.1f}x  (target >= 1,000 wells/s: "
        f"{'met' if rows[0][1] / rows[0][2] >= 1000 else 'NOT met'})"
    )

    if args.draws:
        Pd = draw_parameters(P)
        t = time.perf_counter()
        y0d = steady_states(untreated(Pd), jobs=jobs)
        t_pre_d = time.perf_counter() - t
        dt_d, out_d = timed_map("batched", 1e-4, Pd, y0d, jobs, min(per, 4096))
        bad = int((~np.isfinite(out_d[iv])).sum())
        print(
            f"\nrandom parameter draws (all parameters log-uniform in range), {args.wells} wells:"
            f"\n  pre-equilibration {t_pre_d:.2f} s (default parameters: {t_pre:.2f} s)"
            f"\n  four-day runs: {args.wells / dt_d:.0f} wells/s (default parameters: "
            f"{rows[0][1] / rows[0][2]:.0f} wells/s); {bad} wells without solution"
        )

    if not args.no_cohort:
        cohort = load_cohort()
        t = time.perf_counter()
        res = cohort_screen(cohort, jobs=jobs)
        dt = time.perf_counter() - t
        n = len(res.table)
        print(
            f"\ncohort screen: {len(cohort)} PDX x +/-IL7 x 5 drugs x 9 doses x 3 replicates = "
            f"{n} wells ({res.meta['n_simulated']} distinct simulations) in {dt:.1f} s "
            f"({n / dt:.0f} wells/s; target < 30 s: {'met' if dt < 30 else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
