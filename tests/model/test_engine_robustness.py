"""Engines on the model's own condition and parameter space (issue 9 point 3, issue 17).

References: the engines check each other (libroadrunner's CVODE on the SBML, SciPy's Radau on
the generated right-hand side, the batched Rodas3); "no hang" is checked with an alarm; the
failure path with parameters for which the rate laws have no finite value.

Sizes: the CI run sweeps every genotype x dox x IL7 x drug on batched + roadrunner and a seeded
subset on SciPy, and 96 random parameter draws; ``pytest -m slow`` runs the full sweep on SciPy
too and 2,000 draws (see ``big`` in conftest.py).
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

from tallrx.model import GENOTYPES, NETWORK
from tallrx.model.simulate import conditions_to_parameters, simulate_batch, simulate_states

IV = NETWORK.species_index["Viable"]
PRED = 693.6  # 250 ug/ml prednisolone in uM (MW 360.44)
DRUG_SETS = [
    {},
    {"prednisolone": PRED},
    {"prednisolone": PRED, "selumetinib": 1.0},
    {"ruxolitinib": 2.0},
]


@contextmanager
def deadline(seconds: int):
    """Fail (instead of hanging the suite) when the block takes longer than ``seconds``."""

    def boom(*_):
        raise TimeoutError(f"took longer than {seconds} s: the engine hangs")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def sweep_rows() -> list[dict]:
    return [
        {"genotype": g, "dox": float(d), "il7": il7, **drugs}
        for g in GENOTYPES
        for d in (0, 1)
        for il7 in (0.0, 25.0)
        for drugs in DRUG_SETS
    ]


def viable_96(P: np.ndarray, engine: str) -> tuple[np.ndarray, dict]:
    """Viable cells at 96 h; the SciPy reference at rtol 1e-8 (100x below the 1 % compared)."""
    failures: dict[int, str] = {}
    rtol = 1e-8 if engine == "scipy" else None
    states, _ = simulate_states(P, [96.0], engine=engine, rtol=rtol, failures=failures)
    return states[-1, IV], failures


#: below this many viable cells (relative to plated; 0.01 %) both engines say "all dead": 1 %
#: of 3e-5 is far below any plate reader, and the solvers' absolute tolerance on viable cells
FLOOR = 1e-4


def disagreement(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|x - ref| in units of 1 % of the reference (with the FLOOR): <= 1 means within 1 %."""
    return np.abs(x - ref) / (0.01 * np.maximum(np.abs(ref), FLOOR))


def test_jak1_r724h_induced_runs_on_roadrunner():
    """Issue 9.3: CV_TOO_MUCH_ACC at t = 0 (a round-off start value -2e-304 of RASm_gtp scaled
    CVODE's absolute tolerance to 2e-316 and its error weight to inf)."""
    res = simulate_batch(
        pd.DataFrame([{"genotype": "JAK1_R724H", "dox": 1.0}]),
        [0.5, 96.0],
        engine="roadrunner",
        observables=["viable_cells"],
    )
    assert res.table["solved"].all()
    assert np.isfinite(res.table["value"]).all()


@pytest.fixture(scope="module")
def sweep():
    rows = sweep_rows()
    return rows, conditions_to_parameters(pd.DataFrame(rows).fillna(0.0))


def test_sweep_batched_and_roadrunner_agree_within_1_percent(sweep):
    rows, P = sweep
    with deadline(600):
        b, fb = viable_96(P, "batched")
        r, fr = viable_96(P, "roadrunner")
    assert not fb and not fr, (fb, fr)
    d = disagreement(b, r)
    worst = int(np.argmax(d))
    assert d.max() <= 1, (rows[worst], b[worst], r[worst])


@pytest.mark.slow  # CI runs it small; `pytest -m slow` selects it and runs it big
def test_sweep_scipy_agrees_within_1_percent(sweep, big):
    rows, P = sweep
    idx = np.arange(len(rows)) if big else np.random.default_rng(9).choice(len(rows), 2, False)
    with deadline(3000 if big else 300):
        s, fs = viable_96(P[:, idx], "scipy")
        b, _ = viable_96(P[:, idx], "batched")
    assert not fs, fs
    d = disagreement(b, s)
    assert d.max() <= 1, [rows[i] for i in idx[d > 1]]


def test_fractional_hill_coefficient_does_not_hang_the_batched_engine():
    """Issue 17: n_erk_bim = 3.3 (range [1, 4]) hung the batched engine (a fractional power of
    a state a hair below zero is NaN). Roadrunner and SciPy give viable cells 8.227 there."""
    cond = pd.DataFrame([{"genotype": "NRAS_G12D", "dox": 1.0}])
    with deadline(120):
        res = simulate_batch(
            cond, [96.0], params={"n_erk_bim": 3.3}, engine="batched", observables=["viable_cells"]
        )
    assert res.table["value"].iloc[0] == pytest.approx(8.227, rel=0.01)


