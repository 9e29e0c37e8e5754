"""The paper's experiments on the model's virtual assays, analyzed by the lab's own functions.

Each experiment builds the conditions of a figure (:mod:`tallrx.reproduce.design`), runs the
model's virtual assays (viability plates, western blots, co-IP mass spectrometry, qPCR), and
passes the emitted tidy tables through exactly the analysis a lab runs on its real files
(:func:`tallrx.workflows.screen.analyze_wells`, :mod:`tallrx.analysis.assays.blots`, ``coip``,
``qpcr``, ``synergy``). It returns an :class:`ExperimentRun`: the tables (assay + analysis) and,
per claim, the analysis tables its evaluator reads.

``params`` (sensitivity runs) override model parameters in every simulated condition (as
``p.<name>`` columns); per-patient parameters of the virtual cohort are never overridden.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tallrx.analysis.assays.blots import analyze_blots, phospho_ratio, upper_band_fraction
from tallrx.analysis.assays.coip import score_binding
from tallrx.analysis.assays.qpcr import relative_expression
from tallrx.analysis.synergy import score_synergy
from tallrx.model.assays import (
    coip_ms,
    qpcr_plate,
    treatments_matrix,
    treatments_single,
    viability_plates,
    western_blots,
)
from tallrx.model.cohort import N_DOSES, PDX_WINDOWS, cohort_conditions, load_cohort
from tallrx.reproduce import design as D
from tallrx.reproduce.selection import DEPENDENT, INDEPENDENT, resistant_groups
from tallrx.tidy.normalize import normalize_viability
from tallrx.tidy.qc import plate_qc
from tallrx.workflows.screen import analyze_wells

__all__ = [
    "Context",
    "ExperimentRun",
    "EXPERIMENTS",
    "supt1_prednisolone",
    "pdx_cohort",
    "bim_phosphorylation",
    "bim_expression",
    "bim_binding",
    "combinations",
]

PARAM_PREFIX = "p."


@dataclass(frozen=True)
class Context:
    """Run settings shared by the experiments: seed, parameter overrides, workers, resampling."""

    seed: int = 0
    params: Mapping[str, float] = field(default_factory=dict)
    jobs: int = 1
    n_boot: int = 200
    n_null: int = 199

    def seed_for(self, name: str) -> int:
        """A stable per-assay seed derived from the run seed and the assay name."""
        digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
        return int.from_bytes(digest[:4], "little")


@dataclass(frozen=True)
class ExperimentRun:
    """What one experiment produced: CSV tables by file stem, analysis results for the report,
    and the evaluator inputs per claim id."""

    key: str
    figure: str
    tables: dict[str, pd.DataFrame]
    results: dict[str, Any]
    claim_inputs: dict[int, dict[str, pd.DataFrame]]
    figure_inputs: dict[int, dict[str, pd.DataFrame]] = field(default_factory=dict)


def _conditions(rows, ctx: Context) -> pd.DataFrame:
    """Rows -> a conditions table; sensitivity parameters become ``p.*`` columns (never over
    a column the rows already set, e.g. a patient's parameters)."""
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.reset_index(drop=True)
    extra = {
        PARAM_PREFIX + k: float(v)
        for k, v in ctx.params.items()
        if PARAM_PREFIX + k not in df.columns
    }
    return df.assign(**extra) if extra else df


#: plate read-outs (paper Methods): SUPT-1 lines by MTT (96-well), PDX cells by ATPlite (384-well)
READOUTS = {"SUPT-1": ("mtt", 96), "PDX": ("atplite", 384)}


def _plate_screen(blocks, treat: pd.DataFrame, ctx: Context, name: str, cells: str) -> pd.DataFrame:
    """Virtual 4-day viability plates of ``blocks`` x ``treat`` -> the wells table."""
    readout, plate_format = READOUTS[cells]
    wells = viability_plates(
        _conditions(blocks, ctx),
        treat,
        replicates=D.REPLICATES,
        readout=readout,
        plate_format=plate_format,
        plate_prefix=f"{name}-",
        seed=ctx.seed_for(name),
        jobs=ctx.jobs,
    ).table
    return wells


def _fill_drugs(rows: list[dict], drugs: tuple[str, ...]) -> list[dict]:
    """Give every lane the same drug columns (0 = not added)."""
    return [{**{d: 0.0 for d in drugs}, **r} for r in rows]


def _blot(lanes: list[dict], ctx: Context, name: str, hours: float = D.BLOT_HOURS) -> pd.DataFrame:
    return western_blots(_conditions(lanes, ctx), hours=hours, seed=ctx.seed_for(name)).table


def _perk(blots: pd.DataFrame) -> pd.DataFrame:
    return phospho_ratio(blots, "pERK", "ERK", loading="ACTB")


# ------------------------------------------------------------------ Fig. 1A-C (claim 1)
def supt1_prednisolone(ctx: Context) -> ExperimentRun:
    """SUPT-1 lines +/- doxycycline: 4-day prednisolone (0.00822-250 ug/ml) MTT plates, and the
    Fig. 1C western blot (pERK / ERK, BIM isoforms)."""
    blocks = [{"sample": g, "genotype": g, "dox": d} for g in D.SUPT1_LINES for d in (0, 1)]
    treat = treatments_single("prednisolone", D.SUPT1_PRED_DOSES_UM)
    wells = _plate_screen(blocks, treat, ctx, "fig1ab", "SUPT-1")
    screen = analyze_wells(wells, n_boot=0, seed=ctx.seed)
    blots = _blot([{**b, "blot": "fig1c"} for b in blocks], ctx, "fig1c")
    perk = _perk(blots)
    return ExperimentRun(
        "supt1",
        "Fig. 1A-C",
        tables={
            "fig1ab_wells": wells,
            "fig1ab_viability": screen.viability,
            "fig1ab_qc": screen.qc,
            "fig1ab_curves": screen.curves,
            "fig1c_blots": blots,
            "fig1c_perk": perk,
        },
        results={"screen": screen},
        claim_inputs={1: {"curves": screen.curves, "perk": perk}},
    )


# ------------------------------------------------------------------ Fig. 1D-E, 5A-B (2, 6, 7)
def _screen_treatments() -> pd.DataFrame:
    return pd.concat(
        [treatments_single(d, np.geomspace(*PDX_WINDOWS[d], N_DOSES)) for d in D.SCREEN_DRUGS],
        ignore_index=True,
    )


def pdx_cohort(ctx: Context) -> ExperimentRun:
    """The 46-sample virtual PDX screen +/- 25 ng/ml IL7 (five drugs, 4-log windows), analyzed
    like ``tallrx screen``; then the Fig. 1E pERK blots (30 min IL7) of 3 IL7-dependent and 2
    IL7-independent steroid-resistant samples chosen from the analyzed strata."""
    cohort = load_cohort()
    blocks = cohort_conditions(cohort, conditions=[{"il7": 0.0}, {"il7": D.IL7_NG_ML}])
    wells = _plate_screen(blocks, _screen_treatments(), ctx, "pdx_screen", "PDX")
    screen = analyze_wells(wells, n_boot=ctx.n_boot, seed=ctx.seed)
    groups = resistant_groups(screen.strata, n=D.N_COMBINATION_GROUP)
    shown = (
        groups.loc[groups["group"] == DEPENDENT, "sample"].head(D.N_BLOT_DEPENDENT).tolist()
        + groups.loc[groups["group"] == INDEPENDENT, "sample"].head(D.N_BLOT_INDEPENDENT).tolist()
    )
    tables = {"pdx_screen_" + k: v for k, v in screen.tables().items()}
    tables["pdx_resistant_groups"] = groups
    inputs = {
        2: {"strata": screen.strata},
        6: {"curves": screen.curves},
        7: {"regression": screen.regression},
    }
    if shown:
        lanes = cohort_conditions(cohort, shown, conditions=[{"il7": 0.0}, {"il7": D.IL7_NG_ML}])
        lanes = lanes.assign(blot="fig1e_" + lanes["sample"], time_h=D.IL7_BLOT_HOURS)
        blots = _blot(lanes, ctx, "fig1e", hours=D.IL7_BLOT_HOURS)
        perk = _perk(blots)
        tables.update(fig1e_blots=blots, fig1e_perk=perk)
        inputs[2]["perk"] = perk
    else:
        inputs[2]["perk"] = pd.DataFrame(columns=["sample", "il7", "ratio"])
    return ExperimentRun(
        "pdx",
        "Fig. 1D-E, 5A-B",
        tables=tables,
        results={"screen": screen, "groups": groups},
        claim_inputs=inputs,
        figure_inputs={7: {"points": screen.regression_points}},
    )


# ------------------------------------------------------------------ Fig. 2 (claim 3)
MEK_SERIES = {"selumetinib": D.SELUMETINIB_SERIES_UM, "trametinib": D.TRAMETINIB_SERIES_UM}
_FIG2_DRUGS = ("ci1040", "selumetinib", "trametinib")
#: bands of the Fig. 2C blots summarized in the report's blot section
REPORT_BANDS = ("pERK", "ERK", "BIM-EL_p", "BIM-EL", "BIM-L_p", "BIM-L", "BIM-S", "ACTB")


def _shift_table(blots: pd.DataFrame) -> pd.DataFrame:
    """Upper-band fraction per lane of BIM-EL, BIM-L and BIM-S (phospho upper band / all).

    When the blot has no BIM-S upper band at all, each lane's BIM-S fraction is 0 and the
    ``upper_band`` column says so (a densitometrist finds nothing above BIM-S)."""
    parts = []
    targets = set(blots["target"])
    for iso in ("BIM-EL", "BIM-L", "BIM-S"):
        upper = f"{iso}_p"
        if upper in targets:
            f = upper_band_fraction(blots, upper, iso).rename(
                columns={upper: "upper", iso: "lower"}
            )
            parts.append(f.assign(isoform=iso, upper_band="quantified"))
        elif iso in targets:
            lower = blots[blots["target"] == iso].drop(columns=["target"])
            lower = lower.rename(columns={"intensity": "lower"})
            parts.append(
                lower.assign(
                    upper=0.0, fraction=0.0, isoform=iso, upper_band="absent from the blot"
                )
            )
    return pd.concat(parts, ignore_index=True)


def bim_phosphorylation(ctx: Context) -> ExperimentRun:
    """Fig. 2C / Suppl. 2a (JAK1 and IL7R lines -dox, +dox, +dox + CI1040 2 uM) and Fig. 2D-E
    (induced JAK1 T901A and NRAS G12D over selumetinib / trametinib dose series) blots, and the
    4-day viability of the induced lines over the same doses (toxicity)."""
    lanes = []
    for g in (*D.JAK1_LINES, *D.IL7R_LINES):
        for extra in ({"dox": 0}, {"dox": 1}, {"dox": 1, "ci1040": D.CI1040_UM}):
            lanes.append({"sample": g, "genotype": g, "blot": f"fig2c_{g}", **extra})
    for g in ("JAK1_T901A", "NRAS_G12D"):
        for drug, doses in MEK_SERIES.items():
            lanes += [
                {"sample": g, "genotype": g, "blot": f"fig2de_{g}_{drug}", "dox": 1, drug: float(c)}
                for c in doses
            ]
    blots = _blot(_fill_drugs(lanes, _FIG2_DRUGS), ctx, "fig2")
    perk, shift = _perk(blots), _shift_table(blots)
    blocks = [{"sample": g, "genotype": g, "dox": 1} for g in ("JAK1_T901A", "NRAS_G12D")]
    treat = pd.concat(
        [treatments_single(d, [c for c in doses if c > 0]) for d, doses in MEK_SERIES.items()],
        ignore_index=True,
    )
    wells = _plate_screen(blocks, treat, ctx, "fig2_tox", "SUPT-1")
    tox = analyze_wells(wells, n_boot=0, seed=ctx.seed)
    return ExperimentRun(
        "fig2",
        "Fig. 2",
        tables={
            "fig2_blots": blots,
            "fig2_perk": perk,
            "fig2_bim_shift": shift,
            "fig2_tox_wells": wells,
            "fig2_tox_viability": tox.viability,
            "fig2_tox_curves": tox.curves,
        },
        results={
            "tox": tox,
            "blots": analyze_blots(
                blots[blots["blot"].str.startswith("fig2c") & blots["target"].isin(REPORT_BANDS)],
                loading="ACTB",
                phospho=[("pERK", "ERK")],
                shift=[("BIM-EL_p", "BIM-EL"), ("BIM-L_p", "BIM-L")],
            ),
        },
        claim_inputs={3: {"shift": shift, "perk": perk, "viability": tox.viability}},
    )


# ------------------------------------------------------------------ Fig. 3 (claim 4)
def bim_expression(ctx: Context) -> ExperimentRun:
    """Fig. 3A-B: RT-qPCR of BCL2L11 and MCL1 (GAPDH reference) in the JAK1 and IL7R lines,
    -/+ doxycycline, -/+ prednisolone 250 ug/ml overnight; each line's non-induced untreated
    cells are the baseline."""
    samples = [
        {"sample": g, "genotype": g, "dox": d, "prednisolone": p}
        for g in D.QPCR_LINES
        for d in (0, 1)
        for p in (0.0, D.PRED_TOP_UM)
    ]
    qpcr = qpcr_plate(
        _conditions(samples, ctx),
        replicates=D.REPLICATES,
        technical=2,
        hours=D.QPCR_HOURS,
        seed=ctx.seed_for("fig3"),
    ).table
    expr = relative_expression(
        qpcr, target=["BCL2L11", "MCL1"], reference="GAPDH", baseline={"dox": 0, "prednisolone": 0}
    )
    return ExperimentRun(
        "fig3",
        "Fig. 3",
        tables={"fig3_qpcr": qpcr, "fig3_expression": expr.table},
        results={"expression": expr},
        claim_inputs={4: {"expression": expr.table}},
    )


# ------------------------------------------------------------------ Fig. 4 (claim 5)
_IP_DRUGS = ("prednisolone", "ruxolitinib", "selumetinib", "bortezomib")


def _ip_sets() -> list[dict]:
    """The IP conditions of Fig. 4A (set fig4a), Fig. 4D-E (fig4de) and Suppl. Fig. 4e
    (suppl4e); one virtual co-IP run holds them all, the sets are analyzed separately."""
    pred = D.PRED_TOP_UM
    rows = [
        {"ip_set": "fig4a", "genotype": "NRAS_G12D", "dox": d, "prednisolone": p}
        for d in (0, 1)
        for p in (0.0, pred)
    ]
    for g in ("JAK1_T901A", "NRAS_G12D"):
        for t, drugs in (
            ("none", {}),
            ("ruxolitinib", {"ruxolitinib": D.RUXOLITINIB_UM}),
            ("selumetinib", {"selumetinib": D.SELUMETINIB_UM}),
        ):
            rows.append(
                {
                    "ip_set": "fig4de",
                    "genotype": g,
                    "dox": 1,
                    "prednisolone": pred,
                    "treatment": t,
                    **drugs,
                }
            )
    rows += [
        {"ip_set": "suppl4e", "genotype": "NRAS_G12D", "dox": 1, "prednisolone": p, "bortezomib": x}
        for p in (0.0, pred)
        for x in (0.0, D.BORTEZOMIB_UM)
    ]
    return [{"treatment": "", **r} for r in _fill_drugs(rows, _IP_DRUGS)]


def _ip_set(coip: pd.DataFrame, name: str, keep: tuple[str, ...]) -> pd.DataFrame:
    """One set's IPs with only the condition columns that vary in it (+ genotype, dox)."""
    drop = [c for c in ("ip_set", "treatment", *_IP_DRUGS) if c not in keep]
    return coip[coip["ip_set"] == name].drop(columns=drop).reset_index(drop=True)


def bim_binding(ctx: Context) -> ExperimentRun:
    """Fig. 4: BIM co-IP mass spectrometry (NRAS G12D -/+ dox -/+ prednisolone; induced,
    prednisolone-treated JAK1 T901A and NRAS G12D with ruxolitinib 2 uM or selumetinib 10 uM;
    induced NRAS G12D -/+ prednisolone with bortezomib) and the bortezomib western blot
    (Suppl. Fig. 3b), each analyzed with :func:`tallrx.analysis.assays.coip.score_binding`."""
    coip = coip_ms(
        _conditions(_ip_sets(), ctx),
        replicates=D.COIP_REPLICATES,
        hours=D.COIP_HOURS,
        seed=ctx.seed_for("fig4"),
        experiment="BIM-IP",
    ).table
    coip = coip.assign(dox=np.where(coip["dox"].astype(float) > 0, "+", "-"))  # as sheets write it
    fixed = ["genotype", "dox", "prednisolone"]
    coip_a = _ip_set(coip, "fig4a", ("prednisolone",))
    bind_a = score_binding(coip_a, compare="dox", within=["genotype", "prednisolone"])
    coip_b = _ip_set(coip, "fig4de", ("prednisolone", "treatment"))
    bind_b = score_binding(coip_b, compare="treatment", reference="none", within=fixed)
    coip_c = _ip_set(coip, "suppl4e", ("prednisolone", "bortezomib"))
    bind_c = score_binding(coip_c, compare="bortezomib", within=fixed)
    lanes = [
        {
            "sample": f"NRAS_G12D +dox btz {x:g} #{k}",
            "genotype": "NRAS_G12D",
            "dox": 1,
            "bortezomib": x,
            "blot": "suppl3b",
        }
        for x in (0.0, D.BORTEZOMIB_UM)
        for k in (1, 2)
    ]
    blots = _blot(lanes, ctx, "suppl3b")
    return ExperimentRun(
        "fig4",
        "Fig. 4",
        tables={
            "fig4_coip": coip,
            "fig4a_binding": bind_a.table,
            "fig4de_binding": bind_b.table,
            "suppl4e_binding": bind_c.table,
            "suppl3b_blots": blots,
        },
        results={"binding_dox": bind_a, "binding_drug": bind_b, "binding_btz": bind_c},
        claim_inputs={
            5: {
                "binding_dox": bind_a.table,
                "binding_drug": bind_b.table,
                "binding_btz": bind_c.table,
                "blots_btz": blots,
            }
        },
    )


# ------------------------------------------------------------------ Fig. 5C (claim 8)
def combinations(ctx: Context, groups: pd.DataFrame) -> ExperimentRun:
    """Fig. 5C: prednisolone x selumetinib and prednisolone x ruxolitinib matrices in the chosen
    IL7-dependent and IL7-independent steroid-resistant samples, -/+ IL7, scored by
    :func:`tallrx.analysis.synergy.score_synergy` (calibrated calls, window-mean CI)."""
    cohort = load_cohort()
    samples = groups["sample"].tolist()
    wells = []
    for other in ("selumetinib", "ruxolitinib"):
        blocks = cohort_conditions(
            cohort,
            samples,
            conditions=[{"il7": 0.0, "matrix": other}, {"il7": D.IL7_NG_ML, "matrix": other}],
        )
        treat = treatments_matrix(
            "prednisolone", D.MATRIX_DOSES_UM["prednisolone"], other, D.MATRIX_DOSES_UM[other]
        )
        wells.append(_plate_screen(blocks, treat, ctx, f"fig5c_{other}", "PDX"))
    wells = pd.concat(wells, ignore_index=True)
    qc, flagged = plate_qc(wells)
    viability = normalize_viability(flagged)
    combos = score_synergy(viability, seed=ctx.seed_for("fig5c_synergy"), n_null=ctx.n_null)
    return ExperimentRun(
        "fig5c",
        "Fig. 5C",
        tables={
            "fig5c_wells": wells,
            "fig5c_qc": qc,
            "fig5c_viability": viability,
            "fig5c_combinations": combos.table,
            "fig5c_surface": combos.extra.get("surface", pd.DataFrame()),
        },
        results={"combinations": combos},
        claim_inputs={8: {"combinations": combos.table, "groups": groups}},
    )


#: experiment key -> (function, figure, claims it feeds); combinations need the PDX groups
EXPERIMENTS = {
    "supt1": (supt1_prednisolone, "Fig. 1A-C", (1,)),
    "pdx": (pdx_cohort, "Fig. 1D-E, 5A-B", (2, 6, 7)),
    "fig2": (bim_phosphorylation, "Fig. 2", (3,)),
    "fig3": (bim_expression, "Fig. 3", (4,)),
    "fig4": (bim_binding, "Fig. 4", (5,)),
    "fig5c": (combinations, "Fig. 5C", (8,)),
}
