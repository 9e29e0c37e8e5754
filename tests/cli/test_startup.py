"""Start-up: ``tallrx --help`` and every command's ``--help`` load no heavy library (issue 11).

Checked in a fresh interpreter by the modules it holds afterwards, not by a timing (speed is
measured by benchmarks/bench_cli.py). The option defaults the CLI mirrors to stay light must equal
their sources.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from tallrx.cli import _defaults

#: libraries that must not load for help (each costs 0.1-1 s of start-up)
HEAVY = ("pandas", "matplotlib", "scipy", "roadrunner", "antimony", "libsbml", "skimage",
         "pyarrow", "sqlalchemy", "numpy")

HELPS = [["--help"], ["fit", "--help"], ["screen", "--help"], ["synergy", "--help"],
         ["stratify", "--help"], ["coip", "--help"], ["qpcr", "--help"], ["blot", "--help"],
         ["simulate", "--help"], ["cohort", "--help"], ["reproduce", "--help"],
         ["model", "show", "--help"], ["model", "export", "--help"], ["db", "--help"], []]

RUNNER = """
import contextlib, io, json, sys
from tallrx.cli import main
codes = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        codes.append(main(argv))
    assert "Usage" in out.getvalue(), (argv, out.getvalue()[:200])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def _run(helps: list[list[str]]) -> dict:
    proc = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(helps), json.dumps(HEAVY)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_help_of_every_command_loads_no_heavy_library():
    got = _run(HELPS)
    assert got["heavy"] == []
    assert set(got["codes"]) <= {0, 2}  # no-args help exits 2 (click's convention), others 0


def test_the_check_can_see_a_heavy_import(tmp_path):
    """The check itself can fail: a command that runs (not just --help) loads pandas."""
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from tallrx.cli import main; "
         f"main(['fit', {str(tmp_path / 'none.csv')!r}, '-o', {str(tmp_path / 'o.csv')!r}]); "
         "print('pandas' in sys.modules)"], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "True", proc.stderr


@pytest.mark.parametrize("name", sorted(_defaults.SOURCES))
def test_mirrored_defaults_equal_their_source(name):
    module, attr = _defaults.SOURCES[name]
    assert getattr(_defaults, name) == getattr(importlib.import_module(module), attr)


def test_paper_thresholds_used_by_stratify_equal_the_analysis_defaults():
    from tallrx import paper
    from tallrx.analysis.doseresponse import stratify

    assert stratify.IL7_RESPONSIVE_FOLD == paper.IL7_RESPONSIVE_FOLD
    assert stratify.IL7_DEPENDENT_MIN_AUC == paper.IL7_DEPENDENT_MIN_AUC
