"""The public simulate API: table contract, protocol invariants and user errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError, TallrxError
from tallrx.model import OBSERVABLES, simulate, simulate_batch
from tallrx.schema import validate

EXPECTED = [
    "pERK",
    "pSTAT5",
    "pAKT",
    "pBIM_EL",
    "pBIM_L",
    "pBIM_S",
    "BIM_total",
    "BCL2",
    "BCLXL",
    "MCL1",
    "BIM_mRNA",
    "MCL1_mRNA",
    "BIM_bound_BCL2",
    "BIM_bound_BCLXL",
    "BIM_bound_MCL1",
    "viable_cells",
]


def test_observable_names_are_exactly_the_contract():
    assert list(OBSERVABLES) == EXPECTED


@pytest.fixture(scope="module")
def batch():
    cond = pd.DataFrame(
        {
            "genotype": ["parental", "NRAS_G12D", "NRAS_G12D"],
            "dox": [0, 1, 1],
            "il7": [0.0, 0.0, 25.0],
            "prednisolone": [0.0, 693.6, 0.0],
            "sample": ["a", "b", "c"],
        }
    )
    return simulate_batch(cond, [0, 0.5, 24, 96])


def test_timecourse_table_contract(batch):
    t = batch.table
    validate(t, "timecourse")
    assert batch.kind == "timecourse"
    assert set(t["observable"]) == set(EXPECTED)
    assert (t["source"] == "simulated").all()
    assert {"genotype", "dox", "il7", "prednisolone", "sample"} <= set(t.columns)
    assert len(t) == 3 * 4 * len(EXPECTED)
    assert batch.meta["units"]["BIM_total"] == "nM"


def test_time_zero_is_the_untreated_state(batch):
    t = batch.table.set_index(["sim_id", "time_h", "observable"])["value"]
    for sim in (0, 1, 2):
        assert t[(sim, 0.0, "viable_cells")] == pytest.approx(1.0)
    # the uninduced, untreated line is its own fold-change baseline
    assert t[(0, 0.0, "BIM_mRNA")] == pytest.approx(1.0, rel=1e-6)
    assert t[(0, 96.0, "BIM_mRNA")] == pytest.approx(1.0, rel=1e-4)
    # fractions are fractions
    frac = batch.table[batch.table["observable"].str.startswith("p")]["value"]
    assert frac.between(0, 1).all()


def test_il7_is_a_treatment_added_at_time_zero(batch):
    t = batch.table.set_index(["sim_id", "time_h", "observable"])["value"]
    assert t[(2, 0.0, "pSTAT5")] == pytest.approx(t[(1, 0.0, "pSTAT5")])
    assert t[(2, 0.5, "pSTAT5")] > 1.5 * t[(1, 0.5, "pSTAT5")]


def test_single_well_api_matches_the_batch():
    one = simulate(
        "NRAS_G12D", dox=True, drugs={"prednisolone": 693.6}, hours=[24], engine="batched"
    ).table
    assert one["genotype"].iloc[0] == "NRAS_G12D"
    assert set(one["time_h"]) == {24.0}
    fold = one.set_index("observable")["value"]["BIM_mRNA"]
    assert 4 <= fold <= 10


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"genotype": "NRAS_G13D"}, "Did you mean 'NRAS_G12D'"),
        ({"genotype": "parental", "drugs": {"selumetnib": 1}}, "Did you mean 'selumetinib'"),
        ({"genotype": "parental", "params": {"k_jakk": 1}}, "Did you mean 'k_jak'"),
        ({"genotype": "parental", "observables": ["pERKK"]}, "Did you mean 'pERK'"),
        ({"genotype": "parental", "engine": "cvode"}, "unknown engine"),
        ({"genotype": "parental", "hours": [-1]}, "non-negative"),
    ],
)
def test_user_errors_name_the_bad_value(kwargs, match):
    with pytest.raises(TallrxError, match=match):
        simulate(**kwargs)


def test_condition_table_errors_name_row_and_column():
    with pytest.raises(InputError, match="row 2, column 'dox'"):
        simulate_batch(pd.DataFrame({"genotype": ["parental", "parental"], "dox": [0, 3]}), [1])
    with pytest.raises(InputError, match="column 'selumetnib' is not a known drug"):
        simulate_batch(pd.DataFrame({"genotype": ["parental"], "selumetnib": [1.0]}), [1])
    with pytest.raises(InputError, match="p.k_jakk"):
        simulate_batch(pd.DataFrame({"genotype": ["parental"], "p.k_jakk": [1.0]}), [1])
    with pytest.raises(InputError, match="non-empty"):
        simulate_batch(pd.DataFrame(), [1])


def test_unrelated_condition_columns_are_carried_not_rejected():
    cond = pd.DataFrame(
        {"genotype": ["parental"], "prednisolone_pretreat": ["no"], "replicate": [1]}
    )
    t = simulate_batch(cond, [1], observables=["pERK"]).table
    assert t["prednisolone_pretreat"].iloc[0] == "no"
    assert np.isfinite(t["value"]).all()


def test_process_pool_and_custom_mapper_give_identical_results():
    """jobs=2 (one simulator per worker) and a user mapper (e.g. a Dask client's map) run the
    same chunks as the in-process default."""
    cond = pd.DataFrame(
        {
            "genotype": ["parental", "JAK1_R724H", "NRAS_G12D", "IL7R_WT"],
            "dox": 1,
            "selumetinib": [0.0, 0.1, 1.0, 0.0],
        }
    )
    base = simulate_batch(cond, [24], observables=["pERK", "viable_cells"]).table
    calls = []

    def mapper(fn, tasks):
        calls.append(len(tasks))
        return [fn(t) for t in tasks]

    pooled = simulate_batch(cond, [24], observables=["pERK", "viable_cells"], jobs=2).table
    mapped = simulate_batch(
        cond, [24], observables=["pERK", "viable_cells"], jobs=2, mapper=mapper
    ).table
    pd.testing.assert_frame_equal(base, pooled)
    pd.testing.assert_frame_equal(base, mapped)
    assert calls and all(n >= 1 for n in calls)


def test_dexamethasone_is_the_more_potent_glucocorticoid():
    """Dexamethasone is several-fold more potent than prednisolone per molar dose."""
    cond = pd.DataFrame(
        {"genotype": "parental", "prednisolone": [0.1, 0.0], "dexamethasone": [0.0, 0.1]}
    )
    t = simulate_batch(cond, [16], observables=["BIM_mRNA"]).table["value"].to_numpy()
    assert t[1] > 1.5 * t[0] > 1.0
