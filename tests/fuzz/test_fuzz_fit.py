"""Fuzzing `tallrx fit` and `tallrx stratify` (issue 9, points 2, 5 and 6).

Inputs are built from real data: the ryegrass dose-response set shipped with drc
(tests/data/drc_ryegrass, root length vs ferulic acid) as a % viability table (two "samples" x
+/- IL7, the second sample's curve shifted), the curves table `tallrx fit` makes of it, and damaged
copies of both (:func:`fuzzing.mutated`). Every run must honour the bad-input contract
(:func:`fuzzing.check_contract`); a run that exits 0 must write sane numbers: nothing infinite,
plateaus inside the documented box, a summary line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given

from tallrx.analysis.doseresponse.batch import CURVE_COLUMNS

from .fuzzing import FUZZ, check_contract, mutated

pytestmark = pytest.mark.fuzz

RYEGRASS = Path(__file__).resolve().parents[1] / "data" / "drc_ryegrass" / "ryegrass.csv"


def _viability_table() -> pd.DataFrame:
    rye = pd.read_csv(RYEGRASS)
    control = rye.loc[rye["conc"] == 0, "rootl"].mean()
    parts = []
    for sample, shift in (("R1", 1.0), ("R2", 3.0)):
        for il7, gain in ((0, 1.0), (25, 1.6)):
            v = 100.0 * rye["rootl"] / control
            v = np.where(rye["conc"] > 0, np.minimum(100.0, v * gain), v)
            parts.append(
                pd.DataFrame(
                    {
                        "sample": sample,
                        "drug_a": np.where(rye["conc"] > 0, "prednisolone", "DMSO"),
                        "conc_a": rye["conc"] * shift,
                        "viability": np.round(v, 4),
                        "role": np.where(rye["conc"] > 0, "treated", "vehicle"),
                        "il7": il7,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


VIABILITY = _viability_table().to_csv(index=False).encode()
CURVES = (
    b"sample,drug_a,il7,auc,auc_max\n"
    b"R1,prednisolone,0,120.5,300\nR1,prednisolone,25,190.25,300\n"
    b"R2,prednisolone,0,150,300\nR2,prednisolone,25,160,300\n"
)


#: what the commands compute (condition columns such as il7 are the user's labels, carried as is)
COMPUTED = {*CURVE_COLUMNS, "auc_without", "auc_with", "auc_fold", "p_il7_responsive",
            "p_il7_dependent_resistant", "auc_fold_low", "auc_fold_high"}


def _sane_curves(path: Path) -> None:
    t = pd.read_csv(path)
    num = t[[c for c in t.columns if c in COMPUTED]].select_dtypes("number")
    assert not np.isinf(num.to_numpy(dtype=float)).any()
    for col in ("top", "bottom"):
        if col in t.columns:
            v = pd.to_numeric(t[col], errors="coerce").dropna()
            # the documented box: [-50, 200] % widened to each curve's own (finite) data
            assert (v.abs() < 1e100).all()


def _run(args_of, files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        out = folder / "out" / "result.csv"
        res = check_contract(args_of(folder, out), folder)
        if res.code == 0:
            assert out.exists() and " scored, " in res.err, res.err
            _sane_curves(out)
        return res


@FUZZ
@given(mutated(VIABILITY))
def test_fit_on_damaged_viability_tables(data):
    _run(lambda d, out: ["fit", d / "v.csv", "-o", out], {"v.csv": data})


@FUZZ
@given(mutated(CURVES))
def test_stratify_on_damaged_curves_tables(data):
    _run(lambda d, out: ["stratify", d / "c.csv", "-o", out], {"c.csv": data})


@FUZZ
@given(mutated(VIABILITY))
def test_stratify_bootstrap_on_damaged_viability(data):
    _run(
        lambda d, out: ["stratify", d / "c.csv", "--viability", d / "v.csv", "--n-boot", "20",
                        "-o", out],
        {"c.csv": CURVES, "v.csv": data},
    )


def _edited(column: str, row: int, value: str) -> bytes:
    lines = VIABILITY.decode().splitlines()
    col = lines[0].split(",").index(column)
    cells = lines[row + 1].split(",")
    cells[col] = value
    lines[row + 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    "column,value,code,text",
    [
        ("conc_a", "inf", 0, "(first: row 9)"),
        ("conc_a", "1e400", 0, "(first: row 9)"),
        ("conc_a", "-inf", 0, "(first: row 9)"),
        ("conc_a", "", 0, "(first: row 9)"),
        ("conc_a", "nan", 0, "(first: row 9)"),
        ("conc_a", "1e308", 0, "(first: row 9)"),
        ("conc_a", "-5", 2, "row 9 has conc_a -5"),
        ("conc_a", "ten", 2, "row 9: column 'conc_a' holds 'ten'"),
        ("viability", "inf", 0, "(first: row 9)"),
        ("viability", "-1e400", 0, "(first: row 9)"),
        ("viability", "1e308", 0, "(first: row 9)"),
        ("viability", "abc", 2, "row 9: column 'viability' holds 'abc'"),
        ("sample", "Ünïcødé 药物", 0, ""),
        ("drug_a", "", 0, ""),
    ],
)
def test_fit_targeted_bad_cells(column, value, code, text):
    res = _run(lambda d, out: ["fit", d / "v.csv", "-o", out], {"v.csv": _edited(column, 8, value)})
    assert res.code == code, res.err
    if code == 2:
        assert "v.csv: " in res.err and text in res.err
    else:
        assert text in res.err or text == "" or "flagged: see message column" in res.err


def test_fit_targeted_whole_file_cases():
    lines = VIABILITY.decode().splitlines()
    dup = ("\n".join([*lines, *lines[1:]]) + "\n").encode()  # every row twice: replicates
    res = _run(lambda d, out: ["fit", d / "v.csv", "-o", out], {"v.csv": dup})
    assert res.code == 0, res.err
    header = (lines[0] + "\n").encode()
    res = _run(lambda d, out: ["fit", d / "v.csv", "-o", out], {"v.csv": header})
    assert res.code == 2 and "no rows" in res.err
    for args in (["--by", ""], ["--by", "sample,sample"], ["--plateau-bounds", "nan", "1"]):
        _run(lambda d, out, a=args: ["fit", d / "v.csv", "-o", out, *a], {"v.csv": VIABILITY})


def test_fit_flags_a_bad_row_and_keeps_the_rest():
    """A targeted check of the values, not only the contract: the curve holding an inf dose says
    so; every other curve equals the clean run."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "clean.csv").write_bytes(VIABILITY)
        (d / "bad.csv").write_bytes(_edited("conc_a", 8, "1e400"))
        assert check_contract(["fit", d / "clean.csv", "-o", d / "a.csv"], d).code == 0
        assert check_contract(["fit", d / "bad.csv", "-o", d / "b.csv"], d).code == 0
        a, b = pd.read_csv(d / "a.csv"), pd.read_csv(d / "b.csv")
    hit = b["message"].fillna("").str.contains("left out")
    assert hit.sum() == 1
    cols = ["auc", "auc_fit", "top", "bottom", "ic50"]
    pd.testing.assert_frame_equal(a.loc[~hit, cols], b.loc[~hit, cols])
