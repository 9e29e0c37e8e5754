"""Virtual PDX cohort: patients drawn from stated distributions around the shared kinetics.

Every per-patient spread (lognormal median and log-sd) and every mutation frequency comes from
``tallrx/data/model/cohort_distributions.csv`` (one row each, with its source; "assumed" where no
source was verified): IL7R level, GR level, dependence on survival signals (basal death hazard),
residual ERK drive and BIM / BCL2 / BCLXL / MCL1 / BMF synthesis; IL7R / JAK1 / NRAS mutation
flags (constitutive JAK drive or GAP-insensitive RAS); and an "unknown non-IL7" ERK activation
(paper Fig. 6) that adds an IL7-independent SOS/RAS drive and comes with more BIM.
Diagnosis-relapse pairs (9 of 46 in the paper) share their parameters up to a stated relapse
shift. The cohort is a plain draw: NO candidate is selected or rejected on its outcome. Each
patient is then screened in silico (:func:`screen_statistics`) and flagged (:func:`classify`) so
that ``tallrx reproduce`` can test the paper's claims on it.

The default cohort (46, seed 2021) ships as ``tallrx/data/model/pdx_cohort_46.csv``;
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
from tallrx.model.virtual.run import run_conditions
from tallrx.model.virtual.treatments import treatments_single
from tallrx.model.virtual.viability import viability_plates
from tallrx.paper import IL7_DEPENDENT_MIN_AUC, IL7_NG_ML, IL7_RESPONSIVE_FOLD

__all__ = [
    "classify",
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
DISTRIBUTIONS_FILE = "cohort_distributions.csv"


def _table() -> pd.DataFrame:
    """The stated distributions (``tallrx/data/model/cohort_distributions.csv``)."""
    ref = importlib.resources.files("tallrx") / "data" / "model" / DISTRIBUTIONS_FILE
    with importlib.resources.as_file(ref) as path:
        return pd.read_csv(path)


def _rows(kind: str) -> pd.DataFrame:
    t = _table()
    return t[t["kind"] == kind].set_index("name")


#: per-patient lognormal parameters: (median, log-sd)
DISTRIBUTIONS: dict[str, tuple[float, float]] = {
    k: (float(r["value"]), float(r["log_sd"])) for k, r in _rows("lognormal_spread").iterrows()
}
_FREQ, _STRENGTH = _rows("mutation_frequency"), _rows("mutation_strength")
#: mutation flag -> (prevalence, parameter, (median, log-sd) of its strength)
MUTATIONS: dict[str, tuple[float, str, tuple[float, float]]] = {
    f: (
        float(_FREQ.at[f, "value"]),
        str(_FREQ.at[f, "model_parameter"]),
        (float(_STRENGTH.at[f, "value"]), float(_STRENGTH.at[f, "log_sd"])),
    )
    for f in _FREQ.index
    if f != "nonil7_erk"
}
#: "unknown non-IL7" ERK activation (paper Fig. 6): prevalence, added erk_drive (median, log-sd)
#: and the BIM synthesis factor of ERK-addicted leukemias
NONIL7_ERK: tuple[float, tuple[float, float], float] = (
    float(_FREQ.at["nonil7_erk", "value"]),
    (float(_STRENGTH.at["nonil7_erk", "value"]), float(_STRENGTH.at["nonil7_erk", "log_sd"])),
    float(_rows("bim_factor").at["nonil7_erk", "value"]),
)
FLAGS = (*MUTATIONS, "nonil7_erk")
#: relapses are more resistant: multiplicative shifts of the diagnosis parameters
RELAPSE_SHIFT = {k: float(r["value"]) for k, r in _rows("relapse_shift").iterrows()}
RELAPSE_LOG_SD = float(_rows("relapse_noise").at["relapse", "log_sd"])
RELAPSE_NRAS_GAIN = float(_rows("relapse_gain").at["nras_mut", "value"])
PAIR_FRACTION = float(_rows("pair_fraction").at["relapse", "value"])
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
        rel[k] = rel[k] * np.exp(RELAPSE_LOG_SD * rng.standard_normal(n_pairs)) * RELAPSE_SHIFT.get(k, 1)
    gain = ~rel["nras_mut"] & (rng.random(n_pairs) < RELAPSE_NRAS_GAIN)  # RAS mutations enriched at relapse
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


# ------------------------------------------------------------------ flags (read-outs, not selection)
RESPONSE_MAX_FRACTION = 0.75  # AUC below 75 % of the 4-log maximum counts as a response (assumed)
JAK_DRIVEN_RUX_GAIN = 0.85  # an IL7-independent sample ruxolitinib re-sensitizes (COG17R)
MEK_INHIBITORS = ("selumetinib", "trametinib", "binimetinib")


def classify(s: pd.DataFrame) -> pd.DataFrame:
    """Add the paper's flags to screen statistics (AUC thresholds in % x log10 uM)."""
    s = s.copy()
    top = RESPONSE_MAX_FRACTION * 100 * 4  # 4-log windows
    s["il7_responsive"] = s["auc_fold"] > IL7_RESPONSIVE_FOLD
    s["il7_dependent_resistant"] = s["il7_responsive"] & (
        s["auc_prednisolone_il7"] >= IL7_DEPENDENT_MIN_AUC
    )
    s["il7_independent_resistant"] = ~s["il7_responsive"] & (
        s["auc_prednisolone"] >= IL7_DEPENDENT_MIN_AUC
    )
    s["ruxolitinib_responder"] = s["auc_ruxolitinib"] < top
    s["mek_responder"] = np.logical_and.reduce([s[f"auc_{d}"] < top for d in MEK_INHIBITORS])
    if "rux_gain_il7" in s:
        s["jak_driven"] = s["il7_independent_resistant"] & (s["rux_gain_il7"] < JAK_DRIVEN_RUX_GAIN)
    return s


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
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> pd.DataFrame:
    """Draw ``n`` patients from the stated distributions and screen them in silico.

    Parameters
    ----------
    n : int
        Cohort size (>= 6); ``round(PAIR_FRACTION * n)`` diagnosis-relapse pairs.
    seed : int
        Seed of the draw.
    engine, jobs, mapper
        Simulation engine and parallelism of the screen.

    Returns
    -------
    DataFrame
        One row per patient: name, pair, flags, parameters and screen statistics. No patient is
        selected on an outcome.
    """
    if n < 6:
        raise InputError(f"a virtual cohort needs at least 6 samples, got n={n}; use --n 6 or more")
    n_pairs = int(round(PAIR_FRACTION * n))
    pool = sample_candidates(n - 2 * n_pairs, n_pairs, seed)
    stats = screen_statistics(pool, engine=engine, jobs=jobs, mapper=mapper)
    out = _name(pd.concat([pool, stats], axis=1))
    first = ["sample", "pair", "timepoint", *FLAGS, "combination_group", *PARAMS]
    out = out[first + [c for c in out.columns if c not in first]]
    out.attrs["seed"] = seed
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
    """Blocks (sample x condition) with the patients' parameters as ``p.*`` columns; a cohort
    column already named ``p.<parameter>`` (e.g. shared kinetics drawn per patient) is carried
    over as it is."""
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
        pars |= {k: float(c.at[s, k]) for k in c.columns if str(k).startswith(PARAM_PREFIX)}
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
