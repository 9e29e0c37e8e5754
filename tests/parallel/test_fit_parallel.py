"""fit on Dask: the same curves table as in process, whatever the chunking or the workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tallrx.analysis.doseresponse.batch import fit_dose_response

from .conftest import curves_table

TABLE = curves_table(40)
REFERENCE = fit_dose_response(TABLE, chunk_size=50_000).table  # one chunk: today's path


# Every column, the DSS's constrained fit included, agrees to 1e-12 whatever the chunking: the
# DSS keeps a later fit only when it beats the earlier one by a clear SSE margin, so rounding
# (which depends on the batch) cannot pick a different winner.
TOL = 1e-12


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Same rows and columns; numbers within 1e-12 (relative)."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):
            np.testing.assert_allclose(b[col], a[col], rtol=TOL, atol=TOL, equal_nan=True)
        else:
            assert a[col].tolist() == b[col].tolist(), col


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunk_size=st.integers(1, 45))
def test_fit_is_chunk_independent(chunk_size):
    _same(REFERENCE, fit_dose_response(TABLE, chunk_size=chunk_size).table)


def test_fit_on_local_cluster_equals_in_process(client):
    """Same chunks on 2 worker processes: bit-identical to the same chunks in process."""
    here = fit_dose_response(TABLE, chunk_size=7).table
    pd.testing.assert_frame_equal(here, fit_dose_response(TABLE, chunk_size=7, client=client).table)
    _same(REFERENCE, here)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_workers(address: str, n: int, timeout_s: float = 60) -> None:
    import distributed

    with distributed.Client(address, timeout=timeout_s, set_as_default=False) as c:
        c.wait_for_workers(n, timeout=timeout_s)


def test_cli_fit_on_a_real_scheduler_and_two_workers(tmp_path: Path):
    """`dask scheduler` + 2 `dask worker` processes on loopback; `tallrx fit --scheduler`."""
    bindir = Path(sys.executable).parent
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([bindir / "dask", "scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--dashboard-address", ":0"], **quiet)]
    try:
        procs += [subprocess.Popen([bindir / "dask", "worker", address, "--nthreads", "1",
                                    "--nworkers", "1", "--no-dashboard"], **quiet)
                  for _ in range(2)]
        _wait_for_workers(address, 2)
        src = tmp_path / "viability.csv"
        TABLE.to_csv(src, index=False)
        env = dict(os.environ)
        local = subprocess.run([bindir / "tallrx", "fit", src, "-o", tmp_path / "local.csv"],
                               capture_output=True, text=True, env=env, timeout=120)
        remote = subprocess.run([bindir / "tallrx", "fit", src, "-o", tmp_path / "remote.csv",
                                 "--scheduler", address], capture_output=True, text=True,
                                env=env, timeout=120)
        assert local.returncode == 0, local.stderr
        assert remote.returncode == 0, remote.stderr
        assert "Dask dashboard: http" in remote.stderr
        _same(pd.read_csv(tmp_path / "local.csv"), pd.read_csv(tmp_path / "remote.csv"))
    finally:
        for p in reversed(procs):
            p.terminate()
        deadline = time.monotonic() + 20
        for p in procs:
            try:
                p.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                p.kill()
