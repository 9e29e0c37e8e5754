"""Shared fixtures of the web tests: a server app on a temporary work folder, the bundled real
pediatric ALL plate, and a small synergy matrix made by tallrx's seeded checkerboard simulator."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra (starlette, uvicorn) is not installed")

ROOT = Path(__file__).resolve().parents[2]
KISPI = ROOT / "src" / "tallrx" / "data" / "examples" / "kispi_drp_plate"
ARTIFACTS = Path(__file__).parent / "artifacts"
#: the synergy options that keep a run to a few seconds (no null simulation, no bootstrap)
FAST_SYNERGY = {"n_null": "0", "n_boot": "0"}
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="session")
def synergy_csv(tmp_path_factory) -> Path:
    """One 8x8 (x2 replicates) checkerboard of a sensitizing pair (tallrx's simulator, seeded)."""
    from tallrx.analysis.synergy import simulate_table
    from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B

    path = tmp_path_factory.mktemp("syn") / "checkerboard.csv"
    simulate_table(1, a=BENCH_A, b=BENCH_B, model="sensitize", seed=3).to_csv(path, index=False)
    return path


def make_client(tmp_path: Path, **config):
    """A Starlette TestClient on a fresh app (its event loop runs the queue in the background)."""
    with warnings.catch_warnings():  # starlette >= 1.x suggests httpx2; httpx works the same
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from tallrx.web import Config, create_app

    cfg = Config(workdir=tmp_path / "work", **config)
    return TestClient(create_app(cfg), base_url=BASE)


def wait_done(client, run_id: str, timeout: float = 120.0) -> dict:
    """Poll ``GET /api/runs/{id}`` until the run is done or failed."""
    end = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/runs/{run_id}").json()
        if body["status"] in ("done", "failed") or time.monotonic() > end:
            return body
        time.sleep(0.3)
