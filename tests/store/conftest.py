"""Fixtures of the store tests: a throwaway PostgreSQL cluster, store URLs for both engines, and
real output folders of tallrx commands (a 4-sample screen, a synergy run, a claims.json).

The PostgreSQL cluster: initdb + pg_ctl in a temporary folder on a free loopback port (as root,
run as the ``postgres`` user), started once per test session and stopped at its end. When the
binaries are absent the PostgreSQL cases skip, or fail under CI=true (``bash tools/services.sh``
installs them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tallrx.cli import main

from . import pgcluster

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "tallrx" / "data" / "examples" / "pdx_screen"
SCREEN_SAMPLES = ("PDX01", "PDX02", "PDX03", "PDX04")
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server():
    """Base URL (no database) of a throwaway PostgreSQL server on loopback."""
    if pgcluster.bindir() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(pgcluster.MISSING)
        pytest.skip(pgcluster.MISSING)
    with pgcluster.cluster() as base:
        yield base


@pytest.fixture(params=ENGINES)
def url(request, tmp_path):
    """A fresh, empty store URL on each engine (PostgreSQL: a new database per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with pgcluster.database(request.getfixturevalue("pg_server")) as db_url:
        yield db_url


@pytest.fixture(scope="session")
def screen_out(tmp_path_factory) -> Path:
    """`tallrx screen` on 4 samples of the bundled PDX screen (their layout rows and plates)."""
    folder = tmp_path_factory.mktemp("screen")
    layout = pd.read_csv(EXAMPLE / "layout.csv")
    layout = layout[layout["sample"].isin(SCREEN_SAMPLES)]
    layout.to_csv(folder / "layout.csv", index=False)
    plates = [EXAMPLE / "plates" / f"{s}_plate1.csv" for s in SCREEN_SAMPLES]
    out = folder / "out"
    code = main(["screen", str(folder / "layout.csv"), *map(str, plates), "-o", str(out),
                 "--n-boot", "20"])
    assert code == 0 and (out / "curves.csv").exists()
    return out


@pytest.fixture(scope="session")
def synergy_out(tmp_path_factory) -> Path:
    """`tallrx synergy` on a simulated 3-sample matrix table (with an il7 condition column)."""
    from tallrx.analysis.synergy import simulate_table
    from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B

    folder = tmp_path_factory.mktemp("synergy")
    t = simulate_table(3, a=BENCH_A, b=BENCH_B, model="sensitize", seed=3)
    t["il7"] = 25
    t.to_csv(folder / "viability.csv", index=False)
    out = folder / "out"
    code = main(["synergy", str(folder / "viability.csv"), "-o", str(out), "--n-null", "19",
                 "--no-figures"])
    assert code == 0
    return out


@pytest.fixture
def claims_out(tmp_path) -> Path:
    """A reproduce-style folder: claims.json (two claims in the documented record form)."""
    out = tmp_path / "repro"
    (out / "tables").mkdir(parents=True)
    claims = [
        {"id": 1, "figure": "Fig. 1A-C", "statement": "mutants raise resistance",
         "rule": "AUC fold > 1.5", "status": "held", "held": True, "summary": "5 of 5",
         "evidence": {"auc_fold": {"C2": 2.5}}},
        {"id": 2, "figure": "Fig. 1D-E", "statement": "26 % IL7-responsive",
         "rule": "share in 0.15-0.40", "status": "not held", "held": False,
         "summary": "share 0.50", "evidence": {"share": 0.5}},
    ]
    (out / "claims.json").write_text(json.dumps(claims, indent=2) + "\n")
    (out / "meta.json").write_text(json.dumps({"tallrx_version": "0.1.0", "seed": 0}))
    pd.DataFrame({"x": [1, 2]}).to_csv(out / "tables" / "fig1.csv", index=False)
    return out
