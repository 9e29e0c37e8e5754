"""The calibration run: two-stage tempering (hand-worked Gaussian), predictive table (hand-worked),
cohort observables vs the shipped cohort's own screen, and the outputs of a --quick run (CLI)."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from tallrx.calibration.observables import (
    COHORT_TARGETS,
    COMBINATION_TARGETS,
    cohort_observables,
)
from tallrx.calibration.prior import calibration_prior
from tallrx.calibration.run import OUTPUTS, predictive_table
from tallrx.calibration.smc import smc, temper
from tallrx.calibration.targets import load_targets
from tallrx.cli import main
from tallrx.reproduce.draws import read_draws_posterior


def _gauss(y, s2):
    return lambda x: -0.5 * np.sum((x - y) ** 2, axis=1) / s2


def test_two_stages_reach_the_joint_posterior():
    # prior N(0, 1); y1 = 1 (sd 1) then y2 = 2 (sd 1): precision 3, mean (1 + 2) / 3 = 1 (hand)
    def log_prior(x):
        return -0.5 * np.sum(x**2, axis=1)

    rng = np.random.default_rng(5)
    l1, l2 = _gauss(1.0, 1.0), _gauss(2.0, 1.0)
    first = smc(lambda n, r: r.standard_normal((n, 1)), log_prior, l1, 3000, rng, moves=3)
    res = temper(first.x, lambda x: (l2(x), l1(x), x.copy()), log_prior, rng, moves=3)
    assert res.betas[-1] == 1.0 and res.reweight_ess is None
    np.testing.assert_allclose(res.x.mean(), 1.0, atol=0.05)
    np.testing.assert_allclose(res.x.var(), 1 / 3, rtol=0.15)
    np.testing.assert_array_equal(res.aux, res.x)  # extras follow their particles


def test_out_of_steps_reweights_to_beta_one():
    def log_prior(x):
        return -0.5 * np.sum(x**2, axis=1)

    rng = np.random.default_rng(6)
    x = rng.standard_normal((4000, 1))
    ll = _gauss(3.0, 0.25)  # far from the prior: needs several steps
    res = temper(x, lambda z: (ll(z), np.zeros(len(z)), None), log_prior, rng, max_steps=1)
    assert res.betas[-1] < 1.0
    assert res.reweight_ess is not None and res.reweight_ess < 4000
    np.testing.assert_allclose(res.weights.sum(), 1.0)
    assert res.weights.std() > 0  # unequal weights are kept
    # weighted mean still targets the posterior mean 3 * 4 / 5 = 2.4 (hand), loosely
    assert abs(np.sum(res.weights * res.x[:, 0]) - 2.4) < 0.3


def test_predictive_table_hand_worked():
    t = load_targets()
    t = t[t["target"].isin(["bim_mrna_fold_prednisolone", "ci_prednisolone_selumetinib"])]
    obs = pd.DataFrame({"bim_mrna_fold_prednisolone": [2.0, 5.0, 8.0, 12.0]})
    w = np.array([1.0, 1.0, 1.0, 1.0])
    tab = predictive_table(t, obs, w).set_index("target")
    bim = tab.loc["bim_mrna_fold_prednisolone"]
    assert bim["share_inside"] == pytest.approx(0.5)  # 5 and 8 are in [4, 10]
    assert bim["median"] == pytest.approx(6.5)  # midway between 5 and 8
    assert bim["q05"] <= 2.0 + 1e-12 and bim["q95"] >= 12.0 - 1e-12
    # 2 is log10(4/2) = 0.301 below: -0.5 (0.301 / 0.1)^2; 12 is log10(1.2) above
    want = np.mean([-0.5 * (np.log10(2) / 0.1) ** 2, 0, 0, -0.5 * (np.log10(1.2) / 0.1) ** 2])
    assert bim["loglik"] == pytest.approx(want)
    ci = tab.loc["ci_prednisolone_selumetinib"]
    assert not ci["simulated"] and np.isnan(ci["median"])
    w2 = np.array([0.0, 0.0, 0.0, 1.0])  # all weight on 12: outside
    assert predictive_table(t, obs, w2).set_index("target").loc[
        "bim_mrna_fold_prednisolone", "share_inside"] == 0.0


def test_cohort_observables_match_the_shipped_screen():
    # the shipped cohort's flags come from the full 94-well screen_statistics: the reduced design
    # at the nominal parameters must give the same shares
    from tallrx.model.virtual.cohort import load_cohort
    from tallrx.reproduce.sensitivity import uncertain_parameters

    u = uncertain_parameters()
    nominal = pd.DataFrame([u["value"].to_numpy(float)], columns=u["name"])
    cohort = load_cohort()
    got = cohort_observables(nominal, cohort=cohort).iloc[0]
    for target, flag in COHORT_TARGETS.items():
        if flag == "perk_fold_il7":
            assert got[target] == pytest.approx(cohort[flag].median(), rel=1e-6)
        else:
            assert got[target] == pytest.approx(cohort[flag].astype(bool).mean())


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "out"
    code = main(["model", "calibrate", "-o", str(out), "--quick", "--seed", "3", "--quiet"])
    return code, out


def test_quick_cli_run_writes_every_output(quick_run):
    code, out = quick_run
    assert code == 0
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    post = pd.read_csv(out / "posterior.csv")
    prior = calibration_prior()
    assert list(post.columns) == ["weight", *prior.names]
    assert post["weight"].sum() == pytest.approx(1.0)
    assert len(read_draws_posterior(out / "posterior.csv")) == 16
    tab = pd.read_csv(out / "targets.csv")
    assert list(tab["target"]) == list(load_targets()["target"])
    sim = tab[tab["simulated"]]
    assert ((sim["q05"] <= sim["median"]) & (sim["median"] <= sim["q95"])).all()
    assert sim["share_inside"].between(0, 1).all()
    assert set(COMBINATION_TARGETS) <= set(sim["target"])  # Fig. 5C CIs are in stage 2
    diag = json.loads((out / "diagnostics.json").read_text())
    for stage in ("lines", "cohort"):
        s = diag["stages"][stage]
        assert len(s["betas"]) == len(s["ess"]) == len(s["acceptance"]) >= 1
        assert all(0 <= a <= 1 for a in s["acceptance"])
        assert np.all(np.diff(s["betas"]) > 0)
    assert diag["stages"]["lines"]["betas"][-1] <= 1.0 and diag["seed"] == 3
    meta = json.loads((out / "meta.json").read_text())
    import importlib.resources

    raw = (importlib.resources.files("tallrx") / "data" / "model" / "calibration_targets.csv")
    assert meta["targets_sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    ident = pd.read_csv(out / "identifiability.csv")
    assert list(ident["parameter"]) == list(prior.names)


@pytest.mark.parametrize(
    "args, text",
    [
        (["--particles", "4"], "--particles 4"),
        (["--moves", "0"], "--moves 0"),
        (["--seed", "-1"], "--seed -1"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_bad_options_exit_2(tmp_path, capsys, args, text):
    out = tmp_path / "o"
    code = main(["model", "calibrate", "-o", str(out), "--quick", *args])
    assert code == 2
    assert text in capsys.readouterr().err
    assert not out.exists()


def test_output_that_is_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / "posterior.csv"
    f.write_text("keep me")
    code = main(["model", "calibrate", "-o", str(f), "--quick", "--quiet"])
    assert code == 2 and f.read_text() == "keep me"


def test_smc_moves_a_model_observable_into_a_synthetic_band():
    # one parameter (a_gr_bim, GR -> BIM transcription) free in its stated range; a synthetic
    # BIM-fold band over the upper half of what that range can give: after calibration every
    # particle's model observable must be near the band, the prior's only about half of them
    from tallrx.calibration.likelihood import total_log_likelihood
    from tallrx.calibration.observables import line_observables
    from tallrx.calibration.prior import BoxPrior

    spec = pd.DataFrame({"name": ["a_gr_bim"], "low": [3.0], "high": [9.0]})
    prior = BoxPrior.from_table(spec)
    ends = line_observables(prior.to_parameters(np.log([[3.0], [9.0]])))
    lo_end, hi_end = ends["bim_mrna_fold_prednisolone"].to_numpy()
    assert hi_end > lo_end  # more GR drive, more BIM
    mid = np.sqrt(lo_end * hi_end)
    t = load_targets()
    t = t[t["target"] == "bim_mrna_fold_prednisolone"].assign(lower=mid, upper=hi_end,
                                                               tolerance=0.01)

    def loglik(x):
        return total_log_likelihood(line_observables(prior.to_parameters(x)), t)

    rng = np.random.default_rng(0)
    res = smc(prior.sample, prior.log_density, loglik, 12, rng, moves=2)
    fold = line_observables(prior.to_parameters(res.x))["bim_mrna_fold_prednisolone"]
    assert res.betas[-1] == 1.0
    assert (np.log10(fold) > np.log10(mid) - 0.02).all()
