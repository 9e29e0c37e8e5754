"""Virtual PDX cohort: patients = parameter sets around the shared kinetics, selected to match
the paper's cohort statistics (Fig. 1D, Fig. 5).

A candidate pool is drawn (seeded): per patient lognormal IL7R level, "unknown non-IL7" ERK drive
(paper Fig. 6), GR level and BIM / BCL2 / BCLXL / MCL1 / BMF synthesis, discrete IL7R / JAK1 /
NRAS mutation flags (constitutive JAK drive or GAP-insensitive RAS); diagnosis-relapse pairs share
their parameters up to a relapse shift. Each candidate is screened in silico (4-day viability,
the paper's prednisolone window +/- 25 ng/ml IL7, ruxolitinib and MEK inhibitors without IL7)
and the cohort is selected from the pool so that:

* 26 % (12 of 46) are IL7-responsive: prednisolone AUC(+IL7) / AUC(-IL7) > 1.5 (+IL7 wells
  relative to the -IL7 vehicle, DESIGN.md), paper Fig. 1D;
* at least 6 are IL7-dependent steroid resistant (responsive and AUC(+IL7) >= 175) and at least
  6 IL7-independent steroid resistant (AUC(-IL7) >= 175, not responsive), paper Fig. 5B-C;
* none responds to ruxolitinib alone without IL7, paper Fig. 5A;
* most (>= 70 %) respond to selumetinib and trametinib, paper Fig. 5A;
* 9 diagnosis-relapse pairs (paper Results).

A drug "response" is AUC < 75 % of the window maximum (an assumption: the paper shows the AUC
distributions, not a cut-off). The selected default cohort (46, seed 2021) ships as
``tallrx/data/model/pdx_cohort_46.csv``; :func:`load_cohort` reads it without simulating.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.model.assays import run_conditions, treatments_single, viability_plates
from tallrx.model.network import NETWORK
from tallrx.model.simulate import PARAM_PREFIX

# ------------------------------------------------------------------ paper thresholds
IL7_NG_ML = 25.0  # paper Methods
IL7_RESPONSIVE_FOLD = 1.5  # paper Fig. 1D
IL7_DEPENDENT_MIN_AUC = 175.0  # paper Fig. 5B
RESISTANT_MIN_AUC = 175.0  # same threshold for IL7-independent resistance (assumption)
RESPONSE_MAX_FRACTION = 0.75  # AUC below 75 % of the maximum counts as a response (assumption)
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
    "il7r_level": (0.3, 1.5),
    "k_death0": (0.006, 0.5),  # dependence on survival signals (what IL7 rescues)
    "erk_drive": (0.2, 0.7),
    "gr_level": (1.0, 0.4),
    "s_BIM": (2.8, 0.3),
    "s_BCL2": (1.0, 0.4),
    "s_BCLXL": (1.0, 0.4),
    "s_MCL1": (1.0, 0.4),
    "s_BMF": (1.0, 0.3),
}
#: mutation flag -> (prevalence, parameter, (median, log-sd) of its strength)
MUTATIONS: dict[str, tuple[float, str, tuple[float, float]]] = {
    "il7r_mut": (0.10, "mut_jak_drive", (0.3, 0.4)),
    "jak1_mut": (0.05, "mut_jak_drive", (0.4, 0.4)),
    "nras_mut": (0.08, "mut_ras_level", (0.3, 0.4)),
}
RELAPSE_SHIFT = {"erk_drive": 1.4, "gr_level": 0.85}  # relapses are more resistant
PARAMS = (*PDX_CONTEXT, *DISTRIBUTIONS, "mut_jak_drive", "mut_ras_level")


@dataclass(frozen=True)
class Targets:
    """Cohort statistics the selection must reproduce (scaled for n != 46)."""

    n: int
    n_pairs: int
    il7_responsive: int
    min_il7_dependent_resistant: int
    min_il7_independent_resistant: int
    min_mek_responder_fraction: float = 0.7

    @classmethod
    def for_size(cls, n: int) -> Targets:
        f = n / 46
        return cls(
            n=n,
            n_pairs=int(round(9 * f)),
            il7_responsive=int(round(12 * f)),
            min_il7_dependent_resistant=int(round(6 * f)),
            min_il7_independent_resistant=int(round(6 * f)),
        )


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


def screen_statistics(
    patients: pd.DataFrame,
    *,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> pd.DataFrame:
    """Noise-free selection screen of each patient row (parameter columns as in :data:`PARAMS`).

    Columns: auc_prednisolone, auc_prednisolone_il7 (+IL7 relative to the -IL7 vehicle),
    auc_fold, il7_enhanced_viability, auc_<drug> (-IL7) for ruxolitinib and the MEK inhibitors,
    auc_prednisolone_selumetinib (with 0.1 uM selumetinib, own vehicle),
    auc_prednisolone_ruxolitinib_il7 (with 1 uM ruxolitinib, +IL7, own +IL7 vehicle), and the
    resulting flags.
    """
    designs: list[tuple[str, float, dict]] = [("vehicle", 0.0, {}), ("vehicle", IL7_NG_ML, {})]
    for c in _doses("prednisolone"):
        designs += [
            ("prednisolone", 0.0, {"prednisolone": c}),
            ("prednisolone_il7", IL7_NG_ML, {"prednisolone": c}),
            ("prednisolone_selumetinib", 0.0, {"prednisolone": c, "selumetinib": 0.1}),
            ("prednisolone_ruxolitinib_il7", IL7_NG_ML, {"prednisolone": c, "ruxolitinib": 1.0}),
        ]
    designs += [
        ("vehicle_selumetinib", 0.0, {"selumetinib": 0.1}),
        ("vehicle_ruxolitinib_il7", IL7_NG_ML, {"ruxolitinib": 1.0}),
    ]
    for drug in ("ruxolitinib", "selumetinib", "trametinib", "binimetinib"):
        designs += [(drug, 0.0, {drug: c}) for c in _doses(drug)]
    rows = []
    for i in range(len(patients)):
        pars = {PARAM_PREFIX + k: float(patients.iloc[i][k]) for k in PARAMS}
        for _, il7, drugs in designs:
            rows.append(pars | {"il7": il7} | drugs)
    cond = pd.DataFrame(rows).fillna(0.0)
    values, _ = run_conditions(
        cond,
        [96.0],
        ["viable_cells"],
        engine=engine,
        jobs=jobs,
        mapper=mapper,
        where="cohort screen",
    )
    v = values[-1, 0].reshape(len(patients), len(designs))
    labels = np.array([d[0] for d in designs])

    def block(name):
        return v[:, labels == name]

    veh0, veh7 = block("vehicle")[:, 0], block("vehicle")[:, 1]
    pct = lambda x, ref: 100 * x / ref[:, None]  # noqa: E731
    out = pd.DataFrame(index=patients.index)
    pd_ = _doses("prednisolone")
    out["auc_prednisolone"] = auc(pct(block("prednisolone"), veh0), pd_)
    out["auc_prednisolone_il7"] = auc(pct(block("prednisolone_il7"), veh0), pd_)
    out["auc_fold"] = out["auc_prednisolone_il7"] / out["auc_prednisolone"]
    out["il7_enhanced_viability"] = veh7 / veh0
    for drug in ("ruxolitinib", "selumetinib", "trametinib", "binimetinib"):
        out[f"auc_{drug}"] = auc(pct(block(drug), veh0), _doses(drug))
    out["auc_prednisolone_selumetinib"] = auc(
        pct(block("prednisolone_selumetinib"), block("vehicle_selumetinib")[:, 0]), pd_
    )
    out["auc_prednisolone_ruxolitinib_il7"] = auc(
        pct(block("prednisolone_ruxolitinib_il7"), block("vehicle_ruxolitinib_il7")[:, 0]), pd_
    )
    return classify(out)


def classify(stats: pd.DataFrame) -> pd.DataFrame:
    """Add the paper's flags to screen statistics (thresholds above)."""
    s = stats.copy()
    top = RESPONSE_MAX_FRACTION * 100 * 4  # 4-log windows
    s["il7_responsive"] = s["auc_fold"] > IL7_RESPONSIVE_FOLD
    s["il7_dependent_resistant"] = s["il7_responsive"] & (
        s["auc_prednisolone_il7"] >= IL7_DEPENDENT_MIN_AUC
    )
    s["il7_independent_resistant"] = ~s["il7_responsive"] & (
        s["auc_prednisolone"] >= RESISTANT_MIN_AUC
    )
    s["ruxolitinib_responder"] = s["auc_ruxolitinib"] < top
    s["mek_responder"] = (s["auc_selumetinib"] < top) & (s["auc_trametinib"] < top)
    return s


