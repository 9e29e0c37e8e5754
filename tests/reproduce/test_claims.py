"""Each claim evaluator on hand-made analysis tables whose answer is obvious, both ways.

The tables are built by hand with the columns the analysis functions emit (curves, strata,
phospho ratios, upper-band fractions, relative expression, co-IP binding, regression fits,
combinations); the expected verdict follows from the pre-registered rule by inspection.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tallrx.reproduce import claims as C
from tallrx.reproduce._tables import is_on

ACT = list(C.ACTIVATING)
NEUTRAL = ["parental", "IL7R_WT", "IL7R_V253GPSL"]


# ------------------------------------------------------------------------------ records
def test_eight_claims_with_rules_and_unique_ids():
    assert [c.id for c in C.CLAIMS] == list(range(1, 9))
    for c in C.CLAIMS:
        assert c.statement and c.rule and c.figure.startswith("Fig.")


def test_record_is_json_safe_and_not_run_is_neither_held_nor_not_held():
    v = C.not_run("the model has no virtual co-IP yet")
    rec = C.CLAIMS[4].record(v)
    assert rec["held"] is None and rec["status"] == "not run"
    assert "co-IP" in rec["evidence"]["reason"]
    json.dumps(C.CLAIMS[0].record(C.Verdict(True, {"x": np.float64(np.nan), "n": np.int64(3)})))


def test_condition_levels_read_like_lab_sheets():
    assert is_on(["+", "-", 0, 2.0, "yes", "no", True, None]).tolist() == [
        True,
        False,
        False,
        True,
        True,
        False,
        True,
        False,
    ]


# ------------------------------------------------------------------------------ claim 1
def _claim1_tables(auc_with=None, perk_with=None):
    auc_with = auc_with or {}
    perk_with = perk_with or {}
    curves, perk = [], []
    for g in ACT + NEUTRAL + ["JAK1_WT"]:
        raised = g in ACT
        a1 = auc_with.get(g, 250.0 if raised else 105.0)
        p1 = perk_with.get(g, 5.0 if raised else 1.1)
        curves += [
            dict(genotype=g, sample=g, dox=0, drug_a="prednisolone", auc=100.0),
            dict(genotype=g, sample=g, dox=1, drug_a="prednisolone", auc=a1),
        ]
        perk += [
            dict(genotype=g, sample=g, dox=0, ci1040=0.0, ratio=1.0),
            dict(genotype=g, sample=g, dox=1, ci1040=0.0, ratio=p1),
            dict(genotype=g, sample=g, dox=1, ci1040=2.0, ratio=0.1),
        ]
    return pd.DataFrame(curves), pd.DataFrame(perk)


def test_claim1_held_when_activating_genotypes_raise_auc_and_perk():
    v = C.evaluate_claim1(*_claim1_tables())
    assert v.held is True
    assert v.evidence["genotypes"]["NRAS_G12D"]["auc_fold"] == pytest.approx(2.5)
    assert v.evidence["genotypes"]["JAK1_WT"]["expected"] == "reported"


@pytest.mark.parametrize(
    "change",
    [
        {"auc_with": {"IL7R_WT": 200.0}},  # wild-type IL7R would raise resistance
        {"perk_with": {"NRAS_G12D": 1.2}},  # NRAS G12D without ERK activation
        {"auc_with": {"JAK1_T901A": 130.0}},  # too weak a resistance gain
        {"perk_with": {"IL7R_V253GPSL": 3.0}},  # non-cysteine mutant activating ERK
    ],
)
def test_claim1_not_held(change):
    assert C.evaluate_claim1(*_claim1_tables(**change)).held is False


def test_claim1_not_held_when_a_genotype_is_missing():
    curves, perk = _claim1_tables()
    v = C.evaluate_claim1(
        curves[curves["genotype"] != "IL7R_LT243-244LMCPT"],
        perk[perk["genotype"] != "IL7R_LT243-244LMCPT"],
    )
    assert v.held is False and v.evidence["missing"] == ["IL7R_LT243-244LMCPT"]


# ------------------------------------------------------------------------------ claim 2
def _strata(n_resp, n=46):
    fold = np.where(np.arange(n) < n_resp, 2.0, 1.0)
    return pd.DataFrame(
        {
            "sample": [f"P{i}" for i in range(n)],
            "drug_a": "prednisolone",
            "auc_fold": fold,
            "il7_responsive": fold > 1.5,
        }
    )


def _perk_pdx(raised):
    rows = []
    for i in range(5):
        rows += [
            dict(sample=f"P{i}", il7=0, ratio=1.0),
            dict(sample=f"P{i}", il7=25, ratio=3.0 if i < raised else 1.1),
        ]
    return pd.DataFrame(rows)


def test_claim2_held_with_26_percent_responsive_and_perk_raised_in_4_of_5():
    v = C.evaluate_claim2(_strata(12), _perk_pdx(4))
    assert v.held is True
    assert v.evidence["responsive_share"] == pytest.approx(12 / 46)


@pytest.mark.parametrize("n_resp,raised", [(20, 5), (5, 5), (12, 3)])
def test_claim2_not_held(n_resp, raised):
    assert C.evaluate_claim2(_strata(n_resp), _perk_pdx(raised)).held is False


# ------------------------------------------------------------------------------ claim 3
def _claim3_tables(bim_s=0.0, ci_frac=0.1, toxic=False, flat=False):
    shift, perk, viab = [], [], []

    def lane(g, dox, frac_el, frac_l, erk, **drugs):
        base = dict(genotype=g, sample=g, dox=dox, ci1040=0.0, selumetinib=0.0, trametinib=0.0)
        base.update(drugs)
        for iso, f in (("BIM-EL", frac_el), ("BIM-L", frac_l), ("BIM-S", bim_s)):
            shift.append(dict(base, isoform=iso, fraction=f))
        perk.append(dict(base, ratio=erk))

    for g in ("JAK1_R724H", "JAK1_T901A"):
        lane(g, 0, 0.05, 0.05, 0.1)
        lane(g, 1, 0.7, 0.6, 1.0)
        lane(g, 1, ci_frac, ci_frac, 0.1, ci1040=2.0)
    doses = [0.0, 0.01, 0.1, 1.0, 10.0, 100.0]
    for g in ("JAK1_T901A", "NRAS_G12D"):
        for drug, ic50 in (("selumetinib", 0.05), ("trametinib", 0.002)):
            for d in doses:
                f = 0.7 if flat else 0.7 / (1 + d / ic50)
                lane(g, 1, f, f, 1.0 / (1 + d / ic50), **{drug: d})
                if d > 0:
                    v = 40.0 if toxic else (100.0 if d < 50 else 60.0)
                    viab += [
                        dict(
                            genotype=g,
                            sample=g,
                            dox=1,
                            drug_a=drug,
                            conc_a=d,
                            role="treated",
                            exclude=False,
                            viability=v,
                        )
                    ] * 3
    return pd.DataFrame(shift), pd.DataFrame(perk), pd.DataFrame(viab)


def test_claim3_held_for_a_clean_erk_bim_shift_and_mek_block():
    v = C.evaluate_claim3(*_claim3_tables())
    assert v.held is True, v.summary
    s = v.evidence["dose_series"]["NRAS_G12D selumetinib"]
    assert s["half_dose_um"] == pytest.approx(0.1)  # 0.7/(1+0.1/0.05) = 0.23 <= 0.35
    assert s["viability_at_half_dose"] == pytest.approx(100.0)


@pytest.mark.parametrize(
    "change",
    [
        {"bim_s": 0.3},  # BIM-S shifted
        {"ci_frac": 0.6},  # CI1040 does not block the BIM-EL shift
        {"toxic": True},  # block only at toxic doses
        {"flat": True},  # no dose dependence
    ],
)
def test_claim3_not_held(change):
    assert C.evaluate_claim3(*_claim3_tables(**change)).held is False


# ------------------------------------------------------------------------------ claim 4
def _expression(bim_pred=6.0, mcl1_pred=1.6, bad_line=None):
    rows = []
    for g in ("JAK1_WT", "JAK1_T901A", "IL7R_PILT240-244RFCPH"):
        for dox in ("-", "+"):
            for pred in (0, 693.6):
                b = (bim_pred if g != bad_line or dox == "-" else 2.5) if pred else 1.0
                m = mcl1_pred if pred else 1.0
                rows += [
                    dict(
                        genotype=g,
                        dox=dox,
                        prednisolone=pred,
                        target="BCL2L11",
                        relative_expression=b,
                    ),
                    dict(
                        genotype=g, dox=dox, prednisolone=pred, target="MCL1", relative_expression=m
                    ),
                ]
    return pd.DataFrame(rows)


def test_claim4_held_for_sixfold_bim_and_rising_mcl1():
    v = C.evaluate_claim4(_expression())
    assert v.held is True and len(v.evidence["groups"]) == 6


@pytest.mark.parametrize("kw", [{"bim_pred": 15.0}, {"mcl1_pred": 1.0}, {"bad_line": "JAK1_T901A"}])
def test_claim4_not_held(kw):
    assert C.evaluate_claim4(_expression(**kw)).held is False


# ------------------------------------------------------------------------------ claim 5
def _binding(rows):
    return pd.DataFrame(
        [dict(group="test", **r) for r in rows]
        + [dict(group="reference", **{**r, "log2_fc": np.nan}) for r in rows]
    )


def _claim5_tables(rux_nras_up=False, loss=True, btz_bcl2_up=False, btz_bim=1.5):
    fam = C.BCL2_FAMILY
    dox = _binding(
        [
            dict(
                prednisolone=p,
                protein=x,
                log2_fc=-1.0 if loss else -0.1,
                direction="down" if loss else "mixed",
            )
            for p in (0, 693.6)
            for x in fam + ("AURKA",)
        ]
    )
    drug_rows = []
    for g in ("JAK1_T901A", "NRAS_G12D"):
        for d in ("ruxolitinib", "selumetinib"):
            up = d == "selumetinib" or g == "JAK1_T901A" or rux_nras_up
            drug_rows += [
                dict(
                    genotype=g,
                    treatment=d,
                    protein=x,
                    log2_fc=0.8 if up else 0.02,
                    direction="up" if up else "mixed",
                )
                for x in fam
            ]
    btz = _binding(
        [
            dict(
                prednisolone=0,
                protein=x,
                log2_fc=0.8 if (x == "BCL2" and btz_bcl2_up) else 0.0,
                direction="up" if (x == "BCL2" and btz_bcl2_up) else "mixed",
            )
            for x in fam
        ]
    )
    blots = []
    for lane, b in ((1, 0.0), (2, 0.01)):
        f = btz_bim if b else 1.0
        blots += [
            dict(
                blot="btz",
                lane=lane,
                sample=f"NRAS +dox btz {b}",
                bortezomib=b,
                target=t,
                intensity=v,
            )
            for t, v in (
                ("BIM-EL", 10 * f),
                ("pBIM-EL", 20 * f),
                ("BIM-L", 5 * f),
                ("BIM-S", 2 * f),
                ("MCL1", 30 * (2 if b else 1)),
                ("GAPDH", 50),
            )
        ]
    return dox, _binding(drug_rows), btz, pd.DataFrame(blots)


def test_claim5_held_for_loss_restoration_and_bortezomib():
    v = C.evaluate_claim5(*_claim5_tables())
    assert v.held is True, v.summary
    assert v.evidence["bortezomib_blot"]["bim_fold"] == pytest.approx(1.5)
    assert v.evidence["bortezomib_blot"]["mcl1_fold"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    "kw", [{"rux_nras_up": True}, {"loss": False}, {"btz_bcl2_up": True}, {"btz_bim": 1.0}]
)
def test_claim5_not_held(kw):
    assert C.evaluate_claim5(*_claim5_tables(**kw)).held is False


# ------------------------------------------------------------------------------ claim 6
def _cohort_curves(rux_auc=380.0, mek_auc=150.0, n=46):
    rows = []
    for i in range(n):
        for d in ("ruxolitinib", *C.MEK_INHIBITORS):
            auc = rux_auc if d == "ruxolitinib" else mek_auc
            rows += [
                dict(
                    sample=f"P{i}",
                    il7=0,
                    drug_a=d,
                    auc=auc if i else auc * 0.9,
                    auc_max=400.0,
                    reference="own",
                ),
                dict(sample=f"P{i}", il7=25, drug_a=d, auc=100.0, auc_max=400.0, reference="own"),
            ]
    return pd.DataFrame(rows)


def test_claim6_held_when_no_ruxolitinib_response_and_mek_responses():
    v = C.evaluate_claim6(_cohort_curves())
    assert v.held is True
    assert v.evidence["selumetinib"]["responders"] == 46
    assert v.evidence["ruxolitinib"]["responders"] == 0


@pytest.mark.parametrize("kw", [{"rux_auc": 320.0}, {"mek_auc": 350.0}])
def test_claim6_not_held(kw):
    # rux_auc 320 puts the first sample (0.9 x 320 = 288 < 300) among responders
    assert C.evaluate_claim6(_cohort_curves(**kw)).held is False


# ------------------------------------------------------------------------------ claim 7
def _fits(rux_p=0.004, rux_slope=-0.01, sel_p=0.6):
    return pd.DataFrame(
        [
            dict(drug_a="ruxolitinib", slope=rux_slope, r2=0.9, p=rux_p, n=6),
            dict(drug_a="selumetinib", slope=0.001, r2=0.05, p=sel_p, n=6),
        ]
    )


def test_claim7_held_for_significant_ruxolitinib_and_flat_selumetinib():
    assert C.evaluate_claim7(_fits()).held is True


@pytest.mark.parametrize("kw", [{"rux_p": 0.2}, {"rux_slope": 0.01}, {"sel_p": 0.01}])
def test_claim7_not_held(kw):
    assert C.evaluate_claim7(_fits(**kw)).held is False


# ------------------------------------------------------------------------------ claim 8
def _combos(sel_dep=6, sel_ind=6, rux_dep=6, rux_ind=1):
    rows, groups = [], []
    for g, tag in (("IL7-dependent", "D"), ("IL7-independent", "I")):
        for i in range(6):
            s = f"{tag}{i}"
            groups.append(dict(sample=s, group=g))
            n_sel = sel_dep if tag == "D" else sel_ind
            n_rux = rux_dep if tag == "D" else rux_ind
            for other, k in (("selumetinib", n_sel), ("ruxolitinib", n_rux)):
                for il7 in (0, 25):
                    call = "synergy" if (i < k and il7) else "additive"
                    rows.append(
                        dict(
                            sample=s,
                            il7=il7,
                            drug_a="prednisolone",
                            drug_b=other,
                            ci_mean=0.5 if call == "synergy" else 1.0,
                            call=call,
                            p_value=0.01 if call == "synergy" else 0.5,
                        )
                    )
    return pd.DataFrame(rows), pd.DataFrame(groups)


def test_claim8_held_with_paper_like_calls():
    v = C.evaluate_claim8(*_combos())
    assert v.held is True
    assert v.evidence["prednisolone + ruxolitinib, IL7-independent, +IL7"]["n_synergy"] == 1


@pytest.mark.parametrize("kw", [{"sel_dep": 4}, {"sel_ind": 3}, {"rux_dep": 2}, {"rux_ind": 2}])
def test_claim8_not_held(kw):
    assert C.evaluate_claim8(*_combos(**kw)).held is False


def test_claim8_needs_three_samples_per_group():
    combos, groups = _combos()
    keep = groups[~groups["sample"].isin(["I0", "I1", "I2", "I3"])]
    assert C.evaluate_claim8(combos, keep).held is False
