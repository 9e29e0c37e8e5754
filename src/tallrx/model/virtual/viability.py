"""Virtual assays: model states -> the same tidy tables a lab's files become (source = simulated).

Every assay takes a conditions table (one row per sample / lane / IP / cDNA: ``sample``,
``genotype``, ``dox``, ``il7``, drug columns in uM, optional ``p.<parameter>`` columns for
virtual patients; any other column is a condition carried into the output) and a seed.
Identical conditions are simulated once; measurement noise is drawn afterwards.

* :func:`viability_plates` -> ``wells`` (4-day ATPlite luminescence or MTT absorbance;
  multiplicative + additive noise, per-sample cell input, blank wells per plate).
* :func:`western_blots` -> ``blots`` (band intensities: pERK/ERK, pSTAT5/STAT5, pAKT/AKT,
  BIM-EL/BIM-L/BIM-S with the phospho upper band ``*_p`` (BIM-S_p: background only), BCL2, BCLXL,
  MCL1, ACTB loading).
* :func:`coip_ms` -> ``coip`` (BIM bait IP: iBAQ of BCL2L11 and co-precipitated proteins, HGNC
  symbols, per replicate, with IP-efficiency variation and detection limit).
* :func:`qpcr_plate` -> ``qpcr`` (Ct of BCL2L11, MCL1 and GAPDH; technical and biological
  replicates, cDNA input variation shared by the targets of one cDNA).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx._result import Result
from tallrx.errors import InputError, did_you_mean
from tallrx.model import observables as obs
from tallrx.model.genotypes import normalize_drug
from tallrx.model.network import NETWORK, complex_name
from tallrx.model.simulate import (
    PARAM_PREFIX,
    conditions_to_parameters,
    drug_columns,
    simulate_states,
)
from tallrx.schema import TABLES, validate

__all__ = [
    "READOUTS",
    "Readout",
    "viability_plates",
    "western_blots",
    "coip_ms",
    "qpcr_plate",
    "run_conditions",
    "treatments_single",
    "treatments_matrix",
    "treatments_ray",
]

ASSAY_HOURS = 96.0  # paper Methods: viability after 4 days
#: wells columns after plate/well/row/col, in the schema's order
WELL_COLUMNS = tuple(c for c in TABLES["wells"].required if c not in ("plate", "well"))


@dataclass(frozen=True)
class Readout:
    """Plate-reader signal model: blank + scale * viable * lognormal(cv) + normal(add_sd)."""

    name: str
    blank: float
    scale: float  # vehicle-free signal of the cells plated (viable_cells = 1)
    scale_sd: float  # sample-to-sample log-sd of the cell input
    cv: float  # multiplicative well noise (log-sd)
    add_sd: float  # additive noise, fraction of scale


READOUTS = {
    "atplite": Readout("atplite", 250.0, 6.0e4, 0.25, 0.06, 0.008),  # PDX (paper Methods)
    "mtt": Readout("mtt", 0.06, 0.15, 0.10, 0.05, 0.01),  # SUPT-1 (absorbance at t0 x growth)
}


# ------------------------------------------------------------------ shared simulation step
def _strip(conditions: pd.DataFrame) -> list[str]:
    """User-facing condition columns (no p.* parameters, no sample)."""
    return [
        c
        for c in conditions.columns
        if not str(c).startswith(PARAM_PREFIX) and c not in ("sample",)
    ]


def run_conditions(
    conditions: pd.DataFrame,
    hours: Sequence[float],
    names: Sequence[str] = obs.NAMES,
    *,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
    where: str = "conditions",
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate each row (identical rows once): (observables (m, k, W), states (m, n, W))."""
    P = conditions_to_parameters(conditions.reset_index(drop=True), where=where)
    uniq, inverse = np.unique(P, axis=1, return_inverse=True)
    states, ref = simulate_states(uniq, hours, engine=engine, jobs=jobs, mapper=mapper)
    values = obs.compute(NETWORK, states, ref, names)
    inv = inverse.ravel()
    return values[..., inv], states[..., inv]


