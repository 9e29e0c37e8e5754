"""The results store: record a 46-sample screen and a 10,000-matrix synergy run, query across runs.

    python benchmarks/bench_store.py                       # SQLite file in a temp folder
    python benchmarks/bench_store.py --postgres            # + a throwaway PostgreSQL cluster
    python benchmarks/bench_store.py --db postgresql://user@host/db   # any store URL
    python benchmarks/bench_store.py --screen out/screen   # reuse a screen output folder

The screen is ``tallrx screen`` on the bundled 46-sample PDX example (README's first command;
~13,900 wells, 920 curves, 46 strata); the synergy run is a synthetic ``tallrx synergy`` output of
10,000 matrices (combinations.csv with the real column set, one row per matrix, plus meta.json).
Timed per store: ``db init``, import of each folder, re-import (content hash: no new run), a
cross-run query (IL7-responsive samples and their synergy calls) and export of the screen run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway PostgreSQL cluster of the store tests

import tallrx.store as store  # noqa: E402
from tallrx.cli import main  # noqa: E402

EXAMPLE = ROOT / "src" / "tallrx" / "data" / "examples" / "pdx_screen"
N_MATRICES = 10_000


def screen_folder(where: Path) -> Path:
    """Run `tallrx screen` on the bundled 46-sample example into ``where``/screen."""
    out = where / "screen"
    plates = sorted((EXAMPLE / "plates").glob("*.csv"))
    code = main(["screen", str(EXAMPLE / "layout.csv"), *map(str, plates), "-o", str(out)])
    if code != 0:
        raise SystemExit(f"tallrx screen failed (exit {code})")
    return out


def synergy_folder(where: Path, n: int = N_MATRICES, seed: int = 0) -> Path:
    """A synergy output of ``n`` matrices: combinations.csv (tallrx synergy's columns) + meta."""
    rng = np.random.default_rng(seed)
    samples = np.array([f"PDX{i % 46 + 1:02d}" for i in range(n)])
    drugs = np.array(["selumetinib", "ruxolitinib", "trametinib", "binimetinib"])
    ci = np.exp(rng.normal(-0.2, 0.5, n))
    table = pd.DataFrame({
        "sample": samples, "il7": np.where(np.arange(n) % 2, 25, 0),
        "drug_a": "prednisolone", "drug_b": drugs[np.arange(n) % 4],
        "block": np.arange(n), "design": "matrix", "ratio": np.nan,
        "ci_mean": ci, "ci_gmean": ci * 0.95, "ci_median": ci * 0.97, "ci_n": 47,
        "ci_low": ci * 0.8, "ci_high": ci * 1.2, "ci_ed50": ci, "ci_ed75": ci * 0.9,
        "ci_ed90": ci * 0.85, "ci_ed95": np.nan, "bliss": rng.normal(0, 8, n),
        "hsa": rng.normal(3, 8, n), "loewe": rng.normal(0, 8, n), "zip": rng.normal(0, 6, n),
        "call": np.where(ci < 0.8, "synergy", np.where(ci > 1.2, "antagonism", "additive")),
        "p_value": rng.uniform(0, 1, n), "naive_call": "additive", "noise_sd": 3.0,
        "fit_ok": True, "message": "",
    })
    out = where / "synergy"
    out.mkdir()
    table.to_csv(out / "combinations.csv", index=False)
    (out / "meta.json").write_text(json.dumps({"version": "bench", "n_blocks": n}))
    return out


def timed(label: str, fn):
    t0 = time.perf_counter()
    value = fn()
    print(f"  {label:<44} {time.perf_counter() - t0:8.2f} s")
    return value


def bench(url: str, screen: Path, synergy: Path, tmp: Path) -> None:
    print(f"store {url}")
    db = timed("open + db init (Alembic upgrade head)", lambda: store.open(url))
    with db:
        s = timed("import 46-sample screen", lambda: db.import_folder(screen))
        y = timed(f"import {N_MATRICES:,}-matrix synergy", lambda: db.import_folder(synergy))
        again = timed("re-import screen (same content: no new run)",
                      lambda: db.import_folder(screen))
        assert again == s and len(db.runs()) == 2

        def cross() -> pd.DataFrame:
            strata = db.query("strata", where="il7_responsive == true and auc_with >= 175")
            combos = db.query("combinations", where="drug_b == 'selumetinib' and ci_mean < 0.8")
            return strata[["sample"]].merge(combos[["sample", "il7", "ci_mean", "call"]])

        hits = timed("cross-run query (IL7-dep. resistant x synergy)", cross)
        rows = timed("query all 10,000 combinations", lambda: db.query("combinations"))
        timed("export screen run", lambda: db.export(s, tmp / f"export_{s}_{y}"))
    print(f"  -> {len(hits)} rows of IL7-dependent resistant samples with selumetinib "
          f"synergy; {len(rows)} combinations")


def main_(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", default=[], help="store URL (repeatable)")
    ap.add_argument("--postgres", action="store_true", help="also a throwaway PostgreSQL")
    ap.add_argument("--screen", type=Path, help="existing screen output folder to reuse")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as name, \
            contextlib.ExitStack() as stack:
        tmp = Path(name)
        screen = args.screen or timed("tallrx screen (46 samples; not the store)",
                                      lambda: screen_folder(tmp))
        synergy = synergy_folder(tmp)
        urls = [*args.db] or [f"sqlite:///{tmp / 'bench.db'}"]
        if args.postgres:
            from store import pgcluster

            base = stack.enter_context(pgcluster.cluster())
            urls.append(stack.enter_context(pgcluster.database(base)))
        for url in urls:
            bench(url, screen, synergy, tmp)


if __name__ == "__main__":
    main_()
