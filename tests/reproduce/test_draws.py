"""``reproduce --draws N [--posterior FILE]``: claims over posterior draws, their held fraction and
its Wilson 95 % interval, and the errors a bad posterior gives.

Expected values come from outside the code: the Wilson interval is worked by hand (and checked
against scipy's ``binomtest(...).proportion_ci(method="wilson")``); the held fractions follow from
which posterior row each draw came from, by the stand-in rule or by the model's BIM transcription
law (fold = 1 + a_gr_bim x active GR; see the real-model test).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from tallrx.cli import main
from tallrx.errors import InputError
from tallrx.report import reproduce as report_mod
from tallrx.reproduce import draws as D
from tallrx.reproduce import run as R
from tallrx.reproduce.claims import CLAIMS, Claim, Verdict
from tallrx.reproduce.experiments import EXPERIMENTS, ExperimentRun
from tallrx.reproduce.sensitivity import sample_parameters, wilson_interval
from tallrx.schema import validate


# ---------------------------------------------------------------- the interval, hand-worked
def test_wilson_interval_hand_worked_nine_of_ten():
    # p = 0.9, n = 10, z = 1.96: z^2/n = 0.38416; centre = (0.9 + 0.19208) / 1.38416 = 0.78898;
    # half = 1.96 / 1.38416 * sqrt(0.009 + 0.009604) = 0.193139 -> [0.5958, 0.9821]
    low, high = wilson_interval(9, 10)
    assert low == pytest.approx(0.5958, abs=2e-4)
    assert high == pytest.approx(0.9821, abs=2e-4)


def test_wilson_interval_edges():
    # 0 of 10: [0, z^2/(n + z^2)] = [0, 3.8415 / 13.8415] = [0, 0.2775]; 10 of 10 mirrors it
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=2e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=2e-4)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


@pytest.mark.parametrize("k,n", [(1, 3), (17, 20), (45, 50), (0, 1), (123, 400)])
def test_wilson_interval_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


# ---------------------------------------------------------------- stand-in experiments
def _stand_in(key, ids):
    def fn(ctx, groups=None):
        x = 1.0 + sum(ctx.params.values())
        table = pd.DataFrame({"x": [x]})
        results = {"groups": pd.DataFrame({"sample": ["a"], "group": ["IL7-dependent"]})}
        return ExperimentRun(key, key, {f"{key}_table": table}, results,
                             {cid: {"table": table} for cid in ids})

    return fn


def _holds_below(threshold):
    def evaluate(table):
        x = float(table["x"].iloc[0])
        return Verdict(x < threshold, {"x": x}, f"x = {x:.3f}")

    return evaluate


@pytest.fixture
def fake(monkeypatch):
    """Every experiment a stand-in (x = 1 + sum of the parameter overrides); every claim holds
    when x < 1.5."""
    exps = {k: (_stand_in(k, ids), fig, ids) for k, (_, fig, ids) in EXPERIMENTS.items()}
    claims = tuple(
        Claim(c.id, c.figure, c.statement, c.rule, ("table",), _holds_below(1.5)) for c in CLAIMS
    )
    monkeypatch.setattr(R, "EXPERIMENTS", exps)
    monkeypatch.setattr(R, "CLAIMS", claims)
    monkeypatch.setattr(report_mod, "CLAIMS", claims)
    monkeypatch.setattr(report_mod, "CLAIM_FIGURES", {})
    monkeypatch.setattr(report_mod, "_figure", lambda result, cid: None)
    return exps


def _posterior(path, rows, weights):
    df = pd.DataFrame(rows)
    df.insert(0, "weight", weights)
    df.to_csv(path, index=False)
    return path


def test_held_fraction_is_the_share_of_draws_from_the_holding_row(fake, tmp_path):
    # row 0: k_apop = 0.1 -> x = 1.1 (held); row 1: k_apop = 0.9 -> x = 1.9 (not held)
    post = _posterior(tmp_path / "post.csv", {"k_apop": [0.1, 0.9]}, [3.0, 1.0])
    res = R.reproduce(tmp_path / "out", seed=5, jobs=1, draws=40, posterior=post)
    runs = pd.read_csv(tmp_path / "out" / "draws_runs.csv")
    assert len(runs) == 40 and set(runs["posterior_row"]) == {0, 1}
    assert np.allclose(runs["k_apop"], np.where(runs["posterior_row"] == 0, 0.1, 0.9))
    k = int((runs["posterior_row"] == 0).sum())
    assert 20 <= k <= 39  # weight 3:1 -> 30 expected (a 40-draw binomial, > 4 sd margin)
    assert (runs["claim1"] == np.where(runs["posterior_row"] == 0, "held", "not held")).all()
    rec = json.loads((tmp_path / "out" / "claims.json").read_text())[0]
    assert rec["n_draws"] == 40 and rec["n_draws_held"] == k
    assert rec["held_fraction"] == pytest.approx(k / 40)
    assert rec["held_fraction_interval"] == pytest.approx(list(wilson_interval(k, 40)))
    assert "Wilson" in rec["held_fraction_interval_method"]
    assert rec["status"] == "held"  # the single run at nominal values is unchanged (x = 1)
    assert res.draws.set_index("claim").loc[1, "n_runs"] == 40
    validate(pd.read_csv(tmp_path / "out" / "draws.csv"), "draws")
    validate(runs, "draws_runs")
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta["draws"] == 40 and meta["posterior"] == str(post)


def test_same_seed_same_draws_and_zero_weight_rows_never_drawn(tmp_path):
    post = _posterior(tmp_path / "p.csv", {"k_apop": [0.1, 0.2, 0.3]}, [1.0, 0.0, 1.0])
    a, b = D.posterior_draws(200, 3, post), D.posterior_draws(200, 3, post)
    assert (a.attrs["posterior_row"] == b.attrs["posterior_row"]).all()
    assert 1 not in set(a.attrs["posterior_row"])
    assert not np.array_equal(a.attrs["posterior_row"], D.posterior_draws(200, 4, post).attrs[
        "posterior_row"])


def test_cli_draws_with_a_posterior_from_sample_parameters(fake, tmp_path, capsys):
    params = sample_parameters(4, seed=1, spread=0.1)
    post = _posterior(tmp_path / "posterior.csv", params, [1.0, 2.0, 3.0, 4.0])
    out = tmp_path / "out"
    code = main(["reproduce", "-o", str(out), "--draws", "5", "--posterior", str(post),
                 "--jobs", "1"])
    assert code == 0
    records = json.loads((out / "claims.json").read_text())
    # every sampled set adds up to far more than 0.5 (the translation rates alone are >= 0.2),
    # so no claim holds in any draw: 0 of 5 -> Wilson [0, 1.96^2 / (5 + 1.96^2)] = [0, 0.4345]
    for rec in records:
        assert rec["n_draws"] == 5 and rec["held_fraction"] == 0.0
        assert rec["held_fraction_interval"] == pytest.approx([0.0, 0.4345], abs=2e-4)
    html = (out / "report.html").read_text()
    assert "Claims over the calibration posterior" in html and "posterior draws" in html
    assert (out / "draws.csv").exists() and not (out / "sensitivity.csv").exists()
    assert "0 of 5 evaluated posterior draws" in capsys.readouterr().err


def test_without_draws_the_outputs_are_unchanged(fake, tmp_path):
    R.reproduce(tmp_path / "out", jobs=1)
    rec = json.loads((tmp_path / "out" / "claims.json").read_text())[0]
    assert "held_fraction" not in rec and "n_draws" not in rec
    assert not (tmp_path / "out" / "draws.csv").exists()


# ---------------------------------------------------------------- bad input: exit 2
@pytest.mark.parametrize(
    "text,match",
    [
        ("k_apop\n0.1\n", "weight"),
        ("weight,k_apoop\n1,0.1\n", "k_apoop.*Did you mean 'k_apop'"),
        ("weight,k_apop\n1,abc\n", "numbers"),
        ("weight,k_apop\n-1,0.1\n", "non-negative"),
        ("weight,k_apop\n", "one row per draw"),
    ],
)
def test_malformed_posterior_exits_2_naming_the_file(fake, tmp_path, capsys, text, match):
    post = tmp_path / "bad.csv"
    post.write_text(text)
    code = main(["reproduce", "-o", str(tmp_path / "o"), "--draws", "2", "--posterior", str(post)])
    err = capsys.readouterr().err
    assert code == 2 and "bad.csv" in err and "Traceback" not in err
    assert re.search(match, err.replace("\n", " "))
    assert not (tmp_path / "o").exists()


def test_missing_posterior_file_and_no_shipped_posterior_exit_2(fake, monkeypatch, tmp_path,
                                                                capsys):
    code = main(["reproduce", "-o", str(tmp_path / "o"), "--draws", "2", "--posterior",
                 str(tmp_path / "nope.csv")])
    assert code == 2 and "nope.csv" in capsys.readouterr().err
    monkeypatch.setattr(D, "shipped_posterior", lambda: None)
    assert main(["reproduce", "-o", str(tmp_path / "o"), "--draws", "2"]) == 2
    assert "--posterior FILE" in capsys.readouterr().err
    with pytest.raises(InputError, match="ships none"):
        D.posterior_draws(2, 0)
    assert not (tmp_path / "o").exists()


def test_cli_rejects_negative_draws_and_posterior_without_draws(fake, tmp_path, capsys):
    assert main(["reproduce", "-o", str(tmp_path / "o"), "--draws", "-1"]) == 2
    post = _posterior(tmp_path / "p.csv", {"k_apop": [0.1]}, [1.0])
    assert main(["reproduce", "-o", str(tmp_path / "o"), "--posterior", str(post)]) == 2
    assert "only used with --draws" in capsys.readouterr().err


# ---------------------------------------------------------------- the real model, one experiment
def test_draws_on_the_real_qpcr_experiment(monkeypatch, tmp_path):
    """Fig. 3's qPCR experiment on the model (the other experiments stubbed out as not run).

    BIM mRNA is made at k_m_bim (1 + a_gr_bim GR*): with prednisolone (690 uM >> Kd_pred) the
    active GR is ~1, so the fold is ~1 + a_gr_bim: 5.5 at the nominal 4.5 (inside the paper's
    4-10 band: claim 4 holds) and ~21 at a_gr_bim = 20 (outside: it does not)."""

    def stub(ctx, groups=None):
        raise RuntimeError("not part of this reduced run")

    exps = {k: (fn if k == "fig3" else stub, fig, ids) for k, (fn, fig, ids) in EXPERIMENTS.items()}
    monkeypatch.setattr(R, "EXPERIMENTS", exps)
    post = _posterior(tmp_path / "post.csv", {"a_gr_bim": [4.5, 20.0]}, [0.5, 0.5])
    res = R.reproduce(tmp_path / "out", seed=0, jobs=1, draws=6, posterior=post)
    runs = res.draw_runs
    assert set(runs["posterior_row"]) == {0, 1}  # seed 0 draws both rows
    assert (runs["claim4"] == np.where(runs["posterior_row"] == 0, "held", "not held")).all()
    assert (runs["claim1"] == "not run").all()
    rec = {r["id"]: r for r in res.records}
    k = int((runs["posterior_row"] == 0).sum())
    assert rec[4]["held_fraction"] == pytest.approx(k / 6)
    assert rec[1]["held_fraction"] is None and rec[1]["n_draws_not_run"] == 6
