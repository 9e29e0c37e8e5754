"""Virtual PDX cohort: patients = parameter sets around the shared kinetics, selected to match
the paper's cohort statistics and observations (Fig. 1D-E, Fig. 5).

A candidate pool is drawn (seeded): per patient lognormal IL7R level, GR level, dependence on
survival signals (basal death hazard) and BIM / BCL2 / BCLXL / MCL1 / BMF synthesis; discrete
IL7R / JAK1 / NRAS mutation flags (constitutive JAK drive or GAP-insensitive RAS); and a discrete
"unknown non-IL7" ERK activation (paper Fig. 6) present in most leukemias, which adds a strong
IL7-independent SOS/RAS drive and comes with more BIM (ERK-addicted cells tolerate BIM that ERK
keeps phosphorylated and short-lived; MEK inhibitors unmask it, so most PDX respond to them,
Fig. 5A). Diagnosis-relapse pairs share their parameters up to a relapse shift. Each candidate is
screened in silico (noise-free 4-day viability, the paper's prednisolone window +/- 25 ng/ml IL7,
ruxolitinib and the MEK inhibitors, prednisolone with selumetinib or with ruxolitinib + IL7, pERK
30 min after IL7) and :mod:`.cohort_select` picks the cohort (its docstring lists the
rules: 26 % IL7-responsive, no ruxolitinib responder, most MEK-inhibitor responders, ...).

The selected default cohort (46, seed 2021) ships as ``tallrx/data/model/pdx_cohort_46.csv``;
:func:`load_cohort` reads it without simulating.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.model.network import NETWORK
from tallrx.model.simulate import PARAM_PREFIX
from tallrx.model.virtual.cohort_select import Targets, classify, select_cohort
from tallrx.model.virtual.run import run_conditions
from tallrx.model.virtual.treatments import treatments_single
from tallrx.model.virtual.viability import viability_plates
from tallrx.paper import IL7_NG_ML

__all__ = [
    "Targets",
    "classify",
    "select_cohort",
    "sample_candidates",
    "screen_statistics",
    "generate_cohort",
    "load_cohort",
    "cohort_conditions",
    "cohort_screen",
    "parameter_columns",
]

IL7_PERK_HOURS = 0.5  # paper Fig. 1E: pERK 30 min after IL7
DEFAULT_N, DEFAULT_SEED = 46, 2021

#: 4-log windows (uM); prednisolone from paper Fig. 1D, the others assumed (not in the paper)
PDX_WINDOWS: dict[str, tuple[float, float]] = {
    "prednisolone": (0.00316, 31.6),
    "ruxolitinib": (0.001, 10.0),
    "selumetinib": (0.001, 10.0),
    "trametinib": (0.0001, 1.0),
    "binimetinib": (0.001, 10.0),
}
N_DOSES = 9

#: PDX context (shared by all patients): cells barely proliferate, die without cytokines
PDX_CONTEXT = {"k_prolif": 0.002}
#: per-patient lognormal parameters: (median, log-sd)
DISTRIBUTIONS: dict[str, tuple[float, float]] = {
    "il7r_level": (1.0, 1.0),
    "k_death0": (0.006, 0.6),  # dependence on survival signals (what IL7 rescues)
    "erk_drive": (0.005, 0.5),  # residual non-IL7 ERK drive without the activation below
    "gr_level": (1.0, 0.4),
    "s_BIM": (1.3, 0.15),
    "s_BCL2": (1.0, 0.4),
    "s_BCLXL": (1.0, 0.4),
    "s_MCL1": (1.0, 0.4),
    "s_BMF": (1.0, 0.3),
}
#: mutation flag -> (prevalence, parameter, (median, log-sd) of its strength)
MUTATIONS: dict[str, tuple[float, str, tuple[float, float]]] = {
    "il7r_mut": (0.10, "mut_jak_drive", (0.1, 0.4)),
    "jak1_mut": (0.05, "mut_jak_drive", (0.15, 0.4)),
    "nras_mut": (0.08, "mut_ras_level", (0.08, 0.4)),
}
#: "unknown non-IL7" ERK activation (paper Fig. 6): prevalence, added erk_drive (median, log-sd)
#: and the BIM synthesis factor of ERK-addicted leukemias (calibrated to Fig. 5A and 5C)
NONIL7_ERK: tuple[float, tuple[float, float], float] = (0.72, (0.15, 0.3), 2.0)
FLAGS = (*MUTATIONS, "nonil7_erk")
RELAPSE_SHIFT = {"erk_drive": 1.4, "gr_level": 0.85}  # relapses are more resistant
PARAMS = (*PDX_CONTEXT, *DISTRIBUTIONS, "mut_jak_drive", "mut_ras_level")


# ------------------------------------------------------------------ candidate pool
def _draw(rng: np.random.Generator, n: int) -> pd.DataFrame:
    df = pd.DataFrame(
        {k: m * np.exp(s * rng.standard_normal(n)) for k, (m, s) in DISTRIBUTIONS.items()}
    )
    df["mut_jak_drive"] = 0.0
    df["mut_ras_level"] = 0.0
    for flag, (prev, param, (m, s)) in MUTATIONS.items():
        hit = rng.random(n) < prev
        df[flag] = hit
        df[param] = df[param] + np.where(hit, m * np.exp(s * rng.standard_normal(n)), 0.0)
    prev, (m, s), bim = NONIL7_ERK
    hit = rng.random(n) < prev
    df["nonil7_erk"] = hit
    df["erk_drive"] = df["erk_drive"] + np.where(hit, m * np.exp(s * rng.standard_normal(n)), 0.0)
    df["s_BIM"] = df["s_BIM"] * np.where(hit, bim, 1.0)
    for k, v in PDX_CONTEXT.items():
        df[k] = v
    return df


def sample_candidates(n_single: int, n_pairs: int, seed: int) -> pd.DataFrame:
    """Candidate patients: ``n_single`` unpaired plus ``n_pairs`` diagnosis-relapse pairs."""
    rng = np.random.default_rng(seed)
    singles = _draw(rng, n_single).assign(pair="", timepoint="diagnosis")
    dx = _draw(rng, n_pairs)
    rel = dx.copy()
    for k in DISTRIBUTIONS:
        rel[k] = rel[k] * np.exp(0.15 * rng.standard_normal(n_pairs)) * RELAPSE_SHIFT.get(k, 1)
    gain = ~rel["nras_mut"] & (rng.random(n_pairs) < 0.25)  # RAS mutations enriched at relapse
    rel["nras_mut"] = rel["nras_mut"] | gain
    rel["mut_ras_level"] = rel["mut_ras_level"] + np.where(
        gain, MUTATIONS["nras_mut"][2][0] * np.exp(0.4 * rng.standard_normal(n_pairs)), 0.0
    )
    pairs = [f"c{i:03d}" for i in range(n_pairs)]
    dx = dx.assign(pair=pairs, timepoint="diagnosis")
    rel = rel.assign(pair=pairs, timepoint="relapse")
    out = pd.concat([singles, dx, rel], ignore_index=True)
    out.insert(0, "candidate", [f"cand{i:04d}" for i in range(len(out))])
    return out


# ------------------------------------------------------------------ in-silico screen
def _doses(drug: str) -> np.ndarray:
    lo, hi = PDX_WINDOWS[drug]
    return np.geomspace(lo, hi, N_DOSES)


def auc(viability: np.ndarray, doses: np.ndarray) -> np.ndarray:
    """The paper's AUC: trapezoid of % viability over log10(dose in uM) (last axis = doses)."""
    return np.trapezoid(viability, np.log10(doses), axis=-1)


