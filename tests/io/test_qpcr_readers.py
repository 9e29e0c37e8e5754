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
from tallrx.io.assays.qpcr import (
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


# --------------------------------------------------------------------------- messy files (issue 9)
WIDE = QPCR / "wide_pcr_package_style_ct1.csv"


def test_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"is a folder; pass the qPCR export file inside it"):
        read_qpcr(tmp_path)


def test_excel_workbooks_are_read_by_content_and_bad_ones_name_the_formats(tmp_path):
    table = pd.DataFrame(
        {"sample": ["a", "a", "b"], "target": ["BIM", "GAPDH", "BIM"], "ct": [25.1, 18.0, 24.0]}
    )
    table.to_excel(tmp_path / "run.xlsx", index=False)
    assert read_qpcr(tmp_path / "run.xlsx")["ct"].tolist() == [25.1, 18.0, 24.0]
    # an Excel workbook renamed .csv is read as Excel, not as RDML ("expected <rdml>")
    (tmp_path / "renamed.csv").write_bytes((tmp_path / "run.xlsx").read_bytes())
    assert read_qpcr(tmp_path / "renamed.csv")["ct"].tolist() == [25.1, 18.0, 24.0]
    # a damaged workbook: the message says Excel, the accepted formats and which --format to try
    import zipfile

    with zipfile.ZipFile(tmp_path / "broken.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError) as err:
        read_qpcr(tmp_path / "broken.xlsx")
    text = str(err.value)
    assert "broken.xlsx" in text and "Excel" in text and "--format" in text
    assert "<rdml>" not in text
    # a zip that is neither RDML nor Excel
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(InputError, match=r"other.zip: a zip archive without rdml_data.xml"):
        read_qpcr(tmp_path / "other.zip")


def test_bad_ct_text_is_a_flagged_well_and_a_whole_file_of_them_an_error(tmp_path):
    path = tmp_path / "ct.csv"
    path.write_text(
        "sample,target,ct\na,BIM,25.1\na,BIM,twenty\na,BIM,Undetermined\na,BIM,No Ct\n"
        "a,BIM,NaN\na,GAPDH,18\n"
    )
    df = read_qpcr(path)
    assert len(df) == 6 and df["ct"].iloc[0] == 25.1 and df["ct"].iloc[1:5].isna().all()
    assert df["exclude"].tolist() == [False, True, False, False, False, False]
    assert "'twenty' is not a number" in df["message"].iloc[1]
    assert all("non-detect" in m for m in df["message"].iloc[2:5])
    assert df["message"].iloc[0] == "" and df["message"].iloc[5] == ""
    bad = tmp_path / "bad.csv"
    bad.write_text("sample,target,ct\na,BIM,twenty\na,GAPDH,x\n")
    with pytest.raises(InputError, match=r"bad.csv row 2: column 'ct' holds 'twenty'"):
        read_qpcr(bad)


def test_wide_table_one_column_per_target_as_the_r_pcr_package():
    """The R pcr package keeps one column per gene and one row per well (ct1: c_myc, GAPDH;
    groups in a separate vector, here a 'group' column). Values from the file's own text."""
    assert detect_format(WIDE) == "wide"
    df = read_qpcr(WIDE)
    validate(df, "qpcr")
    with open(WIDE, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(df) == 2 * len(rows) == 24
    assert set(df["target"]) == {"c_myc", "GAPDH"} and set(df["sample"]) == {"brain", "kidney"}
    got = df[df["target"] == "c_myc"]["ct"].tolist()
    assert got == [float(r["c_myc"]) for r in rows]
    # each row of the file is one well (row2 ... row13), shared by the targets of that row
    assert df["well"].nunique() == 12 and df["well"].iloc[0] == "row2"


def test_wide_table_one_column_per_sample(tmp_path):
    path = tmp_path / "wide.tsv"
    path.write_text("target\tctrl_1\tctrl_2\tpred_1\nBIM\t26.0\t26.2\t23.1\nGAPDH\t18.0\t18.1\tUndetermined\n")
    df = read_qpcr(path, format="wide")
    assert len(df) == 6 and set(df["sample"]) == {"ctrl_1", "ctrl_2", "pred_1"}
    got = df.set_index(["sample", "target"])["ct"]
    assert got[("pred_1", "BIM")] == 23.1 and np.isnan(got[("pred_1", "GAPDH")])


RDML_ANNOTATED = QPCR / "rdml_v1.4_annotated_efficiency_handwritten.rdml"


def test_rdml_sample_annotations_and_target_efficiencies():
    """Hand-written RDML 1.4 (element names from the schema): samples carry annotations
    (dox, prednisolone) and targets an amplificationEfficiency; read from the XML text here."""
    from xml.etree import ElementTree

    root = ElementTree.parse(RDML_ANNOTATED).getroot()
    ns = {"r": root.tag[1 : root.tag.index("}")]}
    effs = {
        t.get("id"): float(t.find("r:amplificationEfficiency", ns).text)
        for t in root.findall("r:target", ns)
    }
    df = read_qpcr(RDML_ANNOTATED)
    validate(df, "qpcr")
    assert {"dox", "prednisolone"} <= set(df.columns)
    for tid, e in effs.items():
        assert (df.loc[df["target"] == tid, "efficiency"] == e).all()
    for s in root.findall("r:sample", ns):
        ann = {a.find("r:property", ns).text: a.find("r:value", ns).text
               for a in s.findall("r:annotation", ns)}
        rows = df[df["sample"] == s.get("id")]
        assert len(rows) > 0
        if ann:  # the NTC sample carries none
            assert (rows["dox"].astype(str) == ann["dox"]).all()
    # react 1 on an 8 x 12 plate is A1; its GAPDH Cq in the file
    a1 = df[(df["well"] == "A1") & (df["target"] == "GAPDH")]
    react1 = root.find("r:experiment/r:run/r:react[@id='1']", ns)
    cq = [d.find("r:cq", ns).text for d in react1.findall("r:data", ns)
          if d.find("r:tar", ns).get("id") == "GAPDH"][0]
    assert a1["ct"].item() == float(cq)


def test_rdml_negative_cq_is_a_non_detect_and_zero_efficiency_is_unknown(tmp_path):
    xml = """<rdml xmlns="http://www.rdml.org" version="1.4">
    <sample id="s1"><type>unkn</type></sample>
    <target id="BIM"><type>toi</type><amplificationEfficiency>0</amplificationEfficiency></target>
    <experiment id="e"><run id="r">
      <react id="1"><sample id="s1"/><data><tar id="BIM"/><cq>-1</cq></data></react>
      <react id="2"><sample id="s1"/><data><tar id="BIM"/><cq>24.5</cq></data></react>
    </run></experiment></rdml>"""
    path = tmp_path / "neg.rdml"
    path.write_text(xml)
    df = read_qpcr(path)
    assert np.isnan(df["ct"].iloc[0]) and "non-detect" in df["message"].iloc[0]
    assert df["efficiency"].isna().all()
    assert "amplificationEfficiency '0' is not a positive number" in df.attrs["notes"][0]


def test_quantstudio_well_numbers_only_and_trailing_summary_lines(tmp_path):
    """ViiA 7 / QuantStudio comparative-Ct exports end the [Results] block with summary lines
    (Analysis Type, Endogenous Control, Reference Sample); some exports carry well numbers only."""
    text = QS_DDCT.read_text(encoding="utf-8")
    text += (
        "\nAnalysis Type\tSingleplex\nEndogenous Control\tGAPDH\n"
        "RQ Min/Max Confidence Level\t95.0\nReference Sample\tLiver\n"
    )
    path = tmp_path / "viia7.txt"
    path.write_text(text, encoding="utf-8")
    df = read_qpcr(path)
    assert len(df) == 16
    assert df.attrs["footer"]["Endogenous Control"] == "GAPDH"
    head, _, results = text.partition("[Results]\n")
    lines = results.splitlines()
    cols = lines[0].split("\t")
    pos = cols.index("Well Position")
    dropped = "\n".join("\t".join(c for k, c in enumerate(ln.split("\t")) if k != pos)
                        for ln in lines)
    path2 = tmp_path / "numbers.txt"
    path2.write_text(head + "[Results]\n" + dropped + "\n", encoding="utf-8")
    assert read_qpcr(path2)["well"].tolist() == df["well"].tolist()


def test_decimal_comma_ct(tmp_path):
    """European exports: 'sample;target;ct' with '26,5' -> 26.5 cycles (not 265)."""
    path = tmp_path / "eu.csv"
    path.write_text("sample;target;ct\na;BIM;26,5\na;GAPDH;18,25\n")
    assert read_qpcr(path)["ct"].tolist() == [26.5, 18.25]


def test_results_header_without_rows_is_an_error_naming_the_file(tmp_path):
    """Found by fuzzing: a QuantStudio export truncated after the [Results] header crashed."""
    text = QS_DDCT.read_text(encoding="utf-8")
    head, _, rest = text.partition("[Results]\n")
    path = tmp_path / "cut.txt"
    path.write_text(head + "[Results]\n" + rest.splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cut.txt: no wells with a sample, target or Ct"):
        read_qpcr(path)


def test_quantstudio_excel_export(tmp_path):
    """QuantStudio / ViiA 7 software also exports .xlsx: a 'Results' sheet with key / value rows,
    a blank row, then the table. Built here from the real text export's own rows."""
    text = QS_DDCT.read_text(encoding="utf-8")
    keys = [ln[2:].split("=", 1) for ln in text.splitlines() if ln.startswith("* ")]
    results = text.partition("[Results]\n")[2].splitlines()
    grid = [[k.strip(), v.strip()] for k, v in keys] + [[]] + [ln.split("\t") for ln in results]
    width = max(map(len, grid))
    grid = [r + [""] * (width - len(r)) for r in grid]
    path = tmp_path / "qs7.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame([["Well", "Sample Name"], ["1", ""]]).to_excel(
            xl, sheet_name="Sample Setup", header=False, index=False
        )
        pd.DataFrame(grid).to_excel(xl, sheet_name="Results", header=False, index=False)
    assert detect_format(path) == "quantstudio"
    df = read_qpcr(path)
    lung = df[df["sample"] == "Lung"].sort_values("well")
    assert lung["ct"].tolist() == [30.155, 30.2, 30.087] and len(df) == 16
    assert df["plate"].iloc[0] == "QuantStudio96-Well Comparative Ct Example"
    assert df.loc[df["task"] == "ntc", "ct"].isna().all()


def test_a_simulated_long_table_stays_simulated(tmp_path):
    """A virtual-lab qpcr.csv (source=simulated) keeps its source through the reader."""
    path = tmp_path / "qpcr.csv"
    pd.DataFrame({"sample": "JAK1_WT", "target": ["BCL2L11", "GAPDH"], "ct": [26.8, 18.0],
                  "source": "simulated"}).to_csv(path, index=False)
    assert read_qpcr_table(path)["source"].tolist() == ["simulated", "simulated"]
