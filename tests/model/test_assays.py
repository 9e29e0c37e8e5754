"""Virtual assays feed the real analysis code unchanged (tidy.normalize, analysis.blots,
analysis.coip, analysis.qpcr), and what those analyses recover matches the model's own
observables (the reference) within the stated noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.assays.blots import analyze_blots
from tallrx.analysis.assays.coip import score_binding
from tallrx.analysis.assays.qpcr import relative_expression
from tallrx.analysis.doseresponse.curves import auc_trapezoid
from tallrx.errors import InputError
from tallrx.model import simulate_batch
from tallrx.model import virtual as assays
from tallrx.tidy.normalize import normalize_viability

PRED = np.geomspace(0.00822, 250, 10) / 360.44 * 1e3


@pytest.fixture(scope="module")
def plates():
    blocks = pd.DataFrame(
        [dict(sample=g, genotype=g, dox=d) for g in ("parental", "NRAS_G12D") for d in (0, 1)]
    )
    return assays.viability_plates(
        blocks,
        assays.treatments_single("prednisolone", PRED),
        readout="mtt",
        plate_format=96,
        seed=3,
    )


def test_plates_are_a_valid_wells_table_with_a_sane_layout(plates):
    w = plates.table
    assert not w.duplicated(["plate", "well"]).any()
    assert (w["source"] == "simulated").all()
    assert set(w["role"]) == {"treated", "vehicle", "blank"}
    for _, g in w.groupby("plate"):
        assert (g["role"] == "blank").sum() == 8
    # every block sits on one plate with its own vehicle wells
    blocks = w[w["role"] != "blank"].groupby(["sample", "dox"])["plate"].nunique()
    assert (blocks == 1).all()


def test_plates_normalize_to_the_models_viability(plates):
    v = normalize_viability(plates.table)
    treated = v[v["role"] == "treated"]
    got = treated.groupby(["sample", "dox", "conc_a"])["viability"].mean()
    cond = pd.DataFrame(
        [
            dict(genotype=g, dox=d, prednisolone=c)
            for g in ("parental", "NRAS_G12D")
            for d in (0, 1)
            for c in (0.0, PRED[4], PRED[-1])
        ]
    )
    ref = simulate_batch(cond, [96], observables=["viable_cells"]).table["value"].to_numpy()
    ref = ref.reshape(4, 3)
    for i, (g, d) in enumerate([(g, d) for g in ("parental", "NRAS_G12D") for d in (0, 1)]):
        for j, c in ((1, PRED[4]), (2, PRED[-1])):
            expected = 100 * ref[i, j] / ref[i, 0]
            assert got[(g, d, c)] == pytest.approx(expected, abs=8), (g, d, c)


def test_resistant_line_has_the_larger_auc_after_analysis(plates):
    v = normalize_viability(plates.table)
    t = v[v["role"] == "treated"].groupby(["sample", "dox", "conc_a"])["viability"].mean()
    auc = {
        k: float(auc_trapezoid(np.log10(PRED), t[k].to_numpy()))
        for k in [("parental", 0), ("NRAS_G12D", 0), ("NRAS_G12D", 1)]
    }
    assert auc[("NRAS_G12D", 1)] > 2 * auc[("NRAS_G12D", 0)]
    assert auc[("NRAS_G12D", 0)] == pytest.approx(auc[("parental", 0)], rel=0.2)


def test_plates_are_seeded():
    blocks = pd.DataFrame([dict(sample="parental", genotype="parental")])
    t = assays.treatments_single("prednisolone", PRED[:3])
    a = assays.viability_plates(blocks, t, seed=1).table
    b = assays.viability_plates(blocks, t, seed=1).table
    c = assays.viability_plates(blocks, t, seed=2).table
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["signal"], c["signal"])


def test_plate_errors():
    blocks = pd.DataFrame([dict(sample="x", genotype="parental")])
    with pytest.raises(InputError, match="unknown readout"):
        assays.viability_plates(
            blocks, assays.treatments_single("prednisolone", PRED), readout="mts"
        )
    with pytest.raises(InputError, match="holds"):
        assays.viability_plates(
            blocks,
            assays.treatments_single("prednisolone", np.geomspace(1, 10, 40)),
            plate_format=96,
        )
    with pytest.raises(InputError, match="Did you mean 'selumetinib'"):
        assays.treatments_single("selumetnib", [1.0])


def test_blots_give_perk_and_the_phospho_bim_upper_band():
    lanes = pd.DataFrame(
        [dict(genotype="JAK1_T901A", dox=d, ci1040=c) for d in (0, 1) for c in (0.0, 2.0)]
    )
    b = assays.western_blots(lanes, seed=2)
    r = analyze_blots(
        b.table, loading="ACTB", phospho=[("pERK", "ERK")], shift=[("BIM-EL_p", "BIM-EL")]
    )
    rel = r.extra["phospho"]["relative"].to_numpy()
    frac = r.extra["shift"]["fraction"].to_numpy()
    assert rel[2] > 4 * rel[0] and rel[3] < 0.4 * rel[2]
    ref = simulate_batch(lanes, [24], observables=["pBIM_EL"]).table["value"].to_numpy()
    np.testing.assert_allclose(frac, ref, atol=0.08)


def test_coip_loss_of_binding_is_found_by_the_analysis():
    samples = pd.DataFrame(
        [dict(genotype="NRAS_G12D", dox=d, prednisolone=p) for d in (0, 1) for p in (0.0, 693.6)]
    )
    c = assays.coip_ms(samples, seed=4)
    res = score_binding(c.table, compare="dox")
    t = res.table
    lost = t.groupby("protein")["lost_binding"].all()
    for protein in ("BCL2", "BCL2L1", "MCL1"):
        assert lost[protein], protein
    for protein in ("HSPA8", "DYNLL1"):
        assert not t.loc[t["protein"] == protein, "lost_binding"].any(), protein


def test_coip_bait_normalized_ratio_recovers_bound_fraction():
    """Ratio BCL2 / BCL2L11 iBAQ = bound BCL2 / total BIM x detectability ratio (noise 15 %)."""
    samples = pd.DataFrame([dict(genotype="JAK1_T901A", dox=d) for d in (0, 1)])
    c = assays.coip_ms(samples, replicates=6, seed=5, noise=0.0)
    wide = c.table.pivot_table(index=["sample", "dox"], columns="protein", values="ibaq")
    ratio = (wide["BCL2"] / wide["BCL2L11"]).groupby("dox").mean().to_numpy()
    ref = simulate_batch(samples, [24], observables=["BIM_bound_BCL2"]).table["value"]
    np.testing.assert_allclose(ratio, ref.to_numpy() * 2.0e5 / 4.0e5, rtol=1e-9)


def test_qpcr_livak_recovers_the_bim_fold_change():
    samples = pd.DataFrame(
        [dict(genotype="JAK1_T901A", dox=d, prednisolone=p) for d in (0, 1) for p in (0.0, 693.6)]
    )
    q = assays.qpcr_plate(samples, seed=6)
    e = relative_expression(
        q.table,
        target=["BCL2L11", "MCL1"],
        reference="GAPDH",
        baseline={"dox": 0, "prednisolone": 0},
    ).table
    bim = e[(e["target"] == "BCL2L11") & (e["prednisolone"] > 0)]["relative_expression"]
    assert bim.between(4, 10).all()
    ref = simulate_batch(samples, [16], observables=["BIM_mRNA"]).table["value"].to_numpy()
    got = e[e["target"] == "BCL2L11"].sort_values(["dox", "prednisolone"])
    np.testing.assert_allclose(got["relative_expression"], ref, rtol=0.35)
