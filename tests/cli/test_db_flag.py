"""`--db URL` on the analysis commands records the run in the results store (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import tallrx.store as store

KISPI = Path(__file__).resolve().parents[2] / "src" / "tallrx" / "data" / "examples" / "kispi_drp_plate"


def test_screen_with_db_records_a_run_whose_export_equals_the_outputs(run, tmp_path):
    """The real KiSpi plate has no IL7 condition: strata.csv is empty, and still recorded."""
    db, out = tmp_path / "lab.db", tmp_path / "screen"
    code, err = run(["screen", KISPI / "layout.csv", KISPI / "measurement.csv", "-o", out,
                     "--db", db])
    assert code == 0, err
    assert "recorded as run 1" in err
    with store.open(db) as s:
        runs = s.runs()
        assert list(runs["command"]) == ["screen"]
        s.export(int(runs.iloc[0]["id"]), tmp_path / "back")
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "curves.csv"), pd.read_csv(tmp_path / "back" / "curves.csv")
    )


def test_without_db_nothing_is_recorded(run, tmp_path, monkeypatch):
    monkeypatch.delenv("TALLRX_DB", raising=False)
    v = tmp_path / "v.csv"
    v.write_text("sample,drug_a,conc_a,viability\ns,d,0.1,100\ns,d,1,70\ns,d,10,20\ns,d,100,5\n"
                 "s,d,1000,3\n")
    code, err = run(["fit", v, "-o", tmp_path / "c.csv"])
    assert code == 0 and "recorded" not in err


def test_tallrx_db_variable_is_used_without_the_flag(run, tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("TALLRX_DB", str(db))
    v = tmp_path / "v.csv"
    v.write_text("sample,drug_a,conc_a,viability\ns,d,0.1,100\ns,d,1,70\ns,d,10,20\ns,d,100,5\n"
                 "s,d,1000,3\n")
    code, err = run(["fit", v, "-o", tmp_path / "c.csv"])
    assert code == 0 and "recorded as run 1" in err
    with store.open(db) as s:
        assert len(s.runs()) == 1
