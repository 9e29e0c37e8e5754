"""Validation on virtual patients whose true parameters are known.

Patients are drawn from the cohort generator (a seed other than the prior's reference sample);
their single-agent screen (prednisolone, selumetinib, ruxolitinib, -/+ IL7, 9 doses, 3 wells) is
simulated as plates with the virtual lab's noise (:func:`tallrx.model.virtual.cohort_screen`) and
normalized by the screen workflow's code. Their prednisolone x selumetinib matrices (Fig. 5C
design, -/+ IL7) are simulated the same way and held out: the truth is that held-out plate
(scored by ``score_synergy``) and the noise-free model surface at the true parameters -- never
the twin's own output.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tallrx.model.twin.simulator import simulate_viability
from tallrx.workflows.twin.predict import DRUG_A, DRUG_B, matrix_doses, score_plates
from tallrx.workflows.twin.run import Settings, twin_samples

SCREEN_DRUGS = ("prednisolone", "selumetinib", "ruxolitinib")
TRUTH_SEED = 20260


def virtual_patients(
    n: int, seed: int = TRUTH_SEED, shared: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``n`` patients from the cohort generator: sample + cohort.PARAMS columns (+ flags).

    ``shared``: posterior draws (:func:`~tallrx.model.twin.prior.read_posterior`, weights in
    ``attrs["weight"]``); each patient then also gets the shared kinetics of one draw, picked in
    proportion to its weight, as ``p.<parameter>`` columns.
    """
    from tallrx.model.virtual import cohort

    pool = cohort.sample_candidates(n, 0, seed).reset_index(drop=True)
    pool.insert(0, "sample", [f"VP{i + 1:02d}" for i in range(n)])
    if shared is not None:
        w = np.asarray(shared.attrs.get("weight", np.ones(len(shared))), float)
        pick = np.random.default_rng([seed, 0x5A4ED]).choice(len(shared), n, p=w / w.sum())
        draws = shared.iloc[pick].reset_index(drop=True).add_prefix("p.")
        pool = pd.concat([pool, draws], axis=1)
    return pool


def _true_parameters(patients: pd.DataFrame) -> pd.DataFrame:
    """Model-parameter columns of ``patients`` by their plain names (``p.`` prefix removed)."""
    from tallrx.model.virtual import cohort

    shared = [c for c in patients.columns if str(c).startswith("p.")]
    out = patients[["sample", *cohort.PARAMS, *shared]]
    return out.rename(columns={c: c.removeprefix("p.") for c in shared})


def _normalized(wells: pd.DataFrame) -> pd.DataFrame:
    """The screen workflow's normalizations: own vehicle, and +IL7 on the -IL7 vehicle."""
    from tallrx.tidy.normalize import normalize_viability
    from tallrx.tidy.qc import plate_qc

    _, flagged = plate_qc(wells)
    own = normalize_viability(flagged, missing_vehicle="flag")
    ref = normalize_viability(flagged, reference_condition={"il7": 0}, missing_vehicle="flag")
    return pd.concat([own, ref], ignore_index=True)


def screen(patients: pd.DataFrame, seed: int, **kw) -> pd.DataFrame:
    """Noisy single-agent screen of ``patients`` -> viability table."""
    from tallrx.model.virtual.cohort import cohort_screen

    wells = cohort_screen(patients, drugs=SCREEN_DRUGS, seed=seed, **kw).table
    return _normalized(wells)


