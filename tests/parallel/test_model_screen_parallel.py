"""cohort (model simulations) and screen on Dask: the same tables as in process."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx import parallel
from tallrx.model.simulate import mapping
from tallrx.model.virtual.cohort import cohort_screen, load_cohort, screen_statistics

COHORT = load_cohort().head(3)


def test_cohort_screen_on_local_cluster_equals_in_process(client):
    """The virtual screen's wells (model simulations in chunks) are the same on 2 workers."""
    opts = {"drugs": ("prednisolone", "selumetinib"), "replicates": 2, "seed": 4, "jobs": 2}
    here = cohort_screen(COHORT, **opts).table
    with mapping(parallel.mapper(client)):
        there = cohort_screen(COHORT, **opts).table
    pd.testing.assert_frame_equal(here, there, check_exact=False, rtol=1e-12, atol=1e-12)


def test_cohort_statistics_on_local_cluster_equal_in_process(client):
    here = screen_statistics(COHORT, jobs=2)
    with mapping(parallel.mapper(client)):
        there = screen_statistics(COHORT, jobs=2)
    num = here.select_dtypes("number").columns
    np.testing.assert_allclose(there[num], here[num], rtol=1e-12, atol=1e-12)
    assert (here.drop(columns=num) == there.drop(columns=num)).all().all()


def test_screen_on_local_cluster_equals_in_process(client):
    from tallrx.testing import make_pdx_screen
    from tallrx.workflows.screen import analyze_wells
    from workflows.test_screen_workflow import _wells  # tests/ is on sys.path (rootdir)

    wells = _wells(make_pdx_screen(seed=21))
    here = analyze_wells(wells, n_boot=20)
    there = analyze_wells(wells, n_boot=20, client=client)
    for name, table in here.tables().items():
        pd.testing.assert_frame_equal(table, there.tables()[name], check_exact=False,
                                      rtol=1e-12, atol=1e-12, obj=name)
