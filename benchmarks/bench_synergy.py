"""Synergy benchmark: speed against the ``synergy`` package, throughput, calibrated-call error rates.

Run: ``.venv/bin/python benchmarks/bench_synergy.py [--quick]``

1. Full panel (CI, Bliss, HSA, Loewe, ZIP) on one 8 x 8 matrix (7 doses + vehicle of each drug,
   2 replicates): tallrx vs the ``synergy`` package (GPL-3, test-only oracle; its models fit the
   same matrix one by one), side by side in this run: interleaved rounds, best time of each
   (and the range of the per-round ratios). tallrx is timed both
   as the batched engine and end to end (``score_synergy``: table in, three tables out). Bliss/HSA
   must agree exactly, Loewe and ZIP within tolerance (independent 4PL optimizers).
2. 10,000 such matrices through ``score_synergy`` (all five scores, no null calibration), on the
   cores available (target < 60 s on 2 cores).
3. The calibrated call (199 null plates per block): false synergy calls on Bliss-independent plates
   (prednisolone-like drug <= 25 % kill, MEK-inhibitor-like <= 70 %, noise sd 3 %) and detection on
   plates with real synergy (mean CI ~0.5), next to the paper's naive rule (mean CI < 0.8).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from tallrx.analysis.synergy import score_batch, score_synergy, simulate_table, split_blocks
from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B


def side_by_side(fns: dict, rounds: int, inner: dict) -> dict:
    """Best time (s) of each function over ``rounds`` interleaved rounds (each round runs every
    function ``inner[name]`` times, in turn), so load on the shared machine hits all alike; also
    each round's best, for per-round ratios."""
    per_round = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            best = np.inf
            for _ in range(inner.get(name, 1)):
                t0 = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t0)
            per_round[name].append(best)
    return {k: np.array(v) for k, v in per_round.items()}


def panel_vs_synergy_package(rounds: int) -> None:
    from synergy.combination import HSA, ZIP, Bliss, CombinationIndex, Loewe

    t = simulate_table(1, a=BENCH_A, b=BENCH_B, model="sensitize", seed=1)
    d1, d2 = t.conc_a.to_numpy(), t.conc_b.to_numpy()
    e = t.viability.to_numpy() / 100.0

    def oracle():
        out = {}
        for name, model in (
            ("ci", CombinationIndex()),
            ("bliss", Bliss()),
            ("hsa", HSA()),
            ("loewe", Loewe(mode="delta_hsa")),
            ("zip", ZIP()),
        ):
            out[name] = model.fit(d1, d2, e)
        return out

    blk = split_blocks(t)[0]
    times = side_by_side(
        {
            "synergy": oracle,
            "engine": lambda: score_batch(blk.design, blk.viability[None]),
            "api": lambda: score_synergy(t, n_null=0, n_boot=0),
        },
        rounds,
        {"engine": 5, "api": 5},
    )
    theirs = times["synergy"].min()
    print(
        "1. full panel (CI, Bliss, HSA, Loewe, ZIP) on one 8x8 matrix, 2 replicates "
        f"(best of {rounds} interleaved rounds; in brackets the range of per-round ratios)"
    )
    print(f"   synergy package          {theirs * 1e3:8.1f} ms")
    for name, label in (("engine", "tallrx engine       "), ("api", "tallrx score_synergy")):
        ours = times[name].min()
        ratio = times["synergy"] / times[name]
        print(
            f"   {label}     {ours * 1e3:8.1f} ms   ratio {theirs / ours:6.1f}x  "
            f"[{ratio.min():.0f}-{ratio.max():.0f}x]"
        )
    res = score_synergy(t, n_null=0, n_boot=0).extra["surface"]
    ref = oracle()
    for name in ("bliss", "hsa", "loewe", "zip"):
        cell = {}
        for a, b, s in zip(d1, d2, 100 * np.asarray(ref[name]), strict=True):
            cell.setdefault((a, b), []).append(s)
        theirs_cell = np.array(
            [np.mean(cell[(a, b)]) for a, b in zip(res.conc_a, res.conc_b, strict=True)]
        )
        if name in ("bliss", "hsa"):  # the oracle uses the median of replicate single agents
            continue
        diff = np.nanmax(np.abs(theirs_cell - res[name].to_numpy()))
        print(f"   {name:5s} max |tallrx - synergy| over cells: {diff:.3g} pp")


def many_matrices(n: int) -> None:
    t = simulate_table(n, a=BENCH_A, b=BENCH_B, model="sensitize", seed=2)
    t0 = time.perf_counter()
    res = score_synergy(t, n_null=0, n_boot=0)
    dt = time.perf_counter() - t0
    ok = res.table.fit_ok.mean()
    print(
        f"2. {n:,} 8x8 matrices, all five scores: {dt:.1f} s "
        f"({dt / n * 1e3:.2f} ms/matrix, {os.cpu_count()} cores visible; fit_ok {ok:.1%})"
    )


def calibrated_rates(n_null_plates: int, n_syn_plates: int, n_null: int) -> None:
    print(f"3. calibrated call ({n_null} null plates per block, alpha 0.05)")
    for label, model, kappa, n in (
        ("no interaction (Bliss)", "bliss", 0.0, n_null_plates),
        ("synergy, kappa 1.0", "sensitize", 1.0, n_syn_plates),
        ("weaker synergy, kappa 0.5", "sensitize", 0.5, n_syn_plates),
    ):
        t = simulate_table(n, a=BENCH_A, b=BENCH_B, model=model, kappa=kappa, sd=3.0, seed=11)
        t0 = time.perf_counter()
        res = score_synergy(t, n_null=n_null, n_boot=0, seed=12).table
        dt = time.perf_counter() - t0
        cal = res.call.astype(str).str.contains("synergy").mean()
        naive = res.naive_call.astype(str).str.contains("synergy").mean()
        what = "false synergy calls" if model == "bliss" else "detected"
        print(
            f"   {label:26s} n={n:5d}  mean CI {res.ci_mean.median():.2f}  "
            f"calibrated {what}: {cal:6.1%}   naive rule: {naive:6.1%}   ({dt:.1f} s)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--part", type=int, choices=(1, 2, 3), help="run one part only")
    args = ap.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    q = args.quick
    parts = {
        1: lambda: panel_vs_synergy_package(3 if q else 12),
        2: lambda: many_matrices(500 if q else 10_000),
        3: lambda: calibrated_rates(60, 30, 99) if q else calibrated_rates(1000, 500, 199),
    }
    for k in [args.part] if args.part else sorted(parts):
        parts[k]()


if __name__ == "__main__":
    main()
