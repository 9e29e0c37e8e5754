"""tallrx.store on SQLite and PostgreSQL: record, idempotent import, runs, query, export."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import tallrx.store as store
from tallrx.errors import TallrxError


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_screen_export_equals_what_the_run_wrote(url, screen_out, tmp_path):
    """The issue's contract: exported curves.csv and strata.csv equal the run's own files."""
    with store.open(url) as db:
        run = db.import_folder(screen_out)
        db.export(run, tmp_path / "back")
    for name in ("curves.csv", "strata.csv", "wells.csv", "qc.csv"):
        want = pd.read_csv(screen_out / name)
        got = pd.read_csv(tmp_path / "back" / name)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    want = json.loads((screen_out / "meta.json").read_text())
    assert json.loads((tmp_path / "back" / "meta.json").read_text()) == want


def test_same_folder_twice_is_one_run_even_when_moved(url, synergy_out, tmp_path):
    """Identity is content: a copy of the folder elsewhere is the same run."""
    moved = tmp_path / "elsewhere" / "copy"
    shutil.copytree(synergy_out, moved)
    with store.open(url) as db:
        first = db.import_folder(synergy_out)
        assert db.import_folder(synergy_out) == first
        assert db.import_folder(moved) == first
        assert len(db.runs()) == 1
        n = len(db.query("combinations"))
    assert n == len(pd.read_csv(synergy_out / "combinations.csv"))


def test_runs_lists_inputs_by_name_and_sha256(url, synergy_out):
    viability = synergy_out.parent / "viability.csv"
    with store.open(url) as db:
        run = db.record(synergy_out, command="synergy", argv=["synergy", "viability.csv"],
                        inputs=[viability])
        runs = db.runs()
    row = runs.set_index("id").loc[run]
    assert row["command"] == "synergy"
    assert row["inputs"] == [{"name": "viability.csv", "sha256": _sha(viability)}]
    assert row["rows"]["combinations.csv"] == len(pd.read_csv(synergy_out / "combinations.csv"))
    assert row["rows"]["surface.csv"] == len(pd.read_csv(synergy_out / "surface.csv"))
    meta = json.loads((synergy_out / "meta.json").read_text())
    assert row["tallrx_version"] == meta["version"]
    assert row["status"] in ("ok", "flagged")


def test_no_absolute_path_is_an_identity(url, synergy_out):
    """files / run_files hold names and hashes only."""
    with store.open(url) as db, db.engine.connect() as conn:
        db.record(synergy_out, inputs=[synergy_out.parent / "viability.csv"])
        names = conn.execute(sa.text("SELECT name FROM run_files")).scalars().all()
    assert names and all("/" not in n or n.startswith("tables/") for n in names)


def test_query_across_runs_matches_pandas(url, screen_out, synergy_out):
    """The filter in the store selects the rows pandas selects on the files themselves."""
    with store.open(url) as db:
        s = db.import_folder(screen_out)
        y = db.import_folder(synergy_out)
        got = db.query("curves", where="auc > 250 and il7 == 25 and drug_a in "
                                       "('prednisolone', 'ruxolitinib') and fit_ok == true")
        strata = db.query("strata", where="not il7_responsive == true or auc_with >= 175")
        combos = db.query("combinations", where="il7 == 25 and (ci_mean < 0.8 or bliss > 0)")
        mine = db.query("curves", run=s)
        assert db.query("curves", run=y).empty
    curves = pd.read_csv(screen_out / "curves.csv")
    want = curves[(curves["auc"] > 250) & (curves["il7"] == 25)
                  & curves["drug_a"].isin(["prednisolone", "ruxolitinib"]) & curves["fit_ok"]]
    assert len(want) > 0
    assert list(got["sample"] + got["drug_a"]) == list(want["sample"] + want["drug_a"])
    assert set(got["run_id"]) == {s}
    np.testing.assert_array_equal(got["auc"].to_numpy(), want["auc"].to_numpy())
    st = pd.read_csv(screen_out / "strata.csv")
    assert len(strata) == int((~st["il7_responsive"] | (st["auc_with"] >= 175)).sum())
    co = pd.read_csv(synergy_out / "combinations.csv")
    assert len(combos) == int(((co["ci_mean"] < 0.8) | (co["bliss"] > 0)).sum())
    assert {"run_id", "command", "sample", "drug_a", "il7"} <= set(mine.columns)
    assert len(mine) == len(curves)


def test_claims_round_trip_and_query(url, claims_out, tmp_path):
    with store.open(url) as db:
        run = db.import_folder(claims_out)
        held = db.query("claims", where="held == true")
        not_held = db.query("claims", where="status == 'not held'")
        db.export(run, tmp_path / "back")
        assert db.runs().loc[0, "command"] == "reproduce"
    assert list(held["id"]) == [1] and list(not_held["id"]) == [2]
    assert json.loads((tmp_path / "back" / "claims.json").read_text()) == json.loads(
        (claims_out / "claims.json").read_text())
    assert (tmp_path / "back" / "tables" / "fig1.csv").read_bytes() == (
        claims_out / "tables" / "fig1.csv").read_bytes()


def test_record_a_result_object(url):
    """A Result (no folder) is recorded from its tables and meta."""
    from tallrx._result import Result

    table = pd.DataFrame({"sample": ["a", "b"], "drug_a": ["x", "x"], "auc": [120.5, np.nan],
                          "fit_ok": [True, False], "il7": [0, 25], "genotype": ["WT", "G12D"]})
    res = Result(kind="curves", table=table, meta={"method": "test"})
    with store.open(url) as db:
        run = db.record(res, command="fit")
        back = db.tables(run)["curves.csv"]
        assert db.runs().loc[0, "n_flagged"] == 1
        assert list(db.query("curves", where="genotype == 'G12D'")["sample"]) == ["b"]
    pd.testing.assert_frame_equal(back, table)


@pytest.mark.parametrize("bad", ["", "nope://x", "postgresql://nobody@127.0.0.1:1/x"])
def test_bad_or_unreachable_url_is_a_user_error(bad):
    with pytest.raises(TallrxError, match="--db"):
        store.open(bad)


def test_not_an_output_folder_and_unknown_run(url, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with store.open(url) as db:
        with pytest.raises(TallrxError, match="not a tallrx output folder"):
            db.import_folder(tmp_path)
        with pytest.raises(TallrxError, match="no such folder"):
            db.import_folder(tmp_path / "missing")
        with pytest.raises(TallrxError, match="run 42: no such run"):
            db.export(42, tmp_path / "x")
        with pytest.raises(TallrxError, match="Did you mean 'strata'"):
            db.query("stratta")


def test_default_url_is_env_then_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("TALLRX_DB", f"sqlite:///{tmp_path / 'env.db'}")
    assert store.default_url().endswith("env.db")
    monkeypatch.delenv("TALLRX_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store.default_url() == f"sqlite:///{tmp_path / 'xdg' / 'tallrx' / 'tallrx.db'}"


def test_record_cli_run_does_nothing_without_a_url(monkeypatch, synergy_out, tmp_path):
    monkeypatch.delenv("TALLRX_DB", raising=False)
    assert store.record_cli_run(None, synergy_out, "synergy", ["synergy"]) is None
    url = f"sqlite:///{tmp_path / 's.db'}"
    run = store.record_cli_run(url, synergy_out, "synergy", ["synergy", "v.csv"],
                               [synergy_out.parent / "viability.csv"])
    monkeypatch.setenv("TALLRX_DB", url)
    assert store.record_cli_run(None, synergy_out, "synergy", ["synergy"]) == run


def test_record_cli_run_of_a_screen_names_the_running_version(screen_out, tmp_path):
    """The screen writes no meta.json: the version that ran it is recorded instead."""
    from importlib.metadata import version

    url = f"sqlite:///{tmp_path / 's.db'}"
    run = store.record_cli_run(url, screen_out, "screen", ["screen", "layout.csv"])
    with store.open(url) as db:
        row = db.runs().set_index("id").loc[run]
    assert row["tallrx_version"] == version("tallrx") and row["command"] == "screen"


def test_a_single_csv_output_of_fit_is_recorded_as_curves(screen_out, tmp_path):
    """`tallrx fit -o my.csv` writes one CSV under any name: recorded as that run's curves."""
    mine = tmp_path / "my_fit.csv"
    mine.write_bytes((screen_out / "curves.csv").read_bytes())
    url = f"sqlite:///{tmp_path / 's.db'}"
    run = store.record_cli_run(url, mine, "fit", ["fit", "v.csv", "-o", str(mine)])
    with store.open(url) as db:
        got = db.tables(run)["curves.csv"]
        with pytest.raises(TallrxError, match="not a tallrx output"):
            db.import_folder(mine)  # without the command the name says nothing
    pd.testing.assert_frame_equal(got, pd.read_csv(mine))
