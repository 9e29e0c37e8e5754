"""Loss of binding (paper Fig. 4A): per protein and comparison, bait-normalized amounts compared.

:func:`score_binding` ties the parts together: the samples and bait of each IP
(:mod:`~tallrx.analysis.assays.coip.proteins`), the bait-normalized values
(:mod:`~tallrx.analysis.assays.coip.normalize`), the control-IP enrichment
(:mod:`~tallrx.analysis.assays.coip.enrichment`) and the statistics of each comparison
(:mod:`~tallrx.analysis.assays.coip.comparisons`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx._result import Result, checksum
from tallrx.analysis.assays.coip.comparisons import (
    _bh,
    _comparison_notes,
    _comparisons,
    _join_notes,
    _join_values,
    _negative_notes,
    _pairs,
    _test,
)
from tallrx.analysis.assays.coip.enrichment import _enriched_in, control_enrichment
from tallrx.analysis.assays.coip.normalize import (
    IMPUTE_SHIFT,
    IMPUTE_WIDTH,
    _impute,
    _ratio_table,
    _valid_value_filter,
    _warn_missing_bait,
)
from tallrx.analysis.assays.coip.proteins import (
    _bait_rows,
    _conditions,
    _is_control,
    _matrix,
    _sample_table,
)
from tallrx.errors import AnalysisError, did_you_mean
from tallrx.schema import TABLES, validate

__all__ = ["BINDING_STATS", "LOSS_MIN_FOLD", "score_binding"]

#: Columns of binding.csv besides the condition columns.
BINDING_STATS = TABLES["binding"].names

#: Minimum fold decrease for a loss-of-binding call. The paper calls a consistent decrease over
#: three replicates; with n = 3 per group a consistent ordering happens by chance for 1 in 20
#: unchanged proteins, so tallrx also asks for a 1.5-fold drop (min_fold=1 gives the bare rule).
#: tallrx's own guard, not a number of the paper (so not in :mod:`tallrx.paper`).
LOSS_MIN_FOLD = 1.5


@dataclass(frozen=True)
class _Scaled:
    """The bait-IP samples of one analysis as protein x sample arrays."""

    proteins: np.ndarray  # (n_p,) protein names
    samples: pd.DataFrame  # one row per sample, ``_ok``: bait quantified
    x: np.ndarray  # iBAQ
    rows: np.ndarray  # (n_s,) row of each sample's bait
    detected: np.ndarray  # iBAQ finite and > 0
    ratio: np.ndarray  # iBAQ / bait iBAQ (linear)
    values: np.ndarray  # what is tested: ratio, or log2 ratio (perseus)
    imputed: np.ndarray  # perseus: value drawn by imputation
    keep: np.ndarray  # (n_p,) passed the valid-value filter
    is_bait: np.ndarray  # (n_p,)
    messages: np.ndarray  # (n_p,) per-protein notes ('bait', 'filtered: ...')


def score_binding(
    coip: pd.DataFrame,
    *,
    compare: str | None = None,
    reference: object = None,
    within: Sequence[str] | None = None,
    bait: str | None = None,
    paired: bool = False,
    method: str = "ratio",
    min_fold: float = LOSS_MIN_FOLD,
    alpha: float | None = None,
    min_valid: int | None = None,
    control_bait: str | None = None,
    seed: int = 0,
    where: str = "co-IP table",
) -> Result:
    """Bait-normalized binding per protein and comparison, and the loss-of-binding call.

    ``method="ratio"`` (paper): ratios on the linear scale, not detected = 0, Welch t-test on the
    ratios, log2_fc = log2(mean test ratio / mean reference ratio). ``method="perseus"``: log2
    iBAQ, proteins kept when valid in >= ``min_valid`` (default: all) replicates of at least one
    group, missing values imputed from a normal distribution down-shifted by 1.8 SD with width
    0.3 SD (per sample, seeded), ratios as log2 differences, t-test on log2 ratios.

    The direction call ('down' / 'up' / 'mixed') is 'down' when every test replicate lies below
    every reference replicate (paired: below its own reference replicate). ``lost_binding`` =
    interactor and direction 'down' and fold change at least ``min_fold`` (and q <= ``alpha``
    when given).

    Parameters
    ----------
    coip
        The tidy ``coip`` table (experiment, bait, sample, condition columns, protein, ibaq,
        replicate), measured or simulated.
    compare
        The condition column whose levels are compared (default ``dox`` when present, else the
        first condition column).
    reference
        Its reference level (default: the level that reads as untreated, e.g. '-' or 0).
    within
        Comparisons are made within each combination of these columns (default: all other
        condition columns), e.g. +dox vs -dox within each prednisolone condition.
    bait
        The bait of every sample (default: each sample's ``bait`` column).
    paired
        Pair replicates by the ``replicate`` column (paired t-test).
    method
        ``"ratio"`` (paper) or ``"perseus"``.
    min_fold
        Smallest fold decrease (reference / test) of a loss-of-binding call.
    alpha
        When given, a loss of binding also needs q <= ``alpha``.
    min_valid
        Perseus valid-value filter: detected in this many replicates of one group.
    control_bait
        One more bait name that marks a control IP (besides IgG, beads, mock, ...).
    seed
        Seed of the Perseus imputation.
    where
        The table's name for error messages.

    Returns
    -------
    Result
        Kind ``"binding"``. ``table`` (binding.csv) has two rows per protein and comparison, one
        per compared group, columns:

        - ``protein``, ``comparison`` (e.g. ``dox=+ vs dox=- | prednisolone=0``), ``group``
          (reference / test), then the condition columns;
        - ``n`` (replicates used), ``ratios`` (per replicate, ';'-separated), ``ratio_mean``,
          ``ratio_sd`` (iBAQ / bait iBAQ);
        - ``log2_fc`` (log2 test / reference), ``p_value``, ``q_value`` (BH over the
          comparison's proteins), ``direction`` (down / up / mixed / n/a);
        - ``interactor``, ``lost_binding``, ``flagged`` (booleans) and ``message``.

        ``extra['ratios']`` holds the per-sample ratios (:func:`bait_normalize` columns plus
        ``imputed``), ``extra['enrichment']`` the :func:`control_enrichment` table when
        control IPs exist.
    """
    validate(coip, "coip", where=where)
    conds, compare, within = _check_request(coip, compare, within, method, where)
    ctrl_mask = _is_control(coip["bait"], control_bait)
    ip = coip[~ctrl_mask]
    if ip.empty:
        raise AnalysisError(f"{where}: every sample is a control IP; expected bait IPs")
    data = _scale(ip, conds, bait, method, min_valid, seed, where)
    enrichment = None
    if ctrl_mask.any():
        enrichment = control_enrichment(coip, control_bait=control_bait, where=where)

    comparisons = _comparisons(data.samples, compare, reference, within, where)
    tables = []
    for comparison in comparisons:
        tables += _comparison_frames(
            data, comparison, compare, conds, paired, method, min_fold, alpha, enrichment, where
        )
    table = pd.concat(tables, ignore_index=True)
    ratios = _ratio_table(
        ip, data.samples, data.proteins, data.x, data.ratio, data.rows, data.imputed
    )
    meta = {
        "method": method,
        "compare": compare,
        "within": within,
        "paired": paired,
        "min_fold": min_fold,
        "alpha": alpha,
        "seed": seed,
        "test": ("paired t-test" if paired else "Welch t-test")
        + (" on log2 ratios" if method == "perseus" else " on linear ratios"),
        "fdr": "Benjamini-Hochberg over the proteins of each comparison",
        "consistency": "direction 'down' = every test replicate below every reference "
        "replicate (paired: below its own reference replicate)",
        "impute": {"width": IMPUTE_WIDTH, "shift": IMPUTE_SHIFT} if method == "perseus" else None,
        "bait": sorted(set(data.proteins[data.rows])),
        "n_samples": len(data.samples),
        "samples_without_bait": data.samples["sample"][~data.samples["_ok"]].tolist(),
        "comparisons": [c[0] for c in comparisons],
        "conditions": conds,
        "units": {
            "ratio_mean": "iBAQ / bait iBAQ (relative stoichiometry)",
            "log2_fc": "log2(test / reference)",
        },
        "input_checksum": checksum(coip),
    }
    extra = {"ratios": ratios}
    if enrichment is not None:
        extra["enrichment"] = enrichment
    return Result(kind="binding", table=table, meta=meta, extra=extra)


def _check_request(
    coip: pd.DataFrame,
    compare: str | None,
    within: Sequence[str] | None,
    method: str,
    where: str,
) -> tuple[list[str], str, list[str]]:
    """The condition columns, the compared column and the ``within`` columns, checked."""
    if method not in ("ratio", "perseus"):
        raise AnalysisError(
            f"method '{method}' is not known; expected 'ratio' or 'perseus'."
            f"{did_you_mean(method, ('ratio', 'perseus'))}"
        )
    conds = _conditions(coip)
    if not conds:
        raise AnalysisError(
            f"{where}: no condition columns to compare (e.g. dox, prednisolone); "
            "add them to the sample sheet"
        )
    clash = [c for c in conds if c in BINDING_STATS]
    if clash:
        raise AnalysisError(
            f"{where}: condition column '{clash[0]}' has the name of a binding.csv column; "
            "rename it in the sample sheet (e.g. 'cohort')"
        )
    if compare is None:
        compare = "dox" if "dox" in conds else conds[0]
    if compare not in conds:
        raise AnalysisError(
            f"{where}: no condition column '{compare}' (conditions: "
            f"{', '.join(conds)}).{did_you_mean(compare, conds)}"
        )
    within = [c for c in conds if c != compare] if within is None else list(within)
    for c in within:
        if c not in conds or c == compare:
            raise AnalysisError(
                f"{where}: 'within' column '{c}' is not another condition "
                f"column.{did_you_mean(c, [x for x in conds if x != compare])}"
            )
    return conds, compare, within


def _scale(
    ip: pd.DataFrame,
    conds: list[str],
    bait: str | None,
    method: str,
    min_valid: int | None,
    seed: int,
    where: str,
) -> _Scaled:
    """The bait IPs as arrays, normalized to each sample's bait (linear or log2)."""
    samples = _sample_table(ip, conds, where)
    mat = _matrix(ip, samples, where)
    proteins = mat.index.to_numpy()
    rows = _bait_rows(samples, list(proteins), bait, where)
    x = mat.to_numpy()
    detected = np.isfinite(x) & (x > 0)
    cols = np.arange(x.shape[1])
    bait_ok = detected[rows, cols]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # a bait so small that a ratio overflows (e.g. 1e-320) is as unusable as a missing one
        bait_ok &= np.isfinite(np.where(detected, x, 0.0) / x[rows, cols]).all(0)
    _warn_missing_bait(samples, np.where(bait_ok, x[rows, cols], np.nan))
    samples = samples.assign(_ok=bait_ok)
    messages = np.full(len(proteins), "", dtype=object)
    is_bait = np.zeros(len(proteins), bool)
    is_bait[np.unique(rows)] = True
    messages[is_bait] = "bait"

    keep = np.ones(len(proteins), bool)
    imputed = np.zeros_like(detected)
    if method == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(detected, x, 0.0) / np.where(bait_ok, x[rows, cols], np.nan)
        values = ratio
    else:
        log2 = np.log2(np.where(detected, x, np.nan))
        keep = _valid_value_filter(detected, samples, conds, min_valid)
        messages[~keep & ~is_bait] = "filtered: too few valid values (Perseus valid-value filter)"
        log2, imputed = _impute(log2, np.random.default_rng(seed))
        lr = log2 - np.where(bait_ok, log2[rows, cols], np.nan)
        ratio, values = 2.0**lr, lr
    return _Scaled(
        proteins=proteins,
        samples=samples,
        x=x,
        rows=rows,
        detected=detected,
        ratio=ratio,
        values=values,
        imputed=imputed,
        keep=keep,
        is_bait=is_bait,
        messages=messages,
    )


def _comparison_frames(
    d: _Scaled,
    comparison: tuple,
    compare: str,
    conds: list[str],
    paired: bool,
    method: str,
    min_fold: float,
    alpha: float | None,
    enrichment: pd.DataFrame | None,
    where: str,
) -> list[pd.DataFrame]:
    """The two binding.csv blocks (reference group, test group) of one comparison."""
    label, stratum, ref_level, test_level, ref_idx, test_idx = comparison
    samples, proteins, is_bait, keep = d.samples, d.proteins, d.is_bait, d.keep
    ok_r = ref_idx[samples["_ok"].to_numpy()[ref_idx]]
    ok_t = test_idx[samples["_ok"].to_numpy()[test_idx]]
    if paired:
        ok_r, ok_t = _pairs(samples, ok_r, ok_t)
    vr, vt = d.values[:, ok_r], d.values[:, ok_t]
    rr, rt = d.ratio[:, ok_r], d.ratio[:, ok_t]
    if len(ok_r) and len(ok_t):
        p, direction = _test(vr, vt, samples, ok_r, ok_t, paired, where, label)
    else:
        p = np.full(len(proteins), np.nan)
        direction = np.full(len(proteins), "n/a", dtype=object)
    notes = _comparison_notes(samples, ref_idx, test_idx, ok_r, ok_t, paired)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an empty group: NaN, noted
        if method == "ratio":
            log2_fc = np.log2(rt.mean(1) / rr.mean(1))
        else:
            log2_fc = vt.mean(1) - vr.mean(1)
    p = np.where(keep & ~is_bait, p, np.nan)
    direction[is_bait] = "n/a"
    q = _bh(p)
    interactor = d.detected[:, ref_idx].all(1) & ~is_bait & keep
    if enrichment is not None:
        interactor &= _enriched_in(enrichment, proteins, {**stratum, compare: ref_level})
    lost = (
        interactor
        & (direction == "down")
        & (np.nan_to_num(log2_fc, nan=0.0, neginf=-np.inf) <= -np.log2(min_fold))
    )
    if alpha is not None:
        lost &= np.nan_to_num(q, nan=1.0) <= alpha
    msg = d.messages.copy()
    nodet = ~np.isfinite(log2_fc) & ~is_bait & keep & (len(ok_r) > 0) & (len(ok_t) > 0)
    msg[nodet] = np.where(
        rt.sum(1)[nodet] == 0,
        "not detected in the test group",
        "not detected in the reference group",
    )
    negative = _negative_notes(d.x, samples, np.concatenate([ref_idx, test_idx]))
    msg = _join_notes(msg, negative, notes)
    flagged = (negative != "") | bool(notes)
    if min(len(ok_r), len(ok_t)) < 2:
        lost[:] = False
    common = {
        "log2_fc": log2_fc,
        "p_value": p,
        "q_value": q,
        "direction": direction,
        "interactor": interactor,
        "lost_binding": lost,
        "flagged": flagged,
        "message": msg,
    }
    frames = []
    for group, level, r in (("reference", ref_level, rr), ("test", test_level, rt)):
        frame = pd.DataFrame({"protein": proteins, "comparison": label, "group": group})
        for c in conds:
            frame[c] = level if c == compare else stratum.get(c, np.nan)
        frame["n"] = r.shape[1]
        frame["ratios"] = _join_values(r)
        frame["ratio_mean"] = r.mean(1) if r.shape[1] else np.nan
        frame["ratio_sd"] = r.std(1, ddof=1) if r.shape[1] > 1 else np.nan
        for k, v in common.items():
            frame[k] = v
        frames.append(frame)
    return frames
