"""The reproduce machinery on stand-in experiments (no simulation): outputs, "not run" claims,
atomic writes, sensitivity bookkeeping, the report and the CLI.

The stand-in experiments return small fixed tables; the stand-in claims decide by a rule that is
obvious from those tables, so every expected status below follows by inspection.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from tallrx.cli import main
from tallrx.errors import DegenerateDataWarning
from tallrx.report import reproduce as report_mod
from tallrx.reproduce import run as R
from tallrx.reproduce.claims import CLAIMS, Claim, Verdict
from tallrx.reproduce.experiments import ExperimentRun


def _fake_experiment(key, ids, *, fail=False, value=1.0):
    def fn(ctx, groups=None):
        if fail:
            raise RuntimeError(f"{key}: the model has no such virtual assay yet")
        x = value + 0.001 * ctx.seed + sum(ctx.params.values())
        warnings.warn(f"{key}: 2 wells below the blank", DegenerateDataWarning, stacklevel=1)
        table = pd.DataFrame({"sample": ["a", "b"], "x": [x, 2 * x]})
        inputs = {cid: {"table": table} for cid in ids}
        results = {"groups": pd.DataFrame({"sample": ["a"], "group": ["IL7-dependent"]})}
        return ExperimentRun(key, f"Fig. {key}", {f"{key}_table": table}, results, inputs)

    return fn


def _claims(threshold=1.5):
    def evaluate(table):
        x = float(table["x"].iloc[0])
        return Verdict(x < threshold, {"x": x}, f"x = {x:.3f}")

    return tuple(Claim(c.id, c.figure, c.statement, c.rule, ("table",), evaluate) for c in CLAIMS)


@pytest.fixture
def fake(monkeypatch):
    exps = {
        k: (_fake_experiment(k, ids, fail=(k == "fig4")), fig, ids)
        for k, (_, fig, ids) in R.EXPERIMENTS.items()
    }
    monkeypatch.setattr(R, "EXPERIMENTS", exps)
    monkeypatch.setattr(R, "CLAIMS", _claims())
    monkeypatch.setattr(report_mod, "CLAIMS", R.CLAIMS)
    monkeypatch.setattr(report_mod, "CLAIM_FIGURES", {})
    monkeypatch.setattr(report_mod, "_figure", lambda result, cid: None)
    return exps


def test_outputs_and_not_run_claims(fake, tmp_path):
    steps = []
    res = R.reproduce(tmp_path / "out", seed=3, jobs=1, progress=steps.append)
    assert len(steps) == R.n_steps(0)
    records = json.loads((tmp_path / "out" / "claims.json").read_text())
    assert [r["id"] for r in records] == list(range(1, 9))
    by_id = {r["id"]: r for r in records}
    # claim 5 comes from the failing fig4 stand-in: not run, with the reason, never a verdict
    assert by_id[5]["status"] == "not run" and by_id[5]["held"] is None
    assert "no such virtual assay" in by_id[5]["evidence"]["reason"]
    assert all(by_id[i]["status"] == "held" for i in (1, 2, 3, 4, 6, 7, 8))
    assert res.held()[5] is None
    tables = {p.name for p in (tmp_path / "out" / "tables").iterdir()}
    assert "pdx_table.csv" in tables and "fig4_table.csv" not in tables
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta["seed"] == 3 and "fig4" in meta["failures"]
    assert meta["warnings"]["pdx"] == ["DegenerateDataWarning: pdx: 2 wells below the blank"]


def test_strict_raises_instead_of_not_run(fake, tmp_path):
    with pytest.raises(RuntimeError, match="no such virtual assay"):
        R.reproduce(tmp_path / "out", jobs=1, strict=True)
    assert not (tmp_path / "out").exists()  # atomic: nothing half-written


def test_combinations_not_run_when_the_screen_fails(fake, monkeypatch, tmp_path):
    exps = dict(R.EXPERIMENTS)
    exps["pdx"] = (_fake_experiment("pdx", (2, 6, 7), fail=True), "Fig. 1D-E", (2, 6, 7))
    monkeypatch.setattr(R, "EXPERIMENTS", exps)
    res = R.reproduce(tmp_path / "out", jobs=1)
    status = {r["id"]: r["status"] for r in res.records}
    assert status[8] == "not run" and status[2] == "not run"
    assert "resistant groups" in res.verdicts[8].evidence["reason"]


def test_sensitivity_fraction_per_claim(fake, monkeypatch, tmp_path):
    # x = 1 + sum of the sampled parameter values: every stand-in claim (x < 1.5) fails once the
    # parameters add up to more than 0.5, which they always do (k_apop alone is >= 0.01 and the
    # translation rates are >= 0.2), so the fraction held is 0 for the claims that ran
    res = R.reproduce(tmp_path / "out", jobs=1, sensitivity=3)
    s = res.sensitivity.set_index("claim")
    assert s.loc[1, "n_runs"] == 3 and s.loc[1, "fraction_held"] == 0.0
    assert s.loc[5, "n_runs"] == 0 and s.loc[5, "n_not_run"] == 3
    assert np.isnan(s.loc[5, "fraction_held"])
    runs = pd.read_csv(tmp_path / "out" / "sensitivity_runs.csv")
    assert len(runs) == 3 and "claim1" in runs and "k_apop" in runs
    rec = json.loads((tmp_path / "out" / "claims.json").read_text())[0]
    assert rec["sensitivity"]["n_runs"] == 3


def test_parameter_samples_stay_within_the_stated_ranges():
    spec = R.uncertain_parameters().set_index("name")
    draws = R.sample_parameters(200, seed=1)
    assert list(draws.columns) == list(spec.index)
    assert (draws >= spec["low"].to_numpy()).all().all()
    assert (draws <= spec["high"].to_numpy()).all().all()
    pd.testing.assert_frame_equal(draws, R.sample_parameters(200, seed=1))
    assert not draws.equals(R.sample_parameters(200, seed=2))
    # log-uniform: the median of a positive range sits near its geometric midpoint
    pos = spec[spec["low"] > 0]
    mid = np.sqrt(pos["low"] * pos["high"])
    ratio = draws[pos.index].median() / mid
    assert ratio.between(0.4, 2.5).mean() > 0.9
    # per-patient parameters are never varied
    assert "s_BIM" not in spec.index and "il7r_level" not in spec.index


def test_report_lists_every_claim_with_its_verdict(fake, tmp_path):
    R.reproduce(tmp_path / "out", jobs=1, render=report_mod.render)
    html = (tmp_path / "out" / "report.html").read_text()
    for claim in CLAIMS:
        assert claim.figure in html
    assert "not run" in html and "Pre-registered rule" in html
    assert "<script" not in html and "http" not in html.split("<body>")[1].split("</body>")[0]


def test_cli_json_and_exit_code_zero_with_claims_not_run(fake, tmp_path, capsys):
    code = main(["reproduce", "-o", str(tmp_path / "out"), "--seed", "1", "--json", "--jobs", "1"])
    assert code == 0
    out = capsys.readouterr()
    records = json.loads(out.out)
    assert len(records) == 8 and {r["status"] for r in records} == {"held", "not run"}
    assert "report.html" in out.err and "7 of 8 claims held" in out.err


def test_cli_rejects_a_negative_sensitivity(fake, tmp_path):
    assert main(["reproduce", "-o", str(tmp_path / "o"), "--sensitivity", "-1"]) == 2


def test_spread_narrows_each_range_around_the_nominal_value():
    spec = R.uncertain_parameters().set_index("name")
    draws = R.sample_parameters(100, seed=4, spread=0.1)
    pos = spec[spec["low"] > 0]
    v, lo, hi = (np.log(pos[c]) for c in ("value", "low", "high"))
    logd = np.log(draws[pos.index])
    assert (logd >= v - 0.1 * (v - lo) - 1e-12).all().all()
    assert (logd <= v + 0.1 * (hi - v) + 1e-12).all().all()
    with pytest.raises(R.InputError, match="spread"):
        R.sample_parameters(3, spread=0)


def test_cli_rejects_a_spread_outside_zero_to_one(fake, tmp_path):
    assert main(["reproduce", "-o", str(tmp_path / "o"), "--spread", "1.5"]) == 2
    assert not (tmp_path / "o").exists()


def _no_location(text: str) -> str:
    """``text`` without the '(at file:line)' of a failure: a stand-in defined in this test is
    shipped to a Dask worker by value, so its code has no file name there."""
    return re.sub(r" \(at [^)]*\)", "", text)


def test_two_workers_give_the_same_outputs_as_one(fake, tmp_path):
    pytest.importorskip("distributed")
    steps: list[str] = []
    one = R.reproduce(tmp_path / "one", seed=2, jobs=1, sensitivity=2)
    two = R.reproduce(tmp_path / "two", seed=2, jobs=2, sensitivity=2, progress=steps.append)
    assert len(steps) == R.n_steps(2)  # every experiment, set and the outputs counted once
    assert "(at test_run.py:" in json.dumps(one.records)  # the failing stand-in is named
    assert _no_location(json.dumps(one.records)) == _no_location(json.dumps(two.records))
    for stem in ("tables/pdx_table", "tables/supt1_table", "sensitivity_runs"):
        a = (tmp_path / "one" / f"{stem}.csv").read_text()
        assert _no_location(a) == _no_location((tmp_path / "two" / f"{stem}.csv").read_text())


def test_cli_jobs_runs_on_a_local_dask_cluster_and_says_its_dashboard(fake, tmp_path, capsys):
    pytest.importorskip("distributed")
    assert main(["reproduce", "-o", str(tmp_path / "out"), "--seed", "2", "--jobs", "2"]) == 0
    assert "Dask dashboard: http" in capsys.readouterr().err
    assert json.loads((tmp_path / "out" / "meta.json").read_text())["jobs"] == 2


def test_cli_missing_output_folder_is_a_usage_error(capsys):
    assert main(["reproduce"]) == 2
    assert "--out" in capsys.readouterr().err


def test_influence_names_the_parameter_that_decides_a_claim():
    params = R.sample_parameters(40, seed=7)
    decisive = params["k_apop"] > params["k_apop"].median()  # held iff k_apop is high
    table = pd.DataFrame({f"claim{c.id}": "not run" for c in CLAIMS}, index=params.index)
    table["claim1"] = np.where(decisive, "held", "not held")
    top = R._influence(table, params)[1][0]
    assert top["parameter"] == "k_apop" and top["rank_correlation"] > 0.8
    assert R._influence(table.head(10), params.head(10)) == {}  # too few runs to say
