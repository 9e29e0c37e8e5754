"""Virtual co-IP mass spectrometry: a BIM (BCL2L11) bait IP with iBAQ of the bait and the
co-precipitated proteins (HGNC symbols) per replicate, IP-efficiency variation and a detection
limit -> a ``coip`` table (paper Fig. 4A)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx._result import Result
from tallrx.model import observables as obs
from tallrx.model.network import ANTI_APOPTOTIC, BIM_FORMS, NETWORK, complex_name
from tallrx.model.virtual.run import as_conditions, condition_columns, run_conditions, simulated

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
    bim_forms = BIM_FORMS
    bound = {a: sum(states[ix[complex_name(b, a)]] for b in bim_forms) for a in ANTI_APOPTOTIC}
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

    Returns
    -------
    Result
        Kind ``coip``: experiment, bait (BCL2L11), sample (``<name>_r<replicate>``), protein (HGNC
        symbol), ibaq, replicate, the condition columns, source.
    """
    samples = as_conditions(samples, "co-IP samples")
    cond_cols = condition_columns(samples)
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
    return simulated(
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
