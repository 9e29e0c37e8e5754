"""Virtual viability plates: 4-day ATPlite luminescence or MTT absorbance of every block (sample
x condition) under every treatment, with multiplicative + additive noise, per-sample cell input and
blank wells per plate -> a ``wells`` table named like the plate readers' (``tallrx.plate``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx._result import Result
from tallrx.errors import InputError, did_you_mean
from tallrx.model.genotypes import normalize_drug
from tallrx.model.simulate import conditions_to_parameters, drug_columns
from tallrx.model.virtual.run import as_conditions, condition_columns, run_conditions, simulated
from tallrx.plate import PLATE_SHAPES, well_name
from tallrx.schema import TABLES

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


#: plate formats of the virtual screens (rows, columns), from :data:`tallrx.plate.PLATE_SHAPES`
FORMATS = {n: PLATE_SHAPES[n] for n in (96, 384, 1536)}


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

    Parameters
    ----------
    blocks
        One row per sample x condition (``sample`` required; ``genotype``, ``dox``, ``il7``,
        ``p.*``, other condition columns).
    treatments
        drug_a, conc_a, drug_b, conc_b (uM; see :mod:`.treatments`). Each block gets its
        treatments in ``replicates`` wells and ``n_vehicle`` vehicle wells (default
        2 x replicates) on one plate; every plate ends with ``n_blank`` medium-only wells.
    plate_format
        96, 384 or 1536 wells; wells are named as :func:`tallrx.plate.well_name` names them
        (``"B7"``; rows AA-AF on a 1536-well plate).

    Returns
    -------
    Result
        Kind ``wells``: plate, well, row, col (1-based), sample, drug_a, conc_a, drug_b, conc_b
        (uM), role (vehicle / treated / blank), replicate, signal, the condition columns, source.
    """
    blocks = as_conditions(blocks, "viability blocks")
    if "sample" not in blocks:
        raise InputError("viability blocks need a 'sample' column (one row per sample x condition)")
    if readout not in READOUTS:
        raise InputError(
            f"unknown readout '{readout}'; use one of {', '.join(READOUTS)}."
            f"{did_you_mean(readout, READOUTS)}"
        )
    if plate_format not in FORMATS:
        raise InputError(f"plate format {plate_format} not supported; use 96, 384 or 1536")
    treat = _treatments(treatments)
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
    cond_cols = condition_columns(blocks)
    sim = _simulated_wells(blocks, treat)
    values, _ = run_conditions(
        sim,
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

    def add(sample, role, replicate, v, s, cond, drug_a="", conc_a=0.0, drug_b="", conc_b=0.0):
        """Record the next well of the plate (names and 1-based row/col as tallrx.io writes them)."""
        nonlocal pos
        r, c = divmod(pos, cols_n)
        pos += 1
        records.append(
            dict(
                plate=f"{plate_prefix}{plate}",
                well=well_name(r + 1, c + 1),
                row=r + 1,
                col=c + 1,
                sample=sample,
                drug_a=drug_a,
                conc_a=conc_a,
                drug_b=drug_b,
                conc_b=conc_b,
                role=role,
                replicate=replicate,
                _v=v,
                _s=s,
                **cond,
            )
        )

    def blanks():
        nonlocal pos
        pos = capacity
        empty = {k: _blank_value(blocks[k]) for k in cond_cols}
        for _ in range(n_blank):
            add("", "blank", 1, 0.0, 0.0, empty)

    for b in range(len(blocks)):
        if pos + per_block > capacity:
            blanks()
            plate, pos = plate + 1, 0
        cond = {k: blocks.at[b, k] for k in cond_cols}
        sample = blocks.at[b, "sample"]
        for v in range(n_vehicle):
            add(sample, "vehicle", v + 1, viable[b, 0], scale[b], cond)
        for rep in range(replicates):
            for t, tr in enumerate(treat.itertuples(index=False)):
                add(
                    sample,
                    "treated",
                    rep + 1,
                    viable[b, t + 1],
                    scale[b],
                    cond,
                    tr.drug_a,
                    float(tr.conc_a),
                    tr.drug_b,
                    float(tr.conc_b),
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
        "n_simulated": int(np.unique(conditions_to_parameters(sim), axis=1).shape[1]),
    }
    return simulated(df, "wells", "virtual viability plates", meta, order)


def _treatments(treatments: pd.DataFrame) -> pd.DataFrame:
    """Treatments with canonical drug names and drug_b / conc_b filled in."""
    treat = treatments.reset_index(drop=True).copy()
    for c, default in (("drug_b", ""), ("conc_b", 0.0)):
        if c not in treat:
            treat[c] = default
    treat["drug_a"] = [normalize_drug(d) for d in treat["drug_a"]]
    treat["drug_b"] = [
        normalize_drug(d) if str(d) not in ("", "nan", "None") else ""
        for d in treat["drug_b"].astype("object").fillna("")
    ]
    return treat


def _simulated_wells(blocks: pd.DataFrame, treat: pd.DataFrame) -> pd.DataFrame:
    """Conditions of one simulated well per (block, treatment), the block's vehicle first."""
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
    return sim.drop(columns=["_block", "_treat", "sample"])


def _blank_value(col: pd.Series):
    return 0.0 if pd.api.types.is_numeric_dtype(col) else ""
