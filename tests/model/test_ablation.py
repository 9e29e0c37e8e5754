"""The causal structure of steroid resistance (issue 18): the paper's mechanism -- ERK-phosphorylated
BIM binds BCL2 / BCLXL / MCL1 less (Fig. 4) -- must carry it, through a neutralization death rule.

Expected values come from the paper's argument and hand-worked rate laws, not from model output:
removing the loss of binding must make induced NRAS G12D die like uninduced cells; free
(unbound) BH3 protein must not activate BAX/BAK by itself. Both fail on the old rule, where free
activator BH3 drove BAX and resistance came from an assumed 33-fold potency loss of phospho-BIM.
"""

from __future__ import annotations

import numpy as np
import pytest

from tallrx.model.ablation import ABLATIONS, SETTINGS, ablation_table, markdown_table
from tallrx.model.network import NETWORK
from tallrx.model.solvers import compiled

NRAS = SETTINGS[0].name


@pytest.fixture(scope="module")
def table():
    return ablation_table()


def _row(table, setting, mechanism):
    hit = table[(table["setting"] == setting) & (table["mechanism"] == mechanism)]
    assert len(hit) == 1, (setting, mechanism)
    return hit.iloc[0]


def test_full_model_nras_g12d_is_resistant_and_uninduced_is_killed(table):
    full = _row(table, NRAS, "full model")
    assert full["viability_sensitive"] < 0.1  # Fig. 1C: uninduced SUPT-1 killed by prednisolone
    assert full["viability_resistant"] > 0.5  # induced NRAS G12D resists 250 ug/ml


def test_without_loss_of_binding_resistance_is_lost(table):
    """Phospho-BIM binding like BIM: the induced cells die almost like the uninduced ones."""
    full = _row(table, NRAS, "full model")
    gap = full["viability_resistant"] - full["viability_sensitive"]
    nobind = _row(table, NRAS, "loss of binding")
    assert nobind["viability_resistant"] - full["viability_sensitive"] < 0.15 * gap
    assert nobind["verdict"] == "lost"


def test_resistance_needs_erk_phosphorylation_of_bim_and_not_faster_turnover(table):
    assert _row(table, NRAS, "ERK -> BIM phosphorylation")["verdict"] == "lost"
    # the assumed faster turnover of phospho-BIM is not what keeps the cells alive
    assert _row(table, NRAS, "pBIM turnover")["verdict"] == "kept"


def test_without_bim_induction_prednisolone_no_longer_kills(table):
    for s in SETTINGS:
        assert _row(table, s.name, "GR -> BIM")["verdict"] == "no steroid kill"


def test_table_has_every_setting_and_mechanism_and_renders(table):
    assert len(table) == len(SETTINGS) * len(ABLATIONS)
    assert np.isclose(table.loc[table["mechanism"] == "full model", "retained"], 1.0).all()
    md = markdown_table(table)
    assert md.count("\n") == len(table) + 2 and "| loss of binding |" in md


def _bax_rate(**state: float) -> float:
    """dBAXa/dt from the generated right-hand side at nominal parameters."""
    net = NETWORK
    y = np.zeros(len(net.species))
    for name, value in state.items():
        y[net.species_index[name]] = value
    code = compiled(net)
    P = list(net.parameter_values)
    return float(code.rhs(y, P, code.prep(P))[net.species_index["BAXa"]])


def _par(name: str) -> float:
    return float(NETWORK.parameter_values[NETWORK.parameter_index[name]])


def test_death_rule_hand_worked():
    """BAXa = 0: dBAXa/dt = k_bax / (1 + (AA_free/K_aa)**n_aa); at AA_free = K_aa it is k_bax / 2."""
    k, K, n = _par("k_bax"), _par("K_aa"), _par("n_aa")
    assert _bax_rate(BCL2=K / 2, BCLXL=K / 4, MCL1=K / 4) == pytest.approx(k / 2, rel=1e-9)
    assert _bax_rate(BCL2=2 * K) == pytest.approx(k / (1 + 2**n), rel=1e-9)
    # with nothing to restrain it BAX/BAK is fully released
    assert _bax_rate() == pytest.approx(k, rel=1e-9)


def test_free_bh3_does_not_activate_bax_directly():
    """Neutralization: adding free (unbound) BIM or phospho-BIM leaves BAX activation unchanged;
    only sequestering the anti-apoptotic proteins releases BAX/BAK."""
    base = _bax_rate(BCL2=80.0, BCLXL=40.0, MCL1=40.0)
    for bh3 in ("BIM_EL", "BIM_EL_p", "BIM_S"):
        assert _bax_rate(BCL2=80.0, BCLXL=40.0, MCL1=40.0, **{bh3: 500.0}) == pytest.approx(base)
    assert _bax_rate(BCL2=20.0, BCLXL=40.0, MCL1=40.0) > base


def test_docs_ablation_table_matches_the_model(table):
    """docs/tutorials/model.md shows the verdicts the model gives (regenerate with
    ``python -m tallrx.model.ablation`` after a change of the mechanism or its parameters)."""
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "tutorials" / "model.md").read_text()
    for r in table.itertuples():
        line = f"| {r.setting} | {r.mechanism} | {r.switched_off} |"
        hit = [x for x in doc.splitlines() if x.startswith(line)]
        assert len(hit) == 1, line
        assert hit[0].rstrip().endswith(f"| {r.verdict} |"), hit[0]


def test_sbml_route_gives_the_same_causal_structure(table):
    """libroadrunner on the exported SBML (an independent integrator) agrees with the batched
    engine on the full model and on the loss-of-binding ablation."""
    rr = ablation_table(ABLATIONS[:2], SETTINGS[:1], engine="roadrunner")
    ours = table.iloc[:2]
    for col in ("viability_sensitive", "viability_resistant"):
        np.testing.assert_allclose(rr[col], ours[col], rtol=3e-3, atol=1e-3)
    assert list(rr["verdict"]) == list(ours["verdict"])
