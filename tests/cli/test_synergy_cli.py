"""`tallrx synergy`: fixed output names and columns, figures + report, SynergyFinder input, and
one-line user errors with exit code 2."""

from __future__ import annotations

import json

import numpy as np
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


# ---------------------------------------------------------------- issue 9: messy screens and files

FAST = ["--n-null", 0, "--n-boot", 0, "--no-figures"]


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    from tallrx.analysis.synergy.simulate import messy_synergyfinder

    sf, kinds = messy_synergyfinder(30)
    folder = tmp_path_factory.mktemp("messy")
    sf.to_csv(folder / "screen.csv", index=False)
    return folder / "screen.csv", sf, kinds


def test_one_bad_block_never_stops_a_synergyfinder_screen(messy, tmp_path, capsys):
    """A sham block, a failed plate and every other bad block become rows; the command ends with
    one summary line counting scored (fit_ok) and flagged rows."""
    path, sf, kinds = messy
    code, err = run(["synergy", path, "-o", tmp_path / "o", *FAST], capsys)
    assert code == 0, err
    comb = pd.read_csv(tmp_path / "o" / "combinations.csv")
    assert len(comb) == sf.block_id.nunique()
    n_flag = int((~comb.fit_ok).sum())
    assert n_flag >= 5 and comb.loc[~comb.fit_ok, "message"].notna().all()
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"{len(comb) - n_flag} scored, {n_flag} flagged: see message column")
    sham = comb[comb.message.fillna("").str.startswith("sham")]
    assert len(sham) == 1 and sham.fit_ok.iloc[0] and abs(sham.ci_mean.iloc[0] - 1) < 0.1


def test_the_tidy_table_path_obeys_the_same_rule(messy, tmp_path, capsys):
    """The same screen as a tidy viability table: the same rows flagged and the same scores."""
    from tallrx.io.assays.synergyfinder import read_synergyfinder

    path, sf, _ = messy
    tidy = read_synergyfinder(sf).drop(columns=["replicate", "exclude"])
    tidy.to_csv(tmp_path / "tidy.csv", index=False)
    assert run(["synergy", path, "-o", tmp_path / "a", *FAST], capsys)[0] == 0
    code, err = run(["synergy", tmp_path / "tidy.csv", "-o", tmp_path / "b", *FAST], capsys)
    assert code == 0, err
    a = pd.read_csv(tmp_path / "a" / "combinations.csv")
    b = pd.read_csv(tmp_path / "b" / "combinations.csv")
    assert a.fit_ok.tolist() == b.fit_ok.tolist() and a.call.tolist() == b.call.tolist()
    pd.testing.assert_series_equal(a.bliss, b.bliss)
    pd.testing.assert_series_equal(a.ci_mean, b.ci_mean)


def test_duplicated_plate_wells_flag_their_block_only(tidy, tmp_path, capsys):
    t = pd.read_csv(tidy)
    t["plate"] = "P1"
    t["well"] = [f"W{i}" for i in range(len(t))]
    t.loc[3, "well"] = t.loc[5, "well"]  # sample s1: one physical well twice
    p = tmp_path / "dup.csv"
    t.to_csv(p, index=False)
    code, err = run(["synergy", p, "-o", tmp_path / "o", *FAST], capsys)
    assert code == 0, err
    comb = pd.read_csv(tmp_path / "o" / "combinations.csv")
    assert comb.fit_ok.tolist() == [False, True]
    assert "duplicate well: rows 4 and 6" in comb.message.iloc[0]
    assert "1 scored, 1 flagged" in err


def test_figures_and_report_skip_blocks_that_were_not_scored(messy, tmp_path, capsys):
    path, sf, kinds = messy
    first_bad = [b for b, k in sorted(kinds.items()) if k in ("sham", "failed_plate")]
    small = sf[sf.block_id.isin([*first_bad, 1])]
    small = small.assign(block_id=small.block_id.replace({first_bad[1]: 0}))  # failed plate first
    p = tmp_path / "small.csv"
    small.sort_values("block_id", kind="stable").to_csv(p, index=False)
    code, err = run(["synergy", p, "-o", tmp_path / "o", "--n-null", 0, "--n-boot", 0], capsys)
    assert code == 0, err
    assert (tmp_path / "o" / "report.html").exists()
    assert "off-scale" in (tmp_path / "o" / "report.html").read_text()


