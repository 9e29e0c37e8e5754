"""Building blocks of the virtual experiments: design numbers, the BIM shift table, parameter
columns, plate rows, seeds, and determinism on the model."""

from __future__ import annotations

import pandas as pd
import pytest

from tallrx._result import checksum
from tallrx.reproduce import design as D
from tallrx.reproduce import experiments as E


def test_design_doses_follow_the_paper():
    # 250 ug/ml prednisolone / 360.44 g/mol = 693.6 uM; 0.00822 ug/ml = 0.0228 uM (by hand)
    assert D.PRED_TOP_UM == pytest.approx(693.6, abs=0.05)
    assert D.SUPT1_PRED_DOSES_UM[0] == pytest.approx(0.02281, rel=1e-3)
    assert len(D.SUPT1_PRED_DOSES_UM) == D.N_PRED_DOSES
    assert D.SELUMETINIB_SERIES_UM[-1] == 100.0 and D.CI1040_UM == 2.0


def test_shift_table_fractions_and_absent_bim_s_upper_band():
    bands = {"BIM-EL_p": 30.0, "BIM-EL": 10.0, "BIM-L_p": 5.0, "BIM-L": 15.0, "BIM-S": 8.0}
    blots = pd.DataFrame(
        [dict(blot="b", lane=1, sample="s", dox=1, target=t, intensity=v) for t, v in bands.items()]
    )
    t = E._shift_table(blots).set_index("isoform")
    assert t.loc["BIM-EL", "fraction"] == pytest.approx(30 / 40)
    assert t.loc["BIM-L", "fraction"] == pytest.approx(5 / 20)
    assert t.loc["BIM-S", "fraction"] == 0.0
    assert t.loc["BIM-S", "upper_band"] == "absent from the blot"
    assert t.loc["BIM-EL", "upper_band"] == "quantified"


def test_sensitivity_parameters_never_override_a_patient_column():
    ctx = E.Context(params={"k_apop": 0.1, "s_BIM": 9.0})
    rows = pd.DataFrame({"sample": ["P1"], "p.s_BIM": [2.5]})
    out = E._conditions(rows, ctx)
    assert out.loc[0, "p.k_apop"] == 0.1 and out.loc[0, "p.s_BIM"] == 2.5
    assert E._conditions([{"sample": "x"}], E.Context()).columns.tolist() == ["sample"]


def test_assay_seeds_are_stable_and_distinct():
    a, b = E.Context(seed=0), E.Context(seed=1)
    assert a.seed_for("fig3") == E.Context(seed=0).seed_for("fig3")
    assert len({a.seed_for("fig3"), a.seed_for("fig4"), b.seed_for("fig3")}) == 3


def test_same_seed_identical_tables_other_seed_different():
    def tables(seed):
        run = E.bim_expression(E.Context(seed=seed))
        return {k: checksum(v) for k, v in run.tables.items()}

    first = tables(5)
    assert tables(5) == first
    assert tables(6)["fig3_qpcr"] != first["fig3_qpcr"]
