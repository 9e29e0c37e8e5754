"""Speed of the IL7-stratification bootstrap and of normalization + plate QC.

Run: .venv/bin/python benchmarks/bench_stratify.py [--n-boot 1000]

Screen: 46 samples x 2 IL7 conditions x 5 drugs x 9 doses x 3 replicate wells (the paper's PDX
screen size). The vectorized bootstrap (tallrx) is compared side by side with a straightforward
per-draw, per-curve Python loop over the same wells (numpy resampling inside the loop), timed on
fewer draws and scaled per draw. Also times normalize_viability + plate_qc on 100 384-well plates.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from tallrx.analysis.doseresponse.stratify import stratify_il7
from tallrx.tidy import normalize_viability, plate_qc

DRUGS = ("prednisolone", "ruxolitinib", "selumetinib", "trametinib", "binimetinib")


def screen(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    doses = np.logspace(-2, 2, 9)
    s, d, il7, conc, via = [], [], [], [], []
    for i in range(46):
        for drug in DRUGS:
            ic50 = 10 ** rng.uniform(-1.5, 1.5)
            for dose_il7, boost in ((0, 1.0), (25, rng.choice([1.0, 2.2]))):
                mean = 100 * boost / (1 + (doses / ic50))
                vals = mean[:, None] * (1 + 0.1 * rng.standard_normal((9, 3)))
                n = vals.size
                s += [f"PDX{i:02d}"] * n
                d += [drug] * n
                il7 += [dose_il7] * n
                conc += list(np.repeat(doses, 3))
                via += list(vals.ravel())
    return pd.DataFrame({"sample": s, "drug_a": d, "il7": il7, "conc_a": conc, "viability": via})


def curves_of(v: pd.DataFrame) -> pd.DataFrame:
    m = v.groupby(["sample", "drug_a", "il7", "conc_a"], as_index=False)["viability"].mean()
    rows = []
    for (s, d, il7), g in m.groupby(["sample", "drug_a", "il7"]):
        rows.append(
            {
                "sample": s,
                "drug_a": d,
                "il7": il7,
                "auc": np.trapezoid(g["viability"], np.log10(g["conc_a"])),
            }
        )
    return pd.DataFrame(rows)


def loop_bootstrap(v: pd.DataFrame, n_boot: int, seed: int = 0) -> np.ndarray:
    """Baseline: for each draw, for each curve, resample each dose's wells and integrate."""
    rng = np.random.default_rng(seed)
    curves = [
        [(np.log10(c), g2["viability"].to_numpy()) for c, g2 in g.groupby("conc_a")]
        for _, g in v.groupby(["sample", "drug_a", "il7"])
    ]
    out = np.empty((n_boot, len(curves)))
    for b in range(n_boot):
        for k, cells in enumerate(curves):
            x = np.array([c[0] for c in cells])
            y = np.array([rng.choice(c[1], size=len(c[1])).mean() for c in cells])
            out[b, k] = np.trapezoid(y, x)
    return out


def plates(n_plates: int = 100, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows, cols = np.meshgrid(np.arange(16), np.arange(24), indexing="ij")
    rows, cols = rows.ravel(), cols.ravel()
    role = np.where(cols < 2, "vehicle", np.where(cols == 23, "blank", "treated"))
    frames = []
    for p in range(n_plates):
        sig = np.where(role == "blank", 50.0, 1000.0) * (1 + 0.05 * rng.standard_normal(384))
        frames.append(
            pd.DataFrame(
                {
                    "plate": f"P{p:03d}",
                    "well": [f"{chr(65 + r)}{c + 1}" for r, c in zip(rows, cols, strict=True)],
                    "sample": f"S{p % 46}",
                    "drug_a": np.where(role == "treated", "prednisolone", ""),
                    "conc_a": np.where(role == "treated", 10.0 ** (cols % 10 - 3), 0.0),
                    "drug_b": "",
                    "conc_b": 0.0,
                    "role": role,
                    "signal": sig,
                    "replicate": rows + 1,
                    "il7": 0,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--loop-draws", type=int, default=20)
    args = ap.parse_args()
    v = screen()
    c = curves_of(v)
    t0 = time.perf_counter()
    r = stratify_il7(c, drug=None, viability=v, n_boot=args.n_boot, seed=0)
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop_bootstrap(v, args.loop_draws)
    t_loop = (time.perf_counter() - t0) / args.loop_draws * args.n_boot
    print(f"screen: {len(v)} wells, {len(c)} curves, {len(r.table)} pairs, {args.n_boot} draws")
    print(f"  stratify_il7 (vectorized bootstrap): {t_vec:.2f} s")
    print(f"  per-draw per-curve loop (scaled from {args.loop_draws} draws): {t_loop:.1f} s")
    print(f"  speed ratio: {t_loop / t_vec:.0f}x")
    w = plates()
    t0 = time.perf_counter()
    viab = normalize_viability(w)
    t_norm = time.perf_counter() - t0
    t0 = time.perf_counter()
    plate_qc(viab)
    t_qc = time.perf_counter() - t0
    print(f"plates: {w['plate'].nunique()} x 384 wells = {len(w)} wells")
    print(f"  normalize_viability: {t_norm:.2f} s, plate_qc: {t_qc:.2f} s")


if __name__ == "__main__":
    main()
