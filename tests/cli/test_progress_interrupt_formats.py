"""Progress bars (terminal only, --quiet), Ctrl-C leaving no partial output, and Parquet tables
(issue 11). No timings: what is checked is what the user sees and what is left on disk."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tallrx import progress
from tallrx._atomic import atomic_dir, save_table
from tallrx.cli import _app, _progress


@pytest.fixture
def terminal(monkeypatch):
    """stderr counts as a terminal and bars appear at once (no 1 s delay)."""
    monkeypatch.setattr(_app.err_console, "_force_terminal", True)
    monkeypatch.setattr(_app.err_console, "is_interactive", True)
    monkeypatch.setattr(_progress, "DELAY", 0.0)


# ------------------------------------------------------------------ progress
class _Recorder:
    def __init__(self):
        self.events = []

    def open(self, description, total, unit):
        self.events.append(("open", description, total, unit))
        rec = self

        class H:
            def advance(self, n):
                rec.events.append(("advance", n))

            def set_total(self, total):
                rec.events.append(("total", total))

            def close(self):
                rec.events.append(("close",))

        return H()


def test_progress_is_a_no_op_unless_a_front_end_listens():
    with progress.task("work", 3, "items") as t:
        t.advance(2)
        progress.advance(1)  # the innermost task
    assert t.done == 3 and not progress.enabled()
    rec = _Recorder()
    with progress.reporting(rec):
        assert progress.enabled()
        assert list(progress.track([1, 2], "plates", unit="plates")) == [1, 2]
        progress.advance(5)  # no task open: nothing happens
    assert not progress.enabled()
    assert rec.events == [("open", "plates", 2, "plates"), ("advance", 1), ("advance", 1),
                          ("close",)]


def test_a_task_closes_on_an_error():
    rec = _Recorder()
    with progress.reporting(rec), pytest.raises(KeyboardInterrupt), progress.task("x", 5):
        raise KeyboardInterrupt
    assert rec.events[-1] == ("close",)


def test_fit_shows_a_bar_on_a_terminal(tmp_path, viability, run, terminal):
    code, err = run(["fit", viability, "-o", tmp_path / "out.csv"])
    assert code == 0, err
    assert "fitting dose-response curves" in err
    assert "curves" in err and "8/8" in err  # units done of total
    assert "curves/s" in err and "ETA" in err


def test_fit_is_quiet_with_quiet_even_on_a_terminal(tmp_path, viability, run, terminal):
    code, err = run(["--quiet", "fit", viability, "-o", tmp_path / "out.csv"])
    assert code == 0, err
    assert err == ""
    code, err = run(["fit", viability, "-o", tmp_path / "out2.csv", "--quiet"])
    assert code == 0 and err == ""


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path, viability, run, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    code, err = run(["fit", viability, "-o", tmp_path / "out.csv"])
    assert code == 0, err
    assert "fitting dose-response curves" not in err
    assert "8 curve(s)" in err  # the status lines still print


# ------------------------------------------------------------------ Ctrl-C
def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_mid_fit_exits_130_and_writes_nothing(tmp_path, viability, run, monkeypatch,
                                                      terminal):
    monkeypatch.setattr("tallrx.analysis.doseresponse.batch.fit_dose_response", _interrupt)
    out = tmp_path / "res"
    code, err = run(["fit", viability, "-o", out / "curves.csv"])
    assert code == 130
    assert "interrupted; no output was written" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["viability.csv"]


def test_ctrl_c_while_outputs_are_moved_in_restores_the_previous_outputs(tmp_path, monkeypatch):
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        for name in ("a.csv", "b.csv", "c.csv"):
            (tmp / name).write_text(f"old {name}\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 4:  # a.csv backed up + moved in, b.csv backed up: then Ctrl-C
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr("tallrx._atomic.os.replace", flaky)
    with pytest.raises(KeyboardInterrupt), atomic_dir(out) as tmp:
        for name in ("a.csv", "b.csv", "c.csv", "d.csv"):
            (tmp / name).write_text(f"new {name}\n")
    monkeypatch.setattr("tallrx._atomic.os.replace", real)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_a_real_sigint_during_the_move_is_held_until_it_ends(tmp_path, monkeypatch):
    import tallrx._atomic as atomic

    real = atomic._commit

    def commit_with_signal(*args):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C arrives as the move starts
        real(*args)

    monkeypatch.setattr(atomic, "_commit", commit_with_signal)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("x\n")
        (tmp / "b.csv").write_text("y\n")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv"]  # complete, then raised


# ------------------------------------------------------------------ Parquet
def test_parquet_round_trip_keeps_every_value_and_dtype(tmp_path):
    df = pd.DataFrame({
        "sample": ["PDX1", "PDX2", None], "auc": [123.456789012345, np.nan, 1e-300],
        "n": [27, 0, 3], "fit_ok": [True, False, True], "il7": [0.0, 25.0, 25.0],
        "message": ["", "flat response", "hill at bound; 2 points left out"],
    })
    save_table(df, tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(back, df)


def test_mixed_text_and_number_columns_are_stored_as_text(tmp_path):
    df = pd.DataFrame({"drug_b": ["", 3.0, "ruxolitinib"], "x": [1, 2, 3]})
    save_table(df, tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back["drug_b"].tolist() == ["", "3.0", "ruxolitinib"] and back["x"].tolist() == [1, 2, 3]


def test_fit_writes_parquet_equal_to_its_csv_and_stratify_reads_it(tmp_path, viability, run):
    code, err = run(["fit", viability, "-o", tmp_path, "--table-format", "parquet"])
    assert code == 0, err
    code, err = run(["fit", viability, "-o", tmp_path / "curves.csv"])
    assert code == 0, err
    pq = pd.read_parquet(tmp_path / "curves.parquet")
    csv = pd.read_csv(tmp_path / "curves.csv", keep_default_na=False, na_values=[""])
    assert list(pq.columns) == list(csv.columns) and len(pq) == len(csv) == 8
    for col in pq.columns:
        if pd.api.types.is_numeric_dtype(pq[col]) and not pd.api.types.is_bool_dtype(pq[col]):
            np.testing.assert_allclose(pq[col].to_numpy(float), csv[col].to_numpy(float),
                                       rtol=1e-15, equal_nan=True)
        else:
            # CSV reads an empty text back as missing; Parquet keeps ''
            assert pq[col].astype(str).tolist() == csv[col].astype(object).fillna("").astype(str).tolist(), col
    for src, name in ((tmp_path / "curves.parquet", "a.csv"), (tmp_path / "curves.csv", "b.csv")):
        code, err = run(["stratify", src, "-o", tmp_path / name, "--drug", "all"])
        assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))


def test_a_table_format_that_contradicts_the_file_name_is_a_user_error(tmp_path, viability, run):
    code, err = run(["fit", viability, "-o", tmp_path / "c.csv", "--table-format", "parquet"])
    assert code == 2 and "--table-format is parquet" in err
    code, err = run(["fit", viability, "-o", tmp_path / "c.csv", "--table-format", "xlsx"])
    assert code == 2 and "expected one of csv, parquet" in err
    assert not (tmp_path / "c.csv").exists()


def _same_table(pq: pd.DataFrame, csv: pd.DataFrame) -> None:
    """Parquet and CSV copies of one table hold the same values (CSV reads '' as missing)."""
    assert list(pq.columns) == list(csv.columns) and len(pq) == len(csv)
    for col in pq.columns:
        a, b = pq[col], csv[col]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            np.testing.assert_allclose(a.to_numpy(float), pd.to_numeric(b).to_numpy(float),
                                       rtol=1e-15, equal_nan=True, err_msg=col)
        else:
            assert (a.astype(object).fillna("").astype(str).tolist()
                    == b.astype(object).fillna("").astype(str).tolist()), col


EXAMPLE = Path(__file__).resolve().parents[2] / "src/tallrx/data/examples/pdx_screen"


def test_screen_writes_every_table_as_parquet_equal_to_csv(tmp_path, run):
    plates = sorted((EXAMPLE / "plates").glob("*.csv"))[:3]
    layout = pd.read_csv(EXAMPLE / "layout.csv")
    layout[layout["plate"].isin([p.stem for p in plates])].to_csv(tmp_path / "l.csv", index=False)
    args = ["screen", tmp_path / "l.csv", *plates, "--n-boot", "0"]
    code, err = run([*args, "-o", tmp_path / "pq", "--table-format", "parquet"])
    assert code == 0, err
    code, err = run([*args, "-o", tmp_path / "csv"])
    assert code == 0, err
    names = sorted(p.stem for p in (tmp_path / "csv").glob("*.csv"))
    assert names and sorted(p.stem for p in (tmp_path / "pq").glob("*.parquet")) == names
    assert not list((tmp_path / "pq").glob("*.csv"))
    for name in names:
        _same_table(pd.read_parquet(tmp_path / "pq" / f"{name}.parquet"),
                    pd.read_csv(tmp_path / "csv" / f"{name}.csv"))


def test_synergy_reads_and_writes_parquet(tmp_path, run):
    from tallrx.analysis.synergy import simulate_table
    from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B

    table = simulate_table(2, a=BENCH_A, b=BENCH_B, model="sensitize", seed=3)
    save_table(table, tmp_path / "v.parquet")
    table.to_csv(tmp_path / "v.csv", index=False)
    common = ["--n-null", "0", "--n-boot", "0", "--no-figures"]
    code, err = run(["synergy", tmp_path / "v.parquet", "-o", tmp_path / "pq", *common,
                     "--table-format", "parquet"])
    assert code == 0, err
    code, err = run(["synergy", tmp_path / "v.csv", "-o", tmp_path / "csv", *common])
    assert code == 0, err
    for name in ("combinations", "surface", "median_effect"):
        _same_table(pd.read_parquet(tmp_path / "pq" / f"{name}.parquet"),
                    pd.read_csv(tmp_path / "csv" / f"{name}.csv"))


def test_parquet_with_a_results_store_is_a_user_error(tmp_path, viability, run):
    code, err = run(["fit", viability, "-o", tmp_path / "c.parquet", "--db",
                     tmp_path / "s.db"])
    assert code == 2 and "records CSV tables" in err
    assert not (tmp_path / "c.parquet").exists()
