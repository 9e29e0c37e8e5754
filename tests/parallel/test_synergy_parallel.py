"""synergy on Dask: the same combinations table as in process, whatever the block chunking."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tallrx.analysis.synergy import score_synergy
from tallrx.analysis.synergy.simulate import simulate_synergyfinder
from tallrx.io.assays.synergyfinder import read_synergyfinder

from .test_fit_parallel import _same

TABLE = read_synergyfinder(simulate_synergyfinder(9, seed=3))
OPTS = {"n_null": 19, "n_boot": 20, "seed": 5, "interval": "bootstrap"}  # random draws per block
REFERENCE = score_synergy(TABLE, **OPTS)


def _all_same(a, b) -> None:
    _same(a.table, b.table)
    for part in ("surface", "median_effect"):
        _same(a.extra[part], b.extra[part])


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_chunk=st.integers(1, 10))
def test_synergy_is_chunk_independent(block_chunk):
    _all_same(REFERENCE, score_synergy(TABLE, block_chunk=block_chunk, **OPTS))


def test_synergy_on_local_cluster_equals_in_process(client):
    here = score_synergy(TABLE, block_chunk=2, **OPTS)
    there = score_synergy(TABLE, block_chunk=2, client=client, **OPTS)
    pd.testing.assert_frame_equal(here.table, there.table)
    _all_same(REFERENCE, there)
