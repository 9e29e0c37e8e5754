"""The statistics of a binding comparison: which groups, which test, which direction, which notes.

A comparison is one level of the compared condition against the reference level within one
stratum (e.g. +dox vs -dox at prednisolone 0). Per protein it gets a Welch (or paired) t-test,
a consistency call (every test replicate below / above every reference replicate) and
Benjamini-Hochberg q-values over the proteins of the comparison.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from tallrx.analysis.assays._levels import fmt_level as _fmt
from tallrx.analysis.assays._levels import same_level as _same
from tallrx.errors import AnalysisError, InternalError, did_you_mean

__all__ = ["reference_level"]

#: Values read as "off" / "untreated" when picking a reference level automatically.
_REFERENCE_HINTS = (
    "-",
    "no",
    "none",
    "0",
    "false",
    "off",
    "untreated",
    "control",
    "ctrl",
    "vehicle",
    "dmso",
    "mock",
    "uninduced",
    "non-induced",
    "noninduced",
    "minus",
)


def reference_level(levels: Sequence[object]) -> object:
    """The level that reads as untreated ('-', 0, 'no', 'vehicle', ...), else the smallest.

    Parameters
    ----------
    levels
        The levels of one condition column, e.g. ``["+", "-"]`` or ``[250, 0]``.

    Returns
    -------
    object
        The reference level as it appears in ``levels`` (``"-"``, ``0``, ...); without a
        level that reads as untreated, the smallest number, else the first in text order.
    """
    levels = list(dict.fromkeys(levels))
    for hint in _REFERENCE_HINTS:
        for lv in levels:
            if _fmt(lv).strip().lower() == hint:
                return lv
    try:
        return min(levels, key=float)
    except (TypeError, ValueError):
        return sorted(levels, key=_fmt)[0]


def _join_values(values: np.ndarray) -> np.ndarray:
    """Rows of a matrix as '0.1;0.25;0.3' strings (vectorized over rows)."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], "", dtype=object)
    text = np.char.mod("%.6g", values)
    out = text[:, 0]
    for j in range(1, values.shape[1]):
        out = np.char.add(np.char.add(out, ";"), text[:, j])
    return out.astype(object)


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of the finite p-values (NaN stays NaN)."""
    q = np.full_like(p, np.nan, dtype=float)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = stats.false_discovery_control(p[ok], method="bh")
    return q


def _comparisons(
    samples: pd.DataFrame, compare: str, reference: object, within: list[str], where: str
) -> list[tuple]:
    """(label, stratum, reference level, test level, reference samples, test samples) per
    comparison: each non-reference level of ``compare`` within each stratum of ``within``."""
    levels = list(dict.fromkeys(samples[compare]))
    if len(levels) < 2:
        raise AnalysisError(
            f"{where}: condition '{compare}' has a single level "
            f"({_fmt(levels[0])}); nothing to compare"
        )
    if reference is None:
        ref = reference_level(levels)
    else:
        matches = [lv for lv in levels if _same(lv, reference)]
        if not matches:
            raise AnalysisError(
                f"{where}: reference {compare}={_fmt(reference)} matches no sample (levels: "
                f"{', '.join(map(_fmt, levels))}).{did_you_mean(_fmt(reference), map(_fmt, levels))}"
            )
        ref = matches[0]
    strata = (
        samples.groupby(within, dropna=False, sort=False).indices
        if within
        else {(): np.arange(len(samples))}
    )
    out = []
    for key, idx in strata.items():
        key = key if isinstance(key, tuple) else (key,)
        stratum = dict(zip(within, key, strict=True))
        sub = samples.iloc[idx]
        ref_idx = idx[sub[compare].map(lambda v: _same(v, ref)).to_numpy()]
        if not len(ref_idx):
            continue
        for lv in dict.fromkeys(sub[compare]):
            if _same(lv, ref):
                continue
            test_idx = idx[sub[compare].map(lambda v, lv=lv: _same(v, lv)).to_numpy()]
            label = f"{compare}={_fmt(lv)} vs {compare}={_fmt(ref)}"
            if stratum:
                label += " | " + ", ".join(f"{k}={_fmt(v)}" for k, v in stratum.items())
            out.append((label, stratum, ref, lv, ref_idx, test_idx))
    if not out:
        raise AnalysisError(
            f"{where}: no stratum has both the reference {compare}={_fmt(ref)} "
            "and another level; nothing to compare"
        )
    return out


def _test(
    vr: np.ndarray,
    vt: np.ndarray,
    samples: pd.DataFrame,
    ok_r: np.ndarray,
    ok_t: np.ndarray,
    paired: bool,
    where: str,
    label: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Per protein: t-test p-value (Welch or paired) and direction ('down', 'up', 'mixed',
    'n/a') of test values ``vt`` against reference values ``vr`` (protein x replicate)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if paired:
            rep_r = samples["replicate"].to_numpy()[ok_r].astype(str)
            rep_t = samples["replicate"].to_numpy()[ok_t].astype(str)
            if sorted(rep_r) != sorted(rep_t) or len(set(rep_r)) != len(rep_r):
                raise InternalError(
                    f"{where}: '{label}' reached the paired test with unmatched replicates "
                    f"(reference: {', '.join(rep_r)}; test: {', '.join(rep_t)})"
                )
            order = np.argsort(rep_t)[np.argsort(np.argsort(rep_r))]
            vt = vt[:, order]
            p = (
                stats.ttest_rel(vt, vr, axis=1).pvalue
                if vr.shape[1] > 1
                else np.full(vr.shape[0], np.nan)
            )
            down, up = (vt < vr).all(1), (vt > vr).all(1)
        else:
            if vr.shape[1] > 1 and vt.shape[1] > 1:
                p = stats.ttest_ind(vt, vr, axis=1, equal_var=False).pvalue
            else:
                p = np.full(vr.shape[0], np.nan)
            down = vt.max(1) < vr.min(1)
            up = vt.min(1) > vr.max(1)
    direction = np.where(down, "down", np.where(up, "up", "mixed")).astype(object)
    direction[~np.isfinite(vr).all(1) | ~np.isfinite(vt).all(1)] = "n/a"
    return np.asarray(p, float), direction


def _pairs(
    samples: pd.DataFrame, ok_r: np.ndarray, ok_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The reference / test columns whose replicate label occurs exactly once on both sides."""
    rep = samples["replicate"].astype(str).to_numpy()
    r, t = pd.Series(rep[ok_r]), pd.Series(rep[ok_t])
    once = set(r[~r.duplicated(keep=False)]) & set(t[~t.duplicated(keep=False)])
    return ok_r[r.isin(once).to_numpy()], ok_t[t.isin(once).to_numpy()]


