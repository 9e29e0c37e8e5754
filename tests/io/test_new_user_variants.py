"""Plate files the way other instruments, locales and spreadsheets write them (task D, s6).

Each variant is made by the test from a hand-built plate whose wells are known, so the expected
values come from the construction, not from tallrx's output.
"""

from __future__ import annotations

import numpy as np
import pytest

from tallrx.io import read_plate_file, read_plates

ROWS = "ABCDEFGH"


def _long_rows(n_rows: int = 6, n_cols: int = 8) -> list[tuple[str, float]]:
    """Wells of a 48-well plate, signal = 100 x row + column (A1 = 101)."""
    return [(f"{ROWS[r]}{c}", 100.0 * (r + 1) + c) for r in range(n_rows) for c in range(1, n_cols + 1)]


def test_long_table_under_merged_title_rows(tmp_path):
    """Excel 'merged' title cells above the header (',,,' padding, an empty line) are skipped."""
    body = "".join(f"{w},{s},,\r\n" for w, s in _long_rows())
    text = "\ufeffViability screen, run 3,,\r\n,,,\r\nWell,RLU,,\r\n" + body
    path = tmp_path / "titled.csv"
    path.write_bytes(text.encode("utf-8"))
    df = read_plate_file(path).set_index("well")
    assert df.attrs["format"] == "long" and len(df) == 48
    assert df.loc["C5", "signal"] == 305.0 and df.loc["F8", "signal"] == 608.0


def test_plate_line_above_matrix_grids_names_the_plates(tmp_path):
    """'Plate: NAME' (or 'Plate;NAME') just above each grid names it, unicode included."""
    lines = []
    for title, offset in (("Plate: Platte Ä-1", 0), ("Plate;Zelllinie μ2", 1000)):
        lines.append(title)
        lines.append(";" + ";".join(str(c) for c in range(1, 9)))
        for r in range(6):
            cells = [f"{offset + 100 * (r + 1) + c},5" for c in range(1, 9)]  # decimal comma
            lines.append(ROWS[r] + ";" + ";".join(cells))
        lines.append("")
    path = tmp_path / "two48.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    df = read_plate_file(path)
    assert list(df["plate"].unique()) == ["Platte Ä-1", "Zelllinie μ2"]
    got = df.set_index(["plate", "well"])["signal"]
    assert got[("Platte Ä-1", "B3")] == 203.5 and got[("Zelllinie μ2", "F8")] == 1608.5


def test_layout_carrying_signal_gdsc_style_mixed_units(tmp_path):
    """A GDSC-like long table is both layout and measurement: CELL_LINE_NAME is the sample,
    INTENSITY the signal (not a condition column), and a unit column mixing nM / uM / ng/ml is
    converted per row (dexamethasone 392.46 g/mol)."""
    rows = ["CELL_LINE_NAME,DRUG_NAME,CONC,unit,INTENSITY,well"]
    wells = iter(f"{ROWS[i // 12]}{i % 12 + 1}" for i in range(96))
    for line in ("MOLT-4", "Jurkat"):
        for k in range(3):
            rows.append(f"{line},DMSO,0,uM,{1000 + k},{next(wells)}")
        for conc, unit in (("10", "nM"), ("0.1", "uM"), ("392.46", "ng/ml"), ("10000", "nM")):
            rows.append(f"{line},dexamethasone,{conc},{unit},500,{next(wells)}")
    path = tmp_path / "gdsc.csv"
    path.write_text("\n".join(rows) + "\n")
    wells_table = read_plates(path, [path])
    assert "INTENSITY" not in wells_table.columns
    assert set(wells_table["sample"]) == {"MOLT-4", "Jurkat"}
    treated = wells_table[wells_table["role"] == "treated"]
    np.testing.assert_allclose(sorted(set(treated["conc_a"])), [0.01, 0.1, 1.0, 10.0], rtol=1e-12)
    assert (treated["signal"] == 500).all()
    assert sorted(wells_table.loc[wells_table["role"] == "vehicle", "signal"].unique()) == [
        1000, 1001, 1002]


@pytest.mark.parametrize("mark", ["OVRFLW", "n.a.", "#DIV/0!", "<0.001", "*****"])
def test_screen_flags_an_overflow_well_and_keeps_the_rest(tmp_path, mark):
    """read_plates keeps a marked well, excluded with the mark quoted in exclude_reason."""
    values = [[str(100.0 * (r + 1) + c) for c in range(1, 13)] for r in range(8)]
    values[2][4] = mark  # C5
    text = "," + ",".join(str(c) for c in range(1, 13)) + "\n" + "".join(
        ROWS[r] + "," + ",".join(values[r]) + "\n" for r in range(8))
    plate = tmp_path / "p1.csv"
    plate.write_text(text)
    layout = tmp_path / "layout.csv"
    layout.write_text("well,drug,conc\nC4,DMSO,0\nC5,drugX,1\nC6,drugX,2\n")
    wells = read_plates(layout, [plate]).set_index("well")
    assert bool(wells.loc["C5", "exclude"]) and f"'{mark}' is not a number" in wells.loc[
        "C5", "exclude_reason"]
    assert np.isnan(wells.loc["C5", "signal"])
    assert wells.loc["C6", "signal"] == 306.0 and not bool(wells.loc["C6", "exclude"])


