"""What the user feels at the command line: start-up against `import pandas`, and report sizes.

    python benchmarks/bench_cli.py               # start-up ratios (about a minute)
    python benchmarks/bench_cli.py --runs 21     # more pairs
    python benchmarks/bench_cli.py --reports     # + screen report size, 46 and 1,837 plates

Start-up: `tallrx --help` and `tallrx fit --help` (the installed console script, a fresh process
each run) and `python -c "import pandas"` are run in turn (A B A B ...) and the ratio is taken
pair by pair, so a machine whose speed drifts still gives a fair ratio; the median of the pair
ratios is printed with the median wall times. Target (issue 11): <= 1.5x `import pandas`.

Reports: the 46-sample PDX example through `tallrx screen` (the bundled example, like the README's
first command) and a 1,837-plate GDSC-style screen's results (tests/workflows/gdsc_plate.py: one
analyzed 1536-well plate repeated with per-plate noise) rendered by the same report code.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "tallrx" / "data" / "examples" / "pdx_screen"


def _tallrx() -> list[str]:
    script = Path(sys.executable).with_name("tallrx")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tallrx"]


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def startup(runs: int) -> None:
    """Print median wall seconds and the median paired ratio against `import pandas`."""
    pandas = [sys.executable, "-c", "import pandas"]
    print(f"{'command':<22} {'median s':>9} {'import pandas s':>16} {'ratio':>7}  (target <= 1.5)")
    for args in (["--help"], ["fit", "--help"]):
        cmd = [*_tallrx(), *args]
        _wall(cmd), _wall(pandas)  # warm the file cache
        a, b = [], []
        for _ in range(runs):
            a.append(_wall(cmd))
            b.append(_wall(pandas))
        ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
        name = "tallrx " + " ".join(args)
        print(f"{name:<22} {statistics.median(a):>9.3f} {statistics.median(b):>16.3f} "
              f"{ratio:>7.2f}")


def reports() -> None:
    """Print the size of the screen report for 46 and 1,837 plates."""
    sys.path.insert(0, str(ROOT / "tests"))
    from tallrx.cli import main
    from tallrx.cli.screen import screen_figures
    from tallrx.report.html import render_report
    from tallrx.report.screen import screen_sections
    from workflows.gdsc_plate import gdsc_screen_results

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "screen46"
        plates = sorted(map(str, (EXAMPLE / "plates").glob("*.csv")))
        t0 = time.perf_counter()
        code = main(["--quiet", "screen", str(EXAMPLE / "layout.csv"), *plates, "-o", str(out)])
        if code != 0:
            raise SystemExit(f"tallrx screen failed (exit {code})")
        size = (out / "report.html").stat().st_size
        print(f"46 plates (tallrx screen, end to end {time.perf_counter() - t0:.0f} s): "
              f"report.html {size / 1e6:.2f} MB")
        res = gdsc_screen_results(Path(tmp) / "gdsc", n_plates=1837)
        t0 = time.perf_counter()
        figs = screen_figures(res)
        path = render_report("screen", screen_sections(res, figs), Path(tmp) / "gdsc.html")
        print(f"1,837 plates ({res.wells['plate'].nunique()} plates, {len(res.wells):,} wells, "
              f"{len(res.curves):,} curves; figures + report {time.perf_counter() - t0:.0f} s): "
              f"report.html {path.stat().st_size / 1e6:.2f} MB")
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="pairs per command (default 11)")
    parser.add_argument("--reports", action="store_true", help="also measure report sizes")
    args = parser.parse_args()
    startup(args.runs)
    if args.reports:
        reports()


if __name__ == "__main__":
    main()