def usable_patients(patients: pd.DataFrame, table: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """``patients`` that have usable single-agent wells in ``table``, and the samples skipped.

    A patient whose culture fails plate QC (e.g. vehicle signal not above blank: cells that die
    in culture, k_prolif < death rate) has no data to fit, as in a real lab: it is skipped and
    counted, not fitted.
    """
    from tallrx.model.twin.data import clean_table

    usable = set(clean_table(table, "virtual screen")["sample"])
    skipped = [s for s in patients["sample"] if s not in usable]
    return patients[patients["sample"].isin(usable)].reset_index(drop=True), skipped


def held_out(patients: pd.DataFrame, seed: int, **kw) -> pd.DataFrame:
    """Noisy prednisolone x selumetinib matrices -/+ IL7 (own vehicle), viability table."""
    from tallrx.model.virtual.cohort import cohort_conditions
    from tallrx.model.virtual.treatments import treatments_matrix
    from tallrx.model.virtual.viability import viability_plates
    from tallrx.tidy.normalize import normalize_viability
    from tallrx.tidy.qc import plate_qc

    doses = matrix_doses()
    treat = treatments_matrix(DRUG_A, doses[DRUG_A], DRUG_B, doses[DRUG_B])
    blocks = cohort_conditions(patients, conditions=[{"il7": 0.0}, {"il7": 25.0}])
    wells = viability_plates(blocks, treat, replicates=3, seed=seed, **kw).table
    _, flagged = plate_qc(wells)
    return normalize_viability(flagged, missing_vehicle="flag")


def _cell_means(v: pd.DataFrame) -> pd.DataFrame:
    t = v[v["role"].eq("treated") & ~v["exclude"].astype(bool)].copy()
    t["dose_a"] = np.where(t["drug_a"] == DRUG_A, t["conc_a"], 0.0) + np.where(
        t["drug_b"] == DRUG_A, t["conc_b"], 0.0
    )
    t["dose_b"] = np.where(t["drug_a"] == DRUG_B, t["conc_a"], 0.0) + np.where(
        t["drug_b"] == DRUG_B, t["conc_b"], 0.0
    )
    return t.groupby(["sample", "il7", "dose_a", "dose_b"], as_index=False)["viability"].mean()


def _truth_surface(patients: pd.DataFrame, surface: pd.DataFrame, **kw) -> np.ndarray:
    """Noise-free viability of each predicted surface row at the patient's true parameters."""
    from tallrx.workflows.twin.predict import surface_conditions

    cond = surface_conditions()
    p = _true_parameters(patients).set_index("sample")
    vals = simulate_viability(p.reset_index(drop=True), cond, **kw)
    from tallrx.workflows.twin.predict import _dose_columns

    a, b = _dose_columns(cond)
    key = pd.DataFrame({"il7": cond["il7"].to_numpy(float), "dose_a": a, "dose_b": b})
    frames = [key.assign(sample=s, truth=vals[i]) for i, s in enumerate(p.index)]
    t = pd.concat(frames, ignore_index=True)
    return surface.merge(t, on=["sample", "il7", "dose_a", "dose_b"], how="left")[
        "truth"
    ].to_numpy()


def validate_twins(
    n: int = 6,
    *,
    seed: int = 0,
    settings: Settings = Settings(),
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
    posterior: pd.DataFrame | None = None,
    matched: bool = False,
) -> dict:
    """Twins of ``n`` virtual patients against their held-out truth.

    ``posterior``: a calibration posterior (:func:`~tallrx.model.twin.prior.read_posterior`)
    as part of the twins' prior, as ``tallrx twin --posterior`` does; the virtual patients keep
    the generator's nominal shared kinetics, so the twins must find them among its draws;
    with ``matched`` each virtual patient's shared kinetics are one posterior draw instead (the
    twins' prior then holds the truth, as a calibrated prior should).

    Returns
    -------
    dict
        ``summary`` (one-row metrics: patients fitted and skipped for a failed screen, mae,
        coverage of the 90 % intervals for the held-out cell means and for the noise-free
        surface, call accuracy and the majority-class baseline),
        ``cells`` (per surface cell: prediction, measured, truth), ``calls`` (per patient x IL7:
        predicted and true call), ``parameters`` (posterior vs true value).
    """
    kw = dict(engine=engine, jobs=jobs, mapper=mapper)
    if matched and posterior is None:
        raise ValueError("matched=True needs a posterior to draw the patients' kinetics from")
    patients = virtual_patients(n, TRUTH_SEED + seed, posterior if matched else None)
    table = screen(patients, seed=seed, **kw)
    patients, skipped = usable_patients(patients, table)
    res = twin_samples(table, list(patients["sample"]), seed=seed, settings=settings,
                      posterior=posterior, **kw)
    measured = held_out(patients, seed=seed + 1, **kw)
    cells = res.surface.merge(
        _cell_means(measured).rename(columns={"viability": "measured"}),
        on=["sample", "il7", "dose_a", "dose_b"],
        how="left",
    )
    cells["truth"] = _truth_surface(patients, cells, **kw)
    combo = (cells["dose_a"] > 0) & (cells["dose_b"] > 0)
    c = cells[combo]
    inside = (c["measured"] >= c["viability_lower"]) & (c["measured"] <= c["viability_upper"])
    true_calls = score_plates(measured, seed=seed + 2, n_null=settings.n_null)
    true_calls["true_call"] = true_calls["call"].where(
        ~true_calls["call"].isin(["strong synergy"]), "synergy"
    )
    calls = res.calls.merge(true_calls[["sample", "il7", "true_call"]], on=["sample", "il7"])
    baseline = calls["true_call"].value_counts(normalize=True).max() if len(calls) else np.nan
    par = res.parameters.merge(
        _true_parameters(patients).melt(id_vars="sample", var_name="parameter",
                                        value_name="true_value"),
        on=["sample", "parameter"],
        how="left",
    )
    par["true_value"] = pd.to_numeric(par["true_value"], errors="coerce")
    # shared kinetics drawn from a posterior have no true value here: not counted (NaN)
    inside_par = (par["true_value"] >= par["lower"]) & (par["true_value"] <= par["upper"])
    par["covered"] = inside_par.astype(float).where(par["true_value"].notna())
    # baseline without a twin: each cell predicted by the other patients' measured mean
    g = c.groupby(["il7", "dose_a", "dose_b"])["measured"]
    k = g.transform("count")
    loo = (g.transform("sum") - c["measured"]) / (k - 1)
    summary = {
        "n_patients": len(patients),
        "n_skipped": len(skipped),
        "skipped": " ".join(skipped),
        "n_cells": int(len(c)),
        "mae": float(np.mean(np.abs(c["viability_median"] - c["measured"]))),
        "mae_population": (
            float(np.mean(np.abs(loo - c["measured"]))) if len(patients) > 1 else np.nan
        ),
        "mae_truth": float(np.mean(np.abs(c["model_median"] - c["truth"]))),
        "coverage": float(inside.mean()),
        "coverage_truth": float(
            ((c["truth"] >= c["viability_lower"]) & (c["truth"] <= c["viability_upper"])).mean()
        ),
        "call_accuracy": float((calls["synergy_call"] == calls["true_call"]).mean()),
        "call_baseline": float(baseline),
        "parameter_coverage": float(par["covered"].mean()),
    }
    return {
        "summary": pd.DataFrame([summary]),
        "cells": cells,
        "calls": calls,
        "parameters": par,
        "identifiability": par.groupby("parameter", as_index=False)[
            ["width_ratio", "covered"]
        ].mean(),
        "results": res,
    }