def test_generated_rates_are_finite_below_zero():
    """The guard: a state slightly below zero gives finite rates and Jacobian (any exponent)."""
    from tallrx.model.solvers._common import compiled
    from tallrx.model.solvers._common import param_columns as _columns

    code = compiled()
    P = conditions_to_parameters(
        pd.DataFrame([{"genotype": "NRAS_G12D", "dox": 1.0}]), {"n_erk_bim": 3.3, "n_momp": 2.7}
    )
    y = NETWORK.initial_state.copy()[:, None]
    y[NETWORK.species_index["ERKpp"]] = -1e-12
    y[NETWORK.species_index["BAXa"]] = -1e-12
    Pl = _columns(P)
    Q = code.prep(Pl)
    assert np.isfinite(code.rhs(y, Pl, Q)).all()
    assert np.isfinite(code.jac(y, Pl, Q)).all()


@pytest.mark.slow  # CI runs it small; `pytest -m slow` selects it and runs it big
@pytest.mark.parametrize("engine", ["batched", "roadrunner", "scipy"])
def test_a_well_that_cannot_be_integrated_is_flagged_and_the_batch_kept(engine, big):
    """A Hill coefficient of -3 makes the rate x^-3 infinite at x = 0 (outside the stated range
    [1, 4], so no guard applies): that well fails with a message, the others are solved."""
    cond = pd.DataFrame(
        [
            {"genotype": "NRAS_G12D", "dox": 1.0, "p.n_momp": 2.0, "p.k_bax": 1.0},
            {"genotype": "NRAS_G12D", "dox": 1.0, "p.n_momp": -3.0, "p.k_bax": 0.0},
            {"genotype": "parental", "dox": 0.0, "p.n_momp": 2.0, "p.k_bax": 1.0},
        ]
    )
    if engine == "scipy" and not big:
        pytest.skip("SciPy spends its whole step budget on the failing well: -m slow only")
    with deadline(300):
        res = simulate_batch(cond, [24.0, 96.0], engine=engine, observables=["viable_cells"])
    t = res.table.groupby("sim_id").first()
    assert t["solved"].tolist() == [True, False, True]
    assert "no solution" in t["message"].iloc[1]
    assert np.isfinite(t["value"].iloc[[0, 2]]).all()
    assert res.meta["n_failed"] == 1


def draws(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` wells: several genotypes and drugs, every kinetic/level/context parameter drawn at
    once log-uniformly inside its stated range (a range starting at 0 from high/1000), with BIM
    isoform shares kept <= 0.95 in sum (f_EL + f_L <= 1 is the model's domain)."""
    rng = np.random.default_rng(seed)
    genos = ["NRAS_G12D", "JAK1_R724H", "IL7R_PILT240-244RFCPH", "parental", "JAK1_T901A"]
    rows = []
    for i in range(n):
        r = {
            "genotype": genos[i % len(genos)],
            "dox": float(rng.integers(0, 2)),
            "il7": float(rng.choice([0.0, 25.0])),
            **DRUG_SETS[int(rng.integers(0, 4))],
        }
        for p in NETWORK.parameters:
            if p.kind in ("input", "genotype"):
                continue
            lo = p.low if p.low > 0 else p.high / 1000
            r["p." + p.name] = float(np.exp(rng.uniform(np.log(lo), np.log(p.high))))
        r["p.f_L"] = min(r["p.f_L"], 0.95 - r["p.f_EL"])
        rows.append(r)
    return pd.DataFrame(rows).fillna(0.0)


@pytest.mark.slow  # CI runs it small; `pytest -m slow` selects it and runs it big
def test_random_parameter_draws_no_hang_no_nan_engines_agree(big):
    n = 2000 if big else 256  # issue 17: a few hundred wells in CI, thousands with -m slow
    P = conditions_to_parameters(draws(n))
    with deadline(6000 if big else 300):
        b, fb = viable_96(P, "batched")
        r, fr = viable_96(P, "roadrunner")
        k = 200 if big else 4  # SciPy at rtol 1e-8: ~2 s a well (2,000 would take an hour)
        s, fs = viable_96(P[:, :k], "scipy")
    assert not fb, fb
    assert np.isfinite(b).all()
    ok_r = np.isfinite(r)  # roadrunner: compared wherever it solves
    assert disagreement(b[ok_r], r[ok_r]).max() <= 1
    ok_s = np.isfinite(s)
    assert disagreement(b[:k][ok_s], s[ok_s]).max() <= 1
