"""The model package layout: network description / solvers / virtual assays (issue 10).

* ``import tallrx.model`` stays light: no solver or SBML library loads until an engine or an SBML
  function needs it;
* the parameters live in a cited data table shipped with the package;
* virtual plates name wells with :mod:`tallrx.plate` (1536-well plates have rows AA-AF);
* the old module paths still import, with a DeprecationWarning.
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import subprocess
import sys

import pandas as pd
import pytest

from tallrx.errors import InternalError
from tallrx.model.network import NETWORK
from tallrx.model.network.parameters import COLUMNS, STATUSES, load_parameters
from tallrx.model.virtual import qpcr_plate, viability_plates
from tallrx.plate import parse_well

HEAVY = ("roadrunner", "antimony", "libsbml", "skimage")


def _loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; return which heavy modules it loaded."""
    script = (
        f"import json, sys\n{code}\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_tallrx_model_loads_no_solver_or_sbml_library():
    loaded = _loaded_after(
        "import tallrx.model\n"
        "tallrx.model.NETWORK, tallrx.model.GENOTYPES, tallrx.model.OBSERVABLES\n"
        "tallrx.model.make_engine('batched')\n"
        "tallrx.model.to_antimony()"
    )
    assert loaded == dict.fromkeys(HEAVY, False)


def test_sbml_and_roadrunner_load_when_asked_for():
    """The check above can fail: the same probe sees the libraries once they are used."""
    loaded = _loaded_after("import tallrx.model\ntallrx.model.to_sbml()")
    assert loaded["antimony"]


def test_simulate_stays_the_function_whatever_is_imported_first():
    """``tallrx.model.simulate`` names a submodule and the function it defines."""
    code = (
        "import tallrx.model.simulate\n"
        "from tallrx.model import simulate\n"
        "import tallrx.model as m\n"
        "assert callable(simulate) and callable(m.simulate), (simulate, m.simulate)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


# ------------------------------------------------------------------ the parameter table
def test_parameter_table_has_a_status_and_source_for_every_row():
    table = pd.read_csv(
        importlib.resources.files("tallrx") / "data" / "model" / "parameters.csv",
        keep_default_na=False,
    )
    assert tuple(table.columns) == COLUMNS
    assert table["name"].tolist() == NETWORK.parameter_names
    assert set(table["status"]) <= set(STATUSES)
    assert (table["source"] != "").all() and (table["notes"] != "").all()
    # set per condition or genotype <=> status input
    assert ((table["status"] == "input") == table["kind"].isin(["input", "genotype"])).all()
    calibrated = table["status"] == "calibrated"
    assert table.loc[calibrated, "source"].str.contains("calibrated to Fig.").all()
    literature = table["status"] == "literature"
    assert table.loc[literature, "source"].str.match(r"^(doi:10\.|paper )").all()


def test_binding_rates_match_their_cited_unit_conversion():
    """kon_bim's note cites 1e6 /M/s (Chen 2005): 1e6 /M/s = 1e6 * 1e-9 /nM * 3600 s/h."""
    kon = NETWORK.parameter("kon_bim")
    assert "1e6 /M/s" in kon.annotation
    assert kon.value == pytest.approx(1e6 * 1e-9 * 3600)
    assert kon.unit == "1/(nM*h)"


def test_a_malformed_parameter_table_is_an_internal_error(tmp_path):
    bad = tmp_path / "p.csv"
    bad.write_text("name,value\nk,1\n")
    with pytest.raises(InternalError, match="columns must be"):
        load_parameters(bad)
    bad.write_text(",".join(COLUMNS) + "\nk,fast,1/h,0,1,kinetic,assumed,guess,a rate\n")
    with pytest.raises(InternalError, match="line 2"):
        load_parameters(bad)
    bad.write_text(",".join(COLUMNS) + "\nk,0.5,1/h,0,1,kinetic,guessed,guess,a rate\n")
    with pytest.raises(InternalError, match="status must be one of"):
        load_parameters(bad)


def test_values_read_back_bit_for_bit(tmp_path):
    """The table is text; a value written with repr reads back as the same double."""
    path = tmp_path / "p.csv"
    x = 0.1 + 0.2  # 0.30000000000000004, not 0.3
    path.write_text(",".join(COLUMNS) + f"\nk,{x!r},1/h,0.0,1.0,kinetic,assumed,guess,a rate\n")
    (p,) = load_parameters(path)
    assert p.value == x and p.value != 0.3


# ------------------------------------------------------------------ well names
def test_a_1536_well_virtual_plate_uses_rows_aa_to_af():
    """A 1536-well plate is 32 rows x 48 columns; rows 27-32 are AA-AF. 150 blocks of 9 wells
    (3 vehicle + 2 x 3 treated) fill past row Z: block 139 starts at well 1242 (0-based), so well
    1248 = 26 x 48 is AA1; the 8 blanks take the last 8 wells, AF41-AF48."""
    treat = pd.DataFrame({"drug_a": ["prednisolone"] * 2, "conc_a": [1.0, 10.0]})
    blocks = [{"sample": f"S{i}", "genotype": "parental"} for i in range(150)]
    wells = viability_plates(
        blocks, treat, replicates=3, n_vehicle=3, plate_format=1536, seed=0
    ).table
    assert wells["plate"].unique().tolist() == ["P1"]
    assert not wells["well"].duplicated().any()
    assert [parse_well(w) for w in wells["well"]] == list(
        zip(wells["row"], wells["col"], strict=True)
    )
    aa1 = wells[wells["well"] == "AA1"]
    assert aa1[["row", "col"]].values.tolist() == [[27, 1]]
    blanks = wells[wells["role"] == "blank"]["well"].tolist()
    assert blanks == [f"AF{c}" for c in range(41, 49)]


def test_virtual_qpcr_wells_follow_the_plate_convention():
    """2 samples x 3 replicates x 3 targets x 2 technical = 36 wells, row by row on a 384-well
    plate (24 columns): A1 ... A24, then B1 ... B12; no zero padding."""
    q = qpcr_plate(pd.DataFrame({"genotype": ["parental", "NRAS_G12D"], "dox": [0, 1]}), seed=1)
    expected = [f"A{c}" for c in range(1, 25)] + [f"B{c}" for c in range(1, 13)]
    assert q.table["well"].tolist() == expected


# ------------------------------------------------------------------ old paths
@pytest.mark.parametrize(
    "old,new",
    [
        ("tallrx.model.assays", "tallrx.model.virtual"),
        ("tallrx.model.cohort", "tallrx.model.virtual.cohort"),
        ("tallrx.model.engines", "tallrx.model.solvers"),
        ("tallrx.model.sbml", "tallrx.model.network.sbml"),
        ("tallrx.model._codegen", "tallrx.model.solvers._codegen"),
    ],
)
def test_old_model_paths_still_import_with_a_warning(old, new):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
