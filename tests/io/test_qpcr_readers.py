"""qPCR readers on real instrument exports (attribution: tests/data/formats/SOURCES.md).

Expected values are taken from the files' own text (read in the test with the csv module / by eye),
not from the readers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError, TallrxError
from tallrx.io.qpcr import (
    apply_layout,
    detect_format,
    read_lightcycler,
    read_qpcr,
    read_qpcr_layout,
    read_qpcr_table,
    read_rdml,
)
from tallrx.schema import validate

FORMATS = Path(__file__).resolve().parents[1] / "data" / "formats"
QPCR = FORMATS / "qpcr"
CFX = QPCR / "biorad_cfx_maestro_Cq_results_example01.csv"
QS_DDCT = QPCR / "appbio_quantstudio7_ddCt_96_example05.txt"
QS_STD = QPCR / "appbio_quantstudio7_standard_curve_example04.txt"
RDML = QPCR / "rdml_v1.3_raw_melt_rdmlpython.rdml"
WELLMAP = FORMATS / "plate_layout" / "wellmap_qpcr_timecourse_384.toml"


def test_detect_format():
    assert detect_format(CFX) == "biorad"
    assert detect_format(QS_DDCT) == "quantstudio"
    assert detect_format(QS_STD) == "quantstudio"
    assert detect_format(RDML) == "rdml"


def test_biorad_cfx_values_match_the_csv_text():
    df = read_qpcr(CFX)
    validate(df, "qpcr")
    with open(CFX, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(df) == len(rows) == 48
    # target column is empty in this export: the fluorophore keeps FAM and VIC apart
    assert sorted(df["target"].unique()) == ["FAM", "VIC"]
    got = df.set_index(["well", "target"])
    for r in rows[:5] + rows[-5:]:
        well = r["Well"][0] + str(int(r["Well"][1:]))
        assert got.loc[(well, r["Fluor"]), "ct"] == pytest.approx(float(r["Cq"]), abs=1e-12)
        assert got.loc[(well, r["Fluor"]), "sample"] == r["Sample"]
        assert got.loc[(well, r["Fluor"]), "biological_set"] == r["Biological Set Name"]
    assert (df["task"] == "unknown").all()


def test_quantstudio_comparative_ct_keeps_ntc_and_undetermined():
    df = read_qpcr(QS_DDCT)
    validate(df, "qpcr")
    # [Results] lists 16 wells: 6 NTC (Undetermined) and 10 unknowns
    assert len(df) == 16
    ntc = df[df["task"] == "ntc"]
    assert len(ntc) == 6 and ntc["ct"].isna().all() and set(ntc["sample"]) == {"NTC"}
    lung = df[df["sample"] == "Lung"].sort_values("well")
    assert lung["ct"].tolist() == [30.155, 30.2, 30.087]
    assert lung["well"].tolist() == ["D1", "D2", "D3"]
    assert df.attrs["header"]["Experiment Type"].startswith("Comparative")
    assert df["plate"].iloc[0] == "QuantStudio96-Well Comparative Ct Example"


def test_quantstudio_standard_curve_quantities_and_efficiency():
    df = read_qpcr(QS_STD)
    std = df[df["task"] == "standard"]
    assert len(std) == 20
    assert sorted(std["quantity"].unique()) == [1250.0, 2500.0, 5000.0, 10000.0, 20000.0]
    # the file states Efficiency 97.505 (%) for RNase P -> amplification factor 1.97505
    assert df["efficiency"].unique().tolist() == [pytest.approx(1.97505)]
    assert (df.loc[df["task"] == "unknown", "quantity"].isna()).all()
    assert set(df.loc[df["task"] == "ntc", "well"]) == {"D1", "D2", "D3", "D4"}


def test_rdml_raw_melt_file_reads_with_a_note():
    df = read_rdml(RDML)
    validate(df, "qpcr")
    assert len(df) == 50 and set(df["target"]) == {"CRE"}
    # react id 156 on a 16 x 24 plate -> row G (7th), column 12
    first = df[df["sample"] == "Sample 1"].iloc[0]
    assert first["well"] == "G12" and first["plate"] == "Experiment 1/Run 1"
    assert df["ct"].isna().all()
    assert "no Cq values" in df.attrs["notes"][0]


def test_rdml_with_cq_values(tmp_path):
    xml = """<rdml xmlns="http://www.rdml.org" version="1.2">
    <sample id="s1"><type>unkn</type></sample>
    <sample id="std1"><type>std</type><quantity><value>100</value><unit>cop</unit></quantity></sample>
    <sample id="water"><type>ntc</type></sample>
    <target id="GAPDH"><type>ref</type></target>
    <experiment id="e"><run id="r"><pcrFormat><rows>8</rows><columns>12</columns>
      <rowLabel>ABC</rowLabel><columnLabel>123</columnLabel></pcrFormat>
      <react id="1"><sample id="s1"/><data><tar id="GAPDH"/><cq>21.5</cq></data></react>
      <react id="13"><sample id="std1"/><data><tar id="GAPDH"/><cq>24.25</cq></data></react>
      <react id="24"><sample id="water"/><data><tar id="GAPDH"/><cq>-1</cq></data></react>
    </run></experiment></rdml>"""
    path = tmp_path / "run.rdml"
    path.write_text(xml)
    df = read_qpcr(path)
    got = df.set_index("well")
    assert got.loc["A1", "ct"] == 21.5 and got.loc["B1", "quantity"] == 100
    assert got.loc["B1", "task"] == "standard" and got.loc["B12", "task"] == "ntc"
    assert np.isnan(got.loc["B12", "ct"])


LC480 = (
    "Experiment: 2024-05-01 BIM run  Selected Filter: SYBR Green I / HRM Dye (465-510)\n"
    "Include\tColor\tPos\tName\tCp\tConcentration\tStandard\tStatus\n"
    "True\t255\tA1\tWT -dox r1\t24.31\t\t0\t\n"
    "True\t255\tA2\tWT -dox r1\t24.35\t\t0\t\n"
    "False\t255\tA3\tWT -dox r1\t29.90\t\t0\t\n"
    "True\t255\tB1\tstd 1\t20.10\t\t1000\t\n"
    "True\t255\tH12\tNTC\t\t\t0\t\n"
)


def test_lightcycler_480_text(tmp_path):
    path = tmp_path / "lc480.txt"
    path.write_text(LC480)
    assert detect_format(path) == "lightcycler"
    df = read_qpcr(path)
    assert df["well"].tolist() == ["A1", "A2", "A3", "B1", "H12"]
    assert df["ct"].iloc[:2].tolist() == [24.31, 24.35] and np.isnan(df["ct"].iloc[4])
    assert df["omit"].tolist() == [False, False, True, False, False]
    assert df.loc[df["well"] == "B1", "quantity"].item() == 1000
    assert df.loc[df["well"] == "B1", "task"].item() == "standard"
    assert df["plate"].iloc[0] == "2024-05-01 BIM run"
    assert "no target column" in df.attrs["notes"][0]
    named = read_lightcycler(path, target="BCL2L11")
    assert set(named["target"]) == {"BCL2L11"}


def test_lightcycler_96_table(tmp_path):
    path = tmp_path / "lc96.txt"
    path.write_text(
        "Well\tSample Name\tGene Name\tCq\tConcentration\tCall\tExcluded\t"
        "Sample Type\tStandard\tCq Mean\tCq Error\n"
        "A1\ts1\tGAPDH\t18.2\t\tPositive\tFalse\tUnknown\t\t18.2\t0\n"
        "A2\ts1\tBIM\t26.9\t\tPositive\tFalse\tUnknown\t\t26.9\t0\n"
    )
    df = read_qpcr(path)
    assert df["target"].tolist() == ["GAPDH", "BIM"] and df["ct"].tolist() == [18.2, 26.9]


def test_long_table_with_conditions_and_percent_efficiency(tmp_path):
    path = tmp_path / "long.csv"
    pd.DataFrame(
        {
            "Sample": ["a", "a", "b"],
            "Target": ["BIM", "GAPDH", "BIM"],
            "Cq": ["25.1", "18.0", "Undetermined"],
            "dox": ["-", "-", "+"],
            "Replicate": [1, 1, 2],
            "Efficiency": [95.0, 100.0, 95.0],
        }
    ).to_csv(path, index=False)
    df = read_qpcr(path)
    assert df["ct"].iloc[:2].tolist() == [25.1, 18.0] and np.isnan(df["ct"].iloc[2])
    assert df["dox"].tolist() == ["-", "-", "+"]
    assert df["efficiency"].tolist() == [pytest.approx(1.95), 2.0, pytest.approx(1.95)]
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"sample": ["a"], "target": ["BIM"], "ct": ["twenty"]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match=r"row 2: column 'ct' holds 'twenty'; expected a number"):
        read_qpcr_table(bad)
    nocol = tmp_path / "nocol.csv"
    pd.DataFrame({"sample": ["a"], "gene_symbol": ["BIM"], "ct": [20]}).to_csv(nocol, index=False)
    with pytest.raises(InputError, match=r"no 'target' column"):
        read_qpcr_table(nocol)


def test_wellmap_layout_joins_conditions_and_target():
    layout = read_qpcr_layout(WELLMAP)
    assert {"well", "time", "primers", "ligand", "sgrna"} <= set(layout.columns)
    wells = layout["well"].tolist()
    data = pd.DataFrame(
        {
            "plate": "p1",
            "well": wells,
            "sample": "",
            "target": "",
            "ct": np.linspace(15, 30, len(wells)),
            "replicate": 1,
        }
    )
    df = apply_layout(data, layout)
    validate(df, "qpcr")
    a1 = df.set_index("well").loc["A1"]
    assert a1["target"] == "gfp" and a1["ligand"] == "apo" and a1["time"] == "00:00:00"
    assert df.set_index("well").loc["A2", "target"] == "16s"
    assert df.set_index("well").loc["A5", "control"] == "no GFP"


def test_layout_missing_wells_and_bad_files(tmp_path):
    layout = pd.DataFrame({"well": ["A1", "A2"], "sample": ["x", "y"], "dox": ["-", "+"]})
    data = pd.DataFrame(
        {
            "plate": "p",
            "well": ["A1", "A2", "A3"],
            "sample": "",
            "target": "BIM",
            "ct": [20.0, 21.0, 22.0],
            "replicate": 1,
        }
    )
    with pytest.raises(InputError, match=r"well\(s\) A3 have data but no layout entry"):
        apply_layout(data, read_qpcr_layout(layout))
    ok = apply_layout(data.iloc[:2], read_qpcr_layout(layout))
    assert ok["sample"].tolist() == ["x", "y"] and ok["dox"].tolist() == ["-", "+"]
    with pytest.raises(InputError, match="no such file"):
        read_qpcr(tmp_path / "nothing.csv")
    junk = tmp_path / "junk.rdml"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(TallrxError, match=r"junk.rdml"):
        read_qpcr(junk)
    broken = tmp_path / "broken.txt"
    broken.write_text("* Experiment Name = x\n[Sample Setup]\nWell\tSample Name\n1\ta\n")
    with pytest.raises(InputError, match=r"no \[Results\] section"):
        read_qpcr(broken)
    with pytest.raises(InputError, match=r"format 'quantstudo' is not known.*quantstudio"):
        read_qpcr(QS_DDCT, format="quantstudo")
