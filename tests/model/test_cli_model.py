"""tallrx simulate / cohort / model show / model export, driven through tallrx.cli.main."""

from __future__ import annotations

import json

import libsbml
import pandas as pd
import pytest

from tallrx.cli import main
from tallrx.model import NETWORK

SMALL_TOML = """
seed = 3
[[viability]]
name = "mini"
genotypes = ["parental", "NRAS_G12D"]
dox = [1]
replicates = 2
drugs = { prednisolone = { low = 0.01, high = 250, n = 3, unit = "ug/ml" } }
[[blot]]
genotypes = ["NRAS_G12D"]
dox = [0, 1]
treatments = [ {}, { selumetinib = 1 } ]
targets = ["pERK", "ERK", "BIM-EL_p", "BIM-EL", "ACTB"]
[[qpcr]]
genotypes = ["JAK1_T901A"]
treatments = [ {}, { prednisolone = "250 ug/ml" } ]
[[coip]]
genotypes = ["NRAS_G12D"]
dox = [0, 1]
replicates = 2
[[timecourse]]
genotypes = ["NRAS_G12D"]
dox = [1]
treatments = [ { ruxolitinib = 2 } ]
hours = [0, 1]
observables = ["pERK"]
"""


def test_simulate_one_well(tmp_path):
    out = tmp_path / "well.csv"
    code = main(
        [
            "simulate",
            "--genotype",
            "NRAS_G12D",
            "--dox",
            "--drug",
            "selumetinib=1",
            "--drug",
            "prednisolone=250ug/ml",
            "--hours",
            "0.5,24",
            "--engine",
            "batched",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    t = pd.read_csv(out)
    assert {"time_h", "observable", "value", "genotype", "dox"} <= set(t.columns)
    assert t["prednisolone"].iloc[0] == pytest.approx(693.6, rel=1e-3)
    assert sorted(t["time_h"].unique()) == [0.5, 24.0]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--genotype", "NRAS_G13D"], "Did you mean 'NRAS_G12D'"),
        (["--genotype", "parental", "--drug", "selumetnib=1"], "Did you mean 'selumetinib'"),
        (["--genotype", "parental", "--drug", "selumetinib"], "NAME=CONC"),
        (["--genotype", "parental", "--hours", "a,b"], "--hours"),
        (["--genotype", "parental", "--param", "k_jakk=2"], "Did you mean 'k_jak'"),
        ([], "needs --genotype"),
    ],
)
def test_simulate_user_errors_exit_2(tmp_path, capsys, args, message):
    assert main(["simulate", *args, "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()


def test_simulate_experiment_writes_every_table(tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text(SMALL_TOML)
    out = tmp_path / "out"
    assert main(["simulate", str(exp), "-o", str(out)]) == 0
    for name in ("wells", "blots", "qpcr", "coip", "timecourse"):
        df = pd.read_csv(out / f"{name}.csv")
        assert len(df) and (df["source"] == "simulated").all(), name
    meta = json.loads((out / "experiment.json").read_text())
    assert meta["tables"]["wells"] == len(pd.read_csv(out / "wells.csv"))


@pytest.mark.parametrize(
    "text,message",
    [
        ("[[viabilty]]\ngenotypes=['parental']", "Did you mean 'viability'"),
        ("[[blot]]\ngenotype=['parental']", "Did you mean 'genotypes'"),
        ("[[blot]]\ngenotypes=['parental']\ntreatments=[{predisolone=1}]", "prednisolone"),
        ("[[viability]]\ngenotypes=['parental']", "needs drugs"),
        ("[[blot]\n", "not valid TOML"),
    ],
)
def test_bad_experiment_files_exit_2(tmp_path, capsys, text, message):
    exp = tmp_path / "bad.toml"
    exp.write_text(text)
    assert main(["simulate", str(exp), "-o", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cohort_command_uses_the_shipped_cohort(tmp_path):
    out = tmp_path / "cohort"
    assert main(["cohort", "-o", str(out), "--no-screen"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    from tallrx.model.virtual.cohort import load_cohort

    shipped = int(load_cohort()["il7_responsive"].sum())  # the summary reports the shipped file
    assert summary["n"] == 46 and summary["shipped"] and summary["il7_responsive"] == shipped
    assert len(pd.read_csv(out / "cohort.csv")) == 46


def test_model_export_writes_valid_sbml(tmp_path):
    path = tmp_path / "model.xml"
    assert (
        main(["model", "export", "--sbml", str(path), "--antimony", str(tmp_path / "model.ant")])
        == 0
    )
    doc = libsbml.readSBMLFromFile(str(path))
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert doc.getModel().getNumSpecies() == len(NETWORK.species)
    assert doc.getModel().getNumReactions() == len(NETWORK.reactions)
    assert "model tallrx_il7r_erk_bim" in (tmp_path / "model.ant").read_text()


def test_model_show_lists_reactions_and_parameters(capsys):
    assert main(["model", "show", "--what", "parameters", "--grep", "Kd_pbim", "--csv"]) == 0
    out = capsys.readouterr().out
    assert "Kd_pbim" in out and "calibrated to Fig. 4" in out
    assert main(["model", "show", "--what", "reactions", "--csv"]) == 0
    assert "BIM_EL_phos" in capsys.readouterr().out
    assert main(["model", "show", "--what", "reaction"]) == 2
