"""`tallrx fit`: outputs, options, and one-line user errors with exit code 2 and no output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

DOSES = np.logspace(-2, 2, 9)  # uM


def test_fit_writes_one_row_per_curve(viability, tmp_path, run):
    out = tmp_path / "out" / "curves.csv"
    code, err = run(["fit", viability, "-o", out])
    assert code == 0, err
    t = pd.read_csv(out)
    assert len(t) == 8
    for col in (
        "sample",
        "drug_a",
        "il7",
        "n",
        "ic50",
        "hill",
        "top",
        "bottom",
        "emax",
        "auc",
        "auc_fit",
        "auc_max",
        "r2",
        "ic50_extrapolated",
        "fit_ok",
        "message",
    ):
        assert col in t.columns, col
    assert t["fit_ok"].all() and (t["n"] == 31).all()  # 27 wells + 4 shared vehicle wells
    assert t["auc_max"].tolist() == pytest.approx([400.0] * 8)
    assert "8 curve(s): 8 fitted" in err


def test_unit_window_and_by_options(viability, tmp_path, run):
    base = tmp_path / "um.csv"
    assert run(["fit", viability, "-o", base, "--window", "0.001", "1000"])[0] == 0
    nm_file = tmp_path / "viability_nm.csv"
    df = pd.read_csv(viability)
    df.assign(conc_a=df["conc_a"] * 1000).to_csv(nm_file, index=False)
    out = tmp_path / "nm.csv"
    code, err = run(["fit", nm_file, "-o", out, "--unit", "nM", "--window", "1", "1e6"])
    assert code == 0, err
    a, b = pd.read_csv(base), pd.read_csv(out)
    np.testing.assert_allclose(b["ic50"], a["ic50"], rtol=1e-5)
    np.testing.assert_allclose(b["auc"], a["auc"], rtol=1e-6)
    assert (a["auc_max"] == 600).all() and a["message"].str.contains("integrated").all()
    code, err = run(["fit", viability, "-o", tmp_path, "--by", "sample,drug_a"])
    assert code == 0, err
    pooled = pd.read_csv(tmp_path / "curves.csv")
    assert len(pooled) == 4 and "il7" not in pooled.columns


def test_response_option_fits_raw_signal(viability, tmp_path, run):
    df = pd.read_csv(viability)
    raw = tmp_path / "raw.csv"
    df.assign(signal=df["viability"] * 500.0).to_csv(raw, index=False)
    code, err = run(["fit", raw, "-o", tmp_path / "c.csv", "--response", "signal"])
    assert code == 0, err
    pct = tmp_path / "pct.csv"
    run(["fit", viability, "-o", pct])
    np.testing.assert_allclose(
        pd.read_csv(tmp_path / "c.csv")["ic50"], pd.read_csv(pct)["ic50"], rtol=1e-5
    )


@pytest.mark.parametrize(
    "edit,args,text",
    [
        # 'conc' / 'CONC' is read as conc_a now (tests/cli/test_fit_cli_new_user.py)
        (lambda d: d.rename(columns={"conc_a": "dosage"}), [], "missing column(s) conc_a"),
        (lambda d: d.rename(columns={"viability": "viabilty"}), [], "Did you mean 'viabilty'?"),
        (
            lambda d: d.assign(conc_a=d["conc_a"].astype(object).where(d.index != 4, "1 uM")),
            [],
            "row 5: column 'conc_a' holds '1 uM'",
        ),
        (lambda d: d.assign(conc_a=d["conc_a"].where(d.index != 1, -0.1)), [], "row 2 has conc_a"),
        (lambda d: d, ["--unit", "micromolar!"], "--unit: unknown concentration unit"),
        (lambda d: d, ["--by", "sample,drugs"], "missing column(s) drugs"),
        (lambda d: d, ["--response", "viab"], "missing column(s) viab"),
        (lambda d: d, ["--window", "10", "1"], "expected 0 < low < high"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_output(viability, tmp_path, run, edit, args, text):
    bad = tmp_path / "bad.csv"
    edit(pd.read_csv(viability)).to_csv(bad, index=False)
    out = tmp_path / "curves.csv"
    code, err = run(["fit", bad, "-o", out, *args])
    assert code == 2
    assert text in err and err.count("\n") == 1, err
    assert "Traceback" not in err and not out.exists()
    if "row" in text:
        assert str(bad) in err  # the message names the file


def test_missing_empty_and_headerless_files(tmp_path, run):
    out = tmp_path / "curves.csv"
    code, err = run(["fit", tmp_path / "nope.csv", "-o", out])
    assert code == 2 and "no such file" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, err = run(["fit", empty, "-o", out])
    assert code == 2 and "empty" in err
    header = tmp_path / "header.csv"
    header.write_text("sample,drug_a,conc_a,viability\n")
    code, err = run(["fit", header, "-o", out])
    assert code == 2 and "no rows" in err and not out.exists()


def test_degenerate_curves_do_not_fail_the_command(tmp_path, run):
    df = pd.DataFrame(
        {
            "sample": "S",
            "drug_a": ["a"] * 3 + ["b"] * 9,
            "conc_a": [1.0] * 3 + list(DOSES),
            "viability": [50, 51, 49] + [100] * 9,
        }
    )
    src = tmp_path / "v.csv"
    df.to_csv(src, index=False)
    code, err = run(["fit", src, "-o", tmp_path / "c.csv"])
    assert code == 0, err
    t = pd.read_csv(tmp_path / "c.csv").set_index("drug_a")
    assert not t["fit_ok"].any() and t["message"].str.len().gt(0).all()


# ----------------------------------------------------------------------------- issue 9
def test_bad_values_are_flagged_rows_and_the_summary_line_counts_them(viability, tmp_path, run):
    """inf / 1e400 / empty concentrations and an inf viability: exit 0, each affected curve
    flagged with the row, nothing infinite written, one closing summary line."""
    text = viability.read_text().splitlines()
    header, rows = text[0], text[1:]
    cols = header.split(",")
    ci, vi = cols.index("conc_a"), cols.index("viability")

    def put(i, col, value):
        cells = rows[i].split(",")
        cells[col] = value
        rows[i] = ",".join(cells)

    put(0, ci, "inf")
    put(1, ci, "1e400")
    put(30, ci, "")
    put(60, vi, "inf")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([header, *rows]) + "\n")
    out = tmp_path / "curves.csv"
    code, err = run(["fit", bad, "-o", out])
    assert code == 0, err
    t = pd.read_csv(out)
    assert not np.isinf(t.select_dtypes("number").to_numpy()).any()
    flagged = t["message"].fillna("").str.contains("left out")
    assert flagged.sum() == 3
    assert t["message"].fillna("").str.contains(r"\(first: row 1\)").any()
    n_flag = int(t["message"].notna().sum())
    assert f"{len(t) - n_flag} scored, {n_flag} flagged: see message column -> {out}" in err
    assert np.allclose(t["auc_window_high"], 100.0)


@pytest.mark.parametrize(
    "args,text",
    [
        (["--by", ""], "--by '': names no column"),
        (["--by", " , "], "names no column"),
        (["--plateau-bounds", "10", "-10"], "--plateau-bounds 10 -10: expected finite numbers"),
        (["--window", "0", "10"], "--window 0 10: expected 0 < low < high"),
    ],
)
def test_bad_options_exit_2_with_one_line(viability, tmp_path, run, args, text):
    out = tmp_path / "c.csv"
    code, err = run(["fit", viability, "-o", out, *args])
    assert code == 2 and text in err and err.count("\n") == 1, err
    assert not out.exists()


def test_plateau_bounds_option_and_summary(viability, tmp_path, run):
    out = tmp_path / "c.csv"
    code, err = run(["fit", viability, "-o", out, "--plateau-bounds", "0", "120"])
    assert code == 0, err
    t = pd.read_csv(out)
    assert (t["bottom"] >= 0).all() and (t["top"] <= 120 + 1e-9).all()
    assert "8 curve(s): " in err and " scored, " in err and f"-> {out}" in err
