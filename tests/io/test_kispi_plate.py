"""The bundled real pediatric ALL plate (src/tallrx/data/examples/kispi_drp_plate, Steffen et al.
2025, MIT) read through read_plates(layout.csv, [measurement.csv]).

Expected values were read from the two CSV files by eye: layout.csv has 240 rows (20 'drugs' x
12 wells, DMSO included), all in nM; measurement.csv has 260 rows (rows C-O x columns 3-22), row
O (20 wells) has no layout entry; exclude is 0 everywhere.
"""

import shutil
from pathlib import Path

import pytest

from tallrx.errors import DegenerateDataWarning
from tallrx.io import read_plates
from tallrx.schema import validate

PLATE = (
    Path(__file__).resolve().parents[2] / "src" / "tallrx" / "data" / "examples" / "kispi_drp_plate"
)


def read(folder=PLATE):
    with pytest.warns(DegenerateDataWarning) as record:
        wells = read_plates(folder / "layout.csv", [folder / "measurement.csv"])
    return wells, [str(w.message) for w in record]


@pytest.fixture(scope="module")
def kispi():
    return read()


def test_table_shape_and_roles(kispi):
    wells, _ = kispi
    validate(wells, "wells")
    assert len(wells) == 240
    assert set(wells["plate"]) == {"measurement"} and set(wells["sample"]) == {"measurement"}
    counts = wells.groupby("role").size().to_dict()
    assert counts == {"treated": 228, "vehicle": 12}  # 19 drugs x 12 wells; 12 DMSO wells
    per_drug = wells[wells["role"] == "treated"].groupby("drug_a").size()
    assert len(per_drug) == 19 and set(per_drug) == {12}
    dmso = wells[wells["role"] == "vehicle"]
    assert set(dmso["vehicle"]) == {"DMSO"} and set(dmso["drug_a"]) == {""}
    assert set(dmso["conc_a"]) == {0.0} and sorted(dmso["replicate"]) == list(range(1, 13))


def test_signals_and_converted_concentrations(kispi):
    wells, _ = kispi
    by_well = wells.set_index("well")
    assert by_well.loc["C3", "signal"] == 1403  # measurement.csv: C,3,1403 (DMSO)
    assert by_well.loc["C4", "drug_a"] == "Idarubicin"
    assert by_well.loc["C4", "conc_a"] == pytest.approx(0.02e-3)  # 0.02 nM
    assert by_well.loc["C4", "signal"] == 1163
    assert by_well.loc["M11", "drug_a"] == "Dexamethasone"
    assert by_well.loc["M11", "conc_a"] == pytest.approx(10.0)  # 10000 nM
    assert by_well.loc["N22", "signal"] == 10
    # duplicates: rows C/D share a dose, so replicate 1 then 2
    assert by_well.loc[["C4", "D4"], "replicate"].tolist() == [1, 2]


def test_asparaginase_kept_in_activity_units(kispi):
    wells, messages = kispi
    asp = wells[wells["drug_a"] == "Asparaginase"].set_index("well")
    assert len(asp) == 12 and set(asp["conc_unit"]) == {"U/l"}
    assert set(wells.loc[wells["drug_a"] != "Asparaginase", "conc_unit"]) == {"uM"}
    assert asp.loc["C18", "conc_a"] == 0.1 and asp.loc["M18", "conc_a"] == 10000
    assert asp.loc["M18", "signal"] == 174
    assert any("Asparaginase dosed in enzyme activity units" in m for m in messages)


def test_unused_row_o_reported_not_kept(kispi):
    wells, messages = kispi
    assert not wells["well"].str.startswith("O").any()
    assert any(
        m.startswith("20 measured well(s) have no layout entry") and "O3" in m for m in messages
    )
    assert not wells["exclude"].any()


def test_exclude_flag_is_honoured(tmp_path):
    shutil.copy(PLATE / "layout.csv", tmp_path / "layout.csv")
    text = (PLATE / "measurement.csv").read_text()
    assert "N,22,10,0," in text
    (tmp_path / "measurement.csv").write_text(text.replace("N,22,10,0,", "N,22,10,1,"))
    wells, _ = read(tmp_path)
    flagged = wells[wells["exclude"]]
    assert flagged["well"].tolist() == ["N22"]
    assert flagged["exclude_reason"].tolist() == ["excluded in input file"]
    assert len(wells) == 240  # flagged, never dropped
