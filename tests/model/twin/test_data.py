"""The twin's input: condition means and the pooled replicate SD, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError
from tallrx.model.twin.data import MIN_NOISE_SD, observations, samples_of


def _table() -> pd.DataFrame:
    rows = []
    # prednisolone 1 uM without IL7: 80, 84 (mean 82, var 8); with IL7 (own vehicle): 100, 96
    for v in (80.0, 84.0):
        rows.append(("S1", "prednisolone", 1.0, 0.0, v))
    for v in (100.0, 96.0):
        rows.append(("S1", "prednisolone", 1.0, 25.0, v))
    rows.append(("S1", "", 0.0, 0.0, 100.0))  # the vehicle: 100 % by construction, not fitted
    rows.append(("S2", "selumetinib", 0.1, 0.0, 50.0))
    return pd.DataFrame(rows, columns=["sample", "drug_a", "conc_a", "il7", "viability"])


def test_condition_means_and_pooled_sd_by_hand():
    o = observations(_table(), "S1")
    assert list(o.conditions["drug"]) == ["prednisolone", "prednisolone"]
    np.testing.assert_allclose(o.mean, [82.0, 98.0])
    np.testing.assert_allclose(o.n, [2, 2])
    # pooled variance: (8 * 1 + 8 * 1) / 2 = 8
    assert o.noise_sd == pytest.approx(np.sqrt(8.0))
    np.testing.assert_allclose(o.se, np.sqrt(8.0) / np.sqrt(2))
    # own normalization: each condition's 100 % is its own IL7 level
    assert list(o.conditions["ref_il7"]) == [0.0, 25.0]


def test_il7_reference_rows_replace_own_ones_with_il7():
    t = _table().assign(reference="own")
    extra = t[(t["il7"] == 25)].assign(reference="il7=0", viability=[130.0, 134.0])
    veh = pd.DataFrame([("S1", "", 0.0, 25.0, 120.0, "il7=0")], columns=[*t.columns])
    o = observations(pd.concat([t, extra, veh], ignore_index=True), "S1")
    d = o.conditions.assign(mean=o.mean)
    with_il7 = d[d["il7"] == 25]
    assert set(with_il7["ref_il7"]) == {0.0}
    assert sorted(with_il7["mean"]) == [120.0, 132.0]  # the IL7-enhanced vehicle is kept


def test_noise_floor_and_excluded_and_combination_wells():
    t = _table()
    t["exclude"] = False
    t.loc[0, "exclude"] = True
    t["drug_b"] = ""
    t.loc[len(t)] = ["S1", "prednisolone", 1.0, 0.0, 5.0, False, "selumetinib"]
    o = observations(t, "S1")
    assert o.mean[0] == pytest.approx(84.0)  # excluded 80 and the combination well dropped
    same = t.assign(viability=np.where(t["il7"] == 25, 98.0, t["viability"]))
    assert observations(same.iloc[1:], "S1").noise_sd >= MIN_NOISE_SD


def test_bad_input_names_the_problem():
    with pytest.raises(InputError, match="sample 'S9'"):
        observations(_table(), "S9")
    with pytest.raises(InputError, match="no prednisolone curve"):
        observations(_table(), "S2")
    with pytest.raises(InputError, match="no rows"):
        observations(_table().iloc[:0], "S1")
    with pytest.raises(InputError, match="missing column"):
        observations(_table().drop(columns="il7"), "S1")
    assert samples_of(_table()) == ["S1", "S2"]
