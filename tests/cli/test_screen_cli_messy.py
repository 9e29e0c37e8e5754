"""`tallrx screen` on messy input (issue 9 points 6-8): one bad plate never stops the screen,
--read chooses among reads, --drug is checked, --keep-outliers is accepted; the closing line is
the batch summary. Plate: the real BMG MARS 96-well export (tests/data/formats/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PLATES = Path(__file__).resolve().parents[1] / "data" / "formats" / "plate_reader"
MARS = PLATES / "bmg_mars_absorbance_96.csv"
DOSES = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30]


def small_layout(path: Path) -> Path:
    """Column 3 blanks, column 4 DMSO, columns 5-12 prednisolone at 8 doses (uM), 8 replicates."""
    lines = ["well,drug,conc,role"]
    for r in "ABCDEFGH":
        lines += [f"{r}3,,0,blank", f"{r}4,DMSO,0,vehicle"]
        lines += [f"{r}{c},prednisolone,{d},treated" for c, d in zip(range(5, 13), DOSES, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _mars_copy(path: Path, plate: str, empty_col: int | None = None) -> Path:
    """The MARS export with ID1 ``plate`` (and column ``empty_col`` cleared)."""
    out = []
    for line in MARS.read_text().splitlines():
        if line.startswith("ID1:"):
            line = line.replace("ID1: xxxxxxxxxxxxx", f"ID1: {plate}")
        elif empty_col and line[:1] in "ABCDEFGH" and line[1:2] == ",":
            cells = line.split(",")
            cells[empty_col] = ""
            line = ",".join(cells)
        out.append(line)
    path.write_text("\n".join(out) + "\n")
    return path


def test_one_bad_plate_never_stops_the_screen(tmp_path, run):
    """Plate P2 lost its vehicle column, junk.csv is unreadable: both become flagged curves with
    a reason; the good plate is fitted (the real absorbance plate is no dose-response, so its
    curve is flagged flat); the closing line is the summary over the 3 curves."""
    layout = small_layout(tmp_path / "layout.csv")
    p2 = _mars_copy(tmp_path / "p2.csv", "P2", empty_col=4)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01binary\x02" * 20)
    out = tmp_path / "out"
    code, err = run(["screen", layout, MARS, p2, junk, "-o", out, "--n-boot", "0",
                     "--keep-outliers"])
    assert code == 0, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    summary = next(ln for ln in lines if " scored, " in ln)
    assert summary.startswith("0 scored, 3 flagged: see message column -> "), err
    wells = pd.read_csv(out / "wells.csv", keep_default_na=False)
    junk_wells = wells[wells["plate"] == "junk"]
    assert len(junk_wells) == 80 and junk_wells["exclude"].astype(str).eq("True").all()
    assert junk_wells["exclude_reason"].str.contains("plate file unreadable").all()
    viability = pd.read_csv(out / "viability.csv", keep_default_na=False)
    p2_treated = viability[(viability["plate"] == "P2") & (viability["role"] == "treated")]
    assert p2_treated["exclude_reason"].str.contains("no usable vehicle wells").all()
    assert p2_treated["viability"].eq("").all()  # NaN, never a made-up number
    curves = pd.read_csv(out / "curves.csv", keep_default_na=False)
    curves = curves.set_index("sample")
    assert curves.loc["xxxxxxxxxxxxx", "n"] == 72
    assert curves.loc["xxxxxxxxxxxxx", "message"].startswith("flat curve")
    for plate, why in (("P2", "no usable vehicle wells"), ("junk", "plate file unreadable")):
        assert curves.loc[plate, "n"] == 0 and str(curves.loc[plate, "fit_ok"]) == "False"
        assert curves.loc[plate, "message"].startswith("not fitted: every well excluded")
        assert why in curves.loc[plate, "message"]


def test_several_reads_are_chosen_with_read(tmp_path, run):
    layout = small_layout(tmp_path / "layout.csv")
    mars = pd.read_csv(PLATES / "bmg_mars_absorbance_96.csv", skiprows=8, index_col=0)
    rows = [(f"{r}{c}", v, read) for r, row in mars.iloc[:, :12].iterrows()
            for c, v in enumerate(row, start=1) for read in ("450", "620")]
    two = tmp_path / "two.csv"
    pd.DataFrame(rows, columns=["well", "signal", "read"]).to_csv(two, index=False)
    code, err = run(["screen", layout, two, "-o", tmp_path / "o1", "--n-boot", "0"])
    assert code == 2 and "holds several reads (450, 620); choose one with --read '450'" in err
    code, err = run(["screen", layout, two, "-o", tmp_path / "o2", "--n-boot", "0",
                     "--read", "460"])
    assert code == 2 and "has no read '460'" in err and "Did you mean" in err
    code, err = run(["screen", layout, two, "-o", tmp_path / "o3", "--n-boot", "0",
                     "--read", "620"])
    assert code == 0, err


def test_unknown_drug_is_a_clear_error(tmp_path, run):
    layout = small_layout(tmp_path / "layout.csv")
    code, err = run(["screen", layout, MARS, "-o", tmp_path / "out", "--drug", "prednisolon"])
    assert code == 2
    assert "--drug 'prednisolon' is not a drug of" in err and "Did you mean 'prednisolone'" in err
    assert not (tmp_path / "out").exists()


def test_plate_ids_that_are_no_file_names_give_safe_figure_names():
    """An EnVision barcode cell holds '8/22/2023 10:50:28 AM' (a plate id with '/', ':' and
    spaces): its QC heatmap was written to a non-existent folder (exit 1, found by fuzzing)."""
    from tallrx.report.screen import file_stem

    assert file_stem("8/22/2023 10:50:28 AM") == "8_22_2023_10_50_28_AM"
    assert file_stem("../..") == "x" and file_stem("P1") == "P1"
