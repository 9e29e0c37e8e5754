"""`tallrx stratify`: outputs, bootstrap option, and one-line user errors with exit code 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

CURVES = """sample,drug_a,il7,auc
A,prednisolone,0,100
A,prednisolone,25,160
B,prednisolone,0,100
B,prednisolone,25,140
C,prednisolone,0,120
C,prednisolone,25,190
"""


@pytest.fixture
def curves(tmp_path):
    p = tmp_path / "curves.csv"
    p.write_text(CURVES)
    return p


def test_writes_strata(curves, tmp_path, run):
    out = tmp_path / "out" / "strata.csv"
    code, err = run(["stratify", curves, "--condition", "il7", "-o", out])
    assert code == 0, err
    t = pd.read_csv(out).set_index("sample")
    assert t.loc["A", "il7_responsive"] and not t.loc["A", "il7_dependent_resistant"]
    assert not t.loc["B", "il7_responsive"]
    assert t.loc["C", "il7_dependent_resistant"]
    assert t.loc["C", "auc_fold"] == pytest.approx(190 / 120)
    for col in ("auc_without", "auc_with", "p_il7_responsive", "p_il7_dependent_resistant"):
        assert col in t.columns
    assert "3 paired curve(s): 2 IL7-responsive (67 %), 1 IL7-dependent resistant" in err


def test_thresholds_and_output_folder(curves, tmp_path, run):
    code, err = run(["stratify", curves, "-o", tmp_path, "--fold", "1.3", "--min-auc", "150"])
    assert code == 0, err
    t = pd.read_csv(tmp_path / "strata.csv").set_index("sample")
    assert t["il7_responsive"].all()
    assert t.loc["A", "il7_dependent_resistant"] and not t.loc["B", "il7_dependent_resistant"]


def test_bootstrap_with_viability(tmp_path, run):
    doses = np.logspace(-1.5, 1.5, 5)
    rows = []
    for s, (v0, v1) in {"A": (40.0, 100.0), "B": (40.0, 42.0)}.items():
        for il7, lev in ((0, v0), (25, v1)):
            for d in doses:
                for off in (-4.0, 0.0, 4.0):
                    rows.append(
                        {
                            "sample": s,
                            "drug_a": "prednisolone",
                            "il7": il7,
                            "conc_a": d,
                            "viability": lev + off,
                            "role": "treated",
                            "exclude": False,
                        }
                    )
    v = pd.DataFrame(rows)
    vpath = tmp_path / "viability.csv"
    v.to_csv(vpath, index=False)
    c = pd.DataFrame(
        [
            {"sample": s, "drug_a": "prednisolone", "il7": il7, "auc": 3.0 * lev}
            for s, (a, b) in {"A": (40.0, 100.0), "B": (40.0, 42.0)}.items()
            for il7, lev in ((0, a), (25, b))
        ]
    )
    cpath = tmp_path / "curves.csv"
    c.to_csv(cpath, index=False)
    out = tmp_path / "s.csv"
    code, err = run(
        ["stratify", cpath, "-o", out, "--viability", vpath, "--n-boot", "500", "--seed", "2"],
    )
    assert code == 0, err
    t = pd.read_csv(out).set_index("sample")
    assert t.loc["A", "p_il7_responsive"] > 0.99 and t.loc["B", "p_il7_responsive"] < 0.01
    assert (t["n_boot"] == 500).all()


@pytest.mark.parametrize(
    "content,args,expected",
    [
        (
            CURVES,
            ["--condition", "il8"],
            "curves.csv: needs column(s) il8 (has: sample, drug_a, il7, auc). Did you mean 'il7'?",
        ),
        (
            CURVES,
            ["--drug", "predisolone"],
            "curves.csv: no rows with drug_a 'predisolone' (drugs present: prednisolone). "
            "Did you mean 'prednisolone'?",
        ),
        (
            CURVES.replace("A,prednisolone,25,160", "A,prednisolone,25,abc"),
            [],
            "curves.csv: row 2 (sample A) has auc = 'abc'; expected a number",
        ),
        (
            CURVES.replace("A,prednisolone,0,100", "A,prednisolone,minus,100"),
            [],
            "curves.csv: row 1 (sample A) has il7 = 'minus'; expected the IL7 dose in ng/ml",
        ),
        (
            CURVES + "A,prednisolone,25,170\n",
            [],
            "curves.csv: 2 rows for sample A, drug_a prednisolone, il7=25; expected one curve",
        ),
        (CURVES, ["--fold", "0"], "--fold 0: expected a positive number"),
        (CURVES, ["--n-boot", "-5", "--viability", "curves.csv"], "--n-boot -5: expected a whole number >= 0"),
        ("", [], "curves.csv: the file is empty"),
        ("sample,drug_a,il7,auc\n", [], "curves.csv: has a header but no rows"),
        (CURVES, ["--viability", "missing.csv"], "missing.csv: no such file"),
        (CURVES, ["--viability", "curves.csv"], "curves.csv: needs column(s) conc_a, viability"),
    ],
)
def test_user_errors_one_line_exit_2_no_output(tmp_path, run, monkeypatch, content, args, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "curves.csv").write_text(content)
    out = tmp_path / "strata.csv"
    code, err = run(["stratify", "curves.csv", "-o", out, *args])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tallrx: error: ")
    assert expected in lines[0]
    assert not out.exists()


def test_binary_file_is_a_readable_error(tmp_path, run):
    p = tmp_path / "curves.csv"
    p.write_bytes(bytes(range(256)) * 4)
    code, err = run(["stratify", p, "-o", tmp_path / "s.csv"])
    assert code == 2 and str(p) in err and len(err.strip().splitlines()) == 1


def test_an_infinite_auc_is_a_flagged_row_and_counted(tmp_path, run):
    p = tmp_path / "curves.csv"
    p.write_text(CURVES.replace("B,prednisolone,0,100", "B,prednisolone,0,inf").replace(
        "C,prednisolone,25,190", "C,prednisolone,25,1e400"))
    out = tmp_path / "s.csv"
    code, err = run(["stratify", p, "-o", out, "--by", ""])
    assert code == 0, err
    t = pd.read_csv(out).set_index("sample")
    assert t.loc[["B", "C"], "il7_responsive"].isna().all()
    assert t.loc[["B", "C"], "message"].str.contains("not a finite area").all()
    assert t.loc["A", "il7_responsive"]
    assert f"1 scored, 2 flagged: see message column -> {out}" in err


def test_negative_n_boot_is_a_usage_error_even_without_viability(curves, tmp_path, run):
    code, err = run(["stratify", curves, "-o", tmp_path / "s.csv", "--n-boot", "-5"])
    assert code == 2 and "--n-boot -5" in err and err.count("\n") == 1, err
