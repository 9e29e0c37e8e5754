"""`tallrx coip` and `tallrx blot` under damaged real files and targeted bad values (issue 9,
points 6-7).

Every case ends in exit 0 with sane output (no inf / negative ratios or normalized values; every
flagged row explained in its message) or exit 2 with one line naming the problem; never a
traceback. Real file: the alphapeptstats MaxQuant proteinGroups.txt (tests/data/formats/apms, see
tests/data/formats/SOURCES.md), cut to its first 200 protein groups to keep each run short; the band
table is hand-written (tests/cli/test_coip_blot_cli_messy.py works its values by hand).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from tallrx.io.plates.readers._grid import _is_number

from .fuzzing import BAD_NUMBERS, CAMPAIGN, FUZZ, UNICODE, check_contract, mutated

pytestmark = pytest.mark.fuzz

PG = Path(__file__).resolve().parents[1] / "data" / "formats" / "apms" / (
    "maxquant_proteinGroups_alphastats_lfq_ibaq.txt"
)
#: each co-IP run writes figures and a report (~0.5 s): fewer examples in CI than FUZZ's 25
SOME = settings(FUZZ, max_examples=1000 if CAMPAIGN else 5)


def _pg_bytes() -> bytes:
    """Header + the first 200 protein groups of the real file (flagged rows included)."""
    lines = PG.read_bytes().splitlines(keepends=True)
    return b"".join(lines[:201])


def _sheet_text() -> str:
    header = PG.read_text(encoding="utf-8").split("\n", 1)[0].split("\t")
    exps = [c[len("iBAQ "):] for c in header if c.startswith("iBAQ ") and c != "iBAQ peptides"]
    rows = [f"{e},{e[:2]}" for e in exps]
    return "experiment,cohort\n" + "\n".join(rows) + "\n"


COIP_ARGS = ["--bait", "AHSG", "--reference", "UT"]
BANDS = (
    "blot,lane,sample,target,intensity\n"
    "b,1,-dox,pERK,100\nb,1,-dox,ERK,200\nb,1,-dox,GAPDH,50\n"
    "b,2,+dox,pERK,600\nb,2,+dox,ERK,300\nb,2,+dox,GAPDH,100\n"
    "b,3,+dox,pERK,300\nb,3,+dox,ERK,300\nb,3,+dox,GAPDH,100\n"
)
BLOT_ARGS = ["--loading", "GAPDH", "--phospho", "pERK:ERK"]


def _sane_binding(out: Path) -> None:
    b = pd.read_csv(out / "binding.csv", keep_default_na=False, na_values=[""])
    ratio = pd.to_numeric(b["ratio_mean"], errors="coerce")
    assert not np.isinf(ratio).any() and not (ratio < 0).any(), b
    p = pd.to_numeric(b["p_value"], errors="coerce")
    assert not ((p < 0) | (p > 1)).any(), b
    flagged = b["flagged"].astype(str) == "True"
    assert b.loc[flagged, "message"].astype(str).str.len().gt(0).all(), b


def _sane_bands(out: Path) -> None:
    b = pd.read_csv(out / "bands.csv", keep_default_na=False, na_values=[""])
    norm = pd.to_numeric(b["normalized"], errors="coerce")
    assert not np.isinf(norm).any() and not (norm < 0).any(), b
    missing = norm.isna()
    assert (b.loc[missing, "flagged"].astype(str) == "True").all(), b
    assert b.loc[missing, "message"].astype(str).str.len().gt(0).all(), b
    if (out / "phospho.csv").exists():
        r = pd.to_numeric(pd.read_csv(out / "phospho.csv")["ratio"], errors="coerce")
        assert not np.isinf(r).any() and not (r < 0).any()


def _coip(folder: Path, *more: str):
    out = folder / "out"
    res = check_contract(
        ["coip", folder / "proteinGroups.txt", "--samples", folder / "samples.csv",
         *COIP_ARGS, "-o", out, *more], folder)
    if res.code == 0:
        _sane_binding(out)
    return res


def _blot(folder: Path, *more: str):
    out = folder / "out"
    res = check_contract(["blot", folder / "bands.csv", *BLOT_ARGS, "-o", out, *more], folder)
    if res.code == 0:
        _sane_bands(out)
    return res


def _coip_folder(folder: Path, pg: bytes, sheet: str) -> Path:
    (folder / "proteinGroups.txt").write_bytes(pg)
    (folder / "samples.csv").write_text(sheet)
    return folder


def test_the_real_files_run(tmp_path):
    res = _coip(_coip_folder(tmp_path, _pg_bytes(), _sheet_text()))
    assert res.code == 0, res.err
    (tmp_path / "bands.csv").write_text(BANDS)
    (tmp_path / "out").rename(tmp_path / "coip_out")
    res = _blot(tmp_path)
    assert res.code == 0 and "9 scored, 0 flagged" in res.err, res.err


@SOME
@given(data=mutated(_pg_bytes()))
def test_mutated_proteingroups(tmp_path_factory, data):
    _coip(_coip_folder(tmp_path_factory.mktemp("fzc"), data, _sheet_text()))


@SOME
@given(data=mutated(_sheet_text().encode()))
def test_mutated_sample_sheet(tmp_path_factory, data):
    folder = _coip_folder(tmp_path_factory.mktemp("fzs"), _pg_bytes(), "")
    (folder / "samples.csv").write_bytes(data)
    _coip(folder)


@SOME
@given(data=mutated(BANDS.encode()))
def test_mutated_band_table(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fzb")
    (folder / "bands.csv").write_bytes(data)
    _blot(folder)


#: each run writes figures (~1 s): the values that differ in kind; all of BAD_NUMBERS and UNICODE
#: in a campaign (TALLRX_FUZZ=campaign)
BAD_IBAQ = ["nan", "inf", "1e400", "-5", "0", "abc", "-1e308", "1e-320"]
BAD = [*BAD_NUMBERS, *UNICODE, "-1e308", "1e-320"] if CAMPAIGN else [*BAD_IBAQ, "1,5", UNICODE[0]]


def test_one_bad_ibaq_never_stops_the_batch(tmp_path):
    """One file: the bait's AC381 iBAQ is -5 and protein row k+i holds bad value i in UT805. Exit 0
    in one batch; sample AC381 is unusable (every row names it), every negative / infinite cell is
    named in its protein's message. A text cell is a whole-input error naming the file and row."""
    raw = pd.read_csv(PG, sep="\t", dtype=str, nrows=200, keep_default_na=False)
    bait = raw.index[raw["Fasta headers"].str.contains("GN=AHSG ")][0]
    numbers = [b for b in (BAD if CAMPAIGN else BAD_IBAQ) if b.strip() and _is_number(b)]
    df = raw.copy()
    df.loc[bait, "iBAQ AC381"] = "-5"
    flags = raw[["Reverse", "Potential contaminant", "Only identified by site"]]
    kept = raw.index[~flags.eq("+").any(axis=1)]  # rows that the reader keeps
    rows = [r for r in kept if r != bait][: len(numbers)]
    for r, bad in zip(rows, numbers, strict=True):
        df.loc[r, "iBAQ UT805"] = bad
    df.to_csv(tmp_path / "proteinGroups.txt", sep="\t", index=False)
    (tmp_path / "samples.csv").write_text(_sheet_text())
    res = _coip(tmp_path)
    assert res.code == 0, res.err
    b = pd.read_csv(tmp_path / "out" / "binding.csv")
    assert b["flagged"].all() and b["message"].str.contains("AC381").all()
    for bad in numbers:
        value = float(bad)
        if value < 0 or np.isinf(value):
            assert b["message"].str.contains(f"{value:g} in sample UT805", regex=False).any(), bad
    text = tmp_path / "text"
    text.mkdir()
    df.loc[rows[0], "iBAQ UT805"] = "abc"
    df.to_csv(text / "proteinGroups.txt", sep="\t", index=False)
    (text / "samples.csv").write_text(_sheet_text())
    res = _coip(text)
    assert res.code == 2 and "proteinGroups.txt" in res.err and "abc" in res.err, res.err


