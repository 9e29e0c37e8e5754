"""MaxQuant proteinGroups.txt, co-IP long tables and sample sheets -> tidy coip table.

The real file is alphapeptstats' proteinGroups.txt (attribution: tests/data/formats/SOURCES.md).
Expected values are read from the file with plain pandas in the test (independent of the reader).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError, TallrxError
from tallrx.io.assays.maxquant import (
    read_coip,
    read_coip_table,
    read_proteingroups,
    read_sample_sheet,
)
from tallrx.schema import validate

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "apms"
PG = DATA / "maxquant_proteinGroups_alphastats_lfq_ibaq.txt"
EXPS = [
    "AC381",
    "AC384",
    "AC386_b",
    "AC392",
    "AC399",
    "UT805",
    "UT812_b",
    "UT815",
    "UT821",
    "UT822",
]


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(PG, sep="\t", dtype=str)


def test_real_file_filters_on_flag_columns_and_keeps_zeros_as_missing(raw):
    df = read_proteingroups(PG, bait="RAP1B")
    validate(df, "coip")
    flagged = (raw[["Reverse", "Potential contaminant", "Only identified by site"]] == "+").any(
        axis=1
    )
    kept = raw[~flagged]
    assert df["protein"].nunique() == len(kept) == 773
    assert sorted(df["experiment"].unique()) == sorted(EXPS)
    assert len(df) == 773 * 10
    zeros = (kept[[f"iBAQ {e}" for e in EXPS]].astype(float) == 0).to_numpy().sum()
    assert df["ibaq"].isna().sum() == zeros
    assert df.attrs["removed"] == {
        "Reverse": 12,
        "Potential contaminant": 31,
        "Only identified by site": 66,
    }
    assert (df["source"] == "measured").all()


def test_real_file_gene_name_from_fasta_header(raw):
    """No 'Gene names' column in this file: RAP1B comes from the Swiss-Prot header's GN=."""
    df = read_proteingroups(PG, bait="RAP1B")
    row = raw[raw["Majority protein IDs"].str.startswith("sp|P61224|RAP1B_HUMAN")].iloc[0]
    got = df[df["protein"] == "RAP1B"].set_index("experiment")["ibaq"]
    assert got["AC381"] == pytest.approx(float(row["iBAQ AC381"]))
    assert np.isnan(got["UT822"]) and float(row["iBAQ UT822"]) == 0.0
    assert (df.loc[df["protein"] == "RAP1B", "bait"] == "RAP1B").all()


def test_real_file_with_sample_sheet(tmp_path):
    sheet = pd.DataFrame(
        {"experiment": EXPS, "dox": ["+"] * 5 + ["-"] * 5, "replicate": [1, 2, 3, 4, 5] * 2}
    )
    path = tmp_path / "sheet.csv"
    sheet.to_csv(path, index=False)
    df = read_proteingroups(PG, path, bait="BCL2L11")
    assert set(df["dox"]) == {"+", "-"}
    assert df.groupby("dox")["sample"].nunique().to_dict() == {"+": 5, "-": 5}
    assert list(df.columns[:4]) == ["experiment", "bait", "sample", "dox"]


def test_sheet_experiment_not_in_file_names_row_and_suggests(tmp_path):
    sheet = pd.DataFrame({"experiment": [*EXPS[:-1], "UT82"], "dox": ["-"] * 10})
    path = tmp_path / "sheet.csv"
    sheet.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        read_proteingroups(PG, path)
    msg = str(err.value)
    assert "row 11" in msg and "'UT82'" in msg and "Did you mean 'UT822'" in msg
    assert "\n" not in msg


def test_file_experiment_missing_from_sheet(tmp_path):
    path = tmp_path / "sheet.csv"
    pd.DataFrame({"experiment": EXPS[:-1], "dox": ["-"] * 9}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"UT822 .* no row in the sample sheet"):
        read_proteingroups(PG, path)
    # exclude=yes leaves an experiment out on purpose (recorded, not silent)
    pd.DataFrame({"experiment": EXPS, "dox": ["-"] * 10, "exclude": ["no"] * 9 + ["yes"]}).to_csv(
        path, index=False
    )
    df = read_proteingroups(PG, path)
    assert "UT822" not in set(df["experiment"])
    assert df.attrs["excluded_experiments"] == ["UT822"]


