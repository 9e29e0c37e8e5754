"""The two-stage (sequential) Monte-Carlo call: its level, its p-values, and chunking invariance.

Oracles: a direct simulation of the test on i.i.d. uniform statistics (observed and null plates
exchangeable, as under no interaction), the ordinary Monte-Carlo p-value (1 + h) / (1 + n) for the
one-stage test, and simulated Bliss-independent plates (no interaction) for the calibrated call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.analysis.synergy import score_synergy, simulate_table
from tallrx.analysis.synergy.calibration import first_stage, sequential_p, stage_limit
from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B


def _simulated_test(n_rep: int, n: int, alpha: float, seed: int) -> np.ndarray:
    """p-values of the two-stage test on n_rep null replicates drawn directly (no tallrx code
    besides the p-value rule): observed and n null statistics i.i.d. uniform."""
    rng = np.random.default_rng(seed)
    n1 = first_stage(n, alpha)
    obs = rng.random(n_rep)
    below = rng.random((n_rep, n)) <= obs[:, None]  # null at least as extreme (lower = synergy)
    h1 = below[:, :n1].sum(1)
    h2 = below[:, n1:].sum(1)
    c = stage_limit(n1, n - n1, alpha, True)
    stop = (h1 == 0) | (h1 > c)
    return np.array(
        [
            sequential_p(int(a), n1, 0 if s else int(b), 0 if s else n - n1, n - n1, alpha)
            for a, b, s in zip(h1, h2, stop, strict=True)
        ]
    )


def test_two_stage_level_is_at_most_alpha_by_simulation():
    p = _simulated_test(100_000, 199, 0.05, seed=1)
    se = np.sqrt(0.05 * 0.95 / len(p))
    assert np.mean(p <= 0.05) <= 0.05 + 3 * se  # the level holds ...
    assert np.mean(p <= 0.05) >= 0.04  # ... without being needlessly conservative
    for u in (0.01, 0.025, 0.1, 0.3):  # a valid p-value: P(p <= u) <= u
        assert np.mean(p <= u) <= u + 3 * np.sqrt(u * (1 - u) / len(p))


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