def test_one_bad_band_never_stops_the_batch(tmp_path):
    """One table, lane 4+i holding bad pERK value i (ERK 300, GAPDH 100): exit 0 in one batch, lane 2
    unchanged (hand-worked (600/100)/(100/50) = 3) and every unusable bad band flagged; a text
    value that is no number at all is a whole-input error naming the file and row."""
    numbers = [b for b in BAD if b.strip() and _is_number(b)]
    rows = [BANDS]
    for i, bad in enumerate(numbers):
        rows.append(f"b,{4 + i},+dox,pERK,{bad}\nb,{4 + i},+dox,ERK,300\nb,{4 + i},+dox,GAPDH,100\n")
    (tmp_path / "bands.csv").write_text("".join(rows))
    res = _blot(tmp_path)
    assert res.code == 0, res.err
    t = pd.read_csv(tmp_path / "out" / "bands.csv").set_index(["lane", "target"])
    assert t.loc[(2, "pERK"), "normalized"] == pytest.approx(3.0)
    for i, _bad in enumerate(numbers):
        value = t.loc[(4 + i, "pERK"), "intensity"]
        if not (np.isfinite(value) and value >= 0):
            assert t.loc[(4 + i, "pERK"), "flagged"], t
    text = tmp_path / "text"
    text.mkdir()
    (text / "bands.csv").write_text(BANDS + "b,4,+dox,pERK,abc\n")
    res = _blot(text)
    assert res.code == 2 and "bands.csv" in res.err and "abc" in res.err, res.err


@pytest.mark.parametrize(
    "more",
    [["--quantity", "lfqq"], ["--method", "nosuch"], ["--compare", "nosuch"],
     ["--reference", "XX"], ["--bait", "NOSUCH"], ["--paired"], ["--within", "cohort"]],
)
def test_bad_coip_options(tmp_path, more):
    res = _coip(_coip_folder(tmp_path, _pg_bytes(), _sheet_text()), *more)
    if res.code == 2:
        assert "tallrx: error:" in res.err


@pytest.mark.parametrize(
    "more",
    [["--loading", "GAPHD"], ["--phospho", "pERK"], ["--phospho", "pERK:nosuch"],
     ["--reference", "99"]],
)
def test_bad_blot_options(tmp_path, more):
    (tmp_path / "bands.csv").write_text(BANDS)
    _blot(tmp_path, *more)