def _designs() -> list[tuple[str, float, dict]]:
    """(label, IL7 ng/ml, drugs) of the selection screen, per patient."""
    d: list[tuple[str, float, dict]] = [("vehicle", 0.0, {}), ("vehicle", IL7_NG_ML, {})]
    for c in _doses("prednisolone"):
        d += [
            ("prednisolone", 0.0, {"prednisolone": c}),
            ("prednisolone_il7", IL7_NG_ML, {"prednisolone": c}),
            ("prednisolone_selumetinib", 0.0, {"prednisolone": c, "selumetinib": 0.1}),
            ("prednisolone_ruxolitinib_il7", IL7_NG_ML, {"prednisolone": c, "ruxolitinib": 1.0}),
        ]
    d += [
        ("vehicle_selumetinib", 0.0, {"selumetinib": 0.1}),
        ("vehicle_ruxolitinib_il7", IL7_NG_ML, {"ruxolitinib": 1.0}),
    ]
    for drug in ("ruxolitinib", "selumetinib", "trametinib", "binimetinib"):
        d += [(drug, 0.0, {drug: c}) for c in _doses(drug)]
    for drug in ("ruxolitinib", "selumetinib"):
        d += [(f"{drug}_il7", IL7_NG_ML, {drug: c}) for c in _doses(drug)]
    return d


