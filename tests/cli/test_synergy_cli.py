"""`tallrx synergy`: fixed output names and columns, figures + report, SynergyFinder input, and
one-line user errors with exit code 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tallrx.analysis.synergy import simulate_table
from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B
from tallrx.cli import main

COMBINATION_COLUMNS = [
    "sample",
    "drug_a",
    "drug_b",
    "ratio",
    "ci_mean",
    "ci_gmean",
    "ci_median",
    "ci_low",
    "ci_high",
    "ci_ed50",
    "ci_ed75",
    "ci_ed90",
    "ci_ed95",
    "bliss",
    "hsa",
    "loewe",
    "zip",
    "call",
    "p_value",
    "fit_ok",
    "message",
]


def run(args, capsys):
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.fixture
def tidy(tmp_path):
    t = simulate_table(2, a=BENCH_A, b=BENCH_B, model="sensitize", seed=3)
    t["il7"] = 0
    p = tmp_path / "viability.csv"
    t.to_csv(p, index=False)
    return p


def test_writes_fixed_outputs(tidy, tmp_path, capsys):
    out = tmp_path / "out"
    code, err = run(["synergy", tidy, "-o", out, "--seed", 1, "--n-null", 49], capsys)
    assert code == 0, err
    comb = pd.read_csv(out / "combinations.csv")
    assert set(COMBINATION_COLUMNS) <= set(comb.columns)
    assert "il7" in comb.columns and len(comb) == 2
    surf = pd.read_csv(out / "surface.csv")
    for col in (
        "conc_a",
        "conc_b",
        "viability",
        "bliss_ref",
        "bliss",
        "hsa_ref",
        "hsa",
        "loewe_ref",
        "loewe",
        "zip",
        "ci",
    ):
        assert col in surf.columns
    me = pd.read_csv(out / "median_effect.csv")
    assert {"group", "series", "m", "dm", "r2"} <= set(me.columns)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["call"]["n_null"] == 49 and "bliss" in meta["conventions"]
    assert (out / "report.html").stat().st_size > 10_000
    assert (out / "figures" / "ci_dot_plot.png").exists()
    assert (out / "figures" / "block1_heatmaps.png").exists()


def test_method_subset_and_pair_selection(tidy, tmp_path, capsys):
    out = tmp_path / "o2"
    code, err = run(
        [
            "synergy",
            tidy,
            "-o",
            out,
            "--a",
            "selumetinib",
            "--b",
            "prednisolone",
            "--method",
            "bliss,hsa",
            "--n-null",
            0,
            "--no-figures",
        ],
        capsys,
    )
    assert code == 0, err
    comb = pd.read_csv(out / "combinations.csv")
    assert (comb.drug_a == "selumetinib").all()
    assert comb.bliss.notna().all() and comb.ci_mean.isna().all()
    assert not (out / "report.html").exists()


def test_synergyfinder_input_with_inhibition(tmp_path, capsys):
    t = simulate_table(1, a=BENCH_A, b=BENCH_B, seed=5)
    sf = pd.DataFrame(
        {
            "block_id": 7,
            "drug_row": t.drug_a,
            "drug_col": t.drug_b,
            "conc_r": t.conc_a * 1000,
            "conc_c": t.conc_b,
            "response": 100 - t.viability,
            "conc_r_unit": "nM",
            "conc_c_unit": "uM",
        }
    )
    p = tmp_path / "sf.csv"
    sf.to_csv(p, index=False)
    code, err = run(
        [
            "synergy",
            p,
            "-o",
            tmp_path / "o",
            "--response",
            "inhibition",
            "--n-null",
            0,
            "--no-figures",
        ],
        capsys,
    )
    assert code == 0, err
    code, err = run(["synergy", p, "-o", tmp_path / "o2", "--n-null", 0], capsys)
    assert code == 2
    assert "does not match --response viability" in err and "--response inhibition" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["--method", "cii"], "unknown synergy method 'cii'"),
        (["--a", "prednisolon", "--b", "selumetinib"], "Did you mean 'prednisolone'"),
        (["--response", "inhibition"], "applies to SynergyFinder files only"),
        (["--unit", "parsecs"], "unknown concentration unit"),
    ],
)
def test_user_errors_exit_2_with_one_line(tidy, tmp_path, capsys, args, pattern):
    code, err = run(["synergy", tidy, "-o", tmp_path / "x", *args], capsys)
    assert code == 2
    assert pattern in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_missing_and_wrong_files(tmp_path, capsys):
    code, err = run(["synergy", tmp_path / "nope.csv", "-o", tmp_path / "x"], capsys)
    assert code == 2 and "no such file" in err
    p = tmp_path / "other.csv"
    p.write_text("a,b\n1,2\n")
    code, err = run(["synergy", p, "-o", tmp_path / "x"], capsys)
    assert code == 2 and "neither a tidy viability table" in err