def _protein_groups(sep: str, number) -> str:
    """A small proteinGroups table: bait BCL2L11, MCL1, a zero iBAQ, and one Reverse, one
    Potential contaminant and one site-only row (each '+')."""
    header = ["Protein IDs", "Gene names", "iBAQ IP_1", "iBAQ IP_2",
              "Only identified by site", "Reverse", "Potential contaminant"]
    rows = [
        ["P1", "BCL2L11", 1e8, 2e8, "", "", ""],
        ["P2", "MCL1", 4e7, 0, "", "", ""],
        ["REV__P2", "MCL1", 5e7, 5e7, "", "+", ""],
        ["CON__P3", "KRT1", 9e8, 9e8, "", "", "+"],
        ["P4", "BCL2L1", 7e6, 7e6, "+", "", ""],
    ]
    lines = [sep.join(header + ["", ""])]  # Excel keeps trailing empty columns
    lines += [sep.join(r[:2] + [number(v) for v in r[2:4]] + r[4:] + ["", ""]) for r in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("variant", ["excel_semicolon", "unicode_text"])
def test_maxquant_resaved_by_a_spreadsheet(tmp_path, variant):
    """proteinGroups re-saved by Excel: ';' with decimal-comma scientific numbers ('4,00E+07')
    and a BOM, or 'Unicode text' (UTF-16, tabs); flagged rows removed, 0 = not quantified."""
    from tallrx.io.assays import read_proteingroups

    if variant == "excel_semicolon":
        text = _protein_groups(";", lambda v: f"{v:.2E}".replace(".", ","))
        path = tmp_path / "proteinGroups.csv"
        path.write_bytes(("\ufeff" + text).encode("utf-8"))
    else:
        text = _protein_groups("\t", lambda v: f"{v:.0f}")
        path = tmp_path / "proteinGroups.txt"
        path.write_bytes(text.encode("utf-16"))
    df = read_proteingroups(path)
    got = df.set_index(["experiment", "protein"])["ibaq"]
    assert set(df["protein"]) == {"BCL2L11", "MCL1"}
    assert got[("IP_1", "MCL1")] == 4e7 and got[("IP_2", "BCL2L11")] == 2e8
    assert np.isnan(got[("IP_2", "MCL1")])
    assert df.attrs["removed"] == {"Reverse": 1, "Potential contaminant": 1,
                                   "Only identified by site": 1}


def test_drugcomb_inhibition_column_and_european_synergyfinder(tmp_path):
    """DrugComb names its response column 'inhibition' (read as % inhibition without
    --response); a SynergyFinder table saved by a German Excel (';', decimal comma, BOM, CRLF)
    reads to the same numbers."""
    from tallrx.io.assays.synergyfinder import read_delimited, read_synergyfinder

    rows = [(1, "A", "B", 0, 0, 0.0), (1, "A", "B", 500, 0.25, 37.5), (1, "A", "B", 1000, 0, 12.5)]
    dc = tmp_path / "drugcomb.csv"
    dc.write_text("block_id,drug_row,drug_col,conc_r,conc_c,inhibition,conc_r_unit,conc_c_unit\n"
                  + "".join(f"{b},{a},{c},{x},{y},{i},nM,uM\n" for b, a, c, x, y, i in rows))
    eu = tmp_path / "synergyfinder_de.csv"
    eu.write_bytes(("\ufeffblock_id;drug_row;drug_col;conc_r;conc_c;response;conc_r_unit;"
                    "conc_c_unit\r\n" + "".join(
                        f"{b};{a};{c};{x};{str(y).replace('.', ',')};"
                        f"{str(i).replace('.', ',')};nM;uM\r\n" for b, a, c, x, y, i in rows)
                    ).encode("utf-8"))
    expected_conc_a = [0.0, 0.5, 1.0]  # nM -> uM
    expected_viability = [100.0, 62.5, 87.5]  # 100 - inhibition
    for path, response in ((dc, "viability"), (eu, "inhibition")):
        out = read_synergyfinder(read_delimited(path), response=response, where=str(path))
        np.testing.assert_allclose(out["conc_a"], expected_conc_a, rtol=1e-12)
        np.testing.assert_allclose(out["conc_b"], [0.0, 0.25, 0.0], rtol=1e-12)
        np.testing.assert_allclose(out["viability"], expected_viability, rtol=1e-12)


@pytest.mark.parametrize("variant", ["excel_de", "unicode_text", "bom_comma"])
def test_fit_and_stratify_tables_saved_by_a_spreadsheet(tmp_path, variant):
    """The tidy tables of tallrx fit / stratify / twin saved by Excel in another locale: ';'
    with decimal commas, UTF-16 tab text, or comma CSV with a BOM read to the same numbers."""
    from tallrx.cli._app import read_table

    rows = [("S1", "drugX", 0.001, 99.5), ("S1", "drugX", 2.5, 12.25), ("S2", "drugX", 10.0, 0.5)]
    if variant == "excel_de":
        text = "sample;drug_a;conc_a;viability\r\n" + "".join(
            f"{s};{d};{str(c).replace('.', ',')};{str(v).replace('.', ',')}\r\n"
            for s, d, c, v in rows)
        data = ("\ufeff" + text).encode("utf-8")
    elif variant == "unicode_text":
        text = "sample\tdrug_a\tconc_a\tviability\r\n" + "".join(
            f"{s}\t{d}\t{c}\t{v}\r\n" for s, d, c, v in rows)
        data = text.encode("utf-16")
    else:
        data = ("\ufeffsample,drug_a,conc_a,viability\n" + "".join(
            f"{s},{d},{c},{v}\n" for s, d, c, v in rows)).encode("utf-8")
    path = tmp_path / "viability.csv"
    path.write_bytes(data)
    df = read_table(path, "viability")
    assert list(df.columns) == ["sample", "drug_a", "conc_a", "viability"]
    assert list(df["sample"]) == ["S1", "S1", "S2"]
    np.testing.assert_allclose(df["conc_a"].astype(float), [0.001, 2.5, 10.0], rtol=1e-12)
    np.testing.assert_allclose(df["viability"].astype(float), [99.5, 12.25, 0.5], rtol=1e-12)


def test_envision_unlabelled_grids_with_decimal_commas_and_an_overflow(tmp_path):
    """The real EnVision 'Plate' export (two unlabelled 16 x 24 grids) re-saved with ';' and
    decimal commas keeps both plates (the decimal-comma grid used to vanish without a word);
    an OVRFLW cell in a grid is a flagged well."""
    import re
    from pathlib import Path

    source = (Path(__file__).parents[1] / "data" / "formats" / "plate_reader"
              / "perkinelmer_envision_absorbance_unlabelled_384.csv")
    original = read_plate_file(source)
    lines = []
    for line in source.read_text().splitlines():
        cells = [re.sub(r"^(-?\d+)\.(\d+)$", r"\1,\2", c) for c in line.split(",")]
        lines.append(";".join(cells))
    first_grid = next(i for i, line in enumerate(lines) if re.match(r"^\d+,\d+;", line))
    cells = lines[first_grid].split(";")
    cells[4] = "OVRFLW"  # A5 of the first plate
    lines[first_grid] = ";".join(cells)
    path = tmp_path / "envision_de.csv"
    path.write_text("\r\n".join(lines) + "\r\n")
    df = read_plate_file(path)
    assert len(df) == len(original) == 768
    key = ["plate", "read", "well"]
    merged = original.merge(df, on=key, suffixes=("", "_de"))
    a5 = (merged["well"] == "A5") & (merged["plate"] == original["plate"].iloc[0])
    np.testing.assert_array_equal(merged.loc[~a5, "signal"], merged.loc[~a5, "signal_de"])
    assert bool(merged.loc[a5, "exclude"].iloc[0]) and np.isnan(merged.loc[a5, "signal_de"].iloc[0])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_layout_under_title_rows_keeps_its_line_numbers(tmp_path, suffix):
    """A layout with a title row and an empty row above its header (Excel's merged title cell)
    is read; messages still name the file's own line / row (here 5)."""
    import pandas as pd

    from tallrx.errors import InputError
    from tallrx.io import read_layout

    good = tmp_path / f"layout{suffix}"
    bad = tmp_path / f"bad{suffix}"
    for path, conc in ((good, 2.5), (bad, "abc")):
        table = pd.DataFrame({"well": ["A1", "A2"], "drug": ["DMSO", "drugX"], "conc": [0, conc],
                              "unit": ["uM", "nM"]})
        if suffix == ".csv":
            path.write_text("Plate layout, screen 7,,\n,,,\n" + table.to_csv(index=False))
        else:
            with pd.ExcelWriter(path) as writer:
                pd.DataFrame([["Plate layout, screen 7"]]).to_excel(writer, index=False,
                                                                    header=False)
                table.to_excel(writer, index=False, startrow=2)
    lay = read_layout(good).set_index("well")
    assert lay.loc["A2", "drug_a"] == "drugX" and lay.loc["A2", "conc_a"] == 0.0025
    assert lay.loc["A1", "role"] == "vehicle"
    label = "line" if suffix == ".csv" else "row"
    with pytest.raises(InputError, match=rf"bad\{suffix} {label} 5 \(well A2\): concentration 'abc'"):
        read_layout(bad)


def test_long_table_with_a_wavelength_column_is_two_reads(tmp_path):
    """A long export with one row per well and wavelength: each wavelength is a read (was: every
    well 'listed more than once')."""
    rows = [f"{w},{nm},{base + i}" for i, (w, _) in enumerate(_long_rows(8, 12))
            for nm, base in (("450", 1000), ("600", 5000))]
    path = tmp_path / "od.csv"
    path.write_text("Well,Wavelength,OD\n" + "\n".join(rows) + "\n")
    df = read_plate_file(path)
    assert sorted(df["read"].unique()) == ["450", "600"]
    got = df.set_index(["read", "well"])["signal"]
    assert got[("450", "A1")] == 1000 and got[("600", "H12")] == 5095
    assert len(df) == 192


def test_magellan_over_cell_is_a_flagged_well(tmp_path):
    """The real Tecan Magellan workbook with Tecan's 'OVER' in one well (B1)."""
    from pathlib import Path

    import openpyxl

    source = (Path(__file__).parents[1] / "data" / "formats" / "plate_reader"
              / "tecan_magellan_OD.xlsx")
    book = openpyxl.load_workbook(source)
    book.active.cell(row=3, column=1).value = "OVER"  # row 3 = well B1
    path = tmp_path / "over.xlsx"
    book.save(path)
    original = read_plate_file(source).set_index("well")
    df = read_plate_file(path).set_index("well")
    assert len(df) == len(original) == 96
    assert bool(df.loc["B1", "exclude"]) and "'OVER' is not a number" in df.loc["B1", "reason"]
    others = df.index != "B1"
    np.testing.assert_array_equal(df.loc[others, "signal"], original.loc[others, "signal"])


def test_plate_names_in_nfc_and_nfd_are_the_same_plate(tmp_path):
    """'Zelllinie Ä' typed in the layout (NFC) and written by a macOS export as A + combining
    diaeresis (NFD) is one plate (was: "not in the layout ... Did you mean 'Zelllinie Ä'?")."""
    import unicodedata

    nfc = "Zelllinie Ä"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    layout = tmp_path / "layout.csv"
    layout.write_text(f"plate,well,drug,conc\n{nfc},A1,DMSO,0\n{nfc},A2,drugX,1\n",
                      encoding="utf-8")
    plate = tmp_path / "reads.csv"
    plate.write_text(f"plate,well,signal\n{nfd},A1,100\n{nfd},A2,50\n", encoding="utf-8")
    wells = read_plates(layout, [plate])
    assert list(wells["signal"]) == [100.0, 50.0]
    assert set(wells["plate"]) == {nfc}


def test_qpcr_long_table_under_a_title_line(tmp_path):
    """A long Ct table saved by German Excel under a title line ('qPCR run 12.3.2025;;;'):
    Livak by hand with two reference genes (geometric mean = mean Ct): control dCt MYC =
    25 - (20 + 18) / 2 = 6, dox dCt = 27.5 - 19.5 = 8 -> 2^-2 = 0.25."""
    from tallrx.io.assays import read_qpcr

    cts = {"-": {"GAPDH": 20.0, "ACTB": 18.0, "MYC": 25.0},
           "+": {"GAPDH": 20.5, "ACTB": 18.5, "MYC": 27.5}}
    lines = ["qPCR run 12.3.2025;;;", ";;;", "sample;dox;target;ct"]
    for dox, genes in cts.items():
        for gene, ct in genes.items():
            for delta in (-0.1, 0.0, 0.1):
                lines.append(f"PDX1;{dox};{gene};{ct + delta:.2f}".replace(".", ","))
    path = tmp_path / "cts.csv"
    path.write_text("\r\n".join(lines) + "\r\n")
    wells = read_qpcr(path)
    assert len(wells) == 18
    mean = wells.groupby(["dox", "target"])["ct"].mean()
    d_ct_minus = mean[("-", "MYC")] - (mean[("-", "GAPDH")] + mean[("-", "ACTB")]) / 2
    d_ct_plus = mean[("+", "MYC")] - (mean[("+", "GAPDH")] + mean[("+", "ACTB")]) / 2
    assert d_ct_minus == pytest.approx(6.0) and d_ct_plus == pytest.approx(8.0)
    assert 2 ** -(d_ct_plus - d_ct_minus) == pytest.approx(0.25)
