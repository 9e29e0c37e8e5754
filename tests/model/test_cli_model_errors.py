"""Bad values and files given to tallrx simulate / cohort (issue 9 point 6): exit 2 with one line
naming the problem; a broken built-in table is a bug (exit 1, InternalError)."""

from __future__ import annotations

import pytest

from tallrx.cli import main
from tallrx.errors import InternalError, TallrxError
from tallrx.model.network._table import Network, Parameter, Reaction, Species


def run(args, capsys) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("tallrx: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def simulate_fails(tmp_path, capsys, *args) -> str:
    """``tallrx simulate --genotype parental ARGS`` (batched): exit 2, one line, nothing written."""
    out = tmp_path / "o.csv"
    code, err = run(
        ["simulate", "--genotype", "parental", "--engine", "batched", *args, "-o", out], capsys
    )
    assert code == 2
    assert not out.exists()
    return one_error(err)


@pytest.mark.parametrize("hours", ["1e308", "inf", "nan", "0.5,1e5", "-1", "96,1e400"])
def test_absurd_hours_are_a_usage_error(tmp_path, capsys, hours):
    assert "8760" in simulate_fails(tmp_path, capsys, "--hours", hours)


@pytest.mark.parametrize(
    "args,expect",
    [
        (["--genotype", "JAK1_R742H"], "Did you mean 'JAK1_R724H'"),
        (["--genotype", "parental", "--drug", "ruxolitnib=2"], "Did you mean 'ruxolitinib'"),
        (["--genotype", "parental", "--param", "n_erk_bimm=3"], "Did you mean 'n_erk_bim'"),
        (["--genotype", "parental", "--param", "k_jak=inf"], "finite"),
        (["--genotype", "parental", "--drug", "selumetinib=inf"], "not a concentration"),
        (["--genotype", "parental", "--engine", "roadrunnr"], "Did you mean 'roadrunner'"),
    ],
)
def test_unknown_names_get_did_you_mean(tmp_path, capsys, args, expect):
    code, err = run(["simulate", *args, "-o", tmp_path / "o.csv"], capsys)
    assert code == 2
    assert expect in one_error(err)


def test_binary_experiment_file_names_the_file(tmp_path, capsys):
    bad = tmp_path / "exp.toml"
    bad.write_bytes(bytes(range(256)) * 4)
    code, err = run(["simulate", bad, "-o", tmp_path / "out"], capsys)
    assert code == 2
    line = one_error(err)
    assert "exp.toml" in line and "not a text file" in line


def test_experiment_with_wrong_types_names_the_section(tmp_path, capsys):
    exp = tmp_path / "exp.toml"
    exp.write_text('[[timecourse]]\ngenotypes = ["NRAS_G12D"]\ndox = ["yes"]\nhours = [0, 1]\n')
    code, err = run(["simulate", exp, "-o", tmp_path / "out"], capsys)
    assert code == 2
    assert "[[timecourse]] #1" in one_error(err)


def test_a_well_without_solution_exits_2_with_one_line(tmp_path, capsys):
    """n_momp = -3 (outside [1, 8]) makes the MOMP rate infinite at BAXa = 0."""
    line = simulate_fails(tmp_path, capsys, "--param", "n_momp=-3", "--hours", "24")
    assert "no solution" in line


@pytest.mark.parametrize(
    "args", [["--n", "3"], ["--seed", "-1"], ["--jobs", "0"], ["--n", "1000000"]]
)
def test_cohort_bad_options(tmp_path, capsys, args):
    code, err = run(["cohort", *args, "-o", tmp_path / "c"], capsys)
    assert code == 2
    one_error(err)


def test_broken_built_in_table_is_an_internal_error():
    """A table inconsistency is a bug of tallrx (exit 1), not a user error (exit 2)."""
    sp = (Species("X", "nM", "x", 1.0),)
    par = (Parameter("k", 1.0, "1/h", 0, 2, "paper Fig. 1", "rate"),)
    with pytest.raises(InternalError) as info:
        Network(sp, par, (), (Reaction("r", "X -> Y", "k*X", "to nowhere"),))
    assert not isinstance(info.value, TallrxError)
