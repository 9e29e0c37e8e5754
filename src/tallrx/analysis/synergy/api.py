"""``score_synergy``: a tidy viability table -> a Result of combination scores and calibrated calls.

The Result (kind ``combinations``) holds

* ``table``: one row per sample x condition x drug pair (x ray for constant-ratio series);
* ``extra["surface"]``: one row per block x dose pair (observed, references, scores, CI, DRI);
* ``extra["median_effect"]``: one row per fitted series (drug a, drug b, each mixture ray);

and ``meta`` records every sign convention, unit, option, the normalization reference and the
input checksum. Blocks that share a dose layout are scored together as one batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tallrx import parallel, progress
from tallrx._result import Result, checksum
from tallrx.analysis.synergy.calibration import (
    ALPHA,
    CI_ANTAGONISM,
    CI_STRONG_SYNERGY,
    CI_SYNERGY,
    LOWER_IS_SYNERGY,
    MIN_NULL,
    N_NULL,
    block_generators,
    calibrated_call,
    excess,
    expected_statistic,
    first_stage,
    look_schedule,
    naive_ci_call,
    noise_sd,
    null_statistics,
    sequential_p_values,
    still_open,
)
from tallrx.analysis.synergy.chou_talalay import ED_LEVELS
from tallrx.analysis.synergy.design import Block, check_response_scale, split_blocks
from tallrx.analysis.synergy.engine import CI_DX, METHODS, BatchScores, score_batch
from tallrx.analysis.synergy.interval import INTERVALS, bootstrap_ci_mean, delta_ci_mean
from tallrx.analysis.synergy.tables import (
    block_frame,
    combination_table,
    not_scored_table,
    series_table,
    surface_table,
)
from tallrx.errors import AnalysisError, did_you_mean

__all__ = ["score_synergy", "CONVENTIONS", "parse_methods"]

CONVENTIONS = {
    "ci": "Chou-Talalay combination index (mutually exclusive): CI = d_a/Dx_a + d_b/Dx_b; "
    "< 1 synergy, 1 additive, > 1 antagonism; paper bands: < 0.3 strong synergy, "
    "0.3-0.8 synergy",
    "bliss": "Bliss independence excess, percentage points of inhibition: V_a V_b / 100 - V "
    "(observed single agents); > 0 synergy",
    "hsa": "highest-single-agent excess, percentage points of inhibition: min(V_a, V_b) - V "
    "(observed single agents); > 0 synergy",
    "loewe": "Loewe additivity excess, percentage points of inhibition: V_loewe - V with V_loewe "
    "solving d_a/X_a(y) + d_b/X_b(y) = 1 on 4PL single-drug curves (beyond a drug's "
    "maximal effect its term is 0); > 0 synergy",
    "zip": "ZIP delta (Yadav 2015), percentage points of inhibition: Bliss of the 4PL "
    "single-drug curves minus the mean of the row and column fits; > 0 synergy",
}
SERIES_COLUMNS = ("m", "dm", "r2", "n", "n_dropped")
BLOCK_CHUNK = 500  # blocks per scoring batch (memory stays flat; progress per batch)
NULL_CHUNK = 20_000  # simulated plates per calibration batch
FALLBACK_STAT = "bliss"  # decides the call where the CI statistic cannot be computed


def parse_methods(methods: str | Sequence[str] | None) -> tuple[str, ...]:
    """'ci,bliss' or a sequence -> validated tuple of score names (default: all five)."""
    if methods is None:
        return METHODS
    items = [
        m.strip().lower() for m in (methods.split(",") if isinstance(methods, str) else methods)
    ]
    items = [m for m in items if m]
    for m in items:
        if m not in METHODS:
            raise AnalysisError(
                f"unknown synergy method {m!r}; use any of "
                f"{','.join(METHODS)}.{did_you_mean(m, METHODS)}"
            )
    if not items:
        raise AnalysisError(f"no synergy method given; use any of {','.join(METHODS)}")
    return tuple(m for m in METHODS if m in items)


def score_synergy(
    table: pd.DataFrame,
    *,
    a: str | None = None,
    b: str | None = None,
    methods: str | Sequence[str] | None = None,
    response: str = "viability",
    seed: int = 0,
    n_null: int = N_NULL,
    n_boot: int = 200,
    interval: str = "delta",
    alpha: float = ALPHA,
    sequential: bool = True,
    ci_dx: str = "median",
    call_on: str | None = None,
    where: str = "table",
    block_chunk: int = BLOCK_CHUNK,
    jobs: int | None = None,
    client: Any = None,
) -> Result:
    """Score every combination block of a tidy viability table (% of vehicle, doses in uM).

    ``methods``: subset of ci, bliss, hsa, loewe, zip. ``ci_dx``: single-drug Dx for the CI from
    the median-effect fit ("median", the paper's), the 4PL fit ("ll4") or "auto" (4PL for a drug
    whose observed effect never reaches 50 %). ``call_on``: the statistic the calibrated call uses
    (default the geometric-mean window CI ``ci_gmean``, or the first method without "ci"; also
    ``ci_mean``, ``ci_median``, ``bliss``, ``hsa``, ``loewe``, ``zip``). Sign conventions: CI < 1
    synergy; Bliss/HSA/Loewe/ZIP in percentage points of inhibition, > 0 synergy (``CONVENTIONS``,
    also in ``Result.meta["conventions"]``).
    ``n_null`` null plates per block at most (0 disables the calibrated call); ``sequential``
    (default) scores 39 of them first (at alpha 0.05) and more only for the blocks whose call
    that first stage leaves open, in looks, until the call can no longer change (two-stage
    Monte-Carlo test with curtailment, exact level; see
    :func:`tallrx.analysis.synergy.calibration.sequential_p`); False scores all ``n_null``.
    ``interval``: how
    ci_low/ci_high are computed, "delta" (analytic error propagation, the default; with ``ci_dx``
    "ll4" / "auto" the bootstrap is used) or "bootstrap" (``n_boot`` parametric resamples);
    ``n_boot`` 0 = no interval (see :mod:`tallrx.analysis.synergy.interval`). ``response`` only labels the scale check's message.
    ``block_chunk`` blocks of one design are scored at a time; ``jobs`` (N > 1: a local Dask
    cluster of N processes) or ``client`` (a ``distributed.Client``) score the chunks on Dask
    (:mod:`tallrx.parallel`). Each block has its own random stream, so the table is the same
    whatever the chunking or the workers.

    One bad block never stops the batch: a block that cannot be scored (ragged, no single agents,
    a duplicated well, a bad concentration, off-scale untreated wells) is a row with NaN scores,
    ``call`` "not scored", ``fit_ok`` False and a ``message`` saying why; a drug combined with
    itself (sham) is scored and its message starts with "sham". Whole-input problems raise.

    Returns
    -------
    Result
        ``kind`` "combinations": ``table`` one row per sample x condition x drug pair: sample,
        drug_a, drug_b, (conditions), design, ratio, ci_mean, ci_gmean, ci_median, ci_n, ci_low,
        ci_high, ci_ed50, ci_ed75, ci_ed90, ci_ed95, bliss, hsa, loewe, zip, call, p_value,
        naive_call, noise_sd, fit_ok, message; ``extra["surface"]``: one row per dose pair (conc_a,
        conc_b in uM, observed and every model's expected response); ``extra["median_effect"]``:
        the single-agent median-effect fits (m, dm in uM, r2). Column meanings:
        ``tallrx.schema.TABLES["combinations"]``.
    """
    methods = parse_methods(methods)
    if ci_dx not in CI_DX:
        raise AnalysisError(
            f"ci_dx must be one of {', '.join(CI_DX)}, got {ci_dx!r}.{did_you_mean(ci_dx, CI_DX)}"
        )
    if interval not in INTERVALS:
        raise AnalysisError(
            f"interval must be one of {', '.join(INTERVALS)}, got {interval!r}."
            f"{did_you_mean(interval, INTERVALS)}"
        )
    if n_boot < 0:
        raise AnalysisError(
            f"n_boot must be >= 0 bootstrap resamples (0 = no interval), got {n_boot}"
        )
    if n_null < 0 or 0 < n_null < MIN_NULL:
        raise AnalysisError(
            f"n_null must be 0 (no calibrated call) or >= {MIN_NULL} null plates per block "
            f"(a p-value of 0.05 needs at least 19), got {n_null}"
        )
    stat = call_on or ("ci_gmean" if "ci" in methods else methods[0])
    if stat not in LOWER_IS_SYNERGY:
        raise AnalysisError(
            f"call_on must be one of {', '.join(LOWER_IS_SYNERGY)}, got {stat!r}."
            f"{did_you_mean(stat, LOWER_IS_SYNERGY)}"
        )
    if (stat.startswith("ci_") and "ci" not in methods) or (
        not stat.startswith("ci_") and stat not in methods
    ):
        methods = parse_methods([*methods, "ci" if stat.startswith("ci_") else stat])
    blocks = split_blocks(table, a=a, b=b, where=where)
    for i, problem in check_response_scale(blocks, response).items():
        blocks[i].problem, blocks[i].design = problem, None
    by_design: dict[bytes, list[int]] = defaultdict(list)
    flagged = []
    for i, blk in enumerate(blocks):
        if blk.design is None:
            flagged.append(i)
        else:
            by_design[blk.design.signature()].append(i)
    combos: list = []
    surfaces: list = []
    series: list = []
    if flagged:
        blks = [blocks[i] for i in flagged]
        combos.append((np.asarray(flagged), not_scored_table(blks, block_frame(blks))))
    opts = _Options(methods, stat, ci_dx, n_null, n_boot, alpha, seed, interval, sequential)
    n_scored = sum(len(m) for m in by_design.values())
    batches = [
        members[start : start + block_chunk]
        for members in by_design.values()
        for start in range(0, len(members), block_chunk)
    ]
    with progress.task("scoring combination blocks", total=n_scored, unit="blocks"):
        work = (([blocks[i] for i in chunk], chunk) for chunk in batches)
        for c, s, r in parallel.imap_chunks(
            partial(_scored, opts), work, jobs=jobs, client=client, sizes=[len(c) for c in batches]
        ):
            combos += c
            surfaces += s
            series += r
    table_out = _in_input_order(combos)
    meta = {
        "method": "tallrx synergy: Chou-Talalay CI, Bliss, HSA, Loewe, ZIP with null-calibrated calls",
        "methods": list(methods),
        "conventions": {m: CONVENTIONS[m] for m in methods},
        "units": {
            "conc_a": "uM",
            "conc_b": "uM",
            "dm": "uM (total dose d_a + d_b for mixtures)",
            "viability": "% of vehicle",
            "bliss": "percentage points of inhibition",
            "hsa": "percentage points of inhibition",
            "loewe": "percentage points of inhibition",
            "zip": "percentage points of inhibition",
            "ci": "dimensionless",
        },
        "normalization_reference": "viability as given: % of the vehicle wells (100 = untreated, "
        "values above 100 kept); the (0, 0) cell is the vehicle wells "
        "where present, else 100 by definition",
        "blocks_without_vehicle_wells": int(
            sum(not b.has_zero_wells for b in blocks if b.design is not None)
        ),
        "blocks_not_scored": len(flagged),
        "sham_blocks": int(sum(b.sham for b in blocks)),
        "response": response,
        "summary": "scores are means over combination cells (both doses > 0); ci_mean is the mean "
        "CI over the tested combination points whose effect is at least 10 % and below "
        "100 % (the therapeutic window the combination reaches); ci_low/ci_high its 95 % "
        "interval",
        "interval": (
            "none"
            if n_boot == 0 or "ci" not in methods
            else "delta: error propagation of the well noise through the median-effect fits "
            "and the combination cells, on the log scale"
            if interval == "delta" and ci_dx == "median"
            else f"parametric bootstrap, {n_boot} resamples, percentile"
        ),
        "ci_dx": ci_dx,
        "ed_levels": list(ED_LEVELS),
        "call": {
            "statistic": stat,
            "alpha": alpha,
            "n_null": n_null,
            "sequential": (
                f"two-stage Monte-Carlo test: {first_stage(n_null, alpha)} null plates per block, "
                f"up to {n_null} for the blocks the first stage leaves open, scored in looks at "
                f"{', '.join(map(str, look_schedule(first_stage(n_null, alpha), n_null)))} "
                "until the call can no longer change (curtailment); stage-wise p-value"
                if sequential and n_null and first_stage(n_null, alpha) < n_null
                else "no (every block gets n_null null plates)"
            ),
            "seed": seed,
            "null": "Bliss independence of the block's own 4PL single-agent fits, its design, "
            "replicates and excluded wells, Gaussian noise with the block's pooled "
            "replicate SD",
            "strong_synergy_ci": CI_STRONG_SYNERGY,
            "synergy_ci": CI_SYNERGY,
            "antagonism_ci": CI_ANTAGONISM,
            "naive_call": f"paper's rule on ci_mean: < {CI_STRONG_SYNERGY:g} strong synergy, "
            f"< {CI_SYNERGY:g} synergy, <= {CI_ANTAGONISM:g} additive, > {CI_ANTAGONISM:g} antagonism",
        },
        "n_blocks": len(blocks),
        "input_checksum": checksum(table),
    }
    return Result(
        kind="combinations",
        table=table_out,
        meta=meta,
        extra={
            "surface": _in_input_order(surfaces),
            "median_effect": _in_input_order(series),
        },
    )


@dataclass(frozen=True)
class _Options:
    methods: tuple[str, ...]
    stat: str
    ci_dx: str
    n_null: int
    n_boot: int
    alpha: float
    seed: int
    interval: str = "delta"
    sequential: bool = True


def _scored(o: _Options, item: tuple) -> tuple[list, list, list]:
    """The (combos, surfaces, series) parts of one chunk of blocks (pure: in process or on Dask)."""
    blks, ids = item
    combos: list = []
    surfaces: list = []
    series: list = []
    _score_chunk(blks, ids, o, combos, surfaces, series)
    return combos, surfaces, series


def _score_chunk(blks: list[Block], ids: list[int], o: _Options, combos, surfaces, series) -> None:
    des = blks[0].design
    V = np.stack([b.viability for b in blks])
    sc = score_batch(des, V, o.methods, ci_dx=o.ci_dx, curves=o.n_null > 0)
    # one random stream per block: its null plates and bootstrap do not depend on the batch
    gens = block_generators(o.seed, [b.label for b in blks])
    G = sc.groups.member.shape[0]
    B = len(blks)
    p_syn = p_ant = np.full((B, G), np.nan)
    fallback = np.zeros((B, G), bool)
    if o.n_null > 0:
        p_syn, p_ant, fallback = _calibrate(des, V, sc, o, gens)
    sc.flags["call_fallback"] = fallback
    sd = noise_sd(des, V, sc) if "a" in sc.curves else np.full(B, np.nan)
    lo = hi = np.full((B, G), np.nan)
    if "ci" in o.methods and o.n_boot > 0:
        if o.interval == "delta" and o.ci_dx == "median":
            lo, hi = delta_ci_mean(des, V, sc)
        else:
            lo, hi = bootstrap_ci_mean(des, V, sc, o.n_boot, gens, ci_dx=o.ci_dx)
    ci_mean = sc.per_group.get("ci_mean", np.full((B, G), np.nan))
    calls = (
        calibrated_call(p_syn, p_ant, ci_mean, o.alpha)
        if o.n_null > 0
        else np.full((B, G), "not calibrated", dtype=object)
    )
    naive = naive_ci_call(ci_mean)
    keys = block_frame(blks)
    tables = (
        (combos, combination_table(blks, keys, sc, o.methods, calls, p_syn, naive, sd, lo, hi)),
        (surfaces, surface_table(blks, keys, sc)),
        (series, series_table(blks, keys, sc)),
    )
    for sink, df in tables:
        sink.append((np.repeat(ids, len(df) // len(ids)), df))


def _calibrate(des, V, sc: BatchScores, o: _Options, gens: list):
    """Calibrated p-values (B, G) for the call statistic; where a CI statistic cannot be computed,
    the Bliss excess (same null plates) decides instead (flagged).

    Sequential (default): every block gets the first stage's null plates (39 at alpha 0.05); only
    the blocks whose call the first stage leaves open get more, in looks (59, 79, 99, 124, 155,
    199 at most), each block until its call can no longer change (curtailment: the calls are those
    of the two-stage test with all ``o.n_null``), drawn from the same per-block random stream
    (:func:`~tallrx.analysis.synergy.calibration.sequential_p`).
    """
    stats = (o.stat, FALLBACK_STAT) if o.stat.startswith("ci_") else (o.stat,)
    n1 = first_stage(o.n_null, o.alpha) if o.sequential else o.n_null
    n2_max = o.n_null - n1
    expected = expected_statistic(des, sc, stats, o.ci_dx)
    observed = {s: excess(_observed(des, V, sc, s, o), expected[s], s) for s in stats}
    null1 = _nulls(des, V, sc, stats, n1, gens, o, np.arange(len(V)))
    G = sc.groups.member.shape[0]
    null2 = {s: np.full((len(V), max(n2_max, 1), G), np.nan) for s in stats}
    deciding = np.isfinite(observed[o.stat])
    done = 0  # later null plates scored so far (for every block still open)
    for look in look_schedule(n1, o.n_null):
        so_far = {s: (null1[s], null2[s][:, :done]) for s in stats}
        open_ = still_open(observed[o.stat], so_far[o.stat], o.stat, n2_max, o.alpha)
        if len(stats) > 1:
            fb = stats[1]
            open_ |= ~deciding & still_open(observed[fb], so_far[fb], fb, n2_max, o.alpha)
        todo = np.nonzero(open_.any(1))[0]
        if not len(todo):
            break
        more = _nulls(des, V, sc, stats, look - n1 - done, gens, o, todo)
        for s in stats:
            null2[s][todo, done : look - n1] = more[s]
        done = look - n1
    out = [sequential_p_values(observed[s], null1[s], null2[s], s, n2_max, o.alpha) for s in stats]
    (p_syn, p_ant) = out[0]
    fallback = np.zeros(p_syn.shape, bool)
    if len(out) > 1:
        fallback = ~np.isfinite(p_syn) & np.isfinite(out[1][0])
        p_syn = np.where(fallback, out[1][0], p_syn)
        p_ant = np.where(fallback, out[1][1], p_ant)
    return p_syn, p_ant, fallback


def _nulls(des, V, sc: BatchScores, stats, n: int, gens: list, o: _Options, rows: np.ndarray):
    """Excess statistics (len(rows), n, G) of ``n`` null plates of each block in ``rows``, scored
    ``NULL_CHUNK`` plates at a time."""
    per = max(1, NULL_CHUNK // max(n, 1))
    parts = []
    for s in range(0, len(rows), per):
        sub = rows[s : s + per]
        parts.append(
            null_statistics(
                des, V[sub], _subset(sc, sub), stats, n, [gens[i] for i in sub], ci_dx=o.ci_dx
            )
        )
    return {s: np.concatenate([p[s] for p in parts], axis=0) for s in stats}


def _observed(des, V, sc: BatchScores, stat: str, o: _Options) -> np.ndarray:
    if stat in sc.per_group:
        return sc.per_group[stat]
    return score_batch(des, V, (stat,), ci_dx=o.ci_dx, groups=sc.groups).per_group[stat]


def _subset(sc: BatchScores, sub: slice | np.ndarray) -> BatchScores:
    return replace(
        sc,
        cell_mean=sc.cell_mean[sub],
        cell_n=sc.cell_n[sub],
        curves={k: c.take(sub) for k, c in sc.curves.items()},
    )


def _in_input_order(parts: list[tuple[np.ndarray, pd.DataFrame]]) -> pd.DataFrame:
    """Concatenate per-chunk tables (each with its rows' block numbers) so blocks keep the order
    they have in the input. ``parts`` is emptied (the chunks are freed as soon as they are
    joined)."""
    kept = [(ids, df) for ids, df in parts if len(df)]
    parts.clear()
    if not kept:
        return pd.DataFrame()
    ids = np.concatenate([i for i, _ in kept])
    frames = [df for _, df in kept]
    del kept
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    del frames
    if (np.diff(ids) >= 0).all():  # already in input order (one design): no second copy
        return out
    return out.take(np.argsort(ids, kind="stable")).reset_index(drop=True)
