"""A new user's files, round 2 (task D, s7): other software versions, spreadsheets and habits.

Each variant is made by the test from a real file in tests/data (the original file read by the
same reader is the oracle: the variant must give the same numbers) or is a small hand-built table
whose expected values follow from its construction. :data:`TRIED` lists every variant tried in
this round and its outcome; a fixed one names the test that keeps it fixed.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FORMATS = Path(__file__).parents[1] / "data" / "formats"
QS7 = FORMATS / "qpcr" / "appbio_quantstudio7_ddCt_96_example05.txt"
PG = FORMATS / "apms" / "maxquant_proteinGroups_alphastats_lfq_ibaq.txt"


#: every variant tried in this round: "variant | outcome before it | the test that keeps it
#: fixed" (no test when it already worked or gave a clear error)
TRIED_TABLE = """\
matrix grid, lower-case row letters | ok |
matrix grid, tab-separated .txt | ok |
matrix grid, trailing empty columns and ',,,' rows | ok |
matrix grid transposed (',A..H', a line per column) | not recognised: fixed | test_transposed_plate_grid
24-well and 1536-well (AA-AF) matrix grids; 1536 long table | ok |
matrix grid with a summary block (Mean / SD / Z') below | ok |
matrix grid pasted without its corner cell (header '1,2,...,12') | not recognised: fixed | test_plate_grid_pasted_without_corner_or_as_aligned_text
matrix grid printed as space-aligned columns (.txt) | not recognised: fixed | test_plate_grid_pasted_without_corner_or_as_aligned_text
matrix grid with row letters repeated at the right / column numbers repeated below; cells padded with spaces | ok |
matrix header 01..12, scientific notation 1.234E+05 | ok |
matrix with quoted '10,100' in a ',' file | clear error (reads two ways; by design) |
matrix xlsx with two sheets; xlsx title rows | ok |
'Raw' + 'Results' grids with bare titles | read as two plates (no read name) |
Tecan i-control 'Label: Label1/2' grids; 'Wavelength: 450 nm' above each grid | two plates: fixed | test_tecan_icontrol_two_labels_are_two_reads_of_one_plate
Gen5 two raw reads interleaved / titled grids / two plates / cp1252 / xlsx | ok |
Gen5 kinetic read (Time x wells) | 'no plate data found': fixed | test_gen5_kinetic_read_is_one_read_per_time_point
MARS two Raw Data blocks, raw + blank corrected, lower-case rows, ';' decimal comma | ok |
MARS 'Table' export (Well / Well Row + Well Col, Content, read) | 'no plate data found': fixed | test_mars_table_export
Kaleido two Result blocks; EnVision two labels | ok |
Kaleido / EnVision (grids and unlabelled) / MARS exports saved as .xlsx; Magellan with two measurement columns | ok |
SoftMax Pro PlateFormat / TimeFormat with 2 wavelengths, 384 wells, UTF-8 decimal comma | ok |
long table: 'Well Position' + lower-case wells, Row/Column 'a','01', 'Read' column | ok |
long table joined with cat (header repeated) / 'Total' and 'Mean' rows | error on the header / total row: fixed | test_long_measurement_concatenated_with_summary_rows
long table with a duplicated well | clear error |
layout wells 'A01', 'a1', 'a01', ' A1 '; A1 + A01 duplicated (clear error) | ok |
layout unit row under the header (',,nM') | 'is not a well name' error: fixed | test_layout_with_a_unit_row_under_the_header
layout 'conc [nM]', 'Concentration (nM)', units µM / um / μM / uMol/L | ok |
layout trailing 'Total' row | clear error |
layout drawn as plate-shaped grids (drug / concentration / unit grids) | needs a 'well' column: fixed | test_layout_drawn_as_plate_grids
a plate of readings passed as the layout | clear error |
layout workbook with one sheet per plate (+ a notes sheet) | only the first sheet read, applied to every plate: fixed | test_layout_workbook_with_one_sheet_per_plate
layout drug NEGCON / POSCON (Gen5 well ids), well type NC / PC, 'DMSO 0.1%' | treated well without dose / unknown role: fixed | test_layout_controls_named_as_instruments_and_people_name_them
layout dose with its unit in the cell ('10 nM', '2.5 µM') | not a number: fixed | test_layout_controls_named_as_instruments_and_people_name_them
layout '10 nM' in a row whose unit column says uM | clear error |
layout 'Negative Control' / 'Positive Control' roles; drug 'Medium', conc '-'; '1e-3'; quoted '0,5' | ok |
wellmap [block.WxH], [irow], [col] with unit nM | ok |
screen: one of two plates without vehicle wells | ok (flagged curve) |
screen given a folder of plate exports | 'is a folder' error: fixed | test_screen_reads_a_folder_of_plate_files
screen: the only plate without vehicle wells | clear error |
fit: mixed-case headers (Conc_A) | missing column: fixed | test_fit_reads_the_variant_like_the_plain_table
fit: GDSC2 CELL_LINE_NAME / DRUG_NAME / CONC (+ --response INTENSITY) | missing column: fixed | test_fit_reads_the_variant_like_the_plain_table
fit: 'conc (mM)' header unit | missing column: fixed | test_fit_reads_the_variant_like_the_plain_table
fit: tables joined with cat; ',,,' rows | error / empty flagged curve: fixed | test_fit_reads_the_variant_like_the_plain_table
fit: unit column mM / µM / nM mixed; tab .txt; quoted fields | ok |
fit / stratify: the table saved as .xlsx (with a title row) | 'is a binary file': fixed | test_fit_reads_an_excel_workbook
fit: trailing 'Total' row | ok (a flagged curve 'Total') |
fit: a title line above a ',' or ';' table | missing column: fixed | test_fit_reads_the_variant_like_the_plain_table
stratify: a hand-made AUC table 'Sample,Drug,IL7,AUC' | missing columns: fixed | test_stratify_reads_an_auc_table_with_its_own_column_names
synergy: mixed-case SynergyFinder headers; µM / nM unit columns | ok |
synergy: tables joined with cat | unit 'conc_r_unit' error: fixed | test_synergy_table_concatenated_with_cat
QuantStudio Design & Analysis [Results] (Sample / Target / Cq) | no Sample Name column: fixed | test_quantstudio_design_and_analysis_columns
the same as an xlsx Results sheet | read as a wide table of header lines: fixed | test_quantstudio_design_and_analysis_xlsx
CFX Cq 'NaN' / 'N/A'; CFX ';' decimal comma; LightCycler 480 Cp | ok |
CFX results saved as .xlsx | read as a generic table (Fluor, Cq Mean as conditions): fixed | test_cfx_results_as_xlsx_or_under_run_information
CFX CSV under 'File Name:' run-information lines | parser error: fixed | test_cfx_results_as_xlsx_or_under_run_information
QuantStudio 7 text with CRLF line ends / UTF-16 | ok |
long: 3 reference genes, triplicate with an outlier (flagged) | ok |
long: 'Sample Name,Target Name,CT'; 'Gene,Cq' with 'No Cq' / '>40' | ok |
RDML zipped; qPCR layout wells 'a01' | ok |
qPCR Ct 'ND', 'n/d', 'Undet.', 'not detected', 'No Amp', '>40', '40+' | excluded as not a number: fixed | test_qpcr_non_detect_spellings
qPCR Ct 0 | ok (excluded by qpcr: below 1 cycle) |
co-IP sample sheet ';' with 'Experiment Name' | ok |
co-IP sample sheet experiments in another case ('ac381') | clear error with did-you-mean |
iBAQ_X / iBAQ.X / IBAQ X / ibaq X columns | no iBAQ <experiment> columns: fixed | test_maxquant_ibaq_columns_spelled_another_way
Perseus export with #!{Type} rows | column holds 'E': fixed | test_perseus_export_with_annotation_rows
proteinGroups saved as .xlsx | 'is a binary file': fixed | test_proteingroups_saved_as_xlsx
old MaxQuant 'Contaminant'; ' + ' flags; 'BCL2L11;BIM' gene names; empty gene name | ok |
ImageJ Measure / Gel Analyzer results (',' and ';' decimal comma) | ok |
ImageJ Results with Summarize rows | Mean / SD read as lanes 5, 6: fixed | test_imagej_results_with_summarize_rows
Bio-Rad Image Lab band table ('Volume (Int)', 'Band Label', 'Band %') | no intensity column: fixed | test_image_lab_band_table_with_units_in_headers
"""
TRIED = [tuple(part.strip() for part in line.split("|")) for line in TRIED_TABLE.splitlines()]


def test_every_fixed_variant_names_an_existing_test():
    """The TRIED list stays honest: a variant marked fixed names a test of this round."""
    import sys

    here = sys.modules[__name__]
    cli = Path(__file__).parents[1] / "cli"
    fit_tests = "".join((cli / f"test_{name}_cli_new_user.py").read_text()
                        for name in ("fit", "screen"))
    for variant, outcome, test in TRIED:
        assert ("fixed" in outcome) == bool(test), variant
        if test:
            assert hasattr(here, test) or f"def {test}(" in fit_tests, test


def _ct_by_well(df: pd.DataFrame) -> pd.Series:
    return df.set_index(["well", "target"])["ct"].sort_index()


def _design_and_analysis_text() -> str:
    """The real QuantStudio 7 export with its [Results] header as QuantStudio Design & Analysis
    (QS 1/3/5) writes it: Sample, Target and Cq instead of Sample Name, Target Name and CT."""
    text = QS7.read_text(encoding="utf-8")
    head, results = text.split("[Results]\n", 1)
    header, rest = results.split("\n", 1)
    cells = header.split("\t")
    renamed = {"Sample Name": "Sample", "Target Name": "Target", "CT": "Cq"}
    return head + "[Results]\n" + "\t".join(renamed.get(c, c) for c in cells) + "\n" + rest


def test_quantstudio_design_and_analysis_columns(tmp_path):
    """[Results] with Sample / Target / Cq (was: "no 'Sample Name' column") reads like the
    original QuantStudio 7 file, 'Undetermined' Cts included."""
    from tallrx.io.assays import read_qpcr

    path = tmp_path / "qs5.txt"
    path.write_text(_design_and_analysis_text(), encoding="utf-8")
    original, variant = read_qpcr(QS7), read_qpcr(path)
    assert variant.attrs["format"] == "quantstudio"
    pd.testing.assert_series_equal(_ct_by_well(variant), _ct_by_well(original))
    assert list(variant["sample"]) == list(original["sample"])


def test_quantstudio_design_and_analysis_xlsx(tmp_path):
    """The same as an Excel 'Results' sheet with '* key = value' lines above the table (was:
    read as a wide table whose 'targets' were the header lines)."""
    import openpyxl

    from tallrx.io.assays import read_qpcr

    text = _design_and_analysis_text()
    head, results = text.split("[Results]\n", 1)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Results"
    for line in head.splitlines():
        if line.startswith("* "):
            sheet.append([line])
    sheet.append([])
    for line in results.splitlines():
        if not line.strip() or line.startswith("["):
            break
        sheet.append(line.split("\t"))
    path = tmp_path / "qs5.xlsx"
    book.save(path)
    original, variant = read_qpcr(QS7), read_qpcr(path)
    assert variant.attrs["format"] == "quantstudio"
    pd.testing.assert_series_equal(_ct_by_well(variant), _ct_by_well(original))


@pytest.mark.parametrize(
    "spelling",
    [lambda e: f"iBAQ_{e}", lambda e: f"iBAQ.{e}", lambda e: f"IBAQ {e}", lambda e: f"ibaq {e}"],
    ids=["underscore", "r-make-names", "upper", "lower"],
)
def test_maxquant_ibaq_columns_spelled_another_way(tmp_path, spelling):
    """proteinGroups whose per-experiment iBAQ columns were renamed by R / Python / a user
    ('iBAQ_AC381', 'iBAQ.AC381', 'IBAQ AC381') give the same table as the original (was: "no
    'iBAQ <experiment>' columns")."""
    from tallrx.io.assays import read_proteingroups

    lines = PG.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    lines[0] = "\t".join(
        spelling(c.removeprefix("iBAQ ")) if c.startswith("iBAQ ") and c != "iBAQ peptides" else c
        for c in header
    )
    path = tmp_path / "proteinGroups.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    original, variant = read_proteingroups(PG), read_proteingroups(path)
    assert len(variant) == len(original) > 0
    pd.testing.assert_frame_equal(variant.reset_index(drop=True), original.reset_index(drop=True))


def test_perseus_export_with_annotation_rows(tmp_path):
    """A proteinGroups table saved from Perseus carries '#!{Type}...' annotation rows under the
    header; they are not protein groups (was: "column 'iBAQ AC381' holds 'E'")."""
    from tallrx.io.assays import read_proteingroups

    lines = PG.read_text(encoding="utf-8").split("\n")
    n = len(lines[0].split("\t"))
    types = "#!{Type}" + "\t".join(["T"] * n)
    lines[1:1] = [types, "#!{C:Group}" + "\t".join([""] * n)]
    path = tmp_path / "perseus.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    original, variant = read_proteingroups(PG), read_proteingroups(path)
    pd.testing.assert_frame_equal(variant.reset_index(drop=True), original.reset_index(drop=True))
    assert variant.attrs["removed"] == original.attrs["removed"]


def test_imagej_results_with_summarize_rows(tmp_path):
    """ImageJ's Analyze > Summarize appends Mean / SD / Min / Max rows to a Results table; they
    are not lanes (was: read as lanes 5-8 with the mean and SD as band intensities)."""
    from tallrx.io.assays import read_bands

    text = " ,Label,Area,Mean,IntDen,RawIntDen\n" + "".join(
        f"{i},blot.tif:lane{i},120,{50 + i},{6000 * i},{6000 * i}\n" for i in range(1, 5))
    text += "Mean,,120,52.5,15000,15000\nSD,,0,1.291,7745.967,7745.967\nMin,,120,51,6000,6000\n"
    text += "Max,,120,54,24000,24000\n"
    path = tmp_path / "Results.csv"
    path.write_text(text)
    with pytest.warns(UserWarning, match="summary row"):
        bands = read_bands(path, target="BIM")
    assert list(bands["lane"]) == [1, 2, 3, 4]
    np.testing.assert_array_equal(bands["intensity"], [6000.0, 12000.0, 18000.0, 24000.0])


def test_image_lab_band_table_with_units_in_headers(tmp_path):
    """A Bio-Rad Image Lab lane/band report: 'Volume (Int)' is the intensity, 'Band Label' the
    target, and 'Band %' (a share of the lane) is not a target (was: "no 'intensity' column")."""
    from tallrx.io.assays import read_bands

    text = "Lane,Band No.,Band Label,Mol. Wt. (KDa),Relative Front,Volume (Int),Band %\n"
    text += "".join(f"{lane},1,{t},23,0.5,{1000 * lane + k},50\n"
                    for lane in (1, 2, 3) for k, t in enumerate(("pBIM", "GAPDH")))
    path = tmp_path / "imagelab.csv"
    path.write_text(text)
    bands = read_bands(path).set_index(["lane", "target"])["intensity"]
    assert bands[(2, "pBIM")] == 2000.0 and bands[(3, "GAPDH")] == 3001.0
    assert len(bands) == 6


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_layout_with_a_unit_row_under_the_header(tmp_path, suffix):
    """A layout whose first row gives units (',,nM,ng/ml') reads the doses in that unit; the row
    is not a well (was: "line 2: '' is not a well name")."""
    from tallrx.io import read_layout

    table = pd.DataFrame({"well": ["", "A1", "A2", "A3"], "drug": ["", "DMSO", "drugX", "drugX"],
                          "conc": ["nM", 0, 250, 2500], "il7": ["ng/ml", 0, 0, 25]})
    path = tmp_path / f"layout{suffix}"
    if suffix == ".csv":
        table.to_csv(path, index=False)
    else:
        table.to_excel(path, index=False)
    with pytest.warns(UserWarning, match=r"line 2: read as the unit row|row 2: read as the unit"):
        lay = read_layout(path).set_index("well")
    assert list(lay.index) == ["A1", "A2", "A3"]
    np.testing.assert_allclose(lay["conc_a"], [0.0, 0.25, 2.5], rtol=1e-12)  # nM -> uM
    assert list(lay["role"]) == ["vehicle", "treated", "treated"]
    assert list(lay["il7"].astype(float)) == [0.0, 0.0, 25.0]


def test_gen5_kinetic_read_is_one_read_per_time_point(tmp_path):
    """A Gen5 kinetic export (a 'Time' row of well names, one line per time point) under the real
    Gen5 file's header: each time point is a read to pick with read= (was: "no plate data found
    for format 'gen5'")."""
    from tallrx.errors import InputError
    from tallrx.io import read_plate_file, read_plates

    source = FORMATS / "plate_reader" / "agilent_biotek_gen5_luminescence_layout_normalized.txt"
    head = source.read_text(encoding="utf-8").split("\nLayout\n")[0]
    wells = [f"{r}{c}" for r in "ABCDEFGH" for c in range(1, 13)]
    lines = ["", "Read 1:450", "", "Time\tT° Read 1:450\t" + "\t".join(wells)]
    for t, minutes in enumerate(("0:00:00", "0:05:00", "0:10:00")):
        lines.append(f"{minutes}\t37.0\t" + "\t".join(
            f"{1000 * t + 10 * i + 0.5:.1f}" for i in range(96)))
    path = tmp_path / "kinetic.txt"
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    df = read_plate_file(path)
    assert sorted(df["read"].unique()) == [
        "Read 1:450 0:00:00", "Read 1:450 0:05:00", "Read 1:450 0:10:00"]
    got = df.set_index(["read", "well"])["signal"]
    assert got[("Read 1:450 0:05:00", "A1")] == 1000.5
    assert got[("Read 1:450 0:10:00", "H12")] == 2000 + 950.5  # well index 95
    layout = tmp_path / "layout.csv"
    layout.write_text("well,drug,conc\nA1,DMSO,0\nA2,drugX,1\n")
    with pytest.raises(InputError, match="Read 1:450 0:05:00"):
        read_plates(layout, [path])
    wells_table = read_plates(layout, [path], read="Read 1:450 0:10:00")
    assert list(wells_table["signal"]) == [2000.5, 2010.5]


def test_transposed_plate_grid(tmp_path):
    """The real BMG MARS 96-well grid written transposed (',A,...,H' header, a line per plate
    column 1..12, as a spreadsheet's paste-transpose makes it) reads to the same wells (was:
    "could not recognise the file format")."""
    from tallrx.io import read_plate_file

    source = FORMATS / "plate_reader" / "bmg_mars_absorbance_96.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(",1,2,3"))
    grid = [line.split(",")[1:13] for line in lines[start + 1:start + 9]]
    text = ",A,B,C,D,E,F,G,H\n" + "".join(
        f"{c + 1}," + ",".join(grid[r][c] for r in range(8)) + "\n" for c in range(12))
    path = tmp_path / "transposed.csv"
    path.write_text(text)
    original = read_plate_file(source).set_index("well")["signal"]
    variant = read_plate_file(path).set_index("well")["signal"]
    assert len(variant) == 96
    pd.testing.assert_series_equal(variant.sort_index(), original.sort_index())


@pytest.mark.parametrize("well_columns", ["Well", "Well Row,Well Col"])
def test_mars_table_export(tmp_path, well_columns):
    """The real MARS file exported as a 'Table' (a line per well: Well, Content, Raw Data (450 1))
    instead of a plate grid reads to the same wells (was: "no plate data found for 'mars'")."""
    from tallrx.io import read_plate_file

    source = FORMATS / "plate_reader" / "bmg_mars_absorbance_96.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(",1,2,3"))
    head = lines[:next(i for i, line in enumerate(lines) if line.startswith("Raw Data"))]
    table = [f"{well_columns},Content,Raw Data (450 1)"]
    for r, line in enumerate(lines[start + 1:start + 9]):
        for c, value in enumerate(line.split(",")[1:13], start=1):
            where = f"{'ABCDEFGH'[r]}{c:02d}" if well_columns == "Well" else f"{'ABCDEFGH'[r]},{c}"
            table.append(f"{where},Sample X{12 * r + c},{value}")
    path = tmp_path / "mars_table.csv"
    path.write_text("\n".join(head + table) + "\n")
    original = read_plate_file(source).set_index("well")
    variant = read_plate_file(path).set_index("well")
    assert variant.attrs["format"] == "mars" and len(variant) == 96
    pd.testing.assert_series_equal(variant["signal"].sort_index(), original["signal"].sort_index())
    assert set(variant["read"]) == {"Raw Data (450 1)"}
    assert set(variant["plate"]) == set(original["plate"])


KISPI = Path(__file__).parents[2] / "src" / "tallrx" / "data" / "examples" / "kispi_drp_plate"


def test_long_measurement_concatenated_with_summary_rows(tmp_path):
    """The real KiSpi measurement table cut in two and joined with `cat` (its header repeated in
    the middle), with 'Total' / 'Mean' rows at the end, reads to the same wells (was: "'row' is
    not a row letter")."""
    from tallrx.io import read_plate_file

    source = KISPI / "measurement.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    half = len(lines) // 2
    text = "\n".join(lines[:half] + [lines[0]] + lines[half:]
                     + ["Total,,301234,,", "Mean,,1163.1,,"]) + "\n"
    path = tmp_path / "measurement.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(UserWarning, match="3 repeated header or summary row"):
        variant = read_plate_file(path)
    original = read_plate_file(source)
    assert len(variant) == len(original) == len(lines) - 1
    pd.testing.assert_frame_equal(variant.reset_index(drop=True), original.reset_index(drop=True),
                                  check_like=True)


def test_synergy_table_concatenated_with_cat(tmp_path):
    """Two SynergyFinder tables joined with `cat` (the header repeated): the header row is not a
    well (was: "row 10: unknown concentration unit 'conc_r_unit'")."""
    from tallrx.io.assays.synergyfinder import read_delimited, read_synergyfinder

    header = "block_id,drug_row,drug_col,conc_r,conc_c,response,conc_r_unit,conc_c_unit"
    rows = [f"1,A,B,{a},{b},{100 / (1 + a) / (1 + b):.4f},uM,uM"
            for a in (0, 0.5, 2) for b in (0, 1, 4)]
    path = tmp_path / "two.csv"
    path.write_text("\n".join([header, *rows[:4], header, *rows[4:]]) + "\n")
    with pytest.warns(UserWarning, match="1 repeated header row"):
        table = read_delimited(path)
    out = read_synergyfinder(table, where=str(path))
    assert len(out) == 9
    np.testing.assert_allclose(sorted(out["viability"]), sorted(
        100 / (1 + a) / (1 + b) for a in (0, 0.5, 2) for b in (0, 1, 4)), atol=5e-5)


def test_proteingroups_saved_as_xlsx(tmp_path):
    """proteinGroups.txt opened in Excel and saved as a workbook (numbers as numbers) reads like
    the text file (was: "is a binary file, not a MaxQuant proteinGroups.txt")."""
    from tallrx.io.assays import read_proteingroups

    path = tmp_path / "proteinGroups.xlsx"
    pd.read_csv(PG, sep="\t", low_memory=False).to_excel(path, index=False)
    original, variant = read_proteingroups(PG), read_proteingroups(path)
    assert len(variant) == len(original) > 0
    pd.testing.assert_frame_equal(variant.reset_index(drop=True), original.reset_index(drop=True))
    assert variant.attrs["removed"] == original.attrs["removed"]


def test_tecan_icontrol_two_labels_are_two_reads_of_one_plate(tmp_path):
    """A Tecan i-control workbook measures one plate twice (Label1 450 nm, Label2 600 nm): each
    '<>' grid is a read named by the 'Label: NAME' line above it, not a plate of its own (was: two
    plates 'run-1', 'run-2', analysed as two samples when the layout is a template)."""
    import openpyxl

    from tallrx.io import read_plate_file

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Application: Tecan i-control"], ["Device: infinite 200Pro"], [],
                ["Plate", "Corning 96 Flat Bottom Transparent Polystyrol"], []):
        sheet.append(row)
    for label, wave, offset in (("Label1", 450, 0.0), ("Label2", 600, 5.0)):
        for row in ([f"Label: {label}"], ["Mode", "Absorbance"], ["Wavelength", wave, "nm"],
                    ["Number of Flashes", 25], ["Start Time:", "12.03.2025 10:00:00"], [],
                    ["Temperature: 25 °C"], ["<>", *range(1, 13)]):
            sheet.append(row)
        for r, letter in enumerate("ABCDEFGH"):
            sheet.append([letter, *(offset + (r + 1) + c / 100 for c in range(1, 13))])
        sheet.append([])
        sheet.append(["End Time:", "12.03.2025 10:01:00"])
    path = tmp_path / "run.xlsx"
    book.save(path)
    df = read_plate_file(path)
    assert set(df["plate"]) == {"run"} and sorted(df["read"].unique()) == ["Label1", "Label2"]
    got = df.set_index(["read", "well"])["signal"]
    assert got[("Label1", "C5")] == pytest.approx(3.05) and got[("Label2", "H12")] == pytest.approx(
        13.12)


@pytest.mark.parametrize("variant", ["xlsx", "run_info_lines"])
def test_cfx_results_as_xlsx_or_under_run_information(tmp_path, variant):
    """The real CFX Maestro Cq results saved as a workbook (was: read as a generic table, Fluor and
    'Cq Mean' taken as conditions) or under 'File Name: ...' lines (was: "Expected 1 fields in
    line 4") read like the CSV."""
    from tallrx.io.assays import read_qpcr

    source = FORMATS / "qpcr" / "biorad_cfx_maestro_Cq_results_example01.csv"
    if variant == "xlsx":
        path = tmp_path / "cfx.xlsx"
        pd.read_csv(source).to_excel(path, index=False, sheet_name="0")
    else:
        path = tmp_path / "cfx.csv"
        path.write_text("File Name: run1.pcrd\nCreated By User: lab\n\n" + source.read_text())
    original, variant_df = read_qpcr(source), read_qpcr(path)
    assert variant_df.attrs["format"] == "biorad"
    cols = ["well", "sample", "target", "ct", "task"]
    pd.testing.assert_frame_equal(variant_df[cols], original[cols])


def test_layout_controls_named_as_instruments_and_people_name_them(tmp_path):
    """Controls named by their role in the drug column (Gen5 well ids NEGCON / POSCON), a 'well
    type' column with NC / PC, a vehicle named with its strength ('DMSO 0.1%'), and doses written
    with their unit ('10 nM', '2.5 µM') read as the construction says (were: "concentration empty
    for treated drug 'NEGCON'", "role 'NC' is not known", "'10 nM' ... is not a number")."""
    from tallrx.io import read_layout

    path = tmp_path / "layout.csv"
    path.write_text("well,well type,drug,conc\n"
                    "A1,,NEGCON,\nA2,,POSCON,\nA3,NC,,\nA4,PC,staurosporine,1\n"
                    "A5,,DMSO 0.1%,\nA6,,DMSO_0.5 %,\nA7,,drugX,10 nM\nA8,,drugX,2.5 µM\n"
                    "A9,,drugX,0.5\n")
    lay = read_layout(path).set_index("well")
    assert list(lay["role"]) == ["vehicle", "positive", "vehicle", "positive",
                                 "vehicle", "vehicle", "treated", "treated", "treated"]
    np.testing.assert_allclose(lay.loc[["A7", "A8", "A9"], "conc_a"], [0.01, 2.5, 0.5],
                               rtol=1e-12)
    assert lay.loc["A4", "drug_a"] == "staurosporine" and lay.loc["A4", "conc_a"] == 1.0


def test_layout_dose_unit_in_the_cell_against_its_unit_column_is_an_error(tmp_path):
    """'10 nM' in a row whose unit column says uM is not silently read either way."""
    from tallrx.errors import InputError
    from tallrx.io import read_layout

    path = tmp_path / "layout.csv"
    path.write_text("well,drug,conc,unit\nA1,DMSO,0,uM\nA2,drugX,10 nM,uM\n")
    with pytest.raises(InputError, match=r"line 3 \(well A2\): concentration '10 nM'"):
        read_layout(path)


@pytest.mark.parametrize("cell", ["ND", "n/d", "Undet.", "not detected", "No Amp", ">40", "40+"])
def test_qpcr_non_detect_spellings(tmp_path, cell):
    """Ct cells that say the target was not detected ('ND', 'Undet.', '>40' = beyond the run's
    last cycle) are non-detects, like 'Undetermined' (were excluded as 'not a number')."""
    from tallrx.io.assays import read_qpcr
    from tallrx.io.assays.qpcr._common import NON_DETECT

    path = tmp_path / "cts.csv"
    path.write_text(f"sample,target,ct\nS1,MYC,{cell}\nS1,MYC,Undetermined\nS1,GAPDH,20\n")
    wells = read_qpcr(path)
    assert wells["ct"].isna().sum() == 2 and not wells["exclude"].any()
    assert list(wells["message"][:2]) == [NON_DETECT, NON_DETECT]


@pytest.mark.parametrize("variant", ["no_corner_cell", "space_aligned"])
def test_plate_grid_pasted_without_corner_or_as_aligned_text(tmp_path, variant):
    """The real MARS 96-well grid pasted with its header starting at '1' (no corner cell), or
    printed as space-aligned columns in a .txt, reads to the same wells (was: "could not
    recognise the file format")."""
    from tallrx.io import read_plate_file

    source = FORMATS / "plate_reader" / "bmg_mars_absorbance_96.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(",1,2,3"))
    grid = [line.split(",")[:13] for line in lines[start + 1:start + 9]]
    if variant == "no_corner_cell":
        text = ",".join(str(c) for c in range(1, 13)) + "\n" + "".join(
            ",".join(row) + "\n" for row in grid)
        path = tmp_path / "pasted.csv"
    else:
        text = "   " + "".join(f"{c:>7}" for c in range(1, 13)) + "\n" + "".join(
            f"{row[0]:<3}" + "".join(f"{v:>7}" for v in row[1:]) + "\n" for row in grid)
        path = tmp_path / "printed.txt"
    path.write_text(text)
    original = read_plate_file(source).set_index("well")["signal"]
    df = read_plate_file(path)
    assert set(df["plate"]) == {path.stem}
    pd.testing.assert_series_equal(df.set_index("well")["signal"].sort_index(),
                                   original.sort_index())


@pytest.mark.parametrize("style", ["corner_names", "title_lines"])
def test_layout_drawn_as_plate_grids(tmp_path, style):
    """The real KiSpi layout drawn as three 16 x 24 grids (drug, concentration, unit), the way a
    plate map is kept in a spreadsheet, reads to the same layout as its long table (was: "the
    layout needs a 'well' column")."""
    from tallrx.io import read_layout
    from tallrx.plate import row_number

    source = KISPI / "layout.csv"
    long = pd.read_csv(source, dtype=str)
    grids = []
    for column in ("drug", "concentration", "unit"):
        cells = {(row_number(r), int(c)): v for r, c, v in zip(
            long["row"], long["col"], long[column], strict=True)}
        head = ([column] if style == "corner_names" else [""]) + [str(c) for c in range(1, 25)]
        lines = [] if style == "corner_names" else [column]
        lines.append(",".join(head))
        for r in range(1, 17):
            lines.append(",".join(["ABCDEFGHIJKLMNOP"[r - 1]]
                                  + [cells.get((r, c), "") for c in range(1, 25)]))
        grids.append("\n".join(lines))
    path = tmp_path / "plate_map.csv"
    path.write_text("\n\n".join(grids) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the asparaginase unit note, as for the original
        original, variant = read_layout(source), read_layout(path)
    cols = ["well", "drug_a", "conc_a", "role", "conc_unit"]
    pd.testing.assert_frame_equal(
        variant[cols].sort_values("well").reset_index(drop=True),
        original[cols].sort_values("well").reset_index(drop=True))


def test_layout_workbook_with_one_sheet_per_plate(tmp_path):
    """A layout workbook with a sheet per plate (and a notes sheet): every plate's sheet is read,
    its name the plate (was: only the first sheet, silently applied to every plate)."""
    from tallrx.io import read_layout

    path = tmp_path / "layout.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Notes": ["screen 7, two plates"]}).to_excel(writer, sheet_name="Notes",
                                                                  index=False)
        for plate, drug in (("P1", "prednisolone"), ("P2", "dexamethasone")):
            pd.DataFrame({"well": ["A1", "A2"], "drug": ["DMSO", drug], "conc": [0, 2.5]}).to_excel(
                writer, sheet_name=plate, index=False)
    lay = read_layout(path).set_index(["plate", "well"])
    assert sorted(lay.index) == [("P1", "A1"), ("P1", "A2"), ("P2", "A1"), ("P2", "A2")]
    assert lay.loc[("P1", "A2"), "drug_a"] == "prednisolone"
    assert lay.loc[("P2", "A2"), "drug_a"] == "dexamethasone"
    assert lay.loc[("P2", "A1"), "role"] == "vehicle"


def test_a_note_in_an_extra_column_does_not_move_the_header():
    """A data row with a note in an unnamed extra column (all text: a non-detect) stays a data
    row; only a title line narrower than most rows is skipped."""
    import io

    from tallrx.io.assays._tables import below_title

    table = pd.read_csv(io.StringIO("sample,target,ct,\nNTC,GAPDH,Undetermined,no template\n"
                                    "S1,GAPDH,20,\nS1,MYC,25,\n"), dtype=str)
    assert list(below_title(table)["sample"]) == ["NTC", "S1", "S1"]
    titled = pd.read_csv(io.StringIO("Cts, run 3,,\n,,\nsample,target,ct\nS1,GAPDH,20\n"
                                     "S1,MYC,25\n"), dtype=str)
    assert list(below_title(titled).columns) == ["sample", "target", "ct"]
