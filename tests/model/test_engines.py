"""Engines generated from the same table must agree; invariants of the model's dynamics.

References: libroadrunner (CVODE on the SBML) vs SciPy's Radau on the generated right-hand side;
the exact solution (matrix exponential) of a linear test network for the batched Rodas3 solver;
conservation laws and steady states that follow from the reaction table's structure.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from tallrx.model import GENOTYPES, NETWORK
from tallrx.model.network import ANTI_APOPTOTIC, BIM_FORMS, complex_name
from tallrx.model.network._table import Network, Parameter, Reaction, Species
from tallrx.model.solvers import BatchedEngine, ScipyEngine
from tallrx.model.solvers._codegen import generate
from tallrx.model.solvers._common import param_columns as _columns
from tallrx.model.solvers._rosenbrock import integrate

from .conftest import pmatrix

HOURS = [0.0, 0.5, 24.0, 96.0]
CONDITIONS = [
    dict(genotype="parental", prednisolone=693.6),
    dict(genotype="JAK1_T901A", dox=1, prednisolone=693.6, selumetinib=10.0),
    dict(genotype="NRAS_G12D", dox=1, ruxolitinib=2.0, bortezomib=0.01),
    {
        "genotype": "parental",
        "il7": 25.0,
        "p.il7r_level": 1.5,
        "p.erk_drive": 0.3,
        "p.k_prolif": 0.002,
        "p.k_death0": 0.006,
        "prednisolone": 1.0,
    },
]


def _untreated(P):
    from tallrx.model.simulate import untreated

    return untreated(P)


def _scale():
    return np.array([100.0 if s.unit == "nM" else 1.0 for s in NETWORK.species])[:, None]


@pytest.fixture(scope="module")
def reference(rr_engine):
    P = pmatrix(CONDITIONS)
    y0 = rr_engine.steady_state(_untreated(P))
    return P, y0, rr_engine.run(P, y0, HOURS)


def test_roadrunner_and_scipy_agree_to_1e4(reference):
    P, y0_rr, states_rr = reference
    eng = ScipyEngine(rtol=1e-9, atol=1e-12)
    y0 = eng.steady_state(_untreated(P))
    states = eng.run(P, y0, HOURS)
    floor = 1e-7 * _scale()
    np.testing.assert_array_less(np.abs(y0 - y0_rr), 1e-4 * np.abs(y0_rr) + floor)
    np.testing.assert_array_less(np.abs(states - states_rr), 1e-4 * np.abs(states_rr) + floor)


@pytest.mark.parametrize("rtol,tol", [(1e-7, 1e-5), (None, 3e-3)])
def test_batched_engine_agrees_with_roadrunner(reference, rtol, tol):
    P, _, states_rr = reference
    eng = BatchedEngine(**({} if rtol is None else {"rtol": rtol}))
    y0 = eng.steady_state(_untreated(P))
    states = eng.run(P, y0, HOURS)
    floor = 1e-5 * _scale()
    np.testing.assert_array_less(np.abs(states - states_rr), tol * np.abs(states_rr) + floor)


def test_pre_equilibrated_state_is_a_steady_state():
    P = _untreated(pmatrix(CONDITIONS))
    eng = BatchedEngine()
    y0 = eng.steady_state(P)
    code = eng.code
    Pl = _columns(P)
    f = code.rhs(y0, Pl, code.prep(Pl))
    f[NETWORK.species_index["Viable"]] = 0.0
    assert np.max(np.abs(f) / (np.abs(y0) + 1e-6 * _scale())) < 1e-8
    # untreated cells stay where they are for four days (viable cells aside)
    states = eng.run(P, y0, [0.0, 96.0])
    mol = np.arange(len(NETWORK.species)) != NETWORK.species_index["Viable"]
    np.testing.assert_allclose(states[1][mol], y0[mol], rtol=1e-6, atol=1e-9)


def test_states_stay_non_negative(reference):
    _, _, states = reference
    assert states.min() >= -1e-9 * 100


def _totals(states):
    ix = NETWORK.species_index
    bim = sum(
        states[..., ix[b], :] + sum(states[..., ix[complex_name(b, a)], :] for a in ANTI_APOPTOTIC)
        for b in BIM_FORMS
    )
    partners = {}
    for a in ANTI_APOPTOTIC:
        bound = sum(
            states[..., ix[complex_name(b, a)], :]
            for b in (*BIM_FORMS, "BMF")
            if complex_name(b, a) in ix
        )
        partners[a] = states[..., ix[a], :] + bound
    return bim, partners


def test_binding_and_phosphorylation_conserve_bim_and_partners():
    """With synthesis and turnover switched off, BIM and each partner are conserved moieties."""
    off = {
        name: 0.0
        for name in (
            "k_tl_bim",
            "k_tl_bcl2",
            "k_tl_mcl1",
            "k_syn_bclxl",
            "k_syn_bmf",
            "kdeg_bim",
            "kdeg_pbim",
            "kdeg_bcl2",
            "kdeg_bclxl",
            "kdeg_mcl1",
            "kdeg_bmf",
        )
    }
    P = pmatrix(
        [
            dict(genotype="NRAS_G12D", dox=1, selumetinib=10.0),
            dict(genotype="JAK1_R724H", dox=1, ruxolitinib=2.0),
        ],
        off,
    )
    eng = BatchedEngine(rtol=1e-8)
    y0 = eng.steady_state(_untreated(P))
    states = eng.run(P, y0, [0.0, 1.0, 24.0])
    bim, partners = _totals(states)
    np.testing.assert_allclose(bim, np.broadcast_to(bim[0], bim.shape), rtol=1e-7)
    for a, tot in partners.items():
        np.testing.assert_allclose(tot, np.broadcast_to(tot[0], tot.shape), rtol=1e-7, err_msg=a)
    # and something did happen: selumetinib dephosphorylated BIM-EL
    ix = NETWORK.species_index
    assert states[2, ix["BIM_EL_p"], 0] < 0.5 * states[0, ix["BIM_EL_p"], 0]


def _linear_network():
    sp = (
        Species("X", "nM", "first", 1.0),
        Species("Y", "nM", "second"),
        Species("Z", "nM", "third"),
    )
    pars = (
        Parameter("k1", 0.04, "1/h", 0, 1e5, "paper Fig. 1"),
        Parameter("k2", 1e4, "1/h", 0, 1e5, "paper Fig. 1"),
        Parameter("k3", 3.0, "1/h", 0, 1e5, "paper Fig. 1"),
    )
    rx = (
        Reaction("a", "X -> Y", "k1*X", "slow"),
        Reaction("b", "Y -> Z", "k2*Y", "stiff"),
        Reaction("c", "Z -> X", "k3*Z", "return"),
        Reaction("d", "Y -> X", "k3*Y", "back"),
    )
    return Network(sp, pars, (), rx)


def test_rodas3_converges_on_a_stiff_linear_network():
    """Against the exact solution exp(A t) y0; error shrinks with the tolerance and the step
    count grows like tol^(-1/3) (third order)."""
    net = _linear_network()
    code = generate(net)
    A = net.stoichiometry @ np.array([[0.04, 0, 0], [0, 1e4, 0], [0, 0, 3.0], [0, 3.0, 0]])
    y0 = net.initial_state[:, None]
    t = [0.5, 10.0, 100.0]
    exact = np.stack([expm(A * ti) @ y0 for ti in t])
    P = list(net.parameter_values)
    errs, steps = [], []
    for rtol in (1e-5, 1e-8):
        out, stats = integrate(code, y0, P, code.prep(P), t, rtol=rtol, atol=rtol * 1e-3)
        errs.append(np.max(np.abs(out - exact) / (np.abs(exact) + 1e-12)))
        steps.append(stats.well_steps)
    assert errs[0] < 1e-4 and errs[1] < 1e-7
    assert 4 < steps[1] / steps[0] < 25  # 1000^(1/3) = 10


def test_batched_wells_are_independent():
    """A well's result does not depend on which other wells share its batch."""
    rows = CONDITIONS[:2]
    eng = BatchedEngine()
    P = pmatrix(rows)
    y0 = eng.steady_state(_untreated(P))
    both = eng.run(P, y0, [0.0, 96.0])
    alone = eng.run(P[:, :1], y0[:, :1], [0.0, 96.0])
    np.testing.assert_allclose(both[:, :, :1], alone, rtol=1e-12, atol=1e-15)


