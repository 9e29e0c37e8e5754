"""Selecting a virtual PDX cohort that matches the paper's observations (Fig. 1D-E, Fig. 5).

Each candidate patient comes with the noise-free statistics of its in-silico selection screen
(:func:`tallrx.model.virtual.cohort.screen_statistics`); :func:`classify` adds the paper's flags and
:func:`select_cohort` picks ``n`` patients (complete diagnosis-relapse pairs included) such that

* exactly 26 % (12 of 46) are IL7-responsive: prednisolone AUC(+IL7) / AUC(-IL7) > 1.5, +IL7 wells
  relative to the -IL7 vehicle (paper Fig. 1D);
* at least 6 are IL7-dependent steroid resistant (responsive and AUC(+IL7) >= 175) and at least 6
  IL7-independent steroid resistant (AUC(-IL7) >= 175, not responsive), paper Fig. 5B-C;
* none responds to ruxolitinib alone without IL7 and most (>= 62 %) respond to all three MEK
  inhibitors (selumetinib, trametinib, binimetinib), paper Fig. 5A;
* every candidate is *eligible*: IL7 raises its viability at most 2.5-fold (assumption: the range of
  IL7-enhanced viability of PDX cells, Suppl. Fig. 5a); an IL7-responsive one owes its IL7
  dependence to IL7R/JAK signalling to ERK (ruxolitinib with IL7 restores its prednisolone
  sensitivity and IL7 raises pERK >= 2-fold within 30 min, Fig. 1E, 5C); an IL7-independent
  resistant one owes its resistance to ERK (0.1 uM selumetinib restores prednisolone sensitivity,
  Fig. 5C) and still raises pERK >= 2-fold 30 min after IL7 (Fig. 1E); no candidate has a
  prednisolone AUC fold between 1.35 and 1.7 (assumption: keeps the 1.5-fold responsiveness call
  of each sample clear of plate noise);
* at most one IL7-independent resistant sample is JAK-driven (an IL7R/JAK1 mutation whose
  resistance ruxolitinib reverses: the paper's COG17R, Fig. 5C);
* over the IL7-dependent resistant samples, the delta AUC (AUC +IL7 / AUC -IL7, own vehicle) of
  ruxolitinib falls significantly with IL7-enhanced viability and that of selumetinib does not,
  paper Fig. 5B, in >= 95 % of replays with the virtual plates' delta-AUC noise added.

The selection encodes these observations noise-free; ``tallrx reproduce`` then re-derives them
from noisy virtual plates through the lab's analysis code. The thresholds marked "assumption" are
not in the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from tallrx.errors import InputError
from tallrx.paper import IL7_DEPENDENT_MIN_AUC, IL7_RESPONSIVE_FOLD

__all__ = [
    "Targets",
    "classify",
    "eligible",
    "select_cohort",
    "fig5b_power",
    "satisfies",
]

#: same threshold for IL7-independent resistance (assumption)
RESISTANT_MIN_AUC = IL7_DEPENDENT_MIN_AUC
RESPONSE_MAX_FRACTION = 0.75  # AUC below 75 % of the maximum counts as a response (assumption)
MAX_ENHANCED_VIABILITY = 2.5  # assumption: plausible IL7-enhanced viability of PDX cells
DEPENDENT_RUX_GAIN = 0.75  # ruxolitinib + IL7 restores prednisolone sensitivity (Fig. 5C)
JAK_DRIVEN_RUX_GAIN = 0.85  # an IL7-independent sample ruxolitinib re-sensitizes (COG17R)
INDEPENDENT_SEL_GAIN = 0.65  # selumetinib restores prednisolone sensitivity (Fig. 5C)
DEPENDENT_PERK_FOLD = 2.0  # IL7 raises pERK within 30 min (Fig. 1E)
INDEPENDENT_PERK_FOLD = 2.0  # ... also in IL7-independent samples (Fig. 1E)
#: assumption: no candidate sits in the noise-prone band around the 1.5-fold responsiveness cut
AMBIGUOUS_FOLD = (1.35, 1.7)
#: Fig. 5B under plate noise: delta-AUC noise of the virtual ATPlite plates (log-sd, mostly the
#: shared vehicle normalization of each curve; measured on repeated virtual screens), the number
#: of noisy replays, and the required share of replays with ruxolitinib significant (p < 0.05,
#: slope < 0) and selumetinib not (p >= 0.05)
FIG5B_NOISE, FIG5B_REPLAYS, FIG5B_POWER = 0.035, 400, 0.95
MEK_INHIBITORS = ("selumetinib", "trametinib", "binimetinib")


@dataclass(frozen=True)
class Targets:
    """Cohort statistics the selection must reproduce (scaled for n != 46)."""

    n: int
    n_pairs: int
    il7_responsive: int
    min_il7_dependent_resistant: int
    min_il7_independent_resistant: int
    min_mek_responder_fraction: float = 0.62
    max_jak_driven: int = 1

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


def classify(s: pd.DataFrame) -> pd.DataFrame:
    """Add the paper's flags to screen statistics (thresholds above)."""
    s = s.copy()
    top = RESPONSE_MAX_FRACTION * 100 * 4  # 4-log windows
    s["il7_responsive"] = s["auc_fold"] > IL7_RESPONSIVE_FOLD
    s["il7_dependent_resistant"] = s["il7_responsive"] & (
        s["auc_prednisolone_il7"] >= IL7_DEPENDENT_MIN_AUC
    )
    s["il7_independent_resistant"] = ~s["il7_responsive"] & (
        s["auc_prednisolone"] >= RESISTANT_MIN_AUC
    )
    s["ruxolitinib_responder"] = s["auc_ruxolitinib"] < top
    s["mek_responder"] = np.logical_and.reduce([s[f"auc_{d}"] < top for d in MEK_INHIBITORS])
    if "rux_gain_il7" in s:
        s["jak_driven"] = s["il7_independent_resistant"] & (s["rux_gain_il7"] < JAK_DRIVEN_RUX_GAIN)
    return s


