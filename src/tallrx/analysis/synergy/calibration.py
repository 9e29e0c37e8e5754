"""Null-calibrated synergy calls, bootstrap intervals and the paper's naive CI rule.

Why: the naive rule "mean CI < 0.8 = synergy" (the paper's) is biased when a drug is only partially
effective -- the median-effect line of a drug that kills at most 25 % extrapolates to huge doses, so
CI terms shrink without any interaction. On Bliss-independent plates (prednisolone-like drug <= 25 %
kill, MEK-inhibitor-like <= 70 %, noise sd 3 %) the naive rule calls synergy in most plates.

How: for each block, fit the two single-agent four-parameter curves, estimate the well noise (pooled
replicate SD; without replicates the single-agent fit residual SD), simulate ``n_null`` plates with
NO interaction (Bliss independence, V = V_a(d_a) V_b(d_b) / 100) on the block's own design --
same doses, replicates and excluded wells -- and score them with the same pipeline. The observed
statistic (by default the paper's window-mean CI) is compared with this null distribution:

* ``p_value`` = (1 + #null at least as synergistic) / (1 + #null) (one-sided, synergy side);
* call = "synergy" when p_value <= alpha ("strong synergy" when also mean CI < 0.3, the paper's
  band), "antagonism" when the antagonism-side p-value <= alpha, else "additive";
  "undetermined" when the statistic cannot be computed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from math import comb

import numpy as np

from tallrx.analysis.synergy.design import BlockDesign
from tallrx.analysis.synergy.engine import BatchScores, score_batch
from tallrx.analysis.synergy.reference_models import Curves
from tallrx.paper import CI_ANTAGONISM, CI_STRONG_SYNERGY, CI_SYNERGY

__all__ = [
    "CI_STRONG_SYNERGY",
    "CI_SYNERGY",
    "CI_ANTAGONISM",
    "ALPHA",
    "N_NULL",
    "MIN_NULL",
    "LOWER_IS_SYNERGY",
    "naive_ci_call",
    "noise_sd",
    "null_means",
    "p_values",
    "calibrated_call",
    "block_generators",
    "null_statistics",
    "excess",
    "expected_statistic",
    "first_stage",
    "stage_limit",
    "sequential_p",
    "look_schedule",
    "still_open",
    "sequential_p_values",
]

ALPHA = 0.05
N_NULL = 199
MIN_NULL = 19  # fewer null plates cannot give p <= 0.05
MIN_NOISE_SD = 0.5  # percentage points; floor for noise estimated from very few wells
LOWER_IS_SYNERGY = {
    "ci_mean": True,
    "ci_gmean": True,
    "ci_median": True,
    "bliss": False,
    "hsa": False,
    "loewe": False,
    "zip": False,
}


def naive_ci_call(ci_mean) -> np.ndarray:
    """The paper's thresholds on a mean CI, without calibration.

    >>> naive_ci_call(np.array([0.2, 0.5, 1.0, 1.5, np.nan])).tolist()
    ['strong synergy', 'synergy', 'additive', 'antagonism', 'undetermined']
    """
    ci = np.asarray(ci_mean, float)
    out = np.full(ci.shape, "undetermined", dtype=object)
    out[ci > CI_ANTAGONISM] = "antagonism"
    out[(ci >= CI_SYNERGY) & (ci <= CI_ANTAGONISM)] = "additive"
    out[ci < CI_SYNERGY] = "synergy"
    out[ci < CI_STRONG_SYNERGY] = "strong synergy"
    return out


def noise_sd(des: BlockDesign, V: np.ndarray, sc: BatchScores) -> np.ndarray:
    """Well noise SD (pp) per plate: pooled within-cell replicate SD, else 4PL residual SD."""
    V = np.atleast_2d(V)
    dev = V - sc.cell_mean[:, des.cell]
    ok = np.isfinite(dev)
    ss = np.where(ok, dev**2, 0.0).sum(1)
    df = ok.sum(1) - (sc.cell_n > 0).sum(1)
    pooled = np.sqrt(ss / np.maximum(df, 1))
    sa = (des.d1 == 0) | (des.d2 == 0)
    pred = null_means(des, sc.curves["a"], sc.curves["b"])
    r = np.where(sa[None, :], V - pred, np.nan)
    nr = np.isfinite(r).sum(1)
    resid = np.sqrt(np.nansum(r**2, 1) / np.maximum(nr - 8, 1))
    sd = np.where(df >= 3, pooled, resid)
    return np.maximum(np.where(np.isfinite(sd), sd, MIN_NOISE_SD), MIN_NOISE_SD)


def null_means(des: BlockDesign, ca: Curves, cb: Curves) -> np.ndarray:
    """Per-well no-interaction means (B, n_w) from the fitted single agents.

    Single-agent wells follow their own fitted curve, combination wells the Bliss product
    f_a(d_a) f_b(d_b) / 100 (so the Bliss score of the null surface is exactly 0, whatever the
    fitted tops), the (0, 0) wells the mean of the two tops.
    """
    fa = ca(des.d1)
    fb = cb(des.d2)
    only_a = (des.d2 == 0)[None, :]
    only_b = (des.d1 == 0)[None, :]
    zero = 0.5 * (ca.top + cb.top)[:, None]
    return np.where(
        only_a & only_b, zero, np.where(only_a, fa, np.where(only_b, fb, fa * fb / 100.0))
    )


def _stat_of(
    des: BlockDesign, V: np.ndarray, stats: tuple[str, ...], ci_dx: str, groups, *, fit: bool
) -> BatchScores:
    methods = tuple(dict.fromkeys("ci" if s.startswith("ci_") else s for s in stats))
    return score_batch(des, V, methods, ci_dx=ci_dx, groups=groups, curves=fit, rays=False)


def excess(observed: np.ndarray, expected: np.ndarray, stat: str) -> np.ndarray:
    """The calibrated test statistic: log ratio for CI statistics, difference for pp scores."""
    if stat.startswith("ci_"):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(observed) - np.log(expected)
    return observed - expected


def expected_statistic(
    des: BlockDesign, sc: BatchScores, stats: tuple[str, ...], ci_dx: str
) -> dict[str, np.ndarray]:
    """Each statistic (B, G) of the noise-free no-interaction surface of the plate's own fits.

    For the CI this is the value the plate would show with NO interaction; for a drug that is only
    partially effective it is well below 1 (the naive rule's bias).
    """
    mu = null_means(des, sc.curves["a"], sc.curves["b"])
    res = _stat_of(des, mu, stats, ci_dx, sc.groups, fit=False)
    return {s: res.per_group[s] for s in stats}


#: random source of a batch of B blocks: one generator per block (see :func:`block_generators`),
#: or one generator shared by the batch (draws then depend on the batch)
Rng = np.random.Generator | Sequence[np.random.Generator]


def block_generators(seed: int, labels: Sequence[str]) -> list[np.random.Generator]:
    """One random generator per block, seeded by ``seed`` and the SHA-256 of the block's label
    (sample, conditions, drug pair), so a block's null plates and bootstrap resamples are the same
    whether it is scored alone or among thousands."""
    return [
        np.random.default_rng(
            [seed, int.from_bytes(hashlib.sha256(str(lab).encode()).digest()[:8], "little")]
        )
        for lab in labels
    ]


def _draw(rng: Rng, B: int, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    """Draws of shape (B, *shape): ``kind`` is "random" or "standard_normal"."""
    if isinstance(rng, np.random.Generator):
        return getattr(rng, kind)((B, *shape))
    if len(rng) != B:
        raise ValueError(f"{len(rng)} generators for {B} blocks")
    return np.stack([getattr(g, kind)(shape) for g in rng]) if B else np.zeros((0, *shape))


def null_statistics(
    des: BlockDesign,
    V: np.ndarray,
    sc: BatchScores,
    stats: tuple[str, ...],
    n_null: int,
    rng: Rng,
    *,
    ci_dx: str = "median",
) -> dict[str, np.ndarray]:
    """Null distributions (B, n_null, G) of the excess statistics for each of the B plates.

    Each null plate is drawn from the plate's fitted single agents under Bliss independence with
    the plate's noise, re-fitted and scored like observed data; its excess is taken against the
    expected statistic of its own re-fitted single agents (so single-agent noise cancels as it
    does for the observed plate).
    """
    V = np.atleast_2d(V)
    B = V.shape[0]
    mu = null_means(des, sc.curves["a"], sc.curves["b"])  # (B, n_w)
    sd = noise_sd(des, V, sc)
    noise = _draw(rng, B, "standard_normal", (n_null, des.n_wells))
    sims = mu[:, None, :] + noise * sd[:, None, None]
    sims = np.where(np.isfinite(V)[:, None, :], sims, np.nan)  # same excluded wells
    sims = sims.reshape(B * n_null, -1)
    res = _stat_of(des, sims, stats, ci_dx, sc.groups, fit=True)
    exp = expected_statistic(des, res, stats, ci_dx)
    ok = (res.curve_ok["a"] & res.curve_ok["b"])[:, None]
    return {
        s: np.where(ok, excess(res.per_group[s], exp[s], s), np.nan).reshape(B, n_null, -1)
        for s in stats
    }


def p_values(observed: np.ndarray, null: np.ndarray, stat: str) -> tuple[np.ndarray, np.ndarray]:
    """One-sided (synergy, antagonism) Monte-Carlo p-values; observed (B, G), null (B, K, G)."""
    lower = LOWER_IS_SYNERGY[stat]
    valid = np.isfinite(null)
    k = valid.sum(1)
    obs = observed[:, None, :]
    as_syn = (null <= obs) if lower else (null >= obs)
    as_ant = (null >= obs) if lower else (null <= obs)
    p_syn = (1 + (as_syn & valid).sum(1)) / (1 + k)
    p_ant = (1 + (as_ant & valid).sum(1)) / (1 + k)
    bad = ~np.isfinite(observed) | (k < MIN_NULL)
    return np.where(bad, np.nan, p_syn), np.where(bad, np.nan, p_ant)


def calibrated_call(p_syn, p_ant, ci_mean, alpha: float = ALPHA) -> np.ndarray:
    """Call from calibrated p-values; "strong synergy" needs also mean CI < 0.3 (paper)."""
    p_syn = np.asarray(p_syn, float)
    out = np.full(p_syn.shape, "undetermined", dtype=object)
    ok = np.isfinite(p_syn)
    out[ok] = "additive"
    out[ok & (np.asarray(p_ant) <= alpha)] = "antagonism"
    syn = ok & (p_syn <= alpha)
    out[syn] = "synergy"
    out[syn & (np.asarray(ci_mean, float) < CI_STRONG_SYNERGY)] = "strong synergy"
    return out


def first_stage(n_null: int, alpha: float = ALPHA) -> int:
    """Null plates of the sequential call's first stage: the fewest K with 1 / (K + 1) <= alpha / 2
    (39 at alpha 0.05), or ``n_null`` (one stage) when that is more than half of ``n_null``."""
    k = int(np.ceil(2.0 / alpha - 1e-9)) - 1
    return k if 2 * k <= n_null else n_null


@lru_cache(maxsize=4096)
def _continued_mass(n1: int, n2: int, h: int, early: bool, c: int) -> float:
    """P(continue to stage 2 and h1 + h2 <= h) with h1 of n1 / h2 of n2 null plates at least as
    extreme, under the null (the observed rank uniform: h1 + h2 uniform on 0..n1+n2, h1 given the
    sum hypergeometric); the continuation region is 1 <= h1 <= c (0 <= h1 <= c without early
    rejection)."""
    n = n1 + n2
    s = 0.0
    for k in range(h + 1):
        for j in range(1 if early else 0, min(c, k) + 1):
            s += comb(n1, j) * comb(n2, k - j) / comb(n, k)
    return s / (n + 1)


@lru_cache(maxsize=1024)
def stage_limit(n1: int, n2: int, alpha: float, early: bool) -> int:
    """c: the largest total count h whose stage-2 p-value can still be <= alpha; a first stage
    with more than c null plates at least as extreme stops without a call (-1: never)."""
    p0 = 1.0 / (n1 + 1) if early else 0.0
    c = -1
    for h in range(n1 + n2 + 1):
        if p0 + _continued_mass(n1, n2, h, early, n1 + n2) > alpha:
            break
        c = h
    return c


def look_schedule(n1: int, n_null: int) -> list[int]:
    """Cumulative null plates at each look after the first stage's ``n1``: 20 more, or a quarter
    of those scored so far when that is more, up to ``n_null`` (a last step under 20 is merged).

    >>> look_schedule(39, 199)
    [59, 79, 99, 124, 155, 199]
    >>> look_schedule(199, 199)
    []
    """
    looks: list[int] = []
    done = n1
    while done < n_null:
        nxt = done + max(20, -(-done // 4))
        done = n_null if n_null - nxt < 20 else nxt
        looks.append(done)
    return looks


def sequential_p(h1: int, n1: int, h2: int, n2: int, n2_max: int, alpha: float) -> float:
    """One side's p-value of the sequential Monte-Carlo test (stage-wise ordering, exact under the
    null for a continuous statistic; ties count as at least as extreme, which is conservative).

    Stage 1 scores ``n1`` valid null plates, ``h1`` of them at least as extreme as the observed
    plate: h1 = 0 stops with p = 1 / (n1 + 1) (early call); h1 > c (see :func:`stage_limit`) stops
    with p = (h1 + 1) / (n1 + 1) (no call possible); otherwise up to ``n2_max`` more null plates are
    scored, ``h2`` of ``n2`` valid ones as extreme: with h = h1 + h2 <= c (all plates scored),
    p = 1 / (n1 + 1) + P(continue, h1 + h2 <= h); once h > c no call is possible any more and the
    scoring may stop early (curtailment: it changes no call), p = (1 + h) / (1 + n1 + n2), at least
    the smallest stage-wise p-value above alpha. With n1 < MIN_NULL there is no early stop and p is
    the ordinary (1 + h) / (1 + n) over all plates.

    >>> sequential_p(0, 39, 0, 0, 160, 0.05)
    0.025
    >>> sequential_p(20, 39, 0, 0, 160, 0.05)
    0.525
    >>> sequential_p(5, 39, 10, 60, 160, 0.05)
    0.16
    """
    early = n1 >= MIN_NULL and 1.0 / (n1 + 1) <= alpha
    if n1 < MIN_NULL:
        return (1.0 + h1 + h2) / (1.0 + n1 + n2)
    c = stage_limit(n1, n2_max, alpha, early)
    if early and h1 == 0:
        return 1.0 / (n1 + 1)
    if h1 > c:
        return (h1 + 1.0) / (n1 + 1)
    p0 = 1.0 / (n1 + 1) if early else 0.0
    if h1 + h2 > c:
        floor = p0 + _continued_mass(n1, n2_max, c + 1, early, c)
        return max((1.0 + h1 + h2) / (1.0 + n1 + n2), floor)
    return p0 + _continued_mass(n1, n2, h1 + h2, early, c)


def _counts(observed: np.ndarray, null: np.ndarray, stat: str):
    """(valid, synergy-side, antagonism-side) counts (B, G) of null plates (B, K, G)."""
    lower = LOWER_IS_SYNERGY[stat]
    valid = np.isfinite(null)
    obs = observed[:, None, :]
    as_syn = ((null <= obs) if lower else (null >= obs)) & valid
    as_ant = ((null >= obs) if lower else (null <= obs)) & valid
    return valid.sum(1), as_syn.sum(1), as_ant.sum(1)


def still_open(
    observed: np.ndarray, nulls: tuple[np.ndarray, np.ndarray], stat: str, n2_max: int, alpha: float
) -> np.ndarray:
    """(B, G) True where the null plates scored so far (``nulls``: the first stage's (B, K1, G)
    and the later ones (B, K2, G), NaN where not scored) decide neither side: the side was not
    stopped by the first stage and h1 + h2 <= c, so more null plates can still change its call.
    A block once closed never reopens (the counts only grow)."""
    null1, null2 = nulls
    n1, hs1, ha1 = _counts(observed, null1, stat)
    _, hs2, ha2 = _counts(observed, null2, stat)
    out = np.zeros(n1.shape, bool)
    if n2_max <= 0:
        return out
    fin = np.isfinite(observed)
    for k in np.unique(n1[fin]):
        at = fin & (n1 == k)
        if k < MIN_NULL:
            out |= at
            continue
        early = 1.0 / (k + 1) <= alpha
        c = stage_limit(int(k), n2_max, alpha, early)
        for h1, h2 in ((hs1, hs2), (ha1, ha2)):
            stopped = ((h1 == 0) & early) | (h1 > c)
            out |= at & ~stopped & (h1 + h2 <= c)
    return out


def sequential_p_values(
    observed: np.ndarray,
    null1: np.ndarray,
    null2: np.ndarray,
    stat: str,
    n2_max: int,
    alpha: float = ALPHA,
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided (synergy, antagonism) p-values (B, G) of the two-stage test; ``null1`` (B, K1, G)
    the first stage's excess statistics, ``null2`` (B, K2, G) the second's (all NaN for a block
    that stopped after the first stage)."""
    n1, hs1, ha1 = _counts(observed, null1, stat)
    n2, hs2, ha2 = _counts(observed, null2, stat)
    p_syn = np.full(observed.shape, np.nan)
    p_ant = np.full(observed.shape, np.nan)
    for idx in zip(*np.nonzero(np.isfinite(observed)), strict=True):
        k1, k2 = int(n1[idx]), int(n2[idx])
        if k1 + k2 < MIN_NULL:
            continue
        p_syn[idx] = sequential_p(int(hs1[idx]), k1, int(hs2[idx]), k2, n2_max, alpha)
        p_ant[idx] = sequential_p(int(ha1[idx]), k1, int(ha2[idx]), k2, n2_max, alpha)
    return p_syn, p_ant
