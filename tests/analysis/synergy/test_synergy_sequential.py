"""The two-stage (sequential) Monte-Carlo call: its level, its p-values, curtailment, and chunking
invariance.

Oracles: a direct simulation of the test on i.i.d. uniform statistics (observed and null plates
exchangeable, as under no interaction), the ordinary Monte-Carlo p-value (1 + h) / (1 + n) for the
one-stage test, and simulated Bliss-independent plates (no interaction) for the calibrated call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import tallrx.analysis.synergy.api as synergy_api
from tallrx.analysis.synergy import score_synergy, simulate_table
from tallrx.analysis.synergy.calibration import (
    first_stage,
    look_schedule,
    sequential_p,
    stage_limit,
    still_open,
)
from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B


def _simulated_test(
    n_rep: int, n: int, alpha: float, seed: int, looks: list[int] | None = None
) -> np.ndarray:
    """p-values of the two-stage test on n_rep null replicates drawn directly (no tallrx code
    besides the p-value rule): observed and n null statistics i.i.d. uniform. ``looks``
    (cumulative plate counts): stage 2 stops at the first look where h1 + h2 > c (curtailment)."""
    rng = np.random.default_rng(seed)
    n1 = first_stage(n, alpha)
    obs = rng.random(n_rep)
    below = rng.random((n_rep, n)) <= obs[:, None]  # null at least as extreme (lower = synergy)
    h1 = below[:, :n1].sum(1)
    c = stage_limit(n1, n - n1, alpha, True)
    stop = (h1 == 0) | (h1 > c)
    used = np.full(n_rep, n)  # plates scored when stage 2 ends
    for look in reversed(looks or []):
        used = np.where(below[:, :look].sum(1) > c, look, used)
    h2 = np.array([below[i, n1 : used[i]].sum() for i in range(n_rep)])
    return np.array(
        [
            sequential_p(int(a), n1, 0 if s else int(b), 0 if s else int(u) - n1, n - n1, alpha)
            for a, b, s, u in zip(h1, h2, stop, used, strict=True)
        ]
    )


def test_two_stage_level_is_at_most_alpha_by_simulation():
    p = _simulated_test(100_000, 199, 0.05, seed=1)
    se = np.sqrt(0.05 * 0.95 / len(p))
    assert np.mean(p <= 0.05) <= 0.05 + 3 * se  # the level holds ...
    assert np.mean(p <= 0.05) >= 0.04  # ... without being needlessly conservative
    for u in (0.01, 0.025, 0.1, 0.3):  # a valid p-value: P(p <= u) <= u
        assert np.mean(p <= u) <= u + 3 * np.sqrt(u * (1 - u) / len(p))


def test_curtailment_changes_no_call_and_keeps_the_level():
    # stopping stage 2 at the first look where h1 + h2 > c (no call possible any more) gives the
    # same calls as scoring all 199 plates, and the non-call p-values stay above alpha
    full = _simulated_test(50_000, 199, 0.05, seed=2)
    cut = _simulated_test(50_000, 199, 0.05, seed=2, looks=[59, 79, 99, 124, 155, 199])
    assert np.array_equal(full <= 0.05, cut <= 0.05)
    assert np.array_equal(full[full <= 0.05], cut[cut <= 0.05])
    assert (cut[cut > 0.05] > 0.05).all() and (cut <= 1).all()
    se = np.sqrt(0.05 * 0.95 / len(cut))
    assert np.mean(cut <= 0.05) <= 0.05 + 3 * se


def test_curtailed_p_value_hand_worked():
    # c = 8 for 39 + 160 plates: h1 = 5 of 39, then 10 of 60 more -> h = 15 > 8, no call possible;
    # p is the Monte-Carlo estimate (1 + 15) / (1 + 99) = 0.16
    assert stage_limit(39, 160, 0.05, True) == 8
    assert np.isclose(sequential_p(5, 39, 10, 60, 160, 0.05), 0.16)
    # h = 9 of all 199: the estimate 10/200 = alpha would be a call; the p-value is the stage-wise
    # one, above alpha
    assert sequential_p(1, 39, 8, 160, 160, 0.05) > 0.05
    assert look_schedule(39, 199) == [59, 79, 99, 124, 155, 199]


def test_still_open_hand_worked():
    # CI statistic (lower = synergy), observed 0.5; a null plate at 0.0 is at least as synergistic,
    # at 1.0 at least as antagonistic. c = 8 for 39 + 160 plates.
    def nulls(n_syn: int, n: int) -> np.ndarray:
        return np.r_[np.zeros(n_syn), np.ones(n - n_syn)][None, :, None]

    obs = np.array([[0.5]])

    def is_open(h1: int, h2: int, n2: int = 60) -> bool:
        return bool(still_open(obs, (nulls(h1, 39), nulls(h2, n2)), "ci_gmean", 160, 0.05)[0, 0])

    assert not is_open(0, 0, 0)  # h1 = 0: early call; the antagonism side (39 > c) is closed
    assert is_open(1, 0, 0) and is_open(8, 0, 0)  # 1 <= h1 <= c: stage 2
    assert not is_open(9, 0, 0)  # h1 > c: no call possible
    assert is_open(5, 3) and not is_open(5, 4)  # h1 + h2 = 8 <= c open, 9 > c closed
    assert not is_open(0, 5)  # stopped by the first stage, whatever came later
    # the antagonism side alike: 0 of 39 as antagonistic is an early call (closed), 3 of 39 open
    assert not is_open(39, 0, 0)
    assert is_open(36, 0, 0)


def test_one_stage_is_the_ordinary_monte_carlo_p_value():
    # all 199 plates in one stage: p = (1 + h) / (1 + n), e.g. h = 9 -> 10 / 200 = 0.05
    for h in (0, 9, 10, 150):
        assert np.isclose(sequential_p(h, 199, 0, 0, 0, 0.05), (1 + h) / 200)
    assert first_stage(199) == 39 and first_stage(60) == 60  # 1 / 40 = alpha / 2


def test_first_stage_decisions_hand_worked():
    # no null plate of 39 as extreme: early call, p = 1 / 40; 20 of 39: no call, p = 21 / 40
    assert sequential_p(0, 39, 0, 0, 160, 0.05) == 1 / 40
    assert sequential_p(20, 39, 0, 0, 160, 0.05) == 21 / 40
    # continued with h1 = 1, h2 = 0: p = 1/40 + P(h1 = 1, h2 = 0); with the observed rank uniform
    # over 0..199, P(h = 1) = 1/200 and P(h1 = 1 | h = 1) = 39/199
    assert np.isclose(sequential_p(1, 39, 0, 160, 160, 0.05), 1 / 40 + 39 / 199 / 200)


def _plates(n_null_plates: int, n_syn: int, seed: int) -> pd.DataFrame:
    null = simulate_table(n_null_plates, a=BENCH_A, b=BENCH_B, model="bliss", sd=3.0, seed=seed)
    syn = simulate_table(n_syn, a=BENCH_A, b=BENCH_B, model="sensitize", sd=3.0, seed=seed + 1)
    syn["sample"] = "syn-" + syn["sample"]
    return pd.concat([null, syn], ignore_index=True)


def test_calibrated_call_on_additive_plates_stays_near_alpha_and_finds_synergy():
    t = _plates(80, 20, seed=21)
    res = score_synergy(t, methods="ci,bliss", n_null=199, n_boot=0, seed=5).table
    called = res["call"].astype(str).str.contains("synergy")
    additive = ~res["sample"].str.startswith("syn-")
    # level 0.048 (exact); on 80 plates a binomial bound: P(X >= 10 | n=80, p=0.05) < 0.01
    assert called[additive].sum() <= 9
    assert called[~additive].mean() >= 0.9
    assert res["p_value"].between(0, 1).all()


def test_same_table_whatever_the_chunking():
    t = _plates(12, 6, seed=31)
    kw = dict(methods="ci,bliss", n_null=99, n_boot=0, seed=3)
    one = score_synergy(t, block_chunk=500, **kw).table
    many = score_synergy(t, block_chunk=4, **kw).table
    pd.testing.assert_frame_equal(one, many)


def test_curtailed_calls_equal_the_full_two_stage_calls(monkeypatch):
    # the same blocks with stage 2 scored to the end for every open block (one look at 199)
    t = _plates(40, 5, seed=41)
    kw = dict(methods="ci,bliss", n_null=199, n_boot=0, seed=7)
    plates = {}

    def counting(inner):
        def f(des, V, sc, stats, n_null, rng, **k):
            plates["n"] = plates.get("n", 0) + len(V) * n_null
            return inner(des, V, sc, stats, n_null, rng, **k)

        return f

    monkeypatch.setattr(synergy_api, "null_statistics", counting(synergy_api.null_statistics))
    cut = score_synergy(t, **kw).table
    n_cut, plates["n"] = plates["n"], 0
    monkeypatch.setattr(synergy_api, "look_schedule", lambda n1, n: [n] if n > n1 else [])
    full = score_synergy(t, **kw).table
    assert (cut["call"] == full["call"]).all()
    called = cut["call"].astype(str).str.contains("synergy|antagonism")
    assert np.allclose(cut["p_value"][called], full["p_value"][called])
    assert (cut["p_value"][~called] > 0.05).all()
    assert n_cut < 0.8 * plates["n"]  # curtailment saves null plates on additive blocks
