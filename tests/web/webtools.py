"""Helpers of the web tests: a server app on a temporary work folder, the bundled real pediatric ALL
plate, and polling a run until it ends."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KISPI = ROOT / "src" / "tallrx" / "data" / "examples" / "kispi_drp_plate"
ARTIFACTS = Path(__file__).parent / "artifacts"
#: the synergy options that keep a run to a few seconds (no null simulation, no bootstrap)
FAST_SYNERGY = {"n_null": "0", "n_boot": "0"}
BASE = "http://127.0.0.1:8765"


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
