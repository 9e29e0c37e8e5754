"""Invariants (hypothesis): swapping drugs a and b, and changing concentration units, leave every
score unchanged; the Result carries each sign convention in meta."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tallrx._result import load_result
from tallrx.analysis.doseresponse.curves import ll4
from tallrx.analysis.synergy import score_synergy
from tallrx.io.assays.synergyfinder import read_synergyfinder

SCORES = ["ci_mean", "ci_gmean", "ci_median", "bliss", "hsa", "loewe", "zip"]


def _plate(seed, bottom_a, bottom_b, kappa, reps=2):
    rng = np.random.default_rng(seed)
    da = np.concatenate([[0.0], np.geomspace(0.1, 30, 5)])
    db = np.concatenate([[0.0], np.geomspace(0.01, 3, 5)])
    g1, g2 = np.meshgrid(da, db, indexing="ij")
    d1, d2 = np.tile(g1.ravel(), reps), np.tile(g2.ravel(), reps)
    vb = ll4(d2, bottom_b, 100, 0.2, 1.2)
    va = ll4(d1, bottom_a * (1 - kappa * (1 - vb / 100)), 100, 2.0, 1.0)
    v = va * vb / 100 + rng.normal(0, 3, len(d1))
    return pd.DataFrame(
        {
            "sample": "s",
            "drug_a": "A",
            "conc_a": d1,
            "drug_b": "B",
            "conc_b": d2,
            "viability": v,
            "replicate": np.repeat(np.arange(1, reps + 1), len(da) ** 2),
        }
    )


plates = st.tuples(st.integers(0, 10_000), st.floats(5, 80), st.floats(5, 80), st.floats(0, 1))
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scores(res):
    return res.table.iloc[0][SCORES].to_numpy(float)


@SETTINGS
@given(plates)
def test_swapping_drugs_leaves_scores_unchanged(p):
    t = _plate(*p)
    swapped = t.rename(
        columns={"drug_a": "drug_b", "drug_b": "drug_a", "conc_a": "conc_b", "conc_b": "conc_a"}
    )
    r1 = score_synergy(t, n_null=0, n_boot=0)
    r2 = score_synergy(swapped, n_null=0, n_boot=0)
    assert (r2.table.drug_a.iloc[0], r2.table.drug_b.iloc[0]) == ("B", "A")
    np.testing.assert_allclose(_scores(r2), _scores(r1), rtol=1e-6, atol=1e-6, equal_nan=True)
    s1 = r1.extra["surface"].sort_values(["conc_a", "conc_b"])
    s2 = (
        r2.extra["surface"]
        .rename(columns={"conc_a": "conc_b", "conc_b": "conc_a"})
        .sort_values(["conc_a", "conc_b"])
    )
    for col in ("bliss", "hsa", "ci", "loewe"):
        np.testing.assert_allclose(s2[col], s1[col], rtol=1e-6, atol=1e-6, equal_nan=True)


@SETTINGS
@given(plates, st.sampled_from([("nM", 1e3), ("mM", 1e-3), ("M", 1e-6)]))
def test_changing_units_leaves_scores_unchanged(p, unit):
    """The same plate written in uM and in another unit (SynergyFinder format) scores the same."""
    name, factor = unit
    t = _plate(*p)

    def sf(u, f):
        return pd.DataFrame(
            {
                "block_id": 1,
                "drug_row": t.drug_a,
                "drug_col": t.drug_b,
                "conc_r": t.conc_a * f,
                "conc_c": t.conc_b * f,
                "response": t.viability,
                "conc_r_unit": u,
                "conc_c_unit": u,
            }
        )

    r1 = score_synergy(read_synergyfinder(sf("uM", 1.0)), n_null=0, n_boot=0)
    r2 = score_synergy(read_synergyfinder(sf(name, factor)), n_null=0, n_boot=0)
    np.testing.assert_allclose(_scores(r2), _scores(r1), rtol=1e-6, atol=1e-6, equal_nan=True)
    me1, me2 = r1.extra["median_effect"], r2.extra["median_effect"]
    np.testing.assert_allclose(me2.dm, me1.dm, rtol=1e-9)


def test_calibrated_call_and_p_value_do_not_depend_on_drug_order():
    t = _plate(5, 75, 30, 1.0)
    swapped = t.rename(
        columns={"drug_a": "drug_b", "drug_b": "drug_a", "conc_a": "conc_b", "conc_b": "conc_a"}
    )
    r1 = score_synergy(t, n_null=99, n_boot=0, seed=1)
    r2 = score_synergy(swapped, n_null=99, n_boot=0, seed=1)
    assert r1.table.call.iloc[0] == r2.table.call.iloc[0]
    assert r2.table.p_value.iloc[0] == pytest.approx(r1.table.p_value.iloc[0], abs=0.1)


def test_meta_states_every_sign_convention():
    res = score_synergy(_plate(1, 50, 30, 0.0), n_null=0, n_boot=0)
    conv = res.meta["conventions"]
    assert set(conv) == {"ci", "bliss", "hsa", "loewe", "zip"}
    assert "< 1 synergy" in conv["ci"]
    for m in ("bliss", "hsa", "loewe", "zip"):
        assert "> 0 synergy" in conv[m] and "percentage points" in conv[m]
    assert res.kind == "combinations" and set(res.extra) == {"surface", "median_effect"}
    assert res.meta["units"]["conc_a"] == "uM"


def test_result_saves_and_loads(tmp_path):
    res = score_synergy(_plate(2, 60, 30, 0.5), n_null=19, n_boot=10)
    back = load_result(res.save(tmp_path / "r"))
    assert back.kind == "combinations" and set(back.extra) == {"surface", "median_effect"}
    np.testing.assert_allclose(back.table["bliss"], res.table["bliss"])
    assert back.meta["call"]["statistic"] == "ci_gmean"
