"""Plate layouts: CSV/TSV/XLSX tables with aliases, wellmap TOML, roles, units, bad input.

Reference numbers are worked by hand in the comments (units: 1 ug/ml = 1 mg/l; mg/l divided by
g/mol = mmol/l = 1000 uM; molecular weights from PubChem as listed in tallrx.units).
"""

import shutil
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tallrx.errors import DegenerateDataWarning, InputError, SchemaError, UnitError
from tallrx.io import read_layout

LAYOUTS = Path(__file__).resolve().parents[1] / "data" / "formats" / "plate_layout"


def write(tmp_path, text, name="layout.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_layout_aliases_units_roles_conditions(tmp_path):
    path = write(
        tmp_path,
        (
            "Row,Col,Sample,Drug,Concentration,Unit,IL7\n"
            "A,1,PDX1,DMSO,0.1,%,0\n"  # vehicle: DMSO, its % concentration is dropped
            "A,2,PDX1,prednisolone,250,ug/ml,0\n"  # 250 / 360.44 * 1000 = 693.6 uM
            "B,1,PDX1,selumetinib,500,nM,25\n"  # 0.5 uM
            "B,2,PDX1,,0,,25\n"  # no drug at 0 -> vehicle
            "C,1,blank,,,,0\n"  # sample 'blank' -> blank
            "C,2,PDX1,ruxolitinib,2,mM,0\n"  # 2000 uM
        ),
    )
    df = read_layout(path)
    assert list(df.columns[:11]) == [
        "well",
        "row",
        "col",
        "sample",
        "drug_a",
        "conc_a",
        "drug_b",
        "conc_b",
        "role",
        "conc_unit",
        "vehicle",
    ]
    assert df["well"].tolist() == ["A1", "A2", "B1", "B2", "C1", "C2"]
    assert df["role"].tolist() == ["vehicle", "treated", "treated", "vehicle", "blank", "treated"]
    assert df["drug_a"].tolist() == ["", "prednisolone", "selumetinib", "", "", "ruxolitinib"]
    assert df["conc_a"].tolist() == pytest.approx([0, 693.596, 0.5, 0, 0, 2000], abs=1e-3)
    assert df["vehicle"].tolist() == ["DMSO", "", "", "", "", ""]
    assert df["drug_b"].tolist() == [""] * 6 and df["conc_b"].tolist() == [0.0] * 6
    assert df["IL7"].tolist() == [0, 0, 25, 25, 0, 0]  # condition carried unchanged
    assert set(df["conc_unit"]) == {"uM"}
    assert "plate" not in df.columns


def test_zero_padded_wells_plate_column_and_tsv(tmp_path):
    path = write(
        tmp_path,
        "plate\twell\tcompound\tdose\nP1\tB07\ttrametinib\t10\nP2\tb07\ttrametinib\t20\n",
        "layout.tsv",
    )
    df = read_layout(path, unit="nM")  # unit= applies when the layout has no unit column
    assert df[["plate", "well", "row", "col"]].values.tolist() == [
        ["P1", "B7", 2, 7],
        ["P2", "B7", 2, 7],
    ]
    assert df["conc_a"].tolist() == pytest.approx([0.01, 0.02])


def test_xlsx_layout(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["well", "drug", "conc", "genotype"])
    ws.append(["A1", "dexamethasone", 392.46, "NRAS G12D"])
    ws.append(["A2", "DMSO", 0, "NRAS G12D"])
    book.save(tmp_path / "layout.xlsx")
    df = read_layout(tmp_path / "layout.xlsx", unit="ng/ml")
    # 392.46 ng/ml = 0.39246 mg/l; / 392.46 g/mol = 0.001 mmol/l = 1 uM
    assert df["conc_a"].tolist() == pytest.approx([1.0, 0.0])
    assert df["genotype"].tolist() == ["NRAS G12D", "NRAS G12D"]


def test_combination_columns(tmp_path):
    path = write(
        tmp_path,
        "well,drug,conc,drug2,conc2,unit\nA1,prednisolone,1,selumetinib,2,uM\n"
        "A2,prednisolone,1,,,uM\n",
    )
    df = read_layout(path)
    assert df[["drug_a", "conc_a", "drug_b", "conc_b"]].values.tolist() == [
        ["prednisolone", 1.0, "selumetinib", 2.0],
        ["prednisolone", 1.0, "", 0.0],
    ]


def test_role_column_aliases_and_unused_wells(tmp_path):
    path = write(
        tmp_path,
        "well,drug,conc,role\nA1,DMSO,0,neg\nA2,staurosporine,1,pos\n"
        "A3,,,Empty\nA4,,,unused\nA5,selumetinib,1,\n",
    )
    df = read_layout(path)
    assert df["well"].tolist() == ["A1", "A2", "A3", "A5"]  # 'unused' wells are left out
    assert df["role"].tolist() == ["vehicle", "positive", "blank", "treated"]
    assert df.attrs["unused_wells"] == [(None, "A4")]
    assert df.loc[1, "drug_a"] == "staurosporine"  # a kill control keeps its drug


def test_molecular_weight_column_for_unlisted_drug(tmp_path):
    path = write(tmp_path, "well,drug,conc,unit,mw\nA1,venetoclax,868.44,ng/ml,868.44\n")
    # 868.44 ng/ml = 0.86844 mg/l; / 868.44 g/mol = 0.001 mmol/l = 1 uM
    assert read_layout(path)["conc_a"].item() == pytest.approx(1.0)


def test_activity_units_kept_in_u_per_l_with_warning(tmp_path):
    path = write(
        tmp_path,
        "well,drug,conc,unit\nA1,asparaginase,0.5,U/ml\nA2,asparaginase,10,U/L\n"
        "A3,vincristine,1,nM\n",
    )
    with pytest.warns(DegenerateDataWarning, match="asparaginase dosed in enzyme activity units"):
        df = read_layout(path)
    assert df["conc_a"].tolist() == pytest.approx([500.0, 10.0, 0.001])  # 0.5 U/ml = 500 U/l
    assert df["conc_unit"].tolist() == ["U/l", "U/l", "uM"]
    assert len(df) == 3  # never dropped


def test_molar_asparaginase_read_as_activity_unless_overridden(tmp_path):
    path = write(tmp_path, "well,drug,conc,unit\nA1,Asparaginase,100,nM\n")
    with pytest.warns(
        DegenerateDataWarning,
        match=r"gives Asparaginase a molar/mass unit.*"
        r"drug_units=\{'Asparaginase': 'nM'\}",
    ):
        df = read_layout(path)
    assert (df["conc_a"].item(), df["conc_unit"].item()) == (100.0, "U/l")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_layout(path, drug_units={"asparaginase": "nM"})
    assert (df["conc_a"].item(), df["conc_unit"].item()) == (pytest.approx(0.1), "uM")


def test_normalized_layout_is_a_fixed_point(tmp_path):
    from tallrx.io.plates.layout import normalize_layout

    path = write(
        tmp_path,
        "well,drug,conc,unit,il7\nA1,prednisolone,100,ug/ml,0\nA2,DMSO,0,,0\n"
        "A3,asparaginase,5,U/ml,25\n",
    )
    with pytest.warns(DegenerateDataWarning):
        once = read_layout(path)
        twice = normalize_layout(once)
    pd.testing.assert_frame_equal(once, twice)


# ---- wellmap TOML -----------------------------------------------------------------------------


def test_wellmap_bradford_with_include(tmp_path):
    # bradford_assay.toml includes 'bradford_standards.toml' by that name: restore the names
    shutil.copy(LAYOUTS / "wellmap_bradford_assay.toml", tmp_path / "bradford_assay.toml")
    shutil.copy(LAYOUTS / "wellmap_bradford_standards.toml", tmp_path / "bradford_standards.toml")
    df = read_layout(tmp_path / "bradford_assay.toml").set_index("well")
    # standards: block 9x3 at A1 (27 wells); samples: 7 blocks of 3x2 in rows D-G (42 wells);
    # plus the [row] dilution of D-G over the remaining columns 10-12 (6 wells): 75
    assert len(df) == 75
    assert df.loc["D1", "sample"] == "Y37A" and df.loc["D1", "dilution"] == 1
    assert df.loc["E3", "sample"] == "Y37A" and df.loc["E3", "dilution"] == 5
    assert df.loc["F4", "sample"] == "T44P"
    assert df.loc["A1", "ug_mL"] == 2000 and df.loc["C9", "ug_mL"] == 0
    assert bool(df.loc["B5", "standard"]) is True
    assert (df.loc["D1", "row"], df.loc["D1", "col"]) == (4, 1)
    assert set(df["role"]) == {"vehicle"}  # no drug anywhere: untreated


def test_wellmap_qpcr_384(tmp_path):
    df = read_layout(LAYOUTS / "wellmap_qpcr_timecourse_384.toml").set_index("well")
    assert df["row"].max() <= 16 and df["col"].max() <= 18
    assert df.loc["A1", "primers"] == "gfp" and df.loc["A2", "primers"] == "16s"
    assert df.loc["A5", "control"] == "no GFP"  # [block.2x3.A5]
    assert df.loc["A3", "ligand"] == "holo"  # [block.2x3.A3]
    assert str(df.loc["D1", "time"]) == "00:04:20"  # [block.8x3.D1]


def test_wellmap_drug_layout_with_plates(tmp_path):
    path = write(
        tmp_path,
        (
            "[plate.P1]\nsample = 'PDX01'\n[plate.P2]\nsample = 'PDX02'\n"
            "[row.A]\ndrug = 'prednisolone'\n[row.B]\ndrug = 'DMSO'\n"
            "[col]\n1.conc = 10\n2.conc = 100\n"
            "[expt]\nunit = 'nM'\n"
        ),
        "screen.toml",
    )
    df = read_layout(path)
    assert len(df) == 8
    assert set(df["plate"]) == {"P1", "P2"}
    p1 = df[df["plate"] == "P1"].set_index("well")
    assert p1.loc["A2", "conc_a"] == pytest.approx(0.1) and p1.loc["A2", "role"] == "treated"
    assert p1.loc["B1", "role"] == "vehicle" and p1.loc["B1", "conc_a"] == 0
    assert p1.loc["A1", "sample"] == "PDX01"


# ---- bad input: the message names file, line/well, value and what was expected -----------------


@pytest.mark.parametrize(
    ("header", "wrong", "right"),
    [
        ("well,drug,concentraton", "concentraton", "concentration"),
        ("well,drgu,conc", "drgu", "drug"),
        ("well,drug,conc,unti", "unti", "unit"),
        ("wel,drug,conc", "wel", "well"),
        ("well,samples,drug,conc", "samples", "sample"),
    ],
)
def test_misspelled_columns(tmp_path, header, wrong, right):
    path = write(
        tmp_path, header + "\n" + ",".join(["A1", "x", "1", "nM"][: header.count(",") + 1]) + "\n"
    )
    with pytest.raises(
        SchemaError,
        match=rf"layout\.csv: column '{wrong}' is not a layout "
        rf"column\. Did you mean '{right}'\?",
    ):
        read_layout(path)


def test_no_position_columns(tmp_path):
    path = write(tmp_path, "spot,drug,conc\n1,x,1\n")
    with pytest.raises(
        SchemaError,
        match=r"layout\.csv: the layout needs a 'well' column .* or "
        r"'row' and 'col' columns; has: spot, drug, conc",
    ):
        read_layout(path)


def test_drug_without_concentration_column(tmp_path):
    path = write(tmp_path, "well,drug,amount_nm\nA1,x,1\n")
    with pytest.raises(SchemaError, match=r"column 'drug' has no matching 'concentration' column"):
        read_layout(path)


def test_duplicate_wells_named_with_lines(tmp_path):
    path = write(tmp_path, "well,drug,conc\nA1,x,1\nB2,x,2\nA01,x,3\n")
    with pytest.raises(
        InputError,
        match=r"layout\.csv: well\(s\) A1 listed more than once "
        r"\(line 2 \(well A1\); line 4 \(well A1\)\)",
    ):
        read_layout(path)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "C4,prednisolone,0,uM",
            r"line 3 \(well C4\): concentration 0 for treated drug "
            r"'prednisolone'; treated wells need a concentration > 0",
        ),
        ("C4,prednisolone,,uM", r"line 3 \(well C4\): concentration empty for treated drug"),
        ("C4,prednisolone,-1,uM", r"line 3 \(well C4\): concentration -1 for treated drug"),
        (
            "C4,prednisolone,ten,uM",
            r"line 3 \(well C4\): concentration 'ten' of prednisolone is not "
            r"a number",
        ),
        ("C4,,5,uM", r"line 3 \(well C4\): a treated well with no drug"),
        (
            "C4,prednisolone,1,uMol",
            r"line 3 \(well C4\): unknown concentration unit 'uMol'.*"
            r"Did you mean 'uM'\?",
        ),
        (
            "C4,idarubicin,1,ng/ml",
            r"line 3 \(well C4\): no molecular weight known for drug "
            r"'idarubicin'",
        ),
        ("C44X,prednisolone,1,uM", r"line 3: 'C44X' is not a well name"),
        ("AZ1,prednisolone,1,uM", r"line 3: row 52 / column 1 is outside any plate"),
    ],
)
def test_bad_values_name_the_row(tmp_path, row, message):
    path = write(tmp_path, "well,drug,conc,unit\nA1,DMSO,0,uM\n" + row + "\n")
    with pytest.raises((InputError, UnitError), match=r"layout\.csv " + message):
        read_layout(path)


