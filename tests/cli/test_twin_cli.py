"""`tallrx twin`: the tables, report and figures of a tiny run on a simulated screen, and
one-line user errors with exit code 2."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tallrx.schema import validate_outputs

TINY = ["--library", "24", "--rounds", "1", "--per-round", "12", "--draws", "8", "--n-null", "19"]


@pytest.fixture(scope="module")
def screen_csv(tmp_path_factory):
    """The virtual lab's single-agent screen of two virtual patients (viability.csv)."""
    from tallrx.workflows.twin.validate import screen, virtual_patients

    path = tmp_path_factory.mktemp("twin") / "viability.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        screen(virtual_patients(2, 4), seed=2).to_csv(path, index=False)
    return path


def test_twin_writes_every_table_and_the_report(screen_csv, tmp_path, run):
    out = tmp_path / "out"
    code, err = run(["twin", screen_csv, "--sample", "all", "-o", out, "--seed", "1", *TINY])
    assert code == 0, err
    kinds = set(validate_outputs(out, "twin").values())
    assert kinds == {"twin_parameters", "predicted_surface", "predicted_calls"}
    surf = pd.read_csv(out / "predicted_surface.csv")
    assert set(surf["sample"]) == {"VP01", "VP02"}
    # 2 IL7 levels x (5 x 5 matrix + 5 + 5 single agents) per sample
    assert len(surf) == 2 * 2 * 35
    assert (surf["viability_lower"] <= surf["viability_median"]).all()
    assert (surf["viability_median"] <= surf["viability_upper"]).all()
    calls = pd.read_csv(out / "predicted_calls.csv")
    np.testing.assert_allclose(calls[["p_synergy", "p_additive", "p_antagonism", "p_undetermined"]].sum(axis=1), 1.0)
    assert calls["synergy_call"].isin(["synergy", "additive", "antagonism"]).all()
    assert calls["p_il7_dependent_resistant"].between(0, 1).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Twin VP01" in html and "Twin VP02" in html
    assert len(list((out / "figures").glob("*.png"))) == 4
    assert "VP01 IL7 0" in err


def test_bad_input_exits_2_with_one_line(screen_csv, tmp_path, run):
    t = pd.read_csv(screen_csv)
    no_pred = tmp_path / "no_pred.csv"
    t[t["drug_a"].fillna("") != "prednisolone"].to_csv(no_pred, index=False)
    empty = tmp_path / "empty.csv"
    t.iloc[:0].to_csv(empty, index=False)
    cases = [
        ([screen_csv, "--sample", "VP99"], "VP99"),
        ([no_pred, "--sample", "VP01"], "no prednisolone curve"),
        ([empty, "--sample", "VP01"], "no rows"),
        ([screen_csv, "--sample", "VP01", "--n-null", "5"], "--n-null"),
    ]
    for args, text in cases:
        code, err = run(["twin", *args, "-o", tmp_path / "o"])
        assert code == 2, (args, err)
        assert text in err
        assert "Traceback" not in err
