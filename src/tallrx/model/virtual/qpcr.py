"""Virtual RT-qPCR: Ct of BCL2L11, MCL1 and GAPDH with technical and biological replicates and
cDNA input variation shared by the targets of one cDNA, on 384-well plates -> a ``qpcr`` table
(paper Fig. 3A-B)."""

from __future__ import annotations

import numpy as np

from tallrx._result import Result
from tallrx.model.virtual.run import as_conditions, condition_columns, run_conditions, simulated
from tallrx.plate import PLATE_SHAPES, well_name

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

    Returns
    -------
    Result
        Kind ``qpcr``: plate, well (row by row on 384-well plates, named by
        :func:`tallrx.plate.well_name`), sample, target, ct (cycles), replicate, the condition
        columns, source.
    """
    samples = as_conditions(samples, "qPCR samples")
    cond_cols = condition_columns(samples)
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
    rows_n, cols_n = PLATE_SHAPES[384]
    records, pos = [], 0
    for i in range(len(samples)):
        cond = {c: samples.at[i, c] for c in cond_cols}
        for rep in range(1, replicates + 1):
            cdna = input_sd * rng.standard_normal()
            bio = {t: (bio_sd * rng.standard_normal() if t != "GAPDH" else 0.0) for t in _CT_BASAL}
            for target, base in _CT_BASAL.items():
                for _ in range(technical):
                    k, r_c = divmod(pos, rows_n * cols_n)
                    r, c = divmod(r_c, cols_n)
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
                            well=well_name(r + 1, c + 1),
                            sample=str(samples.at[i, "sample"]),
                            target=target,
                            ct=float(ct),
                            replicate=rep,
                            **cond,
                        )
                    )
    return simulated(
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
