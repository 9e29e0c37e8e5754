"""`tallrx fit` / `tallrx screen` report DSS, selective DSS (--controls) and cohort z (--cohort)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.analysis.doseresponse.scores import dss

PDX = Path(__file__).resolve().parents[2] / "src" / "tallrx" / "data" / "examples" / "pdx_screen"


def test_fit_reports_dss_for_every_viability_curve(run, viability, tmp_path):
    code, _ = run(["fit", viability, "-o", tmp_path / "out.csv"])
    assert code == 0
    curves = pd.read_csv(tmp_path / "out.csv")
    assert curves[["dss1", "dss2", "dss3"]].notna().all().all()
    # the conftest curves are LL.4 with bottom 5 %, top 100 %: max inhibition ~95 %, potent ->
    # DSS close to the closed form of the generating curve (noise sd 3 %)
    row = curves[
        (curves["sample"] == "PDX1") & (curves["drug_a"] == "prednisolone") & (curves["il7"] == 0)
    ].iloc[0]
    want = dss(0.05, 1.2, 95.0, 0.01, 100.0)[1]
    assert abs(row["dss2"] - float(want)) < 2.0
    # IL7 shifts the curve right 4-fold: DSS falls (the invariant of the definition)
    il7 = curves[
        (curves["sample"] == "PDX1") & (curves["drug_a"] == "prednisolone") & (curves["il7"] == 25)
    ].iloc[0]
    assert il7["dss2"] < row["dss2"]
    assert "sdss" not in curves and "auc_z" not in curves


def test_controls_and_cohort(run, viability, tmp_path):
    controls = tmp_path / "healthy.csv"
    controls.write_text("donor,Prednisolone\nH1,10\nH2,12\nH3,14\n")
    code, _ = run(
        ["fit", viability, "-o", tmp_path / "out.csv", "--controls", controls, "--cohort"]
    )
    assert code == 0
    c = pd.read_csv(tmp_path / "out.csv")
    pred = c[c["drug_a"] == "prednisolone"]
    np.testing.assert_allclose(pred["sdss"], pred["dss2"] - 12.0)
    np.testing.assert_allclose(pred["zdss"], (pred["dss2"] - 12.0) / 3.0)  # sd 2 + 1
    np.testing.assert_allclose(pred["rdss"], (pred["dss2"] - 12.0) / 3.0)  # mad 2 + 1
    selu = c[c["drug_a"] == "selumetinib"]
    assert selu["sdss"].isna().all() and selu["message"].str.contains("no healthy-donor").all()
    # two samples per drug x il7 group: z = -1/sqrt(2) and +1/sqrt(2), the more potent one lower
    for _, g in c.groupby(["drug_a", "il7"]):
        np.testing.assert_allclose(sorted(g["auc_z"]), [-1 / np.sqrt(2), 1 / np.sqrt(2)])


def test_bad_options_are_user_errors(run, viability, tmp_path):
    code, err = run(["fit", viability, "-o", tmp_path / "a", "--dss-threshold", "0"])
    assert code == 2 and "--dss-threshold 0" in err
    bad = tmp_path / "c.csv"
    bad.write_text("donor,pred\nH1,lots\n")
    code, err = run(["fit", viability, "-o", tmp_path / "b", "--controls", bad])
    assert code == 2 and "'lots' is not a number" in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_other_responses_have_no_dss(run, viability, tmp_path):
    table = pd.read_csv(viability).rename(columns={"viability": "signal"})
    path = tmp_path / "signal.csv"
    table.to_csv(path, index=False)
    code, _ = run(["fit", path, "--response", "signal", "-o", tmp_path / "out.csv"])
    assert code == 0
    assert pd.read_csv(tmp_path / "out.csv")["dss2"].isna().all()


def test_screen_cohort_z_per_drug_condition_and_reference(run, tmp_path):
    code, _ = run(
        [
            "screen",
            PDX / "layout.csv",
            *sorted((PDX / "plates").glob("*.csv")),
            "-o",
            tmp_path / "s",
            "--cohort",
        ]
    )
    assert code == 0
    c = pd.read_csv(tmp_path / "s" / "curves.csv")
    assert c["dss2"].notna().mean() > 0.9
    z = c.groupby(["drug_a", "il7", "reference"])["auc_z"]
    np.testing.assert_allclose(z.mean().dropna(), 0.0, atol=1e-9)
    np.testing.assert_allclose(z.std().dropna(), 1.0, atol=1e-9)
    # the report ranks drugs by DSS: the cohort heatmap and per-sample waterfalls
    report = (tmp_path / "s" / "report.html").read_text()
    assert "Drug sensitivity scores" in report
    assert (tmp_path / "s" / "figures" / "dss_heatmap.png").exists()
    assert len(list((tmp_path / "s" / "figures").glob("dss_waterfall_*.png"))) == 12
