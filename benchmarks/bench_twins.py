"""Digital twins on virtual patients with known parameters (issue 15 part 2).

    python benchmarks/bench_twins.py                    # 46 virtual patients, 2 worker processes
    python benchmarks/bench_twins.py --patients 6 --jobs 1
    python benchmarks/bench_twins.py --library 1024 --rounds 8   # bigger fits
    python benchmarks/bench_twins.py --posterior shipped   # the calibration posterior in the prior
    python benchmarks/bench_twins.py --posterior shipped --matched   # + patients' kinetics from it

Patients are drawn from the virtual-cohort generator (their true parameters are known); their
single-agent screen (prednisolone, selumetinib, ruxolitinib -/+ IL7, 9 doses, 3 wells, the virtual
lab's plate noise) is fitted; their prednisolone x selumetinib matrices -/+ IL7 (Fig. 5C design)
are simulated with noise and held out. A patient whose screen fails plate QC (e.g. cells that
die in culture: vehicle signal not above blank) is skipped and named. Printed:

* error of the predicted combination viability (median vs the held-out cell means, and the
  model median vs the noise-free truth), against the no-twin baseline (each cell predicted by the
  other patients' measured mean);
* coverage of the 90 % prediction intervals (target 85-95 %), of held-out cell means and of the
  noise-free truth;
* accuracy of the predicted calibrated synergy call against the call of the held-out plate, and
  the majority-class baseline;
* identifiability: per patient parameter, the posterior/prior 90 % width ratio (~1 = single-agent
  data do not identify it) and how often the 90 % interval holds the true value;
* wall time for the whole cohort.
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

from tallrx.workflows.twin.run import Settings
from tallrx.workflows.twin.validate import validate_twins


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=46)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    d = Settings()
    ap.add_argument("--library", type=int, default=d.library)
    ap.add_argument("--rounds", type=int, default=d.rounds)
    ap.add_argument("--per-round", type=int, default=d.per_round)
    ap.add_argument("--draws", type=int, default=d.draws)
    ap.add_argument("--n-null", type=int, default=d.n_null)
    ap.add_argument("--posterior", default=None,
                    help="posterior.csv in the twins' prior ('shipped': the package's); default none")
    ap.add_argument("--matched", action="store_true",
                    help="with --posterior: each virtual patient's shared kinetics are a draw of it")
    a = ap.parse_args()
    post = None
    if a.posterior is not None:
        from tallrx.model.twin.prior import read_posterior
        from tallrx.reproduce.draws import shipped_posterior

        post = read_posterior(shipped_posterior() if a.posterior == "shipped" else a.posterior)
    settings = Settings(a.library, a.rounds, a.per_round, a.draws, a.n_null)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = validate_twins(a.patients, seed=a.seed, settings=settings, jobs=a.jobs,
                           posterior=post, matched=a.matched)
    wall = time.perf_counter() - t0
    s = r["summary"].iloc[0]
    pd.set_option("display.width", 160)
    print(f"{a.patients} virtual patients, {a.jobs} worker(s), settings {settings}, "
          f"posterior {a.posterior or 'none'}{' (matched)' if a.matched else ''}")
    if s["n_skipped"]:
        print(f"skipped (screen failed plate QC)   {int(s['n_skipped']):8d}   {s['skipped']}")
    print(f"wall time                          {wall:8.1f} s ({wall / 60:.1f} min)")
    print(f"combination cells                  {int(s['n_cells']):8d}")
    print(
        f"MAE predicted vs held-out (pp)     {s['mae']:8.2f}   no-twin baseline "
        f"{s['mae_population']:.2f}"
    )
    print(f"MAE model vs noise-free truth (pp) {s['mae_truth']:8.2f}")
    print(f"90 % PI coverage, held-out cells   {s['coverage']:8.3f}   (target 0.85-0.95)")
    print(f"90 % PI coverage, noise-free truth {s['coverage_truth']:8.3f}")
    print(
        f"synergy call accuracy              {s['call_accuracy']:8.3f}   majority baseline "
        f"{s['call_baseline']:.3f}"
    )
    print(f"true parameter in 90 % interval    {s['parameter_coverage']:8.3f}")
    calls = r["calls"]
    print("\npredicted vs true call (rows: truth)")
    print(pd.crosstab(calls["true_call"], calls["synergy_call"]))
    print("\nidentifiability (mean over patients; width_ratio ~1 = not identified)")
    print(r["identifiability"].round(3).to_string(index=False))
    tempering = r["parameters"].groupby("sample")["tempering"].first()
    print(
        f"\npower-posterior g: median {tempering.median():.3g} "
        f"(range {tempering.min():.3g}-{tempering.max():.3g})"
    )


if __name__ == "__main__":
    main()
