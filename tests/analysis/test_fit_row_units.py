"""A per-row unit column of conc_a is a unit, not a condition: the curves are those of the same
table converted to uM by hand (1000 nM = 1 uM)."""

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.doseresponse.batch import fit_dose_response
from tallrx.errors import UnitError


def _table() -> pd.DataFrame:
    doses = np.array([0.0, 0.01, 0.1, 1.0, 10.0, 100.0])  # uM
    rows = []
    for sample, ic50 in (("p1", 0.5), ("p2", 5.0)):
        for d in doses:
            v = 100.0 / (1.0 + (d / ic50) ** 1.2) if d > 0 else 100.0
            rows.append({"sample": sample, "drug_a": "prednisolone", "conc_a": d, "viability": v})
    return pd.DataFrame(rows)


def test_mixed_units_equal_the_table_in_um():
    plain = _table()
    mixed = plain.copy()
    nano = mixed["conc_a"] < 1.0  # the low doses written in nM, the rest in uM
    mixed.loc[nano, "conc_a"] *= 1000.0
    mixed["unit"] = np.where(nano, "nM", "µmol/l")
    a = fit_dose_response(plain).table
    b = fit_dose_response(mixed).table
    assert "unit" not in b.columns and len(b) == 2  # not a condition splitting the curves
    np.testing.assert_allclose(b["ic50"], a["ic50"], rtol=1e-9)
    np.testing.assert_allclose(b["ic50"], [0.5, 5.0], rtol=1e-3)


def test_unknown_unit_names_the_row():
    t = _table()
    t["unit"] = "uM"
    t.loc[3, "unit"] = "furlongs"
    with pytest.raises(UnitError, match=r"row 4, column 'unit'.*furlongs"):
        fit_dose_response(t, where="v.csv")


def test_activity_units_of_conc_unit_stay_as_they_are():
    t = _table()
    t["conc_unit"] = "U/l"  # asparaginase-style doses: no uM equivalent, fitted as given
    got = fit_dose_response(t).table
    np.testing.assert_allclose(got["ic50"], [0.5, 5.0], rtol=1e-3)