def eligible(s: pd.DataFrame) -> pd.Series:
    """Candidates the cohort may contain (see the module docstring)."""
    ok = ~s["ruxolitinib_responder"] & (s["il7_enhanced_viability"] <= MAX_ENHANCED_VIABILITY)
    ok &= ~s["auc_fold"].between(*AMBIGUOUS_FOLD)
    dep = s["il7_responsive"] & (
        (s["rux_gain_il7"] >= DEPENDENT_RUX_GAIN) | (s["perk_fold_il7"] < DEPENDENT_PERK_FOLD)
    )
    ind = s["il7_independent_resistant"] & (
        (s["sel_gain"] >= INDEPENDENT_SEL_GAIN) | (s["perk_fold_il7"] < INDEPENDENT_PERK_FOLD)
    )
    return ok & ~dep & ~ind


def _ols_p(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and two-sided p-values of OLS fits of each row of ``y`` (k, n) on ``x`` (n,)."""
    n = x.size
    xc = x - x.mean()
    sxx = (xc**2).sum()
    yc = y - y.mean(axis=1, keepdims=True)
    slope = yc @ xc / sxx
    resid = yc - slope[:, None] * xc[None, :]
    se = np.sqrt((resid**2).sum(axis=1) / (n - 2) / sxx)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = slope / se
    return slope, 2 * stats.t.sf(np.abs(t), n - 2)


def fig5b_power(sel: pd.DataFrame, seed: int = 0) -> tuple[float, float]:
    """Share of noisy replays (multiplicative noise :data:`FIG5B_NOISE` on each delta AUC) in
    which ruxolitinib's Fig. 5B fit is significant with a negative slope, and in which
    selumetinib's is *not* significant (alpha 0.05)."""
    dep = sel[sel["il7_dependent_resistant"]]
    x = dep["il7_enhanced_viability"].to_numpy(float)
    if len(x) < 3 or np.ptp(x) == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    out = []
    for drug in ("ruxolitinib", "selumetinib"):
        y = dep[f"delta_auc_{drug}"].to_numpy(float)
        noisy = y * np.exp(FIG5B_NOISE * rng.standard_normal((FIG5B_REPLAYS, len(y))))
        slope, p = _ols_p(x, noisy)
        out.append(
            ((p < 0.05) & (slope < 0)).mean() if drug == "ruxolitinib" else (p >= 0.05).mean()
        )
    return float(out[0]), float(out[1])


def satisfies(sel: pd.DataFrame, t: Targets) -> bool:
    """Does the selection ``sel`` (screened, classified rows) meet every target?"""
    mek = sel["mek_responder"].mean() >= t.min_mek_responder_fraction
    if not (
        len(sel) == t.n
        and int(sel["il7_responsive"].sum()) == t.il7_responsive
        and int(sel["il7_dependent_resistant"].sum()) >= t.min_il7_dependent_resistant
        and int(sel["il7_independent_resistant"].sum()) >= t.min_il7_independent_resistant
        and not sel["ruxolitinib_responder"].any()
        and int(sel["jak_driven"].sum()) <= t.max_jak_driven
        and mek
    ):
        return False
    if t.min_il7_dependent_resistant < 3:  # small cohorts: no Fig. 5B regression to match
        return True
    rux, sel_ok = fig5b_power(sel)
    return rux >= FIG5B_POWER and sel_ok >= FIG5B_POWER


def select_cohort(
    pool: pd.DataFrame, targets: Targets, seed: int, tries: int = 2000
) -> pd.DataFrame:
    """Pick ``targets.n`` eligible patients (``targets.n_pairs`` complete pairs) from a screened,
    classified pool so that :func:`satisfies` holds."""
    rng = np.random.default_rng(seed)
    ok = pool[eligible(pool)]
    pair_ids = [p for p, g in ok[ok["pair"] != ""].groupby("pair") if len(g) == 2]
    singles = ok[ok["pair"] == ""]
    if len(pair_ids) < targets.n_pairs:
        raise InputError(
            f"the candidate pool has only {len(pair_ids)} usable diagnosis-relapse "
            f"pairs, {targets.n_pairs} are needed; enlarge the pool"
        )
    for _ in range(tries):
        cohort = _draw_cohort(rng, ok, pair_ids, singles, targets)
        if cohort is not None and satisfies(cohort, targets):
            return cohort
    raise InputError(
        f"no cohort matching the paper's statistics was found in {tries} draws "
        f"from a pool of {len(pool)}; enlarge the pool or change the seed"
    )


def _draw_cohort(rng, ok, pair_ids, singles, t: Targets) -> pd.DataFrame | None:
    """One random cohort: pairs first, then the resistant groups, then the rest."""
    chosen = rng.choice(pair_ids, size=t.n_pairs, replace=False)
    sel = ok[ok["pair"].isin(chosen)]
    need = t.n - len(sel)
    resp_left = t.il7_responsive - int(sel["il7_responsive"].sum())
    if resp_left < 0 or resp_left > need:
        return None
    dep_left = max(0, t.min_il7_dependent_resistant - int(sel["il7_dependent_resistant"].sum()))
    ind_left = max(0, t.min_il7_independent_resistant - int(sel["il7_independent_resistant"].sum()))
    jak_left = t.max_jak_driven - int(sel["jak_driven"].sum())
    if jak_left < 0:
        return None
    pool = singles
    # at most ``jak_left`` JAK-driven singles: keep a random few, drop the rest
    jak = pool[pool["jak_driven"]]
    if len(jak) > jak_left:
        pool = pool.drop(jak.sample(len(jak) - jak_left, random_state=rng).index)
    dep = pool[pool["il7_dependent_resistant"]]
    ind = pool[pool["il7_independent_resistant"]]
    if len(dep) < dep_left or len(ind) < ind_left or dep_left > resp_left:
        return None
    taken = pd.concat(
        [dep.sample(dep_left, random_state=rng), ind.sample(ind_left, random_state=rng)]
    )
    rest = pool.drop(taken.index)
    r_more = resp_left - dep_left
    n_more = need - len(taken) - r_more
    resp = rest[rest["il7_responsive"]]
    non = rest[~rest["il7_responsive"]]
    if len(resp) < r_more or len(non) < n_more:
        return None
    non_w = np.where(non["mek_responder"], 4.0, 1.0)  # most PDX respond to MEK inhibitors
    return pd.concat(
        [
            sel,
            taken,
            resp.sample(r_more, random_state=rng),
            non.sample(n_more, weights=non_w, random_state=rng),
        ]
    )
