"""`tallrx db init|import|runs|query|export` in-process: outputs, idempotence, one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tallrx.cli import main


@pytest.fixture
def run(capsys):
    def call(*args) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        cap = capsys.readouterr()
        return code, cap.out, cap.err

    return call


def test_init_import_runs_query_export(url, run, screen_out, synergy_out, tmp_path):
    assert run("db", "init", "--db", url)[0] == 0
    assert run("db", "init", "--db", url)[0] == 0  # idempotent
    code, _, err = run("db", "import", screen_out, "--db", url)
    assert code == 0 and "recorded as run 1 (screen" in err
    code, _, err = run("db", "import", screen_out, "--db", url)
    assert code == 0 and "already recorded as run 1" in err
    assert run("db", "import", synergy_out, "--db", url)[0] == 0

    code, out, _ = run("db", "runs", "--db", url, "--json")
    runs = json.loads(out)
    assert code == 0 and [r["command"] for r in runs] == ["screen", "synergy"]
    assert runs[0]["rows"]["curves.csv"] == len(pd.read_csv(screen_out / "curves.csv"))
    assert {"id", "time", "command", "tallrx_version", "inputs", "rows", "status"} <= set(runs[0])
    code, out, _ = run("db", "runs", "--db", url)
    assert code == 0 and "screen" in out and "synergy" in out

    target = tmp_path / "q.csv"
    code, _, err = run("db", "query", "--db", url, "--table", "strata", "--where",
                       "il7_responsive == true or auc_fold > 1.2", "-o", target)
    assert code == 0, err
    got, strata = pd.read_csv(target), pd.read_csv(screen_out / "strata.csv")
    want = strata[strata["il7_responsive"] | (strata["auc_fold"] > 1.2)]
    assert list(got["sample"]) == list(want["sample"]) and set(got["run_id"]) == {1}
    code, _, err = run("db", "query", "--db", url, "--table", "combinations", "--run", 2,
                       "-o", tmp_path / "c.csv")
    assert code == 0 and len(pd.read_csv(tmp_path / "c.csv")) == len(
        pd.read_csv(synergy_out / "combinations.csv"))

    code, _, err = run("db", "export", 1, "-o", tmp_path / "back", "--db", url)
    assert code == 0, err
    for name in ("curves.csv", "strata.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "back" / name),
                                      pd.read_csv(screen_out / name))


@pytest.mark.parametrize("args,pattern", [
    (["db", "runs", "--db", "nope://x"], "unsupported database"),
    (["db", "runs", "--db", "postgresql://u@127.0.0.1:1/x"], "cannot use the database"),
    (["db", "export", "7", "-o", "OUT"], "run 7: no such run"),
    (["db", "query", "--table", "curvs", "-o", "OUT.csv"], "Did you mean 'curves'"),
    (["db", "query", "--table", "curves", "--where", "aux > 1", "-o", "OUT.csv"],
     "unknown column 'aux'"),
    (["db", "import", "EMPTY"], "not a tallrx output folder"),
])
def test_errors_are_one_line_exit_2(run, tmp_path, monkeypatch, args, pattern):
    monkeypatch.setenv("TALLRX_DB", f"sqlite:///{tmp_path / 'env.db'}")
    (tmp_path / "EMPTY").mkdir()
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*args)
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("tallrx: error:") and pattern in lines[0]
    assert not (tmp_path / "OUT").exists() and not (tmp_path / "OUT.csv").exists()
