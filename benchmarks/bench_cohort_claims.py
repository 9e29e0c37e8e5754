"""Claims held over seeds 0-9 of the cohort draw (issue 18 pt 2).

For each seed the virtual cohort (46 PDX) is drawn from ``cohort_distributions.csv`` — no
selection — and ``tallrx reproduce`` (plate seed 0) judges the 8 claims on it. Prints a table
(claim x seed: held / not held) and the fraction held per claim. About 3 min per seed on a
shared 2-core machine.

Usage: ``.venv/bin/python benchmarks/bench_cohort_claims.py [--seeds 0-9]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path


def claims_for_seed(seed: int) -> dict[str, bool]:
    """Claim id -> held, for the cohort drawn at ``seed`` (46 PDX)."""
    from typer.testing import CliRunner

    import tallrx.reproduce.experiments as ex
    from tallrx.cli import app
    from tallrx.model.virtual.cohort import DEFAULT_N, generate_cohort

    cohort = generate_cohort(DEFAULT_N, seed)
    original = ex.load_cohort
    ex.load_cohort = lambda: cohort.copy()
    try:
        with tempfile.TemporaryDirectory() as d:
            res = CliRunner().invoke(app, ["reproduce", "-o", d, "--seed", "0"])
            if res.exit_code != 0:
                raise RuntimeError(res.output)
            claims = json.loads((Path(d) / "claims.json").read_text())
    finally:
        ex.load_cohort = original
    return {str(c["id"]): bool(c["held"]) for c in claims}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0-9", help="range a-b or comma list")
    a = ap.parse_args()
    if "-" in a.seeds:
        lo, hi = (int(x) for x in a.seeds.split("-"))
        seeds = list(range(lo, hi + 1))
    else:
        seeds = [int(x) for x in a.seeds.split(",")]
    table = {s: claims_for_seed(s) for s in seeds}
    ids = sorted({k for t in table.values() for k in t}, key=lambda x: (len(x), x))
    print("claim | " + " | ".join(f"s{s}" for s in seeds) + " | fraction held")
    for c in ids:
        row = [table[s].get(c, False) for s in seeds]
        marks = " | ".join("held" if h else "-" for h in row)
        print(f"{c} | {marks} | {sum(row)}/{len(row)}")
    total = sum(sum(t.values()) for t in table.values())
    print(f"all claims: {total}/{len(ids) * len(seeds)} held")


if __name__ == "__main__":
    main()
