"""The --where language: parsed, typed, bound (never pasted into SQL); results equal pandas."""

from __future__ import annotations

import pandas as pd
import pytest

import tallrx.store as store
from tallrx._result import Result
from tallrx.errors import TallrxError
from tallrx.store._where import tokens

#: a hand-made curves table: typed columns plus condition columns (il7 number, dox text)
CURVES = pd.DataFrame({
    "sample": ["P1", "P1", "P2", "P2", "P3", "P'4"],
    "drug_a": ["prednisolone", "ruxolitinib", "prednisolone", "ruxolitinib", "prednisolone",
               "prednisolone"],
    "auc": [350.0, 120.0, 310.0, float("nan"), 90.0, 400.0],
    "fit_ok": [True, True, True, False, True, True],
    "il7": [25, 0, 25, 25, 0, 25],
    "dox": ["+", "-", "+", "-", "+", "-"],
    "mixed": ["1", "a", "2", "b", "3", "c"],
})

CASES = [
    ("auc > 300", lambda d: d["auc"] > 300),
    ("auc >= 310 and drug_a == 'prednisolone'",
     lambda d: (d["auc"] >= 310) & (d["drug_a"] == "prednisolone")),
    ('il7 == 25 and (auc < 200 or fit_ok == false)',
     lambda d: (d["il7"] == 25) & ((d["auc"] < 200) | ~d["fit_ok"])),
    ("not drug_a == 'ruxolitinib'", lambda d: d["drug_a"] != "ruxolitinib"),
    ("sample in ('P1', 'P3') and dox != '-'",
     lambda d: d["sample"].isin(["P1", "P3"]) & (d["dox"] != "-")),
    ("sample not in ('P1')", lambda d: ~d["sample"].isin(["P1"])),
    ("auc is null", lambda d: d["auc"].isna()),
    ("auc is not null and il7 = 0", lambda d: d["auc"].notna() & (d["il7"] == 0)),
    ("sample == \"P'4\"", lambda d: d["sample"] == "P'4"),
    ("il7 > 1e1 and auc > 3.5e2", lambda d: (d["il7"] > 10) & (d["auc"] > 350)),
    ("mixed > 1", lambda d: pd.Series([False, False, False, False, False, False])),
    ("mixed == 'a' OR mixed == 'c'", lambda d: d["mixed"].isin(["a", "c"])),
]


@pytest.fixture
def db(url):
    with store.open(url) as st:
        st.record(Result(kind="curves", table=CURVES, meta={}), command="fit")
        yield st


def test_filters_select_what_pandas_selects(db):
    """Each filter against the same table filtered by pandas (NULL never matches a comparison;
    a text value never matches a numeric comparison, e.g. mixed > 1)."""
    for text, mask in CASES:
        got = db.query("curves", where=text)
        want = CURVES[mask(CURVES).fillna(False).astype(bool)]
        assert list(got["sample"] + got["drug_a"]) == list(want["sample"] + want["drug_a"]), text


@pytest.mark.parametrize("text,message", [
    ("dug_a == 'x'", "unknown column 'dug_a'. Did you mean 'drug_a'"),
    ("auc > 300; DROP TABLE runs", "cannot read"),
    ("drug_a == 'x'' OR 1=1; DROP TABLE runs; --'", "unexpected"),
    ("sample == 3", "holds text values"),
    ("auc > 'high'", "holds float values"),
    ("fit_ok > true", "booleans take == or != only"),
    ("auc >", "expected a value"),
    ("(auc > 1", "expected ')'"),
    ("auc > 1 auc < 2", "unexpected"),
    ("", "empty filter"),
    ("and == 1", "keyword"),
    ("auc > prednisolone", "quote text values"),
])
def test_bad_filters_are_one_line_user_errors(db, text, message):
    with pytest.raises(TallrxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        db.query("curves", where=text)


def test_injection_in_a_string_is_only_a_value(db):
    """SQL inside a quoted value is compared as text: no match, and every table survives."""
    evil = "x' OR '1'='1'; DROP TABLE runs; --"
    assert db.query("curves", where=f'drug_a == "{evil}"').empty
    assert db.query("curves", where=f'dox == "{evil}"').empty
    assert len(db.query("curves")) == len(CURVES) and len(db.runs()) == 1


def test_tokens():
    assert tokens("a>=-1.5e3 and b in ('x', \"y\")") == [
        ("name", "a"), ("op", ">="), ("number", -1500.0), ("name", "and"), ("name", "b"),
        ("name", "in"), ("punct", "("), ("string", "x"), ("punct", ","), ("string", "y"),
        ("punct", ")")]