def _simulated(records, kind: str, where: str, meta: dict, order=None) -> Result:
    """Tidy table of ``kind`` from records, tagged source = simulated and validated."""
    df = pd.DataFrame(records)
    df["source"] = "simulated"
    if order is not None:
        df = df[order]
    return Result(kind, validate(df.reset_index(drop=True), kind, where=where), meta=meta)


def _conditions(rows, where: str) -> pd.DataFrame:
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if len(df) == 0:
        raise InputError(f"{where}: no rows; give at least one sample / condition")
    return df.reset_index(drop=True)


# ------------------------------------------------------------------ treatments
def treatments_single(drug: str, doses: Sequence[float]) -> pd.DataFrame:
    """Single-agent dose series (uM)."""
    d = normalize_drug(drug)
    return pd.DataFrame(
        {"drug_a": d, "conc_a": np.asarray(doses, dtype=float), "drug_b": "", "conc_b": 0.0}
    )


def treatments_matrix(
    drug_a: str, doses_a: Sequence[float], drug_b: str, doses_b: Sequence[float]
) -> pd.DataFrame:
    """Full dose matrix: both single-agent series and every combination."""
    a, b = normalize_drug(drug_a), normalize_drug(drug_b)
    ca, cb = np.meshgrid(np.asarray(doses_a, float), np.asarray(doses_b, float), indexing="ij")
    combo = pd.DataFrame({"drug_a": a, "conc_a": ca.ravel(), "drug_b": b, "conc_b": cb.ravel()})
    return pd.concat(
        [treatments_single(a, doses_a), treatments_single(b, doses_b).assign(drug_a=b), combo],
        ignore_index=True,
    )


def treatments_ray(
    drug_a: str, doses_a: Sequence[float], drug_b: str, ratio: float
) -> pd.DataFrame:
    """Constant-ratio (Chou-Talalay) design: a, b = a * ratio, and a + b at each dose."""
    a, b = normalize_drug(drug_a), normalize_drug(drug_b)
    da = np.asarray(doses_a, dtype=float)
    return pd.concat(
        [
            treatments_single(a, da),
            treatments_single(b, da * ratio),
            pd.DataFrame({"drug_a": a, "conc_a": da, "drug_b": b, "conc_b": da * ratio}),
        ],
        ignore_index=True,
    )


# ------------------------------------------------------------------ viability plates
_ROWS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FORMATS = {96: (8, 12), 384: (16, 24), 1536: (32, 48)}


