"""`tallrx synergy` under damaged combination files and targeted bad values (issue 9, points 1, 6).

Seeds: a small screen in the SynergyFinder format and the same screen as a tidy viability table
(both simulated by tallrx.analysis.synergy.simulate; no external data). Every case ends in exit 0
with sane output (no inf score, every NaN score or unscored block explained in its message, the
closing summary line) or exit 2 with one line naming the problem; never a traceback.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tallrx.analysis.synergy.simulate import sham_block, simulate_synergyfinder
from tallrx.io.assays.synergyfinder import read_synergyfinder

from .fuzzing import BAD_NUMBERS, FUZZ, UNICODE, check_contract, mutated

pytestmark = pytest.mark.fuzz

FAST = ["--n-null", "0", "--n-boot", "0", "--no-figures"]
SCORES = ["ci_mean", "bliss", "hsa", "loewe", "zip"]
CALLS = {"strong synergy", "synergy", "additive", "antagonism", "undetermined", "not calibrated",
         "not scored"}


def _seed_tables() -> tuple[bytes, bytes]:
    """Two blocks of one drug pair (one scoring batch) and a sham block: 108 rows."""
    one, two = simulate_synergyfinder(1, seed=2), simulate_synergyfinder(1, seed=3)
    sf = pd.concat([one, two.assign(block_id=2), sham_block(3, sd=1.0)], ignore_index=True)
    tidy = read_synergyfinder(sf).drop(columns=["exclude"])
    return sf.to_csv(index=False).encode(), tidy.to_csv(index=False).encode()


SF_BYTES, TIDY_BYTES = _seed_tables()


def _sane(res, out: Path) -> None:
    """An exit-0 output: finite or NaN scores (never inf, never absurd), every row without a score
    or with fit_ok False explained in its message, and the closing summary line."""
    comb = pd.read_csv(out / "combinations.csv", keep_default_na=False, na_values=[""])
    for col in SCORES:
        v = pd.to_numeric(comb[col], errors="coerce")
        assert not np.isinf(v).any(), comb[col]
        assert (v.abs() < 1e4).all() or v.isna().any(), comb[col]
    unexplained = (comb[SCORES].isna().any(axis=1) | ~comb.fit_ok.astype(bool)) & comb[
        "message"
    ].isna()
    assert not unexplained.any(), comb
    assert set(comb["call"].astype(str)) <= CALLS
    n_ok = int(comb.fit_ok.astype(bool).sum())
    assert f"{n_ok} scored, {len(comb) - n_ok} flagged" in res.err


def _run(data: bytes, name: str, *more: str):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / name
        path.write_bytes(data)
        out = folder / "out"
        res = check_contract(["synergy", path, "-o", out, *FAST, *more], folder)
        if res.code == 0:
            _sane(res, out)
        return res


@FUZZ
@given(data=mutated(SF_BYTES))
def test_mutated_synergyfinder_files(data):
    _run(data, "screen.csv")


@FUZZ
@given(data=mutated(TIDY_BYTES))
def test_mutated_tidy_tables(data):
    _run(data, "viability.csv")


@FUZZ
@given(
    column=st.sampled_from(["conc_r", "conc_c", "response"]),
    row=st.integers(0, 107),
    value=st.sampled_from(BAD_NUMBERS + UNICODE),
)
def test_one_bad_value_never_stops_the_screen(column, row, value):
    """One bad number anywhere in the SynergyFinder file: exit 0 (that well left out or its block
    flagged, naming the row) -- the other blocks are always scored."""
    df = pd.read_csv(pd.io.common.StringIO(SF_BYTES.decode()), dtype=str)
    df.loc[row, column] = value
    res = _run(df.to_csv(index=False).encode(), "screen.csv")
    assert res.code == 0, res.err


def test_sham_and_failed_plate_blocks_are_rows():
    """The two blocks that stopped a 466-block screen: a drug with itself and a failed plate."""
    df = pd.read_csv(pd.io.common.StringIO(SF_BYTES.decode()))
    df.loc[df.block_id == 2, "response"] *= 0.02
    res = _run(df.to_csv(index=False).encode(), "screen.csv")
    assert res.code == 0 and "2 scored, 1 flagged: see message column" in res.err


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["--n-boot", "-5"], "--n-boot"),
        (["--n-null", "-5"], "n_null"),
        (["--a", "nosuch", "--b", "prednisolone"], "'nosuch'"),
        (["--method", "ci,nosuch"], "unknown synergy method"),
        (["--response", "inhibition"], "response scale does not match"),
        (["--ci-dx", "x"], "ci_dx must be one of"),
        (["--alpha", "abc"], "--alpha"),
    ],
)
def test_bad_options_are_one_line(args, pattern):
    res = _run(SF_BYTES, "screen.csv", *args)
    assert res.code == 2 and pattern in res.err


@pytest.mark.parametrize(
    "data,pattern",
    [
        (b"", "empty"),
        (b"sample,drug_a,conc_a,drug_b,conc_b,viability\n", "has a header but no rows"),
        (b"PK\x03\x04" + bytes(100), "Excel workbook"),
        (b"sample,drug_a,conc_a,viability\ns,A,1,50\n", "conc_b"),
    ],
)
def test_whole_input_errors_name_the_file(data, pattern):
    res = _run(data, "bad.csv")
    assert res.code == 2 and pattern in res.err and "bad.csv" in res.err
