"""Scale-out on Dask (issue 13): 1 -> 2 workers for fit and synergy, and the peak memory of
`tallrx fit` streaming 100,000 vs 1,000,000 curves from one CSV.

    python benchmarks/bench_dask.py                     # fit 20,000 curves, synergy 200 blocks
    python benchmarks/bench_dask.py --curves 40000 --blocks 400
    python benchmarks/bench_dask.py --million           # + CLI peak RSS, 100k vs 1M curves
    python benchmarks/bench_dask.py --million --million-jobs 2   # + the same on 2 Dask workers

Times are wall-clock seconds of the analysis call only (the LocalCluster is started before and
its start-up is reported apart); in process = ``jobs=1``; 2 workers = a
``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``. Peak RSS of the CLI is the
child's ``ru_maxrss`` (os.wait4), streaming forced with TALLRX_FIT_STREAM_BYTES=0 (both sizes)
and, for reference, the in-memory path at 100,000 curves; with ``--million-jobs N`` also streamed
with ``--jobs N`` (ru_maxrss is then that of the largest single process: the command or one of
its workers). Results are checked equal (1e-12 on the LL.4 columns) before times are printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CONC_UM = np.array([0.0, 0.01, 0.1, 1.0, 10.0, 100.0])


def curves_csv(n: int, path: Path | None = None, seed: int = 0) -> pd.DataFrame | None:
    """``n`` noisy LL.4 curves (6 points, samples sorted) as a table, or written to ``path``
    in blocks of 100,000 curves (memory stays small)."""
    rng = np.random.default_rng(seed)
    parts = []
    for lo in range(0, n, 100_000):
        k = min(100_000, n - lo)
        ic50 = 10 ** rng.uniform(-2, 1.5, k)
        clean = np.where(CONC_UM > 0, 100 / (1 + (CONC_UM[None, :] / ic50[:, None]) ** 1.2), 100)
        df = pd.DataFrame({
            "sample": np.repeat([f"S{i:07d}" for i in range(lo, lo + k)], CONC_UM.size),
            "drug_a": "pred", "conc_a": np.tile(CONC_UM, k),
            "viability": (clean + rng.normal(0, 3, clean.shape)).ravel(),
        })
        if path is None:
            parts.append(df)
        else:
            df.to_csv(path, index=False, header=lo == 0, mode="w" if lo == 0 else "a")
    return pd.concat(parts, ignore_index=True) if path is None else None


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def scaling(n_curves: int, n_blocks: int) -> None:
    import distributed

    from tallrx.analysis.doseresponse.batch import fit_dose_response
    from tallrx.analysis.synergy import score_synergy
    from tallrx.analysis.synergy.simulate import simulate_synergyfinder
    from tallrx.io.assays.synergyfinder import read_synergyfinder

    table = curves_csv(n_curves)
    blocks = read_synergyfinder(simulate_synergyfinder(n_blocks, seed=3))
    syn = {"n_null": 49, "n_boot": 0, "seed": 1, "block_chunk": max(n_blocks // 8, 1)}
    fit1, t_fit1 = _timed(lambda: fit_dose_response(table, chunk_size=max(n_curves // 8, 1)))
    syn1, t_syn1 = _timed(lambda: score_synergy(blocks, **syn))
    (cluster, client), t_start = _timed(lambda: _local(distributed))
    try:
        fit2, t_fit2 = _timed(lambda: fit_dose_response(table, chunk_size=max(n_curves // 8, 1),
                                                        client=client))
        syn2, t_syn2 = _timed(lambda: score_synergy(blocks, client=client, **syn))
    finally:
        client.close()
        cluster.close()
    for a, b in ((fit1.table, fit2.table), (syn1.table, syn2.table)):
        num = [c for c in a.select_dtypes("number").columns if not c.startswith("dss")]
        np.testing.assert_allclose(b[num], a[num], rtol=1e-12, atol=1e-12)
    print(f"LocalCluster(2) start-up: {t_start:.1f} s")
    print(f"fit {n_curves} curves:     1 process {t_fit1:6.2f} s | 2 workers {t_fit2:6.2f} s "
          f"| speed-up {t_fit1 / t_fit2:.2f}x")
    print(f"synergy {n_blocks} blocks:  1 process {t_syn1:6.2f} s | 2 workers {t_syn2:6.2f} s "
          f"| speed-up {t_syn1 / t_syn2:.2f}x")


def _local(distributed):
    from tallrx.parallel import local_cluster

    cluster = local_cluster(2)
    return cluster, distributed.Client(cluster)


def cli_peak(src: Path, out: Path, stream: bool, *extra: str) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of `tallrx fit SRC -o OUT` in a child process."""
    env = dict(os.environ, TALLRX_FIT_STREAM_BYTES="0" if stream else str(10**15))
    cmd = [str(Path(sys.executable).parent / "tallrx"), "--quiet", "fit", str(src), "-o",
           str(out), *extra]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return time.perf_counter() - t, usage.ru_maxrss / 1024


def million(jobs: int = 1) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for n in (100_000, 1_000_000):
            src = Path(tmp) / f"v{n}.csv"
            curves_csv(n, src)
            size = src.stat().st_size / 2**20
            secs, rss = cli_peak(src, Path(tmp) / "out.csv", True)
            print(f"tallrx fit {n:>9,} curves ({size:5.0f} MiB CSV), streamed:  "
                  f"{secs:6.1f} s, peak RSS {rss:6.0f} MiB")
            if jobs > 1:
                secs, rss = cli_peak(src, Path(tmp) / "out.csv", True, "--jobs", str(jobs))
                print(f"tallrx fit {n:>9,} curves, streamed, --jobs {jobs}:        "
                      f"{secs:6.1f} s, peak RSS {rss:6.0f} MiB (largest process)")
            if n == 100_000:
                secs, rss = cli_peak(src, Path(tmp) / "out.csv", False)
                print(f"tallrx fit {n:>9,} curves, in memory:                "
                      f"{secs:6.1f} s, peak RSS {rss:6.0f} MiB")
            src.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--curves", type=int, default=20_000)
    ap.add_argument("--blocks", type=int, default=200)
    ap.add_argument("--million", action="store_true")
    ap.add_argument("--million-jobs", type=int, default=1,
                    help="with --million: also stream on a local cluster of N workers")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores (shared with other jobs while measured), "
          f"load average {os.getloadavg()[0]:.1f}")
    scaling(args.curves, args.blocks)
    if args.million:
        million(args.million_jobs)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
