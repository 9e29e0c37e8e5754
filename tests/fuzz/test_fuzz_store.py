"""`tallrx db import` on damaged output folders: exit 0 (and the run exports back the same
table) or exit 2 with one line; never a traceback. SQLite only (the engines share this code)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given

from .fuzzing import FUZZ, check_contract, invoke, mutated

pytestmark = pytest.mark.fuzz

#: a curves table as `tallrx fit` writes it (columns of the real output; values hand-made)
CURVES = """sample,drug_a,il7,n,ic50,hill,top,bottom,emax,auc,auc_fit,auc_max,auc_window_low,\
auc_window_high,r2,ic50_extrapolated,flat,fit_ok,message
PDX01,prednisolone,0,27,0.52,1.1,99.5,12.0,12.1,160.2,158.9,400.0,0.001,10.0,0.97,False,False,True,
PDX01,prednisolone,25,27,45.0,0.9,101.0,40.0,42.0,350.5,349.0,400.0,0.001,10.0,0.91,True,False,True,
PDX02,ruxolitinib,0,27,,,,,,398.0,,400.0,0.001,10.0,,False,True,False,flat curve: no fit
"""


@FUZZ
@given(data=mutated(CURVES.encode()))
def test_db_import_survives_mutated_curves(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("fz")
    (d / "run").mkdir()
    (d / "run" / "curves.csv").write_bytes(data)
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 's.db'}"
    res = check_contract(["db", "import", d / "run", "--db", db], d)
    if res.code == 0:
        back = tmp_path_factory.mktemp("back")
        assert invoke(["db", "export", "1", "-o", back / "x", "--db", db]).code == 0
        if not data.strip():  # a table with no columns: recorded and exported as empty
            assert not (back / "x" / "curves.csv").read_bytes().strip()
            return
        pd.testing.assert_frame_equal(pd.read_csv(back / "x" / "curves.csv"),
                                      pd.read_csv(d / "run" / "curves.csv"))
