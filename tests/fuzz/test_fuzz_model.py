"""Fuzz the model CLI (issue 9 point 6): mutated experiment TOMLs through ``tallrx simulate``,
bad option values through ``tallrx simulate`` / ``tallrx cohort`` / ``tallrx model ...``.

Every case must end in exit 0 or exit 2 with one ``tallrx: error:`` line, nothing written on
failure, never a traceback (``check_contract``). The experiments are kept tiny (a two-hour time
course, one blot lane pair) so an example that runs costs about a second.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .fuzzing import CAMPAIGN, FUZZ, check_contract, mutated

pytestmark = pytest.mark.fuzz

SMALL = """seed = 2
engine = "batched"

[[timecourse]]
name = "tc"
genotypes = ["NRAS_G12D"]
dox = [1]
il7 = [0, 25]
treatments = [ { selumetinib = 1 }, { prednisolone = "250 ug/ml" } ]
hours = [0, 2]
observables = ["pERK", "viable_cells"]

[[blot]]
genotypes = ["JAK1_R724H"]
dox = [0, 1]
treatments = [ {}, { ruxolitinib = 2 } ]
hours = 2
targets = ["pERK", "ERK"]
"""

BAD_VALUES = [
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1",
    "0",
    "1e400",
    '"abc"',
    '"nosuch"',
    "[]",
    "{}",
    "true",
    '"1e308 ug/ml"',
    '"-5 uM"',
    '"2 furlongs"',
    "[1e308]",
    '["NRAS_G13D"]',
    "99999999",
    '"\u00e9\u00e8"',
    "3.5",
]
VALUE = re.compile(r"(?<== )[^\n]+|(?<== )\S+|\d+(?:\.\d+)?|\"[^\"\n]*\"")


@st.composite
def toml_mutants(draw) -> bytes:
    """A damaged copy of SMALL: values swapped for bad ones, lines dropped or repeated, keys
    misspelt, or (a quarter of the time) the generic byte-level damage of ``mutated``."""
    if draw(st.integers(0, 3)) == 0:
        return draw(mutated(SMALL.encode()))
    text = SMALL
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "drop", "repeat", "key"]))
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "value":
            spans = [m.span() for m in VALUE.finditer(text)]
            a, b = draw(st.sampled_from(spans))
            text = text[:a] + draw(st.sampled_from(BAD_VALUES)) + text[b:]
        elif kind == "drop":
            del lines[i]
            text = "\n".join(lines)
        elif kind == "repeat":
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif "=" in lines[i]:
            lines[i] = lines[i].replace(lines[i].split("=")[0].strip()[:3], "zz", 1)
            text = "\n".join(lines)
    return text.encode()


@settings(FUZZ, max_examples=400 if CAMPAIGN else 12)
@given(toml_mutants())
def test_mutated_experiment_files(data):
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        exp = folder / "exp.toml"
        exp.write_bytes(data)
        check_contract(["simulate", exp, "-o", folder / "out"], folder)


OPTIONS = {
    "--hours": ["1e308", "inf", "nan", "-1", "a,b", "", ",", "96,96", "1e-300", "8761"],
    "--il7": ["nan", "inf", "-1", "1e308", "abc"],
    "--drug": [
        "selumetinib=inf",
        "selumetinib=-1",
        "x=1",
        "=1",
        "selumetinib=1e400uM",
        "prednisolone=250furlongs",
        "selumetinib=nan",
    ],
    "--param": ["k_jak=nan", "k_jak=1e308", "n_erk_bim=3.3", "n_momp=-3", "nosuch=1", "k_jak="],
    "--genotype": ["", "nras", "NRAS_G13D", "\u00e9", "parental "],
    "--engine": ["", "cvode", "BATCHED", "scipy "],
    "--observables": ["", "pERKK", ",", "pERK,pERK"],
}


@FUZZ
@given(st.sampled_from(sorted(OPTIONS)), st.data())
def test_bad_simulate_options(option, data):
    value = data.draw(st.sampled_from(OPTIONS[option]))
    args = ["simulate", "--genotype", "parental", "--hours", "2", "--engine", "batched"]
    args += [option, value]
    with tempfile.TemporaryDirectory() as d:
        check_contract([*args, "-o", Path(d) / "o.csv"], Path(d))


@pytest.mark.parametrize(
    "args",
    [
        ["cohort", "--n", "-5"],
        ["cohort", "--n", "abc"],
        ["cohort", "--seed", "-1"],
        ["cohort", "--seed", "99999999999999"],
        ["cohort", "--jobs", "0"],
        ["cohort", "--n", "10000000"],
        ["model", "show", "--what", "reaktions"],
        ["model", "show", "--what", "parameters", "--grep", "\u00e9\u00e8["],
        ["model", "show", "--what", "genotypes", "--csv"],
        ["model", "export"],
        ["model", "nosuch"],
    ],
)
def test_bad_cheap_model_options(args, tmp_path):
    if args[0] == "cohort":
        args = [*args, "-o", tmp_path / "c"]
    check_contract(args, tmp_path)


def test_export_onto_itself_and_into_a_file(tmp_path):
    f = tmp_path / "m.xml"
    f.write_text("x")
    assert check_contract(["model", "export", "--sbml", f / "y.xml"], tmp_path).code == 2