# ------------------------------------------------------------------ selection
def _ok(sel: pd.DataFrame, t: Targets) -> bool:
    return (
        len(sel) == t.n
        and int(sel["il7_responsive"].sum()) == t.il7_responsive
        and int(sel["il7_dependent_resistant"].sum()) >= t.min_il7_dependent_resistant
        and int(sel["il7_independent_resistant"].sum()) >= t.min_il7_independent_resistant
        and not sel["ruxolitinib_responder"].any()
        and sel["mek_responder"].mean() >= t.min_mek_responder_fraction
    )


def select_cohort(
    pool: pd.DataFrame, targets: Targets, seed: int, tries: int = 200
) -> pd.DataFrame:
    """Pick ``targets.n`` patients (``targets.n_pairs`` complete pairs) from a screened pool."""
    rng = np.random.default_rng(seed)
    ok = pool[~pool["ruxolitinib_responder"]]
    pair_ids = [p for p, g in ok[ok["pair"] != ""].groupby("pair") if len(g) == 2]
    singles = ok[ok["pair"] == ""]
    if len(pair_ids) < targets.n_pairs:
        raise InputError(
            f"the candidate pool has only {len(pair_ids)} usable diagnosis-relapse "
            f"pairs, {targets.n_pairs} are needed; enlarge the pool"
        )
    for _ in range(tries):
        chosen = rng.choice(pair_ids, size=targets.n_pairs, replace=False)
        sel = ok[ok["pair"].isin(chosen)]
        need = targets.n - len(sel)
        resp_left = targets.il7_responsive - int(sel["il7_responsive"].sum())
        if resp_left < 0 or resp_left > need:
            continue
        dep_left = max(
            0, targets.min_il7_dependent_resistant - int(sel["il7_dependent_resistant"].sum())
        )
        ind_left = max(
            0, targets.min_il7_independent_resistant - int(sel["il7_independent_resistant"].sum())
        )
        parts = []
        dep = singles[singles["il7_dependent_resistant"]]
        ind = singles[singles["il7_independent_resistant"] & singles["mek_responder"]]
        if len(dep) < dep_left or len(ind) < ind_left or dep_left > resp_left:
            continue
        parts.append(dep.sample(dep_left, random_state=rng))
        parts.append(ind.sample(ind_left, random_state=rng))
        taken = pd.concat(parts)
        rest = singles.drop(taken.index)
        r_more = resp_left - dep_left
        n_more = need - len(taken) - r_more
        resp = rest[rest["il7_responsive"]]
        non = rest[~rest["il7_responsive"]]
        if len(resp) < r_more or len(non) < n_more:
            continue
        non_w = np.where(non["mek_responder"], 4.0, 1.0)  # most PDX respond to MEK inhibitors
        pick = pd.concat(
            [
                taken,
                resp.sample(r_more, random_state=rng),
                non.sample(n_more, weights=non_w, random_state=rng),
            ]
        )
        cohort = pd.concat([sel, pick])
        if _ok(cohort, targets):
            return cohort
    raise InputError(
        f"no cohort matching the paper's statistics was found in {tries} draws "
        f"from a pool of {len(pool)}; enlarge the pool or change the seed"
    )


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
    # the paper's combination experiments (Fig. 5B-C): the six samples whose resistance IL7
    # drives most, and six resistant samples that IL7 barely affects (of the least IL7-affected
    # twelve, the most resistant; MEK-inhibitor responsive)
    group = np.full(len(c), "", dtype=object)
    dep = c[c["il7_dependent_resistant"]].sort_values("auc_fold", ascending=False)
    ind = c[c["il7_independent_resistant"] & c["mek_responder"]]
    ind = ind.sort_values("il7_enhanced_viability").head(12)
    group[dep.index[:6]] = "IL7-dependent"
    group[ind.sort_values("auc_prednisolone", ascending=False).index[:6]] = "IL7-independent"
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
    pool = sample_candidates(pool_factor * n, max(3 * t.n_pairs, 4), seed)
    stats = screen_statistics(pool, engine=engine, jobs=jobs, mapper=mapper)
    chosen = select_cohort(pd.concat([pool, stats], axis=1), t, seed)
    out = _name(chosen)
    first = ["sample", "pair", "timepoint", *MUTATIONS, "combination_group", *PARAMS]
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