def _write(path, data):
    (path.write_bytes if isinstance(data, bytes) else path.write_text)(data)
    return path


@pytest.mark.parametrize(
    "name,data,pattern",
    [
        ("empty.csv", "", "the file is empty"),
        ("blank.csv", "\n\n", "the file is empty"),
        ("header.csv", "block_id,drug_row,drug_col,conc_r,conc_c,response\n", "has a header but no"),
        ("book.csv", b"PK\x03\x04" + b"\x00" * 200, "is an Excel workbook, not CSV text"),
        ("bin.csv", b"\x00\x01\x02garbage\x00" * 50, "is a binary file"),
    ],
)
def test_unreadable_files_are_one_line_naming_the_file(tmp_path, capsys, name, data, pattern):
    p = _write(tmp_path / name, data)
    code, err = run(["synergy", p, "-o", tmp_path / "o"], capsys)
    assert code == 2 and pattern in err and str(p) in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_delimiters_encodings_and_huge_fields_are_read(tidy, tmp_path, capsys):
    """Semicolons, tabs, UTF-16 and a 200 KB text field (beyond the csv module's 131072 limit)."""
    t = pd.read_csv(tidy)
    t["note"] = "x" * 200_000  # a free-text column: a condition with one value
    want = None
    for k, (sep, enc) in enumerate(((";", "utf-8"), ("\t", "utf-16"), (",", "utf-8-sig"))):
        p = tmp_path / f"t{k}.csv"
        t.to_csv(p, index=False, sep=sep, encoding=enc)
        code, err = run(["synergy", p, "-o", tmp_path / f"o{k}", *FAST], capsys)
        assert code == 0, err
        got = pd.read_csv(tmp_path / f"o{k}" / "combinations.csv")
        assert len(got) == 2
        if want is None:
            want = got.bliss
        pd.testing.assert_series_equal(got.bliss, want)


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["--n-boot", -5], "--n-boot"),
        (["--n-null", -5], "n_null must be 0"),
        (["--interval", "bootstrp"], "interval must be one of delta, bootstrap"),
        (["--a", "nosuch", "--b", "selumetinib"], "drug 'nosuch' (--a) does not occur"),
    ],
)
def test_bad_options_are_usage_errors(tidy, tmp_path, capsys, args, pattern):
    code, err = run(["synergy", tidy, "-o", tmp_path / "o", *args], capsys)
    assert code == 2 and pattern in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("bad", ["inf", "1e400", "-inf", "nan", "", "1e308", "-5", "abc"])
def test_bad_concentrations_flag_their_block_with_the_row(tidy, tmp_path, capsys, bad):
    """Never silently 0 or infinity, never 'ragged': the block of that row is flagged, naming it."""
    lines = tidy.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[20].split(",")  # data row 20, sample s1, a combination well
    cells[header.index("conc_a")] = bad
    lines[20] = ",".join(cells)
    p = _write(tmp_path / "bad.csv", "\n".join(lines) + "\n")
    code, err = run(["synergy", p, "-o", tmp_path / "o", *FAST], capsys)
    assert code == 0, err
    comb = pd.read_csv(tmp_path / "o" / "combinations.csv")
    assert comb.fit_ok.tolist()[1] and not comb.fit_ok.tolist()[0]
    msg = comb.message.iloc[0]
    assert msg.startswith("row 20: ") and "conc_a" in msg and "ragged" not in msg
    assert np.isnan(comb.ci_mean.iloc[0]) and np.isnan(comb.bliss.iloc[0])


@pytest.mark.parametrize("interval", ["delta", "bootstrap"])
def test_interval_option_brackets_the_mean_ci(tidy, tmp_path, capsys, interval):
    """--interval delta (analytic) and bootstrap both give ci_low <= ci_mean <= ci_high, and
    meta.json names the method used."""
    out = tmp_path / interval
    args = ["--n-null", 0, "--n-boot", 50, "--no-figures", "--interval", interval]
    code, err = run(["synergy", tidy, "-o", out, *args], capsys)
    assert code == 0, err
    got = pd.read_csv(out / "combinations.csv")
    ok = got.ci_low.notna()
    assert ok.any()
    assert (got.ci_low[ok] <= got.ci_mean[ok]).all() and (got.ci_mean[ok] <= got.ci_high[ok]).all()
    meta = json.loads((out / "meta.json").read_text())
    assert ("bootstrap" in json.dumps(meta)) == (interval == "bootstrap")