def test_dense_and_sparse_linear_algebra_give_the_same_trajectories(monkeypatch):
    """Small batches use a dense batched inverse, large ones the generated sparse LU."""
    from tallrx.model.solvers import _rosenbrock

    P = pmatrix(CONDITIONS[:2])
    eng = BatchedEngine()
    y0 = eng.steady_state(_untreated(P))
    runs = []
    for threshold in (10**6, 0):
        monkeypatch.setattr(_rosenbrock, "DENSE_MAX_WELLS", threshold)
        runs.append(eng.run(P, y0, [0.0, 24.0]))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-8, atol=1e-12)


@settings(max_examples=8, deadline=None)
@given(
    st.sampled_from(list(GENOTYPES)),
    st.booleans(),
    st.floats(0, 50),
    st.floats(0, 700),
    st.floats(0, 20),
    st.floats(0, 5),
    st.floats(0, 0.05),
)
def test_any_condition_stays_non_negative_and_bounded(g, dox, il7, pred, sel, rux, btz):
    P = pmatrix(
        [
            dict(
                genotype=g,
                dox=float(dox),
                il7=il7,
                prednisolone=pred,
                selumetinib=sel,
                ruxolitinib=rux,
                bortezomib=btz,
            )
        ]
    )
    eng = BatchedEngine()
    states = eng.run(P, eng.steady_state(_untreated(P)), [0.0, 1.0, 24.0, 96.0])
    scale = _scale()[:, 0]
    assert (states >= -1e-7 * scale[None, :, None]).all()
    frac = [i for i, s in enumerate(NETWORK.species) if s.unit == "fraction"]
    assert (states[:, frac] <= 1 + 1e-7).all()
    viable = states[:, NETWORK.species_index["Viable"], 0]
    assert (viable <= np.exp(0.025 * np.array([0, 1, 24, 96])) + 1e-6).all()
