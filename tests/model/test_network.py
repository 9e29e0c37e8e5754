"""The reaction table itself, the generated code and the SBML round trip.

References outside our code: libsbml's consistency checker, libroadrunner's own evaluation of
the SBML (rates of change at a random state), NumPy's dense solver, finite differences.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from tallrx.errors import InternalError
from tallrx.model import NETWORK, to_antimony, to_sbml, validate_sbml
from tallrx.model.network._table import Network, Parameter, Reaction, Rule, Species
from tallrx.model.solvers import compiled

SOURCE = re.compile(
    r"(doi:10\.\d{4,}/\S+|paper (Fig|Methods|Results|Introduction|Suppl)|"
    r"calibrated to (Fig|\S))"
)


def test_model_is_modest_in_size():
    assert 30 <= len(NETWORK.species) <= 45
    assert len(NETWORK.reactions) > len(NETWORK.species)


def test_every_parameter_has_unit_range_and_a_source():
    for p in NETWORK.parameters:
        assert p.unit, p.name
        assert p.low <= p.value <= p.high, p.name
        assert SOURCE.search(p.source), f"{p.name}: source {p.source!r}"


def test_species_have_units_and_annotations():
    for s in NETWORK.species:
        assert s.unit in ("nM", "fraction", "relative"), s.name
        assert len(s.annotation) > 5


def test_bim_s_is_never_a_phosphorylation_substrate():
    """Paper Fig. 1C / Discussion: BIM-S has no ERK sites."""
    for r in NETWORK.reactions:
        if any(s.startswith("BIM_S") for s in r.reactants):
            assert not any("_p" in s for s in r.products), r.name


def test_table_errors_name_the_problem():
    sp = (Species("A", "nM", "a species"),)
    with pytest.raises(InternalError, match="unknown name 'kk'.*Did you mean 'k'"):
        Network(
            sp,
            (Parameter("k", 1, "1/h", 0, 2, "paper Fig. 1"),),
            (),
            (Reaction("deg", "A ->", "kk*A", "decay"),),
        )
    with pytest.raises(InternalError, match="outside its plausible range"):
        Network(sp, (Parameter("k", 5, "1/h", 0, 2, "paper Fig. 1"),), (), ())
    with pytest.raises(InternalError, match="clashes"):
        Network(sp, (Parameter("A", 1, "1/h", 0, 2, "paper Fig. 1"),), (), ())
    with pytest.raises(InternalError, match="not a species"):
        Network(sp, (), (Rule("r", "2", "1", "two"),), (Reaction("x", "A -> B", "r", "?"),))


def test_sbml_validates_without_errors():
    text = to_sbml()
    assert validate_sbml(text) == []
    assert "<sbml" in text and "tallrx_il7r_erk_bim" in text


def test_sbml_round_trip_matches_the_table():
    import libsbml

    doc = libsbml.readSBMLFromString(to_sbml())
    model = doc.getModel()
    assert model.getNumSpecies() == len(NETWORK.species)
    assert model.getNumReactions() == len(NETWORK.reactions)
    assert model.getNumRules() == len(NETWORK.rules)
    for p in NETWORK.parameters[:20]:
        assert model.getParameter(p.name).getValue() == pytest.approx(p.value)
    assert "jak_on: => JAKa" in to_antimony()


def _random_point(seed=0):
    rng = np.random.default_rng(seed)
    net = NETWORK
    y = rng.uniform(0.05, 1.0, len(net.species)) * np.where(
        net.initial_state > 0, net.initial_state, 0.8
    )
    p = net.parameter_values.copy()
    for name, value in (
        ("il7", 25.0),
        ("prednisolone", 3.0),
        ("selumetinib", 0.02),
        ("bortezomib", 0.005),
        ("dox", 1.0),
        ("g_NRAS_G12D", 1.0),
    ):
        p[net.parameter_index[name]] = value
    return y, p


def test_generated_rhs_matches_roadrunner_on_the_sbml():
    """Two independent routes from the table: our NumPy code vs SBML evaluated by roadrunner."""
    import roadrunner

    y, p = _random_point(3)
    code = compiled(NETWORK)
    P = list(p)
    ours = code.rhs(y, P, code.prep(P))
    rr = roadrunner.RoadRunner(to_sbml())
    ids = list(rr.model.getGlobalParameterIds())
    rr.model.setGlobalParameterValues(
        np.array([ids.index(n) for n in NETWORK.parameter_names], dtype=np.int32), p
    )
    fs = list(rr.model.getFloatingSpeciesIds())
    conc = np.empty(len(y))
    conc[[fs.index(n) for n in NETWORK.species_names]] = y
    rr.model.setFloatingSpeciesConcentrations(conc)
    theirs = np.asarray(rr.model.getFloatingSpeciesConcentrationRates())
    theirs = theirs[[fs.index(n) for n in NETWORK.species_names]]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_analytic_jacobian_matches_finite_differences():
    y, p = _random_point(5)
    code = compiled(NETWORK)
    P = list(p)
    Q = code.prep(P)
    J = code.dense_jacobian(y, P, Q)
    fd = np.empty_like(J)
    for k in range(len(y)):
        h = 1e-6 * max(1.0, abs(y[k]))
        up, dn = y.copy(), y.copy()
        up[k] += h
        dn[k] -= h
        fd[:, k] = (code.rhs(up, P, Q) - code.rhs(dn, P, Q)) / (2 * h)
    np.testing.assert_allclose(J, fd, rtol=1e-5, atol=1e-6 * np.abs(J).max())


@pytest.mark.parametrize("c", [1e3, 3.0, 1e-3])
def test_generated_sparse_lu_solves_like_numpy(c):
    y, p = _random_point(11)
    code = compiled(NETWORK)
    P = list(p)
    Q = code.prep(P)
    J = code.dense_jacobian(y, P, Q)
    b = np.random.default_rng(1).normal(size=len(y))
    G = np.zeros(code.n_slots)
    G[code.jac_slots] = -code.jac(y, P, Q)
    G[code.diag_slots] += c
    code.factor(G)
    np.testing.assert_allclose(
        code.solve(G, b), np.linalg.solve(c * np.eye(len(y)) - J, b), rtol=1e-9, atol=1e-12
    )
