"""read_plates: layout x plate-reader files -> the tidy ``wells`` table; matching rules and errors.

Inputs are small hand-made plates whose signals encode their position (100 * row + col), so every
expected signal can be worked out by hand.
"""

import warnings
from pathlib import Path

import pandas as pd
import pytest

from tallrx.errors import DegenerateDataWarning, InputError, SchemaError
from tallrx.io import read_plates
from tallrx.schema import validate

FORMATS = Path(__file__).resolve().parents[1] / "data" / "formats" / "plate_reader"


def grid(path, *, rows=8, cols=12, corner="", blank=(), override=None):
    """Write a plate-matrix CSV whose well (r, c) holds 100 * r + c; wells in ``blank`` empty."""
    override = override or {}
    lines = [",".join([corner] + [str(c) for c in range(1, cols + 1)])]
    for r in range(1, rows + 1):
        cells = []
        for c in range(1, cols + 1):
            name = f"{chr(64 + r)}{c}"
            cells.append("" if name in blank else str(override.get(name, 100 * r + c)))
        lines.append(",".join([chr(64 + r)] + cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def layout_csv(path, rows):
    path.write_text("\n".join(rows) + "\n")
    return path


TEMPLATE = [
    "well,drug,conc,unit,il7",
    "A1,DMSO,0,uM,0",
    "A2,DMSO,0,uM,0",
    "A3,blank,0,uM,0",
    "B1,prednisolone,1,uM,0",
    "B2,prednisolone,1,uM,0",
    "B3,prednisolone,10,uM,0",
    "C1,prednisolone,1,uM,25",
]


def quiet_read(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        return read_plates(*args, **kwargs)


def test_template_layout_applied_to_every_plate(tmp_path):
    lay = layout_csv(tmp_path / "layout.csv", TEMPLATE)
    files = [grid(tmp_path / "S1.csv"), grid(tmp_path / "S2.csv")]
    wells = quiet_read(lay, files)
    validate(wells, "wells")
    assert len(wells) == 14
    assert list(wells.columns) == [
        "plate",
        "well",
        "row",
        "col",
        "sample",
        "drug_a",
        "conc_a",
        "drug_b",
        "conc_b",
        "role",
        "signal",
        "replicate",
        "source",
        "conc_unit",
        "vehicle",
        "il7",
        "exclude",
        "exclude_reason",
    ]
    # no sample column: the plate id (file name) is the sample
    assert wells["sample"].tolist() == ["S1"] * 7 + ["S2"] * 7
    s1 = wells[wells["plate"] == "S1"].set_index("well")
    assert s1.loc["B3", "signal"] == 203 and s1.loc["C1", "signal"] == 301
    assert s1["role"].tolist() == [
        "vehicle",
        "vehicle",
        "blank",
        "treated",
        "treated",
        "treated",
        "treated",
    ]
    # replicate: B1 and B2 are the same condition (1 uM, il7 0); C1 differs in il7
    assert s1["replicate"].tolist() == [1, 2, 1, 1, 2, 1, 1]
    assert set(wells["source"]) == {"measured"} and not wells["exclude"].any()


def test_layout_with_plate_column_and_did_you_mean(tmp_path):
    lay = layout_csv(
        tmp_path / "layout.csv",
        ["plate,well,sample,drug,conc", "plate_01,A1,PDX1,DMSO,0", "plate_02,A1,PDX2,DMSO,0"],
    )
    wells = quiet_read(lay, [grid(tmp_path / "plate_01.csv"), grid(tmp_path / "plate_02.csv")])
    assert wells[["plate", "sample", "signal"]].values.tolist() == [
        ["plate_01", "PDX1", 101.0],
        ["plate_02", "PDX2", 101.0],
    ]
    with pytest.raises(
        InputError,
        match=r"plate 'plate_2' \(from .*plate_2\.csv\) is not in the "
        r"layout .*layout\.csv; layout plates: plate_01, "
        r"plate_02\. Did you mean 'plate_02'\?",
    ):
        quiet_read(lay, [grid(tmp_path / "plate_01.csv"), grid(tmp_path / "plate_2.csv")])
    with pytest.raises(
        InputError,
        match=r"layout\.csv: layout plate\(s\) plate_02 have no "
        r"measurement; measured plates: plate_01",
    ):
        quiet_read(lay, [grid(tmp_path / "plate_01.csv")])


def test_layout_well_outside_the_plate(tmp_path):
    lay = layout_csv(tmp_path / "layout.csv", ["well,drug,conc", "A1,DMSO,0", "P24,x,1"])
    with pytest.raises(
        InputError,
        match=r"layout\.csv: well\(s\) P24 lie outside plate 'p96', a "
        r"96-well plate \(rows A-H, columns 1-12\) read from "
        r".*p96\.csv; the layout does not match the plate size",
    ):
        read_plates(lay, [grid(tmp_path / "p96.csv")])


def test_layout_wells_missing_from_measurement(tmp_path):
    lay = layout_csv(tmp_path / "layout.csv", TEMPLATE)
    with pytest.raises(
        InputError,
        match=r"layout\.csv: layout well\(s\) B2, C1 of plate 'gap' "
        r"are not in the measurement \(.*gap\.csv\)",
    ):
        read_plates(lay, [grid(tmp_path / "gap.csv", blank={"B2", "C1"})])


def test_negative_signal_names_the_well(tmp_path):
    lay = layout_csv(tmp_path / "layout.csv", TEMPLATE)
    with pytest.raises(
        InputError,
        match=r"neg\.csv: plate 'neg' well A2 has a negative signal "
        r"\(-5\); expected raw readings >= 0",
    ):
        quiet_read(lay, [grid(tmp_path / "neg.csv", override={"A2": -5})])


def test_unused_measured_wells_warn_once_with_count(tmp_path):
    lay = layout_csv(
        tmp_path / "layout.csv", ["well,drug,conc,role", "A1,DMSO,0,", "A2,x,1,", "A3,,,unused"]
    )
    with pytest.warns(DegenerateDataWarning) as record:
        wells = read_plates(lay, [grid(tmp_path / "p.csv", rows=2, cols=3)])
    assert len(record) == 1
    # 2 x 3 plate = 6 wells; 2 in the layout, A3 marked unused (silent): B1, B2, B3 reported
    assert str(record[0].message).startswith(
        "3 measured well(s) have no layout entry and were left out of the wells table "
        "(plate 'p': B1, B2, B3)"
    )
    assert wells["well"].tolist() == ["A1", "A2"]


def test_exclusions_from_file_and_layout_are_flagged_not_dropped(tmp_path):
    lay = layout_csv(
        tmp_path / "layout.csv", ["well,drug,conc,exclude", "A1,DMSO,0,0", "A2,x,1,yes", "A3,x,2,1"]
    )
    meas = tmp_path / "m.csv"
    meas.write_text("well,signal,exclude\nA1,10,1\nA2,20,0\nA3,30,1\n")
    wells = read_plates(lay, [meas])
    assert wells["exclude"].tolist() == [True, True, True]
    assert wells["exclude_reason"].tolist() == [
        "excluded in input file",
        "excluded in layout",
        "excluded in input file; excluded in layout",
    ]
    assert wells["signal"].tolist() == [10.0, 20.0, 30.0]


def test_several_reads_need_a_choice(tmp_path):
    meas = tmp_path / "dual.csv"
    meas.write_text("well,signal,read\nA1,10,450\nA1,2,620\nA2,20,450\nA2,3,620\n")
    lay = layout_csv(tmp_path / "layout.csv", ["well,drug,conc", "A1,DMSO,0", "A2,x,1"])
    with pytest.raises(
        InputError,
        match=r"dual\.csv: holds several reads \(450, 620\); choose "
        r"one with --read '450' \(Python: read='450'\)",
    ):
        read_plates(lay, [meas])
    assert read_plates(lay, [meas], read="620")["signal"].tolist() == [2.0, 3.0]
    with pytest.raises(
        InputError,
        match=r"has no read '630'; its reads: 450, 620\. "
        r"Did you mean '620'\?",
    ):
        read_plates(lay, [meas], read="630")


def test_same_plate_in_two_files(tmp_path):
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("plate,well,signal\nP1,A1,1\n")
    lay = layout_csv(tmp_path / "layout.csv", ["well,drug,conc", "A1,DMSO,0"])
    with pytest.raises(
        InputError,
        match=r"plate 'P1' well A1 is measured twice \(in .*a\.csv and "
        r".*b\.csv\); every plate needs its own id",
    ):
        read_plates(lay, [tmp_path / "a.csv", tmp_path / "b.csv"])


def test_dataframes_in_and_layout_replicates_kept():
    layout = pd.DataFrame(
        {
            "well": ["A1", "A2", "B1"],
            "drug": ["DMSO", "x", "x"],
            "conc": [0, 1, 1],
            "replicate": [1, 1, 7],
        }
    )
    measured = pd.DataFrame({"plate": "P", "well": ["A1", "A2", "B1"], "signal": [5, 6, 7]})
    wells = read_plates(layout, measured)
    assert wells["replicate"].tolist() == [1, 1, 7]
    assert wells["signal"].tolist() == [5.0, 6.0, 7.0]


def test_no_files():
    with pytest.raises(InputError, match="no plate-reader files given"):
        read_plates(pd.DataFrame({"well": ["A1"]}), [])


def test_real_gen5_export_with_a_template_layout(tmp_path):
    # the Gen5 file's own Layout block: column 1 rows A-D POSCON, E-H NEGCON; A2 = SPL1
    lay = layout_csv(
        tmp_path / "layout.csv",
        ["well,drug,conc,role", "A1,kill,1,positive", "E1,DMSO,0,", "A2,x,0.5,"],
    )
    wells = quiet_read(lay, [FORMATS / "agilent_biotek_gen5_luminescence_layout_normalized.txt"])
    assert wells.set_index("well")["signal"].to_dict() == {"A1": 8718.0, "A2": 3118.0, "E1": 215.0}
    assert wells.set_index("well")["role"].to_dict() == {
        "A1": "positive",
        "A2": "treated",
        "E1": "vehicle",
    }


def test_real_envision_384_plates_with_a_named_layout(tmp_path):
    lay = layout_csv(
        tmp_path / "layout.csv",
        [
            "plate,well,sample,drug,conc",
            '"8/22/2023 11:01:43 AM",I8,S1,x,1',
            '"8/22/2023 11:01:43 AM",A1,S1,DMSO,0',
            '"8/22/2023 12:16:57 PM",E1,S2,x,1',
        ],
    )
    wells = quiet_read(lay, [FORMATS / "perkinelmer_envision_luminescence_384_example01.csv"])
    assert wells[["sample", "well", "signal"]].values.tolist() == [
        ["S1", "A1", 0.0],
        ["S1", "I8", 120.0],
        ["S2", "E1", 80.0],
    ]


def test_bad_measurement_tables():
    layout = pd.DataFrame({"well": ["A1"], "drug": ["DMSO"], "conc": [0]})
    with pytest.raises(
        SchemaError,
        match=r"measurement table 1: needs columns 'well' and "
        r"'signal'.*lacks signal\. Did you mean 'signals'\?",
    ):
        read_plates(layout, pd.DataFrame({"well": ["A1"], "signals": [1]}))
    with pytest.raises(
        InputError,
        match=r"measurement table 1: plate 'plate1' well A1: signal "
        r"'n/a' is not a number",
    ):
        read_plates(layout, pd.DataFrame({"well": ["A01"], "signal": ["n/a"]}))


def test_layout_must_not_carry_signals():
    layout = pd.DataFrame({"well": ["A1"], "drug": ["DMSO"], "conc": [0], "signal": [3]})
    with pytest.raises(
        SchemaError,
        match=r"layout table: the layout has column\(s\) signal, "
        "which read_plates fills in",
    ):
        read_plates(layout, pd.DataFrame({"well": ["A1"], "signal": [1]}))