def screen_statistics(
    patients: pd.DataFrame,
    *,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> pd.DataFrame:
    """Noise-free selection screen of each patient row (parameter columns as in :data:`PARAMS`).

    Columns (AUCs over the 4-log windows, % x log10 uM): auc_prednisolone, auc_prednisolone_il7
    (+IL7 relative to the -IL7 vehicle), auc_fold, il7_enhanced_viability (vehicle +IL7 / -IL7),
    auc_<drug> (-IL7, own vehicle) for ruxolitinib and the MEK inhibitors, delta_auc_<drug>
    (AUC +IL7 / AUC -IL7, each on its own vehicle; Fig. 5B) for ruxolitinib and selumetinib,
    auc_prednisolone_selumetinib (with 0.1 uM selumetinib, own vehicle) and sel_gain (its ratio to
    auc_prednisolone), auc_prednisolone_ruxolitinib_il7 (with 1 uM ruxolitinib + IL7, own +IL7
    vehicle) and rux_gain_il7 (its ratio to prednisolone + IL7 on the +IL7 vehicle), perk_fold_il7
    (pERK 30 min after IL7 / without), and the flags of :func:`classify`.
    """
    designs = _designs()
    rows = []
    for i in range(len(patients)):
        pars = {PARAM_PREFIX + k: float(patients.iloc[i][k]) for k in PARAMS}
        for _, il7, drugs in designs:
            rows.append(pars | {"il7": il7} | drugs)
    cond = pd.DataFrame(rows).fillna(0.0)
    values, _ = run_conditions(
        cond,
        [IL7_PERK_HOURS, 96.0],
        ["viable_cells", "pERK"],
        engine=engine,
        jobs=jobs,
        mapper=mapper,
        where="cohort screen",
    )
    v = values[-1, 0].reshape(len(patients), len(designs))
    perk = values[0, 1].reshape(len(patients), len(designs))
    labels = np.array([d[0] for d in designs])

    def block(name):
        return v[:, labels == name]

    veh0, veh7 = block("vehicle")[:, 0], block("vehicle")[:, 1]

    def auc_of(name, drug, ref):
        return auc(100 * block(name) / ref[:, None], _doses(drug))

    out = pd.DataFrame(index=patients.index)
    out["auc_prednisolone"] = auc_of("prednisolone", "prednisolone", veh0)
    out["auc_prednisolone_il7"] = auc_of("prednisolone_il7", "prednisolone", veh0)
    out["auc_fold"] = out["auc_prednisolone_il7"] / out["auc_prednisolone"]
    out["il7_enhanced_viability"] = veh7 / veh0
    for drug in ("ruxolitinib", "selumetinib", "trametinib", "binimetinib"):
        out[f"auc_{drug}"] = auc_of(drug, drug, veh0)
    for drug in ("ruxolitinib", "selumetinib"):
        out[f"delta_auc_{drug}"] = auc_of(f"{drug}_il7", drug, veh7) / out[f"auc_{drug}"]
    out["auc_prednisolone_selumetinib"] = auc_of(
        "prednisolone_selumetinib", "prednisolone", block("vehicle_selumetinib")[:, 0]
    )
    out["sel_gain"] = out["auc_prednisolone_selumetinib"] / out["auc_prednisolone"]
    out["auc_prednisolone_ruxolitinib_il7"] = auc_of(
        "prednisolone_ruxolitinib_il7", "prednisolone", block("vehicle_ruxolitinib_il7")[:, 0]
    )
    out["rux_gain_il7"] = out["auc_prednisolone_ruxolitinib_il7"] / auc_of(
        "prednisolone_il7", "prednisolone", veh7
    )
    pv = perk[:, labels == "vehicle"]
    out["perk_fold_il7"] = pv[:, 1] / pv[:, 0]
    return classify(out)


# ------------------------------------------------------------------ naming
def _name(cohort: pd.DataFrame) -> pd.DataFrame:
    """VPDX01.. names (pairs first, as VPDXnn-D / VPDXnn-R); combination groups marked."""
    c = cohort.assign(_single=cohort["pair"].eq(""), _rel=cohort["timepoint"].eq("relapse"))
    c = c.sort_values(["_single", "pair", "_rel", "candidate"]).reset_index(drop=True)
    pair_no = {p: i + 1 for i, p in enumerate(dict.fromkeys(c.loc[~c["_single"], "pair"]))}
    n_pairs = len(pair_no)
    names = []
    for i, r in c.iterrows():
        if r["_single"]:
            names.append(f"VPDX{n_pairs + 1 + i - 2 * n_pairs:02d}")
        else:
            names.append(f"VPDX{pair_no[r['pair']]:02d}-{'R' if r['_rel'] else 'D'}")
    c.insert(0, "sample", names)
    c["pair"] = [n.split("-")[0] if "-" in n else "" for n in names]
    # the paper's combination experiments (Fig. 5B-C), chosen as a lab chooses them from its
    # screen (tallrx.reproduce does the same on the analyzed strata): the six IL7-dependent
    # steroid-resistant samples most resistant with IL7, the six IL7-independent ones most
    # resistant without it
    group = np.full(len(c), "", dtype=object)
    dep = c[c["il7_dependent_resistant"]].sort_values("auc_prednisolone_il7", ascending=False)
    ind = c[c["il7_independent_resistant"]].sort_values("auc_prednisolone", ascending=False)
    group[dep.index[:6]] = "IL7-dependent"
    group[ind.index[:6]] = "IL7-independent"
    c["combination_group"] = group
    return c.drop(columns=["candidate", "_single", "_rel"])


def generate_cohort(
    n: int = DEFAULT_N,
    seed: int = DEFAULT_SEED,
    *,
    pool_factor: int = 8,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> pd.DataFrame:
    """Draw a pool, screen it in silico and select a cohort matching the paper (see module)."""
    if n < 6:
        raise InputError(f"a virtual cohort needs at least 6 samples, got n={n}")
    t = Targets.for_size(n)
    pool = sample_candidates(pool_factor * n, max(pool_factor * t.n_pairs, 4), seed)
    stats = screen_statistics(pool, engine=engine, jobs=jobs, mapper=mapper)
    chosen = select_cohort(pd.concat([pool, stats], axis=1), t, seed)
    out = _name(chosen)
    first = ["sample", "pair", "timepoint", *FLAGS, "combination_group", *PARAMS]
    out = out[first + [c for c in out.columns if c not in first]]
    out.attrs["seed"], out.attrs["pool"] = seed, len(pool)
    return out


# ------------------------------------------------------------------ shipped cohort and use
COHORT_FILE = "pdx_cohort_46.csv"


def load_cohort() -> pd.DataFrame:
    """The shipped default cohort (46 PDX, seed 2021): parameters, flags and screen stats."""
    ref = importlib.resources.files("tallrx") / "data" / "model" / COHORT_FILE
    with importlib.resources.as_file(ref) as path:
        df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for col in ("pair", "combination_group"):
        df[col] = df[col].fillna("").astype("str")
    return df


def cohort_conditions(
    cohort: pd.DataFrame, samples=None, conditions: list[Mapping] | None = None
) -> pd.DataFrame:
    """Blocks (sample x condition) with the patients' parameters as ``p.*`` columns."""
    c = cohort.set_index("sample")
    names = list(c.index) if samples is None else list(samples)
    missing = [s for s in names if s not in c.index]
    if missing:
        raise InputError(
            f"sample '{missing[0]}' is not in the cohort.{did_you_mean(missing[0], list(c.index))}"
        )
    rows = []
    for s in names:
        pars = {PARAM_PREFIX + k: float(c.at[s, k]) for k in PARAMS}
        for cond in conditions or [{}]:
            rows.append({"sample": s, **cond, **pars})
    return pd.DataFrame(rows)


def cohort_screen(
    cohort: pd.DataFrame | None = None,
    *,
    drugs=("prednisolone", "ruxolitinib", "selumetinib", "trametinib", "binimetinib"),
    il7=(0.0, IL7_NG_ML),
    replicates: int = 3,
    seed: int = 0,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
):
    """The paper's PDX screen in silico: every sample +/- IL7, each drug over its 4-log window
    (9 doses, ``replicates`` wells), ATPlite read-out -> a ``wells`` Result (about 13,000 wells
    for 46 samples)."""
    cohort = load_cohort() if cohort is None else cohort
    treat = pd.concat([treatments_single(d, _doses(d)) for d in drugs], ignore_index=True)
    blocks = cohort_conditions(cohort, conditions=[{"il7": float(x)} for x in il7])
    return viability_plates(
        blocks,
        treat,
        replicates=replicates,
        readout="atplite",
        plate_format=384,
        seed=seed,
        engine=engine,
        jobs=jobs,
        mapper=mapper,
    )


def parameter_columns() -> list[str]:
    """Model parameters a cohort row sets (all exist in the reaction table)."""
    for k in PARAMS:
        NETWORK.parameter(k)
    return list(PARAMS)
