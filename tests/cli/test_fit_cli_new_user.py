"""`tallrx fit` on dose-response tables as other pipelines and spreadsheets write them (task D, s7).

The data are the ryegrass root lengths (tests/data/drc_ryegrass, mM); the oracle is drc's published
LL.4 fit, ED50 = 3.05795 mM (= 3057.95 uM), which the plain table reproduces. Every variant must give
the same ED50.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

RYEGRASS = Path(__file__).parents[1] / "data" / "drc_ryegrass" / "ryegrass.csv"
ED50_UM = 3.05795e3  # drc LL.4 on ryegrass (README of the data folder), mM -> uM


def _rows() -> list[tuple[float, float]]:
    rg = pd.read_csv(RYEGRASS)
    return list(zip(rg["conc"], rg["rootl"], strict=True))


def _table(header: str, row, extra: str = "") -> str:
    return header + "\n" + "".join(row(c, v) + "\n" for c, v in _rows()) + extra


VARIANTS = {
    # mixed-case headers (was: "missing column(s) conc_a, viability, sample, drug_a")
    "mixed_case": (_table("Sample,Drug_A,Conc_A,Viability", lambda c, v: f"S1,ferulic,{c},{v}"),
                   ["--unit", "mM"]),
    # GDSC2-like names with the response named by --response
    "gdsc_names": (_table("CELL_LINE_NAME,DRUG_NAME,CONC,INTENSITY",
                          lambda c, v: f"S1,ferulic,{c},{v}"), ["--unit", "mM", "--response",
                                                                 "INTENSITY"]),
    # the unit in the concentration header, no --unit
    "header_unit": (_table("sample,drug,conc (mM),viability", lambda c, v: f"S1,ferulic,{c},{v}"),
                    []),
    # a title line (Excel's merged title cell) above the header, English and German Excel
    "title_line": ("Dose response export, run 3,,,\n,,,\n" + _table(
        "sample,drug_a,conc_a,viability", lambda c, v: f"S1,ferulic,{c},{v}"), ["--unit", "mM"]),
    "title_line_semicolon": ("Dosis-Wirkung Lauf 3;;;\n;;;\n" + _table(
        "sample;drug_a;conc_a;viability",
        lambda c, v: f"S1;ferulic;{c};{v}".replace(".", ",")), ["--unit", "mM"]),
    # two exports concatenated with `cat` (a repeated header row) and ',,,' rows at the end
    "concatenated": (
        "sample,drug_a,conc_a,viability\n"
        + "".join(f"S1,ferulic,{c},{v}\n" for c, v in _rows()[:12])
        + "sample,drug_a,conc_a,viability\n"
        + "".join(f"S1,ferulic,{c},{v}\n" for c, v in _rows()[12:]) + ",,,\n,,,\n",
        ["--unit", "mM"]),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_fit_reads_the_variant_like_the_plain_table(tmp_path, run, name):
    text, args = VARIANTS[name]
    path = tmp_path / f"{name}.csv"
    path.write_text(text)
    out = tmp_path / "curves.csv"
    code, err = run(["fit", path, "-o", out, *args])
    assert code == 0, err
    curves = pd.read_csv(out)
    assert len(curves) == 1 and bool(curves["fit_ok"].iloc[0])
    assert curves["ic50"].iloc[0] == pytest.approx(ED50_UM, rel=1e-3)
    assert curves["n"].iloc[0] == 24


def test_fit_header_unit_against_a_different_unit_option_is_an_error(tmp_path, run):
    path = tmp_path / "v.csv"
    path.write_text(_table("sample,drug,conc (mM),viability", lambda c, v: f"S1,ferulic,{c},{v}"))
    code, err = run(["fit", path, "-o", tmp_path / "c.csv", "--unit", "nM"])
    assert code == 2 and "header says mM but --unit says nM" in err
    assert not (tmp_path / "c.csv").exists()


def test_stratify_reads_an_auc_table_with_its_own_column_names(tmp_path, run):
    """A hand-made AUC table ('Sample,Drug,IL7,AUC') is stratified like tallrx's own names.
    By hand (--fold 1.5, --min-auc 175): P1 200 / 100 = 2.0 -> IL7-responsive and, with
    AUC(+IL7) 200 >= 175, IL7-dependent resistant; P2 160 / 150 = 1.07 -> neither."""
    path = tmp_path / "aucs.csv"
    path.write_text("Sample,Drug,IL7,AUC\nP1,prednisolone,0,100\nP1,prednisolone,25,200\n"
                    "P2,prednisolone,0,150\nP2,prednisolone,25,160\n")
    out = tmp_path / "strata.csv"
    code, err = run(["stratify", path, "-o", out])
    assert code == 0, err
    strata = pd.read_csv(out).set_index("sample")
    assert strata.loc["P1", "auc_fold"] == pytest.approx(2.0)
    assert strata.loc["P2", "auc_fold"] == pytest.approx(160 / 150)
    assert list(strata["il7_responsive"]) == [True, False]
    assert list(strata["il7_dependent_resistant"]) == [True, False]


def test_fit_reads_an_excel_workbook(tmp_path, run):
    """The ryegrass table saved as .xlsx with a title row (was: "is a binary file, not a
    viability table")."""
    rg = pd.read_csv(RYEGRASS)
    path = tmp_path / "viability.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Ryegrass root length, ferulic acid (mM)"]]).to_excel(
            writer, index=False, header=False)
        pd.DataFrame({"sample": "S1", "drug_a": "ferulic", "conc_a": rg["conc"],
                      "viability": rg["rootl"]}).to_excel(writer, index=False, startrow=2)
    out = tmp_path / "curves.csv"
    code, err = run(["fit", path, "-o", out, "--unit", "mM"])
    assert code == 0, err
    curves = pd.read_csv(out)
    assert curves["ic50"].iloc[0] == pytest.approx(ED50_UM, rel=1e-3)
    assert curves["ic50_se"].iloc[0] == pytest.approx(0.18573e3, rel=2e-2)  # drc's SE, mM -> uM