def _mini_pg(path: Path, gene_names: bool = True) -> Path:
    rows = [
        # id looks like a contaminant but is not flagged: kept (we filter on flags, not prefixes)
        {
            "Protein IDs": "CON__P00001",
            "Majority protein IDs": "CON__P00001",
            "Fasta headers": "",
            "iBAQ A": "10",
            "iBAQ B": "0",
            "Reverse": "",
            "Potential contaminant": "",
            "Only identified by site": "",
        },
        # ordinary-looking id but flagged: removed
        {
            "Protein IDs": "sp|P10415|BCL2_HUMAN",
            "Majority protein IDs": "sp|P10415|BCL2_HUMAN",
            "Fasta headers": "sp|P10415|BCL2_HUMAN Apoptosis regulator Bcl-2 OS=Homo sapiens "
            "GN=BCL2 PE=1",
            "iBAQ A": "5",
            "iBAQ B": "6",
            "Reverse": "+",
            "Potential contaminant": "",
            "Only identified by site": "",
        },
        {
            "Protein IDs": "sp|O43521|B2L11_HUMAN",
            "Majority protein IDs": "sp|O43521|B2L11_HUMAN",
            "Fasta headers": "sp|O43521|B2L11_HUMAN Bcl-2-like protein 11 GN=BCL2L11 PE=1",
            "iBAQ A": "100",
            "iBAQ B": "200",
            "Reverse": "",
            "Potential contaminant": "",
            "Only identified by site": "",
        },
        {
            "Protein IDs": "sp|Q07820|MCL1_HUMAN",
            "Majority protein IDs": "sp|Q07820|MCL1_HUMAN",
            "Fasta headers": "sp|Q07820|MCL1_HUMAN Induced myeloid leukemia cell differentiation "
            "protein Mcl-1 GN=MCL1",
            "iBAQ A": "20",
            "iBAQ B": "30",
            "Reverse": "",
            "Potential contaminant": "",
            "Only identified by site": "",
        },
    ]
    df = pd.DataFrame(rows)
    if gene_names:
        df.insert(2, "Gene names", ["", "BCL2", "BCL2L11", "MCL1;MCL1L"])
    df.to_csv(path, sep="\t", index=False)
    return path


def test_flags_not_prefixes_and_name_fallbacks(tmp_path):
    df = read_proteingroups(_mini_pg(tmp_path / "pg.txt"), bait="BCL2L11")
    assert sorted(df["protein"].unique()) == ["BCL2L11", "MCL1", "P00001"]
    assert df.set_index(["protein", "experiment"]).loc[("MCL1", "B"), "ibaq"] == 30
    assert np.isnan(df.set_index(["protein", "experiment"]).loc[("P00001", "B"), "ibaq"])
    df2 = read_proteingroups(_mini_pg(tmp_path / "pg2.txt", gene_names=False), bait="BCL2L11")
    assert sorted(df2["protein"].unique()) == ["BCL2L11", "MCL1", "P00001"]
    kept = read_proteingroups(tmp_path / "pg.txt", bait="BCL2L11", keep_flagged=True)
    assert "BCL2" in set(kept["protein"])


def test_lfq_quantity_and_missing_ibaq_columns(tmp_path):
    path = tmp_path / "pg.txt"
    pd.DataFrame({"Protein IDs": ["P1"], "Gene names": ["G1"], "LFQ intensity X": ["3"]}).to_csv(
        path, sep="\t", index=False
    )
    with pytest.raises(InputError, match=r"no 'iBAQ <experiment>' columns.*quantity='lfq'"):
        read_proteingroups(path)
    df = read_proteingroups(path, quantity="lfq", bait="G1")
    assert df["ibaq"].tolist() == [3.0] and df.attrs["quantity"] == "lfq"


def test_unreadable_and_wrong_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_proteingroups(tmp_path / "missing.txt")
    other = tmp_path / "other.txt"
    other.write_text("a\tb\n1\t2\n")
    with pytest.raises(InputError, match="not a MaxQuant proteinGroups.txt"):
        read_proteingroups(other)
    binary = tmp_path / "blot.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(TallrxError):
        read_coip(binary)


