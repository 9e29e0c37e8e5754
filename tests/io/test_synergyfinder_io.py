"""SynergyFinder exchange format reader: column aliases, units, response scales, replicates, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError, UnitError
from tallrx.io.assays.synergyfinder import is_synergyfinder, read_delimited, read_synergyfinder

SF = """block_id,drug_row,drug_col,conc_r,conc_c,response,conc_r_unit,conc_c_unit
1,prednisolone,selumetinib,0,0,100,uM,nM
1,prednisolone,selumetinib,10,0,80,uM,nM
1,prednisolone,selumetinib,0,500,60,uM,nM
1,prednisolone,selumetinib,10,500,40,uM,nM
1,prednisolone,selumetinib,10,500,44,uM,nM
"""


def test_reads_long_format_with_units_and_replicates(tmp_path):
    p = tmp_path / "sf.csv"
    p.write_text(SF)
    t = read_synergyfinder(p)
    assert list(t.columns[:6]) == ["sample", "drug_a", "conc_a", "drug_b", "conc_b", "viability"]
    assert t.conc_b.tolist() == [0, 0, 0.5, 0.5, 0.5]  # nM -> uM
    assert t.replicate.tolist() == [1, 1, 1, 1, 2]
    assert (t["sample"] == "1").all()


def test_inhibition_is_converted_to_viability():
    df = pd.read_csv(pd.io.common.StringIO(SF))
    df["response"] = 100 - df["response"]
    t = read_synergyfinder(df, response="inhibition")
    np.testing.assert_allclose(t.viability, [100, 80, 60, 40, 44])


def test_synergyfinder_plus_aliases_and_mass_units():
    df = pd.DataFrame(
        {
            "PairIndex": [1, 1],
            "Drug1": ["prednisolone"] * 2,
            "Drug2": ["selumetinib"] * 2,
            "Conc1": [0, 360.44],
            "Conc2": [0, 0],
            "Response": [100, 70],
            "ConcUnit": ["ng/ml", "ng/ml"],
            "cell_line_name": ["PDX1", "PDX1"],
        }
    )
    assert is_synergyfinder(df.columns)
    t = read_synergyfinder(df)
    assert t.conc_a.tolist() == pytest.approx([0.0, 1.0])  # 360.44 ng/ml prednisolone = 1 uM
    assert (t["sample"] == "PDX1").all() and (t["block_id"] == "1").all()


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(InputError, match="no column for drug_b.*drug_col"):
        read_synergyfinder(
            pd.DataFrame(
                {"block_id": [1], "drug_row": ["a"], "conc_r": [1], "conc_c": [1], "response": [1]}
            )
        )
    bad = pd.read_csv(pd.io.common.StringIO(SF))
    bad.loc[2, "conc_c_unit"] = "furlongs"
    with pytest.raises(UnitError, match="unknown concentration unit 'furlongs'"):
        read_synergyfinder(bad)
    with pytest.raises(InputError, match="--response must be one of"):
        read_synergyfinder(bad, response="inhibiton")
    with pytest.raises(InputError, match="no such file"):
        read_synergyfinder(tmp_path / "missing.csv")


def test_empty_and_text_cells_stay_nan_but_a_text_column_is_an_error():
    """One bad cell is the analysis' business (it names the row); a whole text column is not a
    SynergyFinder response at all."""
    df = pd.read_csv(pd.io.common.StringIO(SF))
    df = df.astype({"response": object, "conc_r": object})
    df.loc[1, "response"] = ""
    df.loc[2, "conc_r"] = "abc"
    t = read_synergyfinder(df)
    assert np.isnan(t.viability[1]) and np.isnan(t.conc_a[2])
    df["response"] = ["high", "low", "mid", "40", "x"]
    with pytest.raises(InputError, match="column 'response' must be numeric but most values"):
        read_synergyfinder(df, where="screen.csv")


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_read_delimited_sniffs_the_delimiter(tmp_path, sep):
    p = tmp_path / "sf.txt"
    p.write_text(SF.replace(",", sep))
    t = read_synergyfinder(p)
    assert t.conc_b.tolist() == [0, 0, 0.5, 0.5, 0.5]


def test_read_delimited_reads_fields_beyond_the_csv_module_limit(tmp_path):
    """Python's csv module stops at 131072 characters per field; the C parser does not."""
    p = tmp_path / "long.csv"
    p.write_text(
        SF.replace("conc_c_unit\n", "conc_c_unit,note\n").replace(
            "nM\n", "nM," + "y" * 200_000 + "\n"
        )
    )
    df = read_delimited(p)
    assert len(df) == 5 and len(df["note"].iloc[0]) == 200_000


@pytest.mark.parametrize(
    "data,pattern",
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04rest-of-a-zip", "is an Excel workbook, not CSV text"),
        (b"\xd0\xcf\x11\xe0legacy", "is an Excel workbook, not CSV text"),
        (b"a\x00b\x00c", "is a binary file"),
        (b"a,b\n", "has a header but no rows"),
    ],
)
def test_read_delimited_errors_name_the_file(tmp_path, data, pattern):
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    with pytest.raises(InputError, match=pattern) as err:
        read_delimited(p)
    assert str(p) in str(err.value)
    with pytest.raises(InputError, match="is a folder"):
        read_delimited(tmp_path)
