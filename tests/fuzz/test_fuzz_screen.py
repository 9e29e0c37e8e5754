"""`tallrx screen` under damaged real plate-reader exports and layouts (issue 9, points 6-8).

Every case ends in exit 0 with sane output (no inf viability; every flagged curve explained in its
message; excluded wells give their reason) or exit 2 with one line naming the problem; never a
traceback. Real files: tests/data/formats/plate_reader (tests/data/formats/SOURCES.md); the
layout is a 96-well template (blanks, DMSO, prednisolone at 8 doses) that fits every export.
Figures are left out here (tests/report and the CLI tests draw them; a plate id that is no file
name is tested below): a screen run is then ~1 s, so CI runs a few examples per test
(``pytest -m fuzz``: many more).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .fuzzing import CAMPAIGN, FUZZ, check_contract, mutated

pytestmark = pytest.mark.fuzz

PLATES = Path(__file__).resolve().parents[1] / "data" / "formats" / "plate_reader"
EXPORTS = sorted(p.name for p in PLATES.iterdir() if p.is_file())
DOSES = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30]
SMALL = settings(FUZZ, max_examples=1000 if CAMPAIGN else 5)


def layout_text() -> str:
    lines = ["well,drug,conc,role"]
    for r in "ABCDEFGH":
        lines += [f"{r}3,,0,blank", f"{r}4,DMSO,0,vehicle"]
        lines += [f"{r}{c},prednisolone,{d},treated"
                  for c, d in zip(range(5, 13), DOSES, strict=True)]
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True, scope="module")
def _cheap_figures():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("tallrx.cli.screen.screen_figures", lambda res: {})
        yield


def _sane(out: Path) -> None:
    """An exit-0 output: finite or NaN viability, flagged curves and excluded wells explained."""
    v = pd.read_csv(out / "viability.csv", keep_default_na=False, na_values=[""])
    assert not np.isinf(pd.to_numeric(v["viability"], errors="coerce")).any()
    excluded = v["exclude"].astype(str).eq("True")
    assert v.loc[excluded, "exclude_reason"].astype(str).str.len().gt(0).all()
    curves = pd.read_csv(out / "curves.csv", keep_default_na=False)
    bad = curves["fit_ok"].astype(str).eq("False")
    assert curves.loc[bad, "message"].astype(str).str.len().gt(0).all(), curves


def _screen(folder: Path, files: list[str], *more: str):
    out = folder / "out"
    args = ["screen", folder / "layout.csv", *(folder / f for f in files), "-o", out,
            "--n-boot", "0", *more]
    res = check_contract(args, folder)
    if res.code == 0:
        _sane(out)
        assert " scored, " in res.err.strip().splitlines()[-1] or "warning" in res.err
    return res


@SMALL
@given(case=st.sampled_from(EXPORTS).flatmap(
    lambda name: st.tuples(st.just(name), mutated((PLATES / name).read_bytes()))))
def test_mutated_real_exports(tmp_path_factory, case):
    name, data = case
    folder = tmp_path_factory.mktemp("fzs")
    (folder / "layout.csv").write_text(layout_text())
    (folder / name).write_bytes(data)
    _screen(folder, [name])


@SMALL
@given(data=mutated(layout_text().encode()))
def test_mutated_layout(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fzl")
    (folder / "layout.csv").write_bytes(data)
    (folder / "plate.csv").write_bytes((PLATES / "bmg_mars_absorbance_96.csv").read_bytes())
    _screen(folder, ["plate.csv"])


def test_every_real_export_runs(tmp_path):
    """Unmutated, every export is screened (exit 0) with the template layout."""
    for name in EXPORTS:
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        (folder / "layout.csv").write_text(layout_text())
        (folder / name).write_bytes((PLATES / name).read_bytes())
        res = _screen(folder, [name])
        assert res.code == 0, (name, res.err)


@pytest.mark.parametrize(
    "more",
    [["--read", "nosuch"], ["--drug", "nosuch"], ["--window", "a", "b"], ["--window", "10", "1"],
     ["--format", "nosuch"], ["--format", "softmax"], ["--unit", "furlong"], ["--n-boot", "-5"],
     ["--keep-outliers", "--read", "Raw Data (450 1)"]],
)
def test_options(tmp_path, more):
    (tmp_path / "layout.csv").write_text(layout_text())
    (tmp_path / "plate.csv").write_bytes((PLATES / "bmg_mars_absorbance_96.csv").read_bytes())
    res = _screen(tmp_path, ["plate.csv"], *more)
    assert res.code == (0 if "--keep-outliers" in more else 2), res.err


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary", b"PK\x03\x04 not a zip", "well,signal\n".encode("utf-16"),
     (PLATES / "tecan_magellan_OD.xlsx").read_bytes()[:500], b"well,drug\nA1,3\n"],
)
def test_single_unreadable_file_is_exit_2(tmp_path, content):
    """The only plate file unreadable: a whole-input error naming the file."""
    (tmp_path / "layout.csv").write_text(layout_text())
    (tmp_path / "plate.csv").write_bytes(content)
    res = _screen(tmp_path, ["plate.csv"])
    assert res.code == 2 and "plate.csv" in res.err, res.err


def test_all_nan_plate_among_good_ones_is_flagged(tmp_path):
    """One plate whose every reading is 'nan' (a long table) next to a good one: exit 0."""
    (tmp_path / "layout.csv").write_text(layout_text())
    (tmp_path / "good.csv").write_bytes((PLATES / "bmg_mars_absorbance_96.csv").read_bytes())
    wells = [f"{r}{c}" for r in "ABCDEFGH" for c in range(1, 13)]
    (tmp_path / "dead.csv").write_text("well,signal\n" + "".join(f"{w},nan\n" for w in wells))
    res = _screen(tmp_path, ["good.csv", "dead.csv"])
    assert res.code == 0, res.err
    curves = pd.read_csv(tmp_path / "out" / "curves.csv", keep_default_na=False)
    dead = curves[curves["sample"] == "dead"]
    assert len(dead) == 1 and dead["message"].iloc[0].startswith("not fitted")