def test_long_table_and_read_coip_dispatch(tmp_path):
    path = tmp_path / "coip.csv"
    pd.DataFrame(
        {
            "sample": ["s1", "s1", "s2", "s2"],
            "protein": ["BCL2L11", "MCL1"] * 2,
            "iBAQ": [100, 0, 200, 50],
            "dox": ["-", "-", "+", "+"],
        }
    ).to_csv(path, index=False)
    df = read_coip(path, bait="BCL2L11")
    validate(df, "coip")
    assert df["dox"].tolist() == ["-", "-", "+", "+"]
    assert np.isnan(df["ibaq"].iloc[1]) and df["ibaq"].iloc[3] == 50
    assert set(df["bait"]) == {"BCL2L11"}
    # read_coip sends proteinGroups files to the MaxQuant reader
    assert read_coip(PG, bait="RAP1B")["protein"].nunique() == 773
    dup = tmp_path / "dup.csv"
    pd.DataFrame({"sample": ["s1", "s1"], "protein": ["MCL1", "MCL1"], "ibaq": [1, 2]}).to_csv(
        dup, index=False
    )
    with pytest.raises(InputError, match=r"row 3: protein 'MCL1' appears twice"):
        read_coip_table(dup)


def test_sample_sheet_defaults_and_duplicates(tmp_path):
    sheet = read_sample_sheet(
        pd.DataFrame(
            {
                "Experiment": ["a", "b", "c", "d"],
                "dox": ["-", "-", "+", "+"],
                "prednisolone": ["0", "0", "250", "250"],
            }
        ),
        bait="BCL2L11",
    )
    assert sheet["replicate"].tolist() == [1, 2, 1, 2]
    assert sheet["prednisolone"].tolist() == [0, 0, 250, 250]
    assert sheet["sample"].tolist() == ["a", "b", "c", "d"]
    with pytest.raises(InputError, match=r"row 3: experiment 'a' is listed twice"):
        read_sample_sheet(pd.DataFrame({"experiment": ["a", "a"], "dox": ["-", "+"]}))
    with pytest.raises(InputError, match=r"no 'experiment' column"):
        read_sample_sheet(pd.DataFrame({"exp_name": ["a"], "dox": ["-"]}))


# --------------------------------------------------------------------------- issue 9: unseen files
@pytest.mark.parametrize(("quantity", "prefix"), [("ibaq", "iBAQ "), ("lfq", "LFQ intensity ")])
def test_real_proteingroups_filtered_as_perseus_does(quantity, prefix):
    """The real alphapeptstats proteinGroups.txt: rows with '+' in Reverse / Potential contaminant
    / Only identified by site are removed (the Perseus default), counted per column (first flag
    column that removes the row), and every other group is kept with its value (0 -> NaN)."""
    raw = pd.read_csv(PG, sep="\t", dtype=str, low_memory=False)
    flags = ["Reverse", "Potential contaminant", "Only identified by site"]
    plus = raw[flags].fillna("").eq("+")
    kept = raw[~plus.any(axis=1)]
    df = read_coip(PG, quantity=quantity, bait="X")
    assert sum(df.attrs["removed"].values()) == int(plus.any(axis=1).sum())
    assert df.attrs["removed"]["Reverse"] == int(plus["Reverse"].sum())
    assert df.attrs["quantity"] == quantity
    exps = [c[len(prefix):] for c in raw.columns if c.startswith(prefix)]
    assert sorted(df["sample"].unique()) == sorted(exps) and len(exps) == 10
    assert df["protein"].nunique() == len(kept) and len(df) == len(kept) * 10
    oracle = pd.to_numeric(kept[prefix + exps[0]]).replace(0, np.nan)
    got = df[df["experiment"] == exps[0]]["ibaq"]
    assert np.allclose(np.sort(got.dropna()), np.sort(oracle.dropna()))
    assert got.isna().sum() == oracle.isna().sum()


def test_negative_intensity_is_kept_for_the_analysis_to_flag(tmp_path):
    raw = pd.read_csv(PG, sep="\t", dtype=str, low_memory=False).head(40)
    flags = ["Reverse", "Potential contaminant", "Only identified by site"]
    row = raw.index[~raw[flags].fillna("").eq("+").any(axis=1)][-1]
    raw.loc[row, "iBAQ AC381"] = "-12.5"
    path = tmp_path / "proteinGroups.txt"
    raw.to_csv(path, sep="\t", index=False)
    df = read_coip(path, bait="X")
    assert df.loc[df["ibaq"] < 0, ["experiment", "ibaq"]].values.tolist() == [["AC381", -12.5]]


def test_folder_as_proteingroups_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match=f"{tmp_path}: is a folder; expected a MaxQuant"):
        read_coip(tmp_path)
