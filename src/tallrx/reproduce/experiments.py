"""The paper's experiments on the model's virtual assays, analyzed by the lab's own functions.

Each experiment builds the conditions of a figure from its sections of the paper's experiment
file (``data/model/paper_experiments.toml``, read through :mod:`tallrx.reproduce.design`; the
same sections ``tallrx simulate`` runs), runs the
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
from tallrx.model.virtual import (
    coip_ms,
    qpcr_plate,
    treatments_matrix,
    treatments_single,
    viability_plates,
    western_blots,
)
from tallrx.model.virtual.cohort import cohort_conditions, load_cohort
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


def _plate_screen(
    blocks, treat: pd.DataFrame, ctx: Context, name: str, section: str
) -> pd.DataFrame:
    """Virtual 4-day viability plates of ``blocks`` x ``treat`` -> the wells table (read-out,
    plate format and replicates of the design's viability ``section``)."""
    readout, plate_format = D.plates(section)
    wells = viability_plates(
        _conditions(blocks, ctx),
        treat,
        replicates=D.replicates(section),
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


def _blot(lanes, ctx: Context, name: str, section: str) -> pd.DataFrame:
    """Virtual western blots of ``lanes`` after the design's blot ``section`` hours."""
    hours = D.hours(section)
    return western_blots(_conditions(lanes, ctx), hours=hours, seed=ctx.seed_for(name)).table


def _lines(section: str, **labels) -> list[dict]:
    """Rows SUPT-1 line x condition of a design section: sample, genotype, ``labels`` (a
    callable label gets the genotype), dox and the condition's drugs (uM)."""
    return [
        {
            "sample": g,
            "genotype": g,
            **{k: v(g) if callable(v) else v for k, v in labels.items()},
            **c,
        }
        for g in D.genotypes(section)
        for c in D.conditions(section)
    ]


def _il7_levels(section: str) -> list[dict]:
    """The IL7 conditions (ng/ml, as floats) of a PDX design section."""
    return [{"il7": float(x)} for x in D.section(section)["il7"]]


def _perk(blots: pd.DataFrame) -> pd.DataFrame:
    return phospho_ratio(blots, "pERK", "ERK", loading="ACTB")


# ------------------------------------------------------------------ Fig. 1A-C (claim 1)
def supt1_prednisolone(ctx: Context) -> ExperimentRun:
    """SUPT-1 lines +/- doxycycline: 4-day prednisolone (0.00822-250 ug/ml) MTT plates, and the
    Fig. 1C western blot (pERK / ERK, BIM isoforms)."""
    treat = treatments_single("prednisolone", D.doses("fig1ab", "prednisolone"))
    wells = _plate_screen(_lines("fig1ab"), treat, ctx, "fig1ab", "fig1ab")
    screen = analyze_wells(wells, n_boot=0, seed=ctx.seed)
    lanes = [{**b, "blot": "fig1c"} for b in _lines("fig1c")]
    blots = _blot(lanes, ctx, "fig1c", "fig1c")
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
        [treatments_single(d, D.doses("pdx_screen", d)) for d in D.SCREEN_DRUGS],
        ignore_index=True,
    )


def pdx_cohort(ctx: Context) -> ExperimentRun:
    """The 46-sample virtual PDX screen +/- 25 ng/ml IL7 (five drugs, 4-log windows), analyzed
    like ``tallrx screen``; then the Fig. 1E pERK blots (30 min IL7) of 3 IL7-dependent and 2
    IL7-independent steroid-resistant samples chosen from the analyzed strata."""
    cohort = load_cohort()
    blocks = cohort_conditions(cohort, conditions=_il7_levels("pdx_screen"))
    wells = _plate_screen(blocks, _screen_treatments(), ctx, "pdx_screen", "pdx_screen")
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
        lanes = cohort_conditions(cohort, shown, conditions=_il7_levels("fig1e"))
        lanes = lanes.assign(blot="fig1e_" + lanes["sample"], time_h=D.hours("fig1e"))
        blots = _blot(lanes, ctx, "fig1e", "fig1e")
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
#: the design sections of the Fig. 2D-E / Suppl. Fig. 2b-d MEK inhibitor dose series
MEK_SERIES_SECTIONS = ("fig2de_selumetinib", "fig2de_trametinib")
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
    lanes = _lines("fig2c", blot=lambda g: f"fig2c_{g}")
    for g in D.genotypes(MEK_SERIES_SECTIONS[0]):  # one blot per line and inhibitor
        for name in MEK_SERIES_SECTIONS:
            drug = D.series(name)[0]
            lanes += [
                {"sample": g, "genotype": g, "blot": f"fig2de_{g}_{drug}", **c}
                for c in D.conditions(name)
            ]
    blots = _blot(_fill_drugs(lanes, _FIG2_DRUGS), ctx, "fig2", "fig2c")
    perk, shift = _perk(blots), _shift_table(blots)
    drugs = D.section("fig2_tox")["drugs"]
    treat = pd.concat(
        [treatments_single(d, D.doses("fig2_tox", d)) for d in drugs], ignore_index=True
    )
    wells = _plate_screen(_lines("fig2_tox"), treat, ctx, "fig2_tox", "fig2_tox")
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
    samples = [{**r, "prednisolone": r.get("prednisolone", 0.0)} for r in _lines("fig3")]
    qpcr = qpcr_plate(
        _conditions(samples, ctx),
        replicates=D.replicates("fig3"),
        technical=int(D.section("fig3")["technical"]),
        hours=D.hours("fig3"),
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


#: the co-IP sets (design sections) of Fig. 4A, Fig. 4D-E and Suppl. Fig. 4e
IP_SETS = ("fig4a", "fig4de", "suppl4e")


def _ip_sets() -> list[dict]:
    """The IP conditions of Fig. 4A (set fig4a), Fig. 4D-E (fig4de) and Suppl. Fig. 4e
    (suppl4e); one virtual co-IP run holds them all, the sets are analyzed separately. In
    fig4de, ``treatment`` names the inhibitor added to prednisolone ('none' without one)."""
    rows = []
    for name in IP_SETS:
        for g in D.genotypes(name):
            for c in D.conditions(name):
                row = {"ip_set": name, "genotype": g, **c}
                if name == "fig4de":
                    row["treatment"] = next(
                        (d for d in c if d not in ("dox", "prednisolone")), "none"
                    )
                rows.append(row)
    return [{"treatment": "", **r} for r in _fill_drugs(rows, _IP_DRUGS)]


def _ip_set(coip: pd.DataFrame, name: str, keep: tuple[str, ...]) -> pd.DataFrame:
    """One set's IPs with only the condition columns that vary in it (+ genotype, dox)."""
    drop = [c for c in ("ip_set", "treatment", *_IP_DRUGS) if c not in keep]
    return coip[coip["ip_set"] == name].drop(columns=drop).reset_index(drop=True)


def _bortezomib_lanes() -> list[dict]:
    """Suppl. Fig. 3b lanes; repeated conditions are numbered (#1, #2) in the sample name."""
    lanes, seen = [], {}
    for r in _lines("suppl3b"):
        x = r.get("bortezomib", 0.0)
        k = seen[(r["genotype"], r["dox"], x)] = seen.get((r["genotype"], r["dox"], x), 0) + 1
        dox = "+dox" if r["dox"] else "-dox"
        lanes.append(
            {
                "sample": f"{r['genotype']} {dox} btz {x:g} #{k}",
                "genotype": r["genotype"],
                "dox": r["dox"],
                "bortezomib": x,
                "blot": "suppl3b",
            }
        )
    return lanes


def bim_binding(ctx: Context) -> ExperimentRun:
    """Fig. 4: BIM co-IP mass spectrometry (NRAS G12D -/+ dox -/+ prednisolone; induced,
    prednisolone-treated JAK1 T901A and NRAS G12D with ruxolitinib 2 uM or selumetinib 10 uM;
    induced NRAS G12D -/+ prednisolone with bortezomib) and the bortezomib western blot
    (Suppl. Fig. 3b), each analyzed with :func:`tallrx.analysis.assays.coip.score_binding`."""
    coip = coip_ms(
        _conditions(_ip_sets(), ctx),
        replicates=D.replicates("fig4a"),
        hours=D.hours("fig4a"),
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
    blots = _blot(_bortezomib_lanes(), ctx, "suppl3b", "suppl3b")
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
    for combo in D.section("fig5c")["combinations"]:
        a, other = combo["drug_a"], combo["drug_b"]
        conditions = [{**c, "matrix": other} for c in _il7_levels("fig5c")]
        blocks = cohort_conditions(cohort, samples, conditions=conditions)
        doses = D.combination_doses("fig5c")
        treat = treatments_matrix(a, doses[a], other, doses[other])
        wells.append(_plate_screen(blocks, treat, ctx, f"fig5c_{other}", "fig5c"))
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
