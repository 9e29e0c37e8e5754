"""Fixtures of the web tests (helpers and constants live in webtools.py, a uniquely named module,
so they never clash with another folder's conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra (starlette, uvicorn) is not installed")


@pytest.fixture(scope="session")
def synergy_csv(tmp_path_factory) -> Path:
    """One 8x8 (x2 replicates) checkerboard of a sensitizing pair (tallrx's simulator, seeded)."""
    from tallrx.analysis.synergy import simulate_table
    from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B

    path = tmp_path_factory.mktemp("syn") / "checkerboard.csv"
    simulate_table(1, a=BENCH_A, b=BENCH_B, model="sensitize", seed=3).to_csv(path, index=False)
    return path
