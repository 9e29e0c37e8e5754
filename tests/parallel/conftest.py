"""Shared data and a two-worker local Dask cluster for the scale-out tests (one per module)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

CONC_UM = np.array([0.0, 0.01, 0.1, 1.0, 10.0, 100.0])


def curves_table(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` noisy falling LL.4 curves (IC50 0.01-30 uM, hill 1.2) plus vehicles, long format."""
    rng = np.random.default_rng(seed)
    ic50 = 10 ** rng.uniform(-2, 1.5, n)
    clean = np.where(CONC_UM > 0, 100 / (1 + (CONC_UM[None, :] / ic50[:, None]) ** 1.2), 100.0)
    noisy = clean + rng.normal(0, 3, clean.shape)
    return pd.DataFrame({
        "sample": np.repeat([f"S{i:05d}" for i in range(n)], CONC_UM.size),
        "drug_a": "pred",
        "conc_a": np.tile(CONC_UM, n),
        "viability": noisy.ravel(),
    })


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 single-threaded worker processes (closed after the module)."""
    from tallrx import parallel

    with parallel.cluster(jobs=2) as c:
        yield c