def _comparison_notes(
    samples: pd.DataFrame,
    ref_idx: np.ndarray,
    test_idx: np.ndarray,
    ok_r: np.ndarray,
    ok_t: np.ndarray,
    paired: bool,
) -> str:
    """Why a comparison's statistics are missing or weaker: samples without a quantified bait,
    unpaired replicates, groups with fewer than 2 samples ('' when nothing is wrong)."""
    names = samples["sample"].to_numpy()
    notes = []
    no_bait = [i for i in (*ref_idx, *test_idx) if not samples["_ok"].iloc[i]]
    if no_bait:
        notes.append(
            f"bait not quantified (iBAQ missing, 0, negative, infinite or too small) in sample(s) "
            f"{', '.join(names[no_bait])}: their bait-normalized values are undefined and left out"
        )
    used = {*no_bait, *ok_r, *ok_t}
    unpaired = [i for i in (*ref_idx, *test_idx) if i not in used]
    if paired and unpaired:
        notes.append(
            f"sample(s) {', '.join(names[unpaired])} have no partner replicate: left out "
            "of the paired test"
        )
    for group, ok in (("reference", ok_r), ("test", ok_t)):
        if len(ok) == 0:
            notes.append(f"no usable sample in the {group} group: no ratio or test possible")
        elif len(ok) == 1:
            notes.append(
                f"n = 1 in the {group} group (sample {names[ok[0]]}): no t-test possible, "
                "p_value is NaN"
            )
    return "; ".join(notes)


def _negative_notes(x: np.ndarray, samples: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """Per protein: 'impossible iBAQ ... in sample S' for negative or infinite intensities in the
    samples ``idx`` ('' when none); such values count as not detected."""
    sub = x[:, idx]
    neg = np.isinf(sub) | (np.isfinite(sub) & (sub < 0))
    out = np.full(x.shape[0], "", dtype=object)
    names = samples["sample"].to_numpy()[idx]
    for i in np.flatnonzero(neg.any(1)):
        pairs = zip(sub[i, neg[i]], names[neg[i]], strict=True)
        cells = ", ".join(f"{v:g} in sample {s}" for v, s in pairs)
        out[i] = (
            f"negative or infinite iBAQ ({cells}): impossible intensity, counted as not detected"
        )
    return out


def _join_notes(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise '; '-join of message arrays / strings, skipping empty parts."""
    arrays = [np.broadcast_to(np.asarray(p, dtype=object), np.shape(parts[0])) for p in parts]
    return np.array(
        ["; ".join(str(v) for v in vals if v) for vals in zip(*arrays, strict=True)], dtype=object
    )
