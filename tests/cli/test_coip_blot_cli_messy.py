"""`tallrx coip` / `tallrx blot` on messy inputs (issue 9, points 6-7): one bad sample, protein or
lane is a flagged row with a message; whole-input problems are one `tallrx: error:` line (exit 2)
naming the file; both commands end with the "N scored, M flagged" summary line."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "cli"))
from test_assays_cli import write_proteingroups  # noqa: E402

PG = TESTS / "data" / "formats" / "apms" / "maxquant_proteinGroups_alphastats_lfq_ibaq.txt"


def _sheet_with_single_sample(sheet: Path, folder: Path) -> Path:
    s = pd.read_csv(sheet)
    s["exclude"] = np.where((s["dox"] == "+") & (s["prednisolone"] == 0) & (s["replicate"] > 1),
                            "yes", "")
    path = folder / "one.csv"
    s.to_csv(path, index=False)
    return path


def test_coip_level_with_one_sample_is_flagged_and_the_rest_scored(tmp_path, run):
    pg, sheet = write_proteingroups(tmp_path)
    out = tmp_path / "o"
    code, err = run(["coip", pg, "--samples", _sheet_with_single_sample(sheet, tmp_path), "-o", out])
    assert code == 0, err
    b = pd.read_csv(out / "binding.csv")
    p0 = b[b["prednisolone"] == 0]
    assert p0["flagged"].all() and p0["p_value"].isna().all()
    assert p0["message"].str.contains("n = 1 in the test group").all()
    assert not b[b["prednisolone"] == 250]["flagged"].any()
    n_prot = b["protein"].nunique()  # 8 proteins x 2 comparisons, one comparison flagged
    assert err.strip().splitlines()[-1] == f"{n_prot} scored, {n_prot} flagged: see message column -> {out}/binding.csv"


def test_coip_negative_ibaq_of_the_bait_is_flagged_naming_sample(tmp_path, run):
    pg, sheet = write_proteingroups(tmp_path)
    raw = pd.read_csv(pg, sep="\t", dtype=str)
    bait = raw["Fasta headers"].fillna("").str.contains("GN=BCL2L11 ")
    raw.loc[bait, "iBAQ dox-_pred250_r2"] = "-4000"
    raw.to_csv(pg, sep="\t", index=False)
    out = tmp_path / "o"
    code, err = run(["coip", pg, "--samples", sheet, "-o", out])
    assert code == 0, err
    b = pd.read_csv(out / "binding.csv")
    p250 = b[b["prednisolone"] == 250]
    assert p250["flagged"].all()
    assert p250["message"].str.contains("bait not quantified").all()
    assert p250["message"].str.contains("dox-_pred250_r2").all()
    bait_rows = p250[p250["protein"] == "BCL2L11"]
    assert bait_rows["message"].str.contains(r"negative or infinite iBAQ \(-4000 in sample dox-_pred250_r2\)").all()
    ratios = pd.read_csv(out / "ratios.csv")
    assert ratios.loc[ratios["sample"] == "dox-_pred250_r2", "ratio"].isna().all()


def test_coip_folder_or_junk_is_one_line_exit_2_naming_it(tmp_path, run):
    code, err = run(["coip", tmp_path, "-o", tmp_path / "o"])
    assert code == 2 and err.count("\n") == 1 and f"{tmp_path}: is a folder" in err
    pg, sheet = write_proteingroups(tmp_path)
    folder = tmp_path / "sheetdir"
    folder.mkdir()
    code, err = run(["coip", pg, "--samples", folder, "-o", tmp_path / "o"])
    assert code == 2 and err.count("\n") == 1 and str(folder) in err
    assert not (tmp_path / "o").exists()


def test_coip_real_maxquant_lfq(tmp_path, run):
    """The real 10-sample proteinGroups.txt with --quantity lfq and a sheet pairing AC / UT
    samples as two groups of 5 (a fabricated design on real intensities)."""
    exps = [c[len("LFQ intensity "):] for c in pd.read_csv(PG, sep="\t", nrows=0).columns
            if c.startswith("LFQ intensity ")]
    sheet = tmp_path / "s.csv"
    pd.DataFrame({"experiment": exps, "group": [e[:2] for e in exps]}).to_csv(sheet, index=False)
    out = tmp_path / "o"
    code, err = run(["coip", PG, "--samples", sheet, "--bait", "AHSG", "-o", out])
    assert code == 2 and "condition column 'group' has the name of a binding.csv column" in err
    pd.read_csv(sheet).rename(columns={"group": "cohort"}).to_csv(sheet, index=False)
    code, err = run(["coip", PG, "--samples", sheet, "--bait", "AHSG", "--quantity", "lfq",
                     "--reference", "UT", "-o", out])
    assert code == 0, err
    b = pd.read_csv(out / "binding.csv")
    assert b["group"].value_counts().to_dict() == {"reference": b["protein"].nunique(),
                                                   "test": b["protein"].nunique()}
    assert "scored" in err.strip().splitlines()[-1]


def _bands(path: Path) -> Path:
    """Hand-worked band table: lane 1 pERK 100 / ERK 200 / GAPDH 50, lane 2 600 / 300 / 100."""
    pd.DataFrame({
        "blot": "b", "lane": [1, 1, 1, 2, 2, 2], "sample": ["-dox"] * 3 + ["+dox"] * 3,
        "target": ["pERK", "ERK", "GAPDH"] * 2, "intensity": [100, 200, 50, 600, 300, 100],
    }).to_csv(path, index=False)
    return path


def test_blot_negative_intensity_is_flagged_named_and_summarised(tmp_path, run):
    path = _bands(tmp_path / "bands.csv")
    df = pd.read_csv(path)
    df.loc[4, "intensity"] = -300  # lane 2 ERK
    df.to_csv(path, index=False)
    out = tmp_path / "o"
    code, err = run(["blot", path, "-o", out, "--loading", "GAPDH", "--phospho", "pERK:ERK"])
    assert code == 0, err
    bands = pd.read_csv(out / "bands.csv").set_index(["lane", "target"])
    assert bands.loc[(2, "ERK"), "flagged"] and np.isnan(bands.loc[(2, "ERK"), "normalized"])
    assert "negative intensity -300" in bands.loc[(2, "ERK"), "message"]
    assert bands.loc[(2, "pERK"), "normalized"] == 3.0  # (600/100) / (100/50), untouched
    assert np.isnan(pd.read_csv(out / "phospho.csv").set_index("lane").loc[2, "ratio"])
    assert f"5 scored, 1 flagged: see message column -> {out}/bands.csv" in err.splitlines()


def test_blot_image_blank_or_boxes_outside_name_the_file(tmp_path, run):
    import tifffile

    blank = tmp_path / "blank.tif"
    tifffile.imwrite(blank, np.zeros((64, 96), np.uint16))
    code, err = run(["blot", blank, "-o", tmp_path / "o"])
    assert code == 2 and err.count("\n") == 1
    assert f"{blank}: the image is uniform" in err
    img = np.zeros((64, 96), np.uint16)
    img[20:30, 10:40] = 900
    scan = tmp_path / "scan.tif"
    tifffile.imwrite(scan, img)
    code, err = run(["blot", scan, "-o", tmp_path / "o", "--lanes", "0-50,60-200"])
    assert code == 2 and err.count("\n") == 1
    assert f"{scan}: lane box 60-200 is outside the image width 96" in err and "--lanes" in err
    assert not (tmp_path / "o").exists()
