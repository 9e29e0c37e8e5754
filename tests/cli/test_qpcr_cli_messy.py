"""`tallrx qpcr` on messy data (issue 9, points 6-7): bad wells are flagged rows, whole-input errors
exit 2 in one line naming the file, unseen formats (wide tables, annotated RDML) are read right."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

QPCR = Path(__file__).resolve().parents[1] / "data" / "formats" / "qpcr"
CFX = QPCR / "biorad_cfx_maestro_Cq_results_example01.csv"
SUMMARY = re.compile(r"^(\d+) scored, (\d+) flagged(: see message column)? -> .*expression\.csv$")


def _long(path: Path, extra: str = "") -> Path:
    """a: BIM 26 / GAPDH 18; b: BIM 24 / GAPDH 18 -> b is 2^2 = 4-fold a."""
    path.write_text("sample,target,ct\na,BIM,26\na,GAPDH,18\nb,BIM,24\nb,GAPDH,18\n" + extra)
    return path


def _args(data, out, *more, target="BIM", reference="GAPDH", baseline="sample=a"):
    return ["qpcr", data, "--target", target, "--reference", reference,
            "--baseline", baseline, "-o", out, *more]


def _summary(err: str) -> tuple[int, int]:
    last = err.strip().splitlines()[-1]
    m = SUMMARY.match(last)
    assert m, err
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("bad", ["-5", "0", "inf", "1e400", "-inf", "99"])
def test_impossible_ct_is_a_flagged_well_and_the_batch_goes_on(tmp_path, run, bad):
    data = _long(tmp_path / "ct.csv", f"b,BIM,{bad}\n")
    code, err = run(_args(data, tmp_path / "o"))
    assert code == 0, err
    wells = pd.read_csv(tmp_path / "o" / "qpcr.csv", keep_default_na=False)
    row = wells.iloc[4]
    assert row["exclude"] in (True, "True") and "impossible" in row["message"]
    expr = pd.read_csv(tmp_path / "o" / "expression.csv").set_index("sample")
    assert expr.loc["b", "relative_expression"] == pytest.approx(4.0)
    assert expr.loc["b", "flagged"] and "excluded" in expr.loc["b", "message"]
    assert _summary(err) == (2, 1)


def test_only_impossible_cts_is_an_error_naming_the_file(tmp_path, run):
    data = tmp_path / "ct.csv"
    data.write_text("sample,target,ct\na,BIM,-5\na,GAPDH,0\nb,BIM,inf\nb,GAPDH,-1\n")
    code, err = run(_args(data, tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1 and "ct.csv" in err and "usable Ct" in err
    assert not (tmp_path / "o").exists()


def test_target_equal_to_reference_is_a_usage_error(tmp_path, run):
    data = _long(tmp_path / "ct.csv")
    code, err = run(_args(data, tmp_path / "o", target="GAPDH"))
    assert code == 2 and err.count("\n") == 1 and "both a target and a reference" in err


def test_a_folder_as_the_qpcr_file_is_exit_2(tmp_path, run):
    (tmp_path / "runs").mkdir()
    code, err = run(_args(tmp_path / "runs", tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1 and "runs" in err and "folder" in err


def test_excel_renamed_csv_is_read_and_a_broken_one_names_the_formats(tmp_path, run):
    pd.read_csv(_long(tmp_path / "ct.csv")).to_excel(tmp_path / "ct.xlsx", index=False)
    (tmp_path / "renamed.csv").write_bytes((tmp_path / "ct.xlsx").read_bytes())
    code, err = run(_args(tmp_path / "renamed.csv", tmp_path / "o"))
    assert code == 0, err
    broken = tmp_path / "broken.csv"
    broken.write_bytes((tmp_path / "ct.xlsx").read_bytes()[:300])
    code, err = run(_args(broken, tmp_path / "o2"))
    assert code == 2 and err.count("\n") == 1 and "broken.csv" in err and "--format" in err
    assert "<rdml>" not in err


def test_duplicated_well_in_a_real_cfx_export_is_flagged(tmp_path, run):
    """A copy of row A01 pasted again (same plate, well and target): not a third replicate."""
    lines = CFX.read_text().splitlines()
    data = tmp_path / "cfx.csv"
    data.write_text("\n".join([*lines, lines[1].replace("21.1877528266099", "25.0", 1)]) + "\n")
    code, err = run(_args(data, tmp_path / "o", "--by", "biological_set", target="FAM",
                          reference="VIC", baseline="biological_set=PBS Baseline"))
    assert code == 0, err
    wells = pd.read_csv(tmp_path / "o" / "qpcr.csv", keep_default_na=False)
    dup = wells[(wells["well"] == "A1") & (wells["target"] == "FAM")]
    assert len(dup) == 2 and dup["exclude"].astype(str).eq("True").all()
    assert dup["message"].str.contains("listed 2 times").all()
    scored, flagged = _summary(err)
    assert flagged >= 1 and scored >= 1


def test_wide_pcr_package_table_livak_2001_by_hand(tmp_path, run):
    """Livak & Schmittgen (2001) / ABI User Bulletin #2 c-myc vs GAPDH table (the R pcr package's
    ct1), brain as calibrator: brain dCt = 30.485 - 23.625 = 6.860, kidney dCt = 27.025 - 22.660
    = 4.365, ddCt = -2.495, kidney = 2^2.495 = 5.637 (the bulletin reports 5.6)."""
    out = tmp_path / "o"
    code, err = run(_args(QPCR / "wide_pcr_package_style_ct1.csv", out, target="c_myc",
                          baseline="sample=brain"))
    assert code == 0, err
    expr = pd.read_csv(out / "expression.csv").set_index("sample")
    assert expr.loc["kidney", "relative_expression"] == pytest.approx(5.6373, abs=1e-3)
    assert _summary(err) == (2, 0)


def test_annotated_rdml_uses_its_samples_conditions_and_efficiencies(tmp_path, run):
    """Hand-written RDML 1.4: BCL2L11 E = 1.92, GAPDH E = 1.98 (target amplificationEfficiency).
    Pfaffl, prednisolone vs untreated: dCt BCL2L11 = 27.02 - 24.52 = 2.5, dCt GAPDH = 18.02 - 18.22
    = -0.2 -> 1.92^2.5 / 1.98^-0.2 = 5.1080 / 0.87230 = 5.8558; dox + prednisolone:
    1.92^3 / 1.98^0 = 7.0779. The NTC wells are flagged, not analysed."""
    out = tmp_path / "o"
    code, err = run(_args(QPCR / "rdml_v1.4_annotated_efficiency_handwritten.rdml", out,
                          "--by", "dox,prednisolone", target="BCL2L11",
                          baseline="dox=-,prednisolone=0"))
    assert code == 0, err
    expr = pd.read_csv(out / "expression.csv").set_index(["dox", "prednisolone"])
    assert expr.loc[("-", 250), "relative_expression"] == pytest.approx(5.8558, abs=1e-3)
    assert expr.loc[("+", 250), "relative_expression"] == pytest.approx(7.0779, abs=1e-3)
    assert (expr["n"] == 2).all()
    import json

    meta = json.loads((out / "meta.json").read_text())
    assert meta["method"] == "pfaffl"
    assert meta["efficiency"] == pytest.approx({"BCL2L11": 1.92, "GAPDH": 1.98})
    flags = pd.read_csv(out / "flags.csv")
    assert set(flags["sample"]) == {"NTC"}


def test_baseline_on_a_group_column_read_as_sample_says_what_to_pass(tmp_path, run):
    """A wide table's 'group' column becomes 'sample'; --baseline group=ctrl says to use sample=."""
    data = tmp_path / "wide.csv"
    data.write_text("group,BIM,GAPDH\nctrl,26,18\nctrl,26.2,18.1\ndrug,24,18\ndrug,24.1,18\n")
    code, err = run(_args(data, tmp_path / "o", "--format", "wide", baseline="group=ctrl"))
    assert code == 2, err
    assert "--baseline sample=ctrl" in err
    code, err = run(_args(data, tmp_path / "o2", "--format", "wide", baseline="sample=ctrl"))
    assert code == 0, err