def test_unknown_role_did_you_mean(tmp_path):
    path = write(tmp_path, "well,drug,conc,role\nA1,x,1,vehicel\n")
    with pytest.raises(
        InputError,
        match=r"line 2 \(well A1\): role 'vehicel' is not known; use "
        r"treated, vehicle, blank, positive or unused\. "
        r"Did you mean 'vehicle'\?",
    ):
        read_layout(path)


def test_bad_unit_argument():
    with pytest.raises(UnitError, match=r"unit='nmol': unknown concentration unit"):
        read_layout(LAYOUTS / "wellmap_qpcr_timecourse_384.toml", unit="nmol")


def test_empty_and_header_only_layouts(tmp_path):
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        read_layout(write(tmp_path, "", "empty.csv"))
    with pytest.raises(InputError, match=r"head\.csv: the layout lists no wells"):
        read_layout(write(tmp_path, "well,drug,conc\n", "head.csv"))


def test_invalid_toml(tmp_path):
    path = write(tmp_path, "[row.A\ndrug = 1\n", "bad.toml")
    with pytest.raises(InputError, match=r"bad\.toml: not a valid wellmap layout"):
        read_layout(path)


def test_unit_in_the_concentration_header(tmp_path):
    path = write(
        tmp_path, "well,drug,Concentration (nM),unit\nA1,trametinib,5,\nA2,trametinib,5,uM\n"
    )
    # the header unit applies where the unit column is empty; a given unit wins
    assert read_layout(path)["conc_a"].tolist() == pytest.approx([0.005, 5.0])


def test_layout_rows_longer_than_the_header_are_no_crash(tmp_path):
    """A layout whose 'well' header cell was deleted (found by the screen fuzz campaign): the
    rows have one more cell than the header; a clear error, not a TypeError."""
    from tallrx.errors import SchemaError
    from tallrx.io.plates.layout import read_layout

    path = tmp_path / "layout.csv"
    path.write_text("drug,conc,role\nA3,,0,blank\nA4,DMSO,0,vehicle\n")
    with pytest.raises(SchemaError, match=r"layout\.csv: the layout needs a 'well' column"):
        read_layout(path)