def viability_plates(
    blocks,
    treatments: pd.DataFrame,
    *,
    replicates: int = 3,
    n_vehicle: int | None = None,
    n_blank: int = 8,
    readout: str = "atplite",
    plate_format: int = 384,
    plate_prefix: str = "P",
    seed: int = 0,
    hours: float = ASSAY_HOURS,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> Result:
    """Plate-reader screen of every block (sample x condition) under every treatment.

    ``blocks``: one row per sample x condition (``sample`` required; ``genotype``, ``dox``,
    ``il7``, ``p.*``, other condition columns). ``treatments``: drug_a, conc_a, drug_b, conc_b
    (uM; see :func:`treatments_single` / ``_matrix`` / ``_ray``). Each block gets its treatments
    in ``replicates`` wells and ``n_vehicle`` vehicle wells (default 2 x replicates) on one
    plate; every plate ends with ``n_blank`` medium-only wells.
    """
    blocks = _conditions(blocks, "viability blocks")
    if "sample" not in blocks:
        raise InputError("viability blocks need a 'sample' column (one row per sample x condition)")
    if readout not in READOUTS:
        raise InputError(
            f"unknown readout '{readout}'; use one of {', '.join(READOUTS)}."
            f"{did_you_mean(readout, READOUTS)}"
        )
    if plate_format not in FORMATS:
        raise InputError(f"plate format {plate_format} not supported; use 96, 384 or 1536")
    treat = treatments.reset_index(drop=True).copy()
    for c, default in (("drug_b", ""), ("conc_b", 0.0)):
        if c not in treat:
            treat[c] = default
    treat["drug_a"] = [normalize_drug(d) for d in treat["drug_a"]]
    treat["drug_b"] = [
        normalize_drug(d) if str(d) not in ("", "nan", "None") else ""
        for d in treat["drug_b"].astype("object").fillna("")
    ]
    n_vehicle = 2 * replicates if n_vehicle is None else n_vehicle
    rows_n, cols_n = FORMATS[plate_format]
    capacity = rows_n * cols_n - n_blank
    per_block = len(treat) * replicates + n_vehicle
    if per_block > capacity:
        raise InputError(
            f"one block needs {per_block} wells ({len(treat)} treatments x "
            f"{replicates} replicates + {n_vehicle} vehicle) but a {plate_format}"
            f"-well plate holds {capacity} (after {n_blank} blanks); use a larger "
            "plate format or fewer doses"
        )
    cond_cols = _strip(blocks)
    # one simulated well per (block, treatment) plus one vehicle per block
    sim_rows = []
    for b, blk in blocks.iterrows():
        base = blk.to_dict()
        for t, tr in enumerate([None, *treat.itertuples(index=False)]):
            row = dict(base)
            if tr is not None:
                for drug, conc in ((tr.drug_a, tr.conc_a), (tr.drug_b, tr.conc_b)):
                    if drug:
                        row[drug] = row.get(drug, 0.0) + float(conc)
            sim_rows.append(row | {"_block": b, "_treat": t})
    sim = pd.DataFrame(sim_rows)
    drug_cols = [c for c in sim.columns if c in drug_columns(sim.columns)]
    sim[drug_cols] = sim[drug_cols].fillna(0.0)
    values, _ = run_conditions(
        sim.drop(columns=["_block", "_treat", "sample"]),
        [hours],
        ["viable_cells"],
        engine=engine,
        jobs=jobs,
        mapper=mapper,
        where="viability blocks",
    )
    viable = values[-1, 0].reshape(len(blocks), len(treat) + 1)

    rng = np.random.default_rng(seed)
    rd = READOUTS[readout]
    # cells plated: one suspension per sample, shared by all its conditions (+/- IL7 ...)
    codes, uniq = pd.factorize(blocks["sample"].astype("str"))
    scale = (rd.scale * np.exp(rd.scale_sd * rng.standard_normal(len(uniq))))[codes]
    records, plate, pos = [], 1, 0

    def place():
        nonlocal pos
        r, c = divmod(pos, cols_n)
        pos += 1
        # well names and 1-based row/col numbers as tallrx.io writes them ("B7", row 2, col 7)
        return f"{plate_prefix}{plate}", f"{_ROWS[r]}{c + 1}", r + 1, c + 1

    def blanks():
        nonlocal pos
        pos = capacity
        for _ in range(n_blank):
            p, w, r, c = place()
            records.append(
                dict(
                    plate=p,
                    well=w,
                    row=r,
                    col=c,
                    sample="",
                    drug_a="",
                    conc_a=0.0,
                    drug_b="",
                    conc_b=0.0,
                    role="blank",
                    replicate=1,
                    _v=0.0,
                    _s=0.0,
                    **{k: _blank_value(blocks[k]) for k in cond_cols},
                )
            )

    for b in range(len(blocks)):
        if pos + per_block > capacity:
            blanks()
            plate, pos = plate + 1, 0
        cond = {k: blocks.at[b, k] for k in cond_cols}
        sample = blocks.at[b, "sample"]
        for v in range(n_vehicle):
            p, w, r, c = place()
            records.append(
                dict(
                    plate=p,
                    well=w,
                    row=r,
                    col=c,
                    sample=sample,
                    drug_a="",
                    conc_a=0.0,
                    drug_b="",
                    conc_b=0.0,
                    role="vehicle",
                    replicate=v + 1,
                    _v=viable[b, 0],
                    _s=scale[b],
                    **cond,
                )
            )
        for rep in range(replicates):
            for t, tr in enumerate(treat.itertuples(index=False)):
                p, w, r, c = place()
                records.append(
                    dict(
                        plate=p,
                        well=w,
                        row=r,
                        col=c,
                        sample=sample,
                        drug_a=tr.drug_a,
                        conc_a=float(tr.conc_a),
                        drug_b=tr.drug_b,
                        conc_b=float(tr.conc_b),
                        role="treated",
                        replicate=rep + 1,
                        _v=viable[b, t + 1],
                        _s=scale[b],
                        **cond,
                    )
                )
    blanks()
    df = pd.DataFrame(records)
    n = len(df)
    noise_mult = np.exp(rd.cv * rng.standard_normal(n))
    noise_add = rd.add_sd * rd.scale * rng.standard_normal(n)
    df["signal"] = rd.blank + df["_s"] * df["_v"] * noise_mult + noise_add
    df = df.drop(columns=["_v", "_s"])
    for c in ("plate", "well", "sample", "drug_a", "drug_b", "role"):
        df[c] = df[c].astype("str")
    order = ["plate", "well", "row", "col", *WELL_COLUMNS, *cond_cols, "source"]
    meta = {
        "assay": "viability",
        "readout": readout,
        "hours": hours,
        "seed": seed,
        "replicates": replicates,
        "plate_format": plate_format,
        "noise": {
            "cv": rd.cv,
            "additive_sd": rd.add_sd * rd.scale,
            "blank": rd.blank,
            "cell_input_log_sd": rd.scale_sd,
        },
        "n_simulated": int(
            np.unique(
                conditions_to_parameters(sim.drop(columns=["_block", "_treat", "sample"])), axis=1
            ).shape[1]
        ),
    }
    return _simulated(df, "wells", "virtual viability plates", meta, order)


def _blank_value(col: pd.Series):
    return 0.0 if pd.api.types.is_numeric_dtype(col) else ""


# ------------------------------------------------------------------ western blots
BLOT_TARGETS = (
    "pERK",
    "ERK",
    "pSTAT5",
    "STAT5",
    "pAKT",
    "AKT",
    "BIM-EL_p",
    "BIM-EL",
    "BIM-L_p",
    "BIM-L",
    "BIM-S_p",
    "BIM-S",
    "BCL2",
    "BCLXL",
    "MCL1",
    "ACTB",
)
#: densitometry units per unit of the model quantity (active fraction or nM)
_BAND_GAIN = {
    "pERK": 8000.0,
    "ERK": 4000.0,
    "pSTAT5": 6000.0,
    "STAT5": 3000.0,
    "pAKT": 5000.0,
    "AKT": 3000.0,
    "BIM-EL_p": 60.0,
    "BIM-EL": 60.0,
    "BIM-L_p": 80.0,
    "BIM-L": 80.0,
    "BIM-S_p": 100.0,
    "BIM-S": 100.0,
    "BCL2": 30.0,
    "BCLXL": 40.0,
    "MCL1": 40.0,
    "ACTB": 10000.0,
}


def _band_amounts(states: np.ndarray) -> dict[str, np.ndarray]:
    """Model quantity behind each band (W,) from states (n, W)."""
    ix = NETWORK.species_index

    def tot(base, partners=("BCL2", "BCLXL", "MCL1")):
        return states[ix[base]] + sum(states[ix[complex_name(base, a)]] for a in partners)

    one = np.ones(states.shape[1])
    vals = obs.compute(NETWORK, states[None], states, ["BCL2", "BCLXL", "MCL1"])[0]
    return {
        "pERK": states[ix["ERKpp"]],
        "ERK": one,
        "pSTAT5": states[ix["STAT5p"]],
        "STAT5": one,
        "pAKT": states[ix["AKTp"]],
        "AKT": one,
        "BIM-EL_p": tot("BIM_EL_p"),
        "BIM-EL": tot("BIM_EL"),
        "BIM-L_p": tot("BIM_L_p"),
        "BIM-L": tot("BIM_L"),
        # ERK never phosphorylates BIM-S: its upper-band region holds background only, and the
        # densitometry of that region is what a blot measures
        "BIM-S_p": np.zeros(states.shape[1]),
        "BIM-S": tot("BIM_S"),
        "BCL2": vals[0],
        "BCLXL": vals[1],
        "MCL1": vals[2],
        "ACTB": one,
    }


def western_blots(
    lanes,
    *,
    targets: Sequence[str] = BLOT_TARGETS,
    hours: float = 24.0,
    seed: int = 0,
    noise: float = 0.08,
    loading_sd: float = 0.12,
    engine: str = "batched",
) -> Result:
    """Band intensities of each lane (one row of ``lanes``; optional ``blot`` and ``time_h``
    columns: lanes are numbered within each blot in row order; ``time_h`` overrides ``hours``).
    The loading factor of a lane scales every band of that lane (ACTB is the loading control).
    """
    lanes = _conditions(lanes, "blot lanes")
    bad = [t for t in targets if t not in _BAND_GAIN]
    if bad:
        raise InputError(
            f"unknown blot target '{bad[0]}'; known: {', '.join(BLOT_TARGETS)}."
            f"{did_you_mean(bad[0], BLOT_TARGETS)}"
        )
    if "sample" not in lanes:
        lanes["sample"] = lanes.get("genotype", pd.Series(["lane"] * len(lanes)))
    if "blot" not in lanes:
        lanes["blot"] = "blot1"
    times = (
        lanes["time_h"].astype(float).to_numpy()
        if "time_h" in lanes
        else np.full(len(lanes), float(hours))
    )
    sim = lanes.drop(columns=[c for c in ("sample", "blot", "time_h", "lane") if c in lanes])
    states = np.empty((len(NETWORK.species), len(lanes)))
    for t in np.unique(times):
        sel = times == t
        _, st = run_conditions(sim[sel], [float(t)], ["pERK"], engine=engine, where="blot lanes")
        states[:, sel] = st[-1]
    amounts = _band_amounts(states)
    rng = np.random.default_rng(seed)
    loading = np.exp(loading_sd * rng.standard_normal(len(lanes)))
    lane_no = lanes.groupby("blot", sort=False).cumcount().to_numpy() + 1
    cond_cols = [c for c in _strip(lanes) if c not in ("blot", "time_h", "lane")]
    records = []
    for t in targets:
        inten = _BAND_GAIN[t] * amounts[t] * loading * np.exp(
            noise * rng.standard_normal(len(lanes))
        ) + 0.002 * _BAND_GAIN[t] * rng.standard_normal(len(lanes))
        inten = np.maximum(inten, 0.0)  # background-subtracted densitometry floors at 0
        for i in range(len(lanes)):
            records.append(
                dict(
                    blot=str(lanes.at[i, "blot"]),
                    lane=int(lane_no[i]),
                    sample=str(lanes.at[i, "sample"]),
                    target=t,
                    intensity=float(inten[i]),
                    time_h=float(times[i]),
                    **{c: lanes.at[i, c] for c in cond_cols},
                )
            )
    df = pd.DataFrame(records).sort_values(["blot", "lane"], kind="stable")
    return _simulated(
        df,
        "blots",
        "virtual western blots",
        {
            "assay": "western blot",
            "seed": seed,
            "noise": noise,
            "loading_sd": loading_sd,
            "loading_control": "ACTB",
            "phospho_upper_band": {"BIM-EL": "BIM-EL_p", "BIM-L": "BIM-L_p", "BIM-S": "BIM-S_p"},
        },
    )


# ------------------------------------------------------------------ co-IP mass spectrometry
#: iBAQ per nM co-precipitated (detectability differs between proteins)
_IBAQ_GAIN = {
    "BCL2L11": 4.0e5,
    "BCL2": 2.0e5,
    "BCL2L1": 1.5e5,
    "MCL1": 2.5e5,
    "BMF": 1.2e5,
    "DYNLL1": 3.0e5,
    "DYNLL2": 1.0e5,
    "AURKA": 2.0e5,
}
_BACKGROUND = {"HSPA8": 4.0e6, "ACTB": 8.0e6, "TUBB": 2.0e6}  # bead binders (BIM-independent)
DETECTION_LIMIT = 2.0e5


def _ip_amounts(states: np.ndarray) -> dict[str, np.ndarray]:
    """nM of each protein in a BIM IP (bait + partners bound to BIM)."""
    ix = NETWORK.species_index
    bim_forms = ("BIM_EL", "BIM_EL_p", "BIM_L", "BIM_L_p", "BIM_S")
    bound = {
        a: sum(states[ix[complex_name(b, a)]] for b in bim_forms) for a in ("BCL2", "BCLXL", "MCL1")
    }
    total_bim = obs.compute(NETWORK, states[None], states, ["BIM_total"])[0, 0]
    el_l = sum(
        states[ix[b]] + sum(states[ix[complex_name(b, a)]] for a in bound) for b in bim_forms[:4]
    )
    el_unphos = states[ix["BIM_EL"]] + sum(states[ix[complex_name("BIM_EL", a)]] for a in bound)
    # BMF is found with BIM on shared BCL2/BCLXL (co-occupancy of the anti-apoptotic pool)
    bmf_share = sum(
        states[ix[complex_name("BMF", a)]]
        / np.maximum(
            states[ix[a]] + sum(states[ix[complex_name(x, a)]] for x in (*bim_forms, "BMF")), 1e-12
        )
        * bound[a]
        for a in ("BCL2", "BCLXL")
    )
    gr = states[ix["BIM_mRNA"]]  # steroid exposure lowers AURKA (paper Discussion)
    return {
        "BCL2L11": total_bim,
        "BCL2": bound["BCL2"],
        "BCL2L1": bound["BCLXL"],
        "MCL1": bound["MCL1"],
        "BMF": bmf_share,
        "DYNLL1": 0.5 * el_l,
        "DYNLL2": 0.3 * el_l,
        "AURKA": 0.2 * el_unphos / np.sqrt(gr),
    }


def coip_ms(
    samples,
    *,
    replicates: int = 3,
    hours: float = 24.0,
    seed: int = 0,
    experiment: str = "BIM-IP",
    ip_sd: float = 0.35,
    noise: float = 0.10,
    engine: str = "batched",
) -> Result:
    """BIM (BCL2L11) co-IP + LC-MS/MS, iBAQ per protein and replicate (paper Fig. 4A).

    ``samples``: one row per condition (``sample`` optional: a name is built from the
    conditions). Each replicate IP has its own efficiency (log-sd ``ip_sd``) that scales bait and
    binders alike, so the bait-normalized ratio removes it; proteins below
    :data:`DETECTION_LIMIT` are missing (NaN), as in MaxQuant output.
    """
    samples = _conditions(samples, "co-IP samples")
    cond_cols = _strip(samples)
    label_cols = [c for c in cond_cols if c != "genotype"] if "sample" in samples else cond_cols
    labels = [_label(samples.iloc[i], label_cols) for i in range(len(samples))]
    if "sample" in samples:  # one IP per condition: the name carries the conditions
        labels = [
            f"{s} {lab}" if lab != "untreated" else str(s)
            for s, lab in zip(samples["sample"], labels, strict=True)
        ]
    samples["sample"] = labels
    _, states = run_conditions(
        samples.drop(columns=["sample"]), [hours], ["pERK"], engine=engine, where="co-IP samples"
    )
    amounts = _ip_amounts(states[-1])
    rng = np.random.default_rng(seed)
    records = []
    for i in range(len(samples)):
        for rep in range(1, replicates + 1):
            eff = np.exp(ip_sd * rng.standard_normal())
            name = f"{samples.at[i, 'sample']}_r{rep}"
            cond = {c: samples.at[i, c] for c in cond_cols}
            for protein, gain in (_IBAQ_GAIN | _BACKGROUND).items():
                level = (
                    amounts[protein][i] * gain * eff
                    if protein in _IBAQ_GAIN
                    else gain * np.exp(0.2 * rng.standard_normal())
                )
                value = level * np.exp(noise * rng.standard_normal())
                records.append(
                    dict(
                        experiment=experiment,
                        bait="BCL2L11",
                        sample=name,
                        protein=protein,
                        ibaq=value if value >= DETECTION_LIMIT else np.nan,
                        replicate=rep,
                        **cond,
                    )
                )
    return _simulated(
        records,
        "coip",
        "virtual co-IP",
        {
            "assay": "co-IP LC-MS/MS",
            "bait": "BCL2L11",
            "seed": seed,
            "hours": hours,
            "ip_efficiency_log_sd": ip_sd,
            "noise_log_sd": noise,
            "detection_limit": DETECTION_LIMIT,
        },
    )


def _label(row: pd.Series, cols: list[str]) -> str:
    parts = []
    for c in cols:
        v = row[c]
        if isinstance(v, (int, float, np.number)) and float(v) == 0.0:
            continue
        parts.append(
            str(v)
            if c == "genotype"
            else f"{c}={v:g}"
            if isinstance(v, (int, float, np.number))
            else f"{c}={v}"
        )
    return " ".join(parts) or "untreated"


# ------------------------------------------------------------------ RT-qPCR
_CT_BASAL = {"BCL2L11": 27.0, "MCL1": 24.5, "GAPDH": 18.0}


def qpcr_plate(
    samples,
    *,
    replicates: int = 3,
    technical: int = 2,
    hours: float = 16.0,
    seed: int = 0,
    plate: str = "qPCR1",
    bio_sd: float = 0.12,
    input_sd: float = 0.4,
    tech_sd: float = 0.12,
    engine: str = "batched",
) -> Result:
    """Ct values of BCL2L11, MCL1 and GAPDH (paper Fig. 3A-B; overnight = 16 h by default).

    Ct = basal Ct - log2(mRNA fold) - log2(cDNA input) + noise; the cDNA input of a biological
    replicate is shared by its three targets, so normalizing to GAPDH removes it.
    """
    samples = _conditions(samples, "qPCR samples")
    cond_cols = _strip(samples)
    if "sample" not in samples:
        samples["sample"] = samples["genotype"].astype(str) if "genotype" in samples else "sample"
    values, _ = run_conditions(
        samples.drop(columns=["sample"]),
        [hours],
        ["BIM_mRNA", "MCL1_mRNA"],
        engine=engine,
        where="qPCR samples",
    )
    folds = {"BCL2L11": values[-1, 0], "MCL1": values[-1, 1], "GAPDH": np.ones(len(samples))}
    rng = np.random.default_rng(seed)
    records, pos = [], 0
    for i in range(len(samples)):
        cond = {c: samples.at[i, c] for c in cond_cols}
        for rep in range(1, replicates + 1):
            cdna = input_sd * rng.standard_normal()
            bio = {t: (bio_sd * rng.standard_normal() if t != "GAPDH" else 0.0) for t in _CT_BASAL}
            for target, base in _CT_BASAL.items():
                for _ in range(technical):
                    k, r_c = divmod(pos, 384)
                    r, c = divmod(r_c, 24)
                    pos += 1
                    ct = (
                        base
                        - np.log2(folds[target][i])
                        - cdna
                        + bio[target]
                        + tech_sd * rng.standard_normal()
                    )
                    records.append(
                        dict(
                            plate=plate if k == 0 else f"{plate}-{k + 1}",
                            well=f"{_ROWS[r]}{c + 1:02d}",
                            sample=str(samples.at[i, "sample"]),
                            target=target,
                            ct=float(ct),
                            replicate=rep,
                            **cond,
                        )
                    )
    return _simulated(
        records,
        "qpcr",
        "virtual qPCR",
        {
            "assay": "RT-qPCR",
            "seed": seed,
            "hours": hours,
            "reference_gene": "GAPDH",
            "efficiency": 2.0,
            "noise": {"biological_sd": bio_sd, "input_sd": input_sd, "technical_sd": tech_sd},
        },
    )
