"""The batched scoring pipeline: B plates of one design -> every score, as arrays.

``score_batch(design, V)`` takes the per-well viability of B plates that share one dose layout
(shape (B, n_wells), NaN = excluded well) and computes all requested scores for all plates at once:
cell means, single-agent curve fits (one batched 4PL call), median-effect fits of the single drugs and
of every constant-ratio ray (one vectorized regression), CI per combination cell, Bliss, HSA, Loewe
(vectorized bisection) and ZIP (one batched fit of every row and column). Observed data, bootstrap
resamples and null-simulated plates all go through this same function, which is what makes the
calibrated call cheap. Nothing here loops over plates or cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tallrx.analysis.doseresponse.curves import ll4_inverse
from tallrx.analysis.doseresponse.fitting import fit_ll4
from tallrx.analysis.synergy.chou_talalay import (
    CI_WINDOW_MIN_FA,
    ED_LEVELS,
    FA_EPS,
    MedianEffectFit,
    ci_at_fa,
    median_effect_fit,
    nanmedian,
    window_stats,
)
from tallrx.analysis.synergy.design import BlockDesign
from tallrx.analysis.synergy.reference_models import Curves, bliss, hsa, loewe_reference, zip_delta

__all__ = [
    "METHODS",
    "CI_DX",
    "Groups",
    "BatchScores",
    "score_batch",
    "groups_of",
    "fit_curves",
    "single_agent_curves",
]

METHODS = ("ci", "bliss", "hsa", "loewe", "zip")
CI_DX = ("median", "ll4", "auto")
# ZIP row/column fits leave the bottom free (only fitted values at tested doses enter the score;
# bounding it as the synergy package does changed no score by more than 0.02 pp on 500 noisy
# plates and costs a slower constrained solve)
ZIP_STARTS = 2  # hill starts of the row/column fits (top fixed: 3 parameters, well-posed)


@dataclass(frozen=True)
class Groups:
    """Summary groups of combination cells: the whole surface, or one group per constant-ratio ray."""

    member: np.ndarray  # (n_groups, n_cells) bool
    ratio: np.ndarray  # (n_groups,) d_b/d_a of the ray, NaN for a whole surface
    rays: list[np.ndarray]  # per group: ray indices whose ED-CI feed the group


def groups_of(des: BlockDesign) -> Groups:
    """One group per ray for constant-ratio designs, else one group of all combination cells."""
    if des.kind == "constant_ratio":
        k = len(des.ratios)
        member = des.ray[None, :] == np.arange(k)[:, None]
        return Groups(member, des.ratios.copy(), [np.array([i]) for i in range(k)])
    counts = np.bincount(des.ray[des.combo], minlength=len(des.ratios))
    rays = np.flatnonzero(counts >= 3)
    return Groups(des.combo[None, :].copy(), np.array([np.nan]), [rays])


@dataclass
class BatchScores:
    """Scores of B plates. Per cell arrays are (B, n_cells); per group (B, n_groups)."""

    design: BlockDesign
    groups: Groups
    cell_mean: np.ndarray
    cell_n: np.ndarray
    per_cell: dict[str, np.ndarray] = field(default_factory=dict)
    per_group: dict[str, np.ndarray] = field(default_factory=dict)
    me: dict[str, MedianEffectFit] = field(default_factory=dict)  # "a", "b", "rays"
    curves: dict[str, Curves] = field(default_factory=dict)  # "a", "b"
    curve_ok: dict[str, np.ndarray] = field(default_factory=dict)
    flags: dict[str, np.ndarray] = field(default_factory=dict)  # (B,) or (B, n_groups) booleans


def _pad(index_lists: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Padded (n_lists, width) index array (-1 = padding) and its mask."""
    width = max((len(i) for i in index_lists), default=0)
    out = np.full((len(index_lists), max(width, 1)), -1)
    for k, idx in enumerate(index_lists):
        out[k, : len(idx)] = idx
    return out, out >= 0


def _group_index(label: np.ndarray, n_groups: int) -> np.ndarray:
    """Padded (n_groups, width) indices of the wells of each group (-1 = padding), in well order;
    ``label`` (n_w,) is each well's group, -1 for none (``_pad`` of the groups, without a loop).

    >>> _group_index(np.array([1, -1, 0, 1]), 3).tolist()
    [[2, -1], [0, 3], [-1, -1]]
    """
    wells = np.flatnonzero(label >= 0)
    order = np.argsort(label[wells], kind="stable")
    wells = wells[order]
    g = label[wells]
    counts = np.bincount(g, minlength=n_groups)
    out = np.full((n_groups, max(int(counts.max(initial=0)), 1)), -1)
    out[g, np.arange(g.size) - (np.cumsum(counts) - counts)[g]] = wells
    return out


def _level_of(d: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Index of the level (np.isclose) each dose in ``d`` equals, -1 for none."""
    match = np.isclose(d[None, :], levels[:, None])
    return np.where(match.any(axis=0), match.argmax(axis=0), -1)


def _gather(V: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """V (B, n_w) gathered at padded indices idx (L, W) -> (B, L, W) with NaN padding."""
    return np.where(idx[None] >= 0, V[:, np.where(idx >= 0, idx, 0)], np.nan)


def fit_curves(x: np.ndarray, y: np.ndarray, **kw) -> tuple[Curves, np.ndarray]:
    """Batched 4PL fits of curves (..., n) -> Curves with params of shape (...,), and fit ok."""
    lead = y.shape[:-1]
    xs = np.broadcast_to(x, y.shape).reshape(-1, y.shape[-1])
    ys = y.reshape(-1, y.shape[-1])
    mask = np.isfinite(xs) & np.isfinite(ys)
    extra = {
        k: (np.broadcast_to(v, lead).reshape(-1) if isinstance(v, np.ndarray) else v)
        for k, v in kw.items()
    }
    fit = fit_ll4(
        np.where(mask, xs, np.nan),
        np.where(mask, ys, np.nan),
        mask=mask,
        standard_errors=False,  # no score uses them
        **extra,
    )
    c = Curves(
        *(
            np.asarray(getattr(fit, k), float).reshape(lead)
            for k in ("bottom", "top", "ic50", "hill")
        )
    )
    ok = np.asarray(fit.converged, bool).reshape(lead) & np.isfinite(c.top) & np.isfinite(c.ic50)
    return c, ok


def single_agent_curves(
    des: BlockDesign, V: np.ndarray
) -> tuple[dict[str, Curves], dict[str, np.ndarray]]:
    """4PL fits of the single-agent wells (their (0, 0) wells included) of B plates: curves and
    fit-ok flags by drug ("a", "b"), parameters of shape (B,)."""
    idx, _ = _pad([np.flatnonzero(des.d2 == 0), np.flatnonzero(des.d1 == 0)])
    xs = np.stack(
        [
            np.where(idx[0] >= 0, des.d1[np.maximum(idx[0], 0)], np.nan),
            np.where(idx[1] >= 0, des.d2[np.maximum(idx[1], 0)], np.nan),
        ]
    )
    y = _gather(np.atleast_2d(V), idx)  # (B, 2, W)
    with np.errstate(all="ignore"):
        cur, ok = fit_curves(np.broadcast_to(xs, y.shape), y)
    curves = {"a": cur.take((slice(None), 0)), "b": cur.take((slice(None), 1))}
    return curves, {"a": ok[:, 0], "b": ok[:, 1]}


def _cell_means(des: BlockDesign, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    onehot = (des.cell[:, None] == np.arange(des.n_cells)[None, :]).astype(float)
    ok = np.isfinite(V)
    n = ok.astype(float) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(ok, V, 0.0) @ onehot) / n
    return np.where(n > 0, mean, np.nan), n


def _dx(fa, me: MedianEffectFit, curve: Curves, use_ll4: np.ndarray):
    """Single-drug dose (uM) for effect fa (B, n): median-effect or 4PL per plate (``use_ll4`` (B,));
    each inverse is computed only when some plate uses it."""
    if not use_ll4.any():
        return median_effect_dose_b(fa, me)
    dx_me = median_effect_dose_b(fa, me) if not use_ll4.all() else np.nan
    target = 100.0 * (1.0 - fa)
    b, t, c, h = (a[:, None] for a in (curve.bottom, curve.top, curve.ic50, curve.hill))
    x = ll4_inverse(target, b, t, c, h)
    dec = (h > 0) & (t > b)
    x = np.where(dec & (target <= b), np.inf, np.where(target >= t, np.nan, x))
    return np.where(use_ll4[:, None], x, dx_me)


def median_effect_dose_b(fa, me: MedianEffectFit):
    """Median-effect Dx for fa (B, n) with per-plate fits (B,)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return me.dm[:, None] * (fa / (1.0 - fa)) ** (1.0 / me.m[:, None])


def score_batch(
    des: BlockDesign,
    V: np.ndarray,
    methods=METHODS,
    *,
    ci_dx: str = "median",
    groups: Groups | None = None,
    curves: bool = False,
    rays: bool = True,
) -> BatchScores:
    """Score B plates of design ``des``; ``V`` is (B, n_wells) % viability (NaN = excluded).

    ``curves=True`` fits the single-agent 4PL curves even when no requested score needs them
    (the calibration does). ``rays=False`` skips the mixture median-effect fits of the
    constant-ratio rays (the ``ci_ed*`` statistics are then NaN): null plates and resamples only
    need the window statistics.
    """
    with np.errstate(all="ignore"):  # inf/NaN are handled explicitly and flagged
        return _score_batch(des, V, tuple(methods), ci_dx, groups, curves, rays)


def _score_batch(des, V, methods, ci_dx, groups, curves, rays=True) -> BatchScores:
    V = np.atleast_2d(np.asarray(V, float))
    B = V.shape[0]
    groups = groups or groups_of(des)
    mean, n = _cell_means(des, V)
    out = BatchScores(des, groups, mean, n)
    combo = des.combo
    need_curves = (
        curves or bool({"loewe", "zip"} & set(methods)) or ("ci" in methods and ci_dx != "median")
    )
    if need_curves:
        out.curves, out.curve_ok = single_agent_curves(des, V)
    # observed single agents at the combination cells (fall back to the fitted curve when untested)
    va = np.where(des.sa_a[None, :] >= 0, mean[:, np.maximum(des.sa_a, 0)], np.nan)
    vb = np.where(des.sa_b[None, :] >= 0, mean[:, np.maximum(des.sa_b, 0)], np.nan)
    untested = combo & ((des.sa_a < 0) | (des.sa_b < 0))
    if untested.any() and need_curves:
        va = np.where(np.isnan(va), out.curves["a"](des.cd1), va)
        vb = np.where(np.isnan(vb), out.curves["b"](des.cd2), vb)
    out.flags["sa_untested"] = np.broadcast_to(untested.any(), (B,))
    if "bliss" in methods:
        out.per_cell["bliss_ref"] = va * vb / 100.0
        out.per_cell["bliss"] = np.where(combo, bliss(mean, va, vb), 0.0)
    if "hsa" in methods:
        out.per_cell["hsa_ref"] = np.minimum(va, vb)
        out.per_cell["hsa"] = np.where(combo, hsa(mean, va, vb), 0.0)
    if "loewe" in methods:
        ref, capped = loewe_reference(des.cd1, des.cd2, out.curves["a"], out.curves["b"])
        ok = (out.curve_ok["a"] & out.curve_ok["b"])[:, None]
        out.per_cell["loewe_ref"] = np.where(ok, ref, np.nan)
        out.per_cell["loewe"] = np.where(combo, np.where(ok, ref - mean, np.nan), 0.0)
        out.per_cell["loewe_capped"] = capped & combo
    if "zip" in methods:
        _zip(des, V, out)
    if "ci" in methods:
        _ci(des, V, out, ci_dx, rays)
    _summaries(out, methods)
    return out


def _zip(des: BlockDesign, V: np.ndarray, out: BatchScores) -> None:
    B = V.shape[0]
    combo = des.combo
    if des.kind != "matrix":
        out.per_cell["zip"] = np.where(combo, np.nan, 0.0) + np.zeros((B, 1))
        out.flags["zip_design"] = np.ones(B, bool)
        return
    la, lb = des.levels_a, des.levels_b
    rows = _group_index(_level_of(des.d2, lb), len(lb))  # curves over d_a at fixed d_b
    cols = _group_index(_level_of(des.d1, la), len(la))  # curves over d_b at fixed d_a
    idx = np.full((len(lb) + len(la), max(rows.shape[1], cols.shape[1])), -1)
    idx[: len(lb), : rows.shape[1]] = rows
    idx[len(lb) :, : cols.shape[1]] = cols
    x = np.where(
        idx >= 0,
        np.concatenate(
            [des.d1[np.maximum(idx[: len(lb)], 0)], des.d2[np.maximum(idx[len(lb) :], 0)]]
        ),
        np.nan,
    )
    y = _gather(V, idx)  # (B, L, W)
    tops = np.concatenate([out.curves["b"](lb), out.curves["a"](la)], axis=1)  # (B, L)
    cur, ok = fit_curves(
        np.broadcast_to(x, y.shape),
        y,
        fix_top=tops,
        n_starts=ZIP_STARTS,
    )
    L = len(lb)
    row_fit = [p[:, :L] for p in (cur.bottom, cur.top, cur.ic50, cur.hill)]
    col_fit = [p[:, L:] for p in (cur.bottom, cur.top, cur.ic50, cur.hill)]
    row_of = np.searchsorted(lb, des.cd2).clip(0, L - 1)
    col_of = np.searchsorted(la, des.cd1).clip(0, len(la) - 1)
    delta, ref, fit = zip_delta(
        des.cd1, des.cd2, combo, row_fit, col_fit, out.curves["a"], out.curves["b"], row_of, col_of
    )
    good = out.curve_ok["a"] & out.curve_ok["b"]
    out.per_cell["zip"] = np.where(good[:, None] | ~combo[None, :], delta, np.nan)
    out.per_cell["zip_ref"] = np.where(good[:, None], ref, np.nan)
    out.per_cell["zip_fit"] = np.where(good[:, None], fit, np.nan)
    out.flags["zip_fit_failed"] = (~ok).any(axis=1)


def _ci(des: BlockDesign, V: np.ndarray, out: BatchScores, ci_dx: str, rays: bool = True) -> None:
    B = V.shape[0]
    combo = des.combo
    fa_w = 1.0 - V / 100.0
    sa_a = np.flatnonzero((des.d2 == 0) & (des.d1 > 0))
    sa_b = np.flatnonzero((des.d1 == 0) & (des.d2 > 0))
    me_a = median_effect_fit(des.d1[sa_a][None, :], fa_w[:, sa_a])
    me_b = median_effect_fit(des.d2[sa_b][None, :], fa_w[:, sa_b])
    out.me["a"], out.me["b"] = me_a, me_b
    if ci_dx == "median":
        ll4_a = ll4_b = np.zeros(B, bool)
    elif ci_dx == "ll4":
        ll4_a = ll4_b = np.ones(B, bool)
    else:  # auto: the 4PL Dx for a drug whose observed effect never reaches 50 %
        ll4_a, ll4_b = ~(me_a.max_fa >= 0.5), ~(me_b.max_fa >= 0.5)
    if ci_dx != "median":
        ll4_a = ll4_a & out.curve_ok["a"]
        ll4_b = ll4_b & out.curve_ok["b"]
    out.flags["ci_ll4_a"], out.flags["ci_ll4_b"] = ll4_a, ll4_b
    fa = 1.0 - out.cell_mean / 100.0
    fa_ok = (fa > FA_EPS) & (fa < 1 - FA_EPS) & combo[None, :]
    fa = np.where(fa_ok, fa, np.nan)
    ca = out.curves.get("a", Curves(*[np.full(B, np.nan)] * 4))
    cb = out.curves.get("b", Curves(*[np.full(B, np.nan)] * 4))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        dx1 = _dx(fa, me_a, ca, ll4_a)
        dx2 = _dx(fa, me_b, cb, ll4_b)
        ci = des.cd1[None, :] / dx1 + des.cd2[None, :] / dx2
        out.per_cell["dri_a"] = dx1 / des.cd1[None, :]
        out.per_cell["dri_b"] = dx2 / des.cd2[None, :]
    usable = (me_a.ok | ll4_a) & (me_b.ok | ll4_b)
    ci = np.where(usable[:, None], ci, np.nan)
    out.per_cell["ci"] = np.where(combo[None, :], ci, np.nan)
    out.per_cell["ci_extrapolated"] = (
        combo[None, :]
        & (
            (dx1 > me_a.max_dose[:, None])
            | (dx2 > me_b.max_dose[:, None])
            | ~np.isfinite(dx1)
            | ~np.isfinite(dx2)
        )
        & np.isfinite(fa)
    )
    out.per_cell["fa"] = np.where(combo[None, :], fa, np.nan)
    out.flags["ci_fit_a"], out.flags["ci_fit_b"] = ~(me_a.ok | ll4_a), ~(me_b.ok | ll4_b)
    # rays: mixture median-effect fits (total dose) and CI at ED levels
    k = len(des.ratios) if rays else 0
    if k:
        idx = _group_index(np.where(combo[des.cell], des.ray[des.cell], -1), k)
        dose = np.where(idx >= 0, (des.d1 + des.d2)[np.maximum(idx, 0)], np.nan)
        mix = median_effect_fit(dose[None], 1.0 - _gather(V, idx) / 100.0)  # (B, k)
        out.me["rays"] = mix
        lev = np.asarray(ED_LEVELS)
        dx1 = _dx(np.broadcast_to(lev, (B, len(lev))), me_a, ca, ll4_a)  # (B, 4)
        dx2 = _dx(np.broadcast_to(lev, (B, len(lev))), me_b, cb, ll4_b)
        ced = ci_at_fa(
            lev[None, None, :],
            des.ratios[None, :, None],
            MedianEffectFit(
                *(
                    np.asarray(getattr(mix, f))[..., None]
                    for f in ("m", "dm", "r", "n", "n_dropped", "max_fa", "max_dose")
                )
            ),
            dx1[:, None, :],
            dx2[:, None, :],
        )
        ok = mix.ok & usable[:, None]
        out.per_cell["_ci_ed_rays"] = np.where(ok[..., None], ced, np.nan)  # (B, k, 4)


def _summaries(out: BatchScores, methods) -> None:
    g = out.groups
    member = g.member[None, :, :]  # (1, G, n_c)
    for name in ("bliss", "hsa", "loewe", "zip"):
        if name in out.per_cell:
            s = out.per_cell[name][:, None, :]
            vals = np.where(member, s, np.nan)
            with np.errstate(invalid="ignore"):
                cnt = np.isfinite(vals).sum(-1)
                tot = np.nansum(vals, -1)
            out.per_group[name] = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
            out.per_group[f"{name}_n"] = cnt
    if "ci" in methods:
        window = out.per_cell["fa"] >= CI_WINDOW_MIN_FA  # NaN fa (outside (0, 1)) is out too
        ci = np.where(member & window[:, None, :], out.per_cell["ci"][:, None, :], np.nan)
        st = window_stats(ci)
        for key, v in st.items():
            out.per_group[f"ci_{key}"] = v
        B = ci.shape[0]
        ed = np.full((B, len(g.rays), len(ED_LEVELS)), np.nan)
        if "_ci_ed_rays" in out.per_cell:
            rays_ci = out.per_cell["_ci_ed_rays"]
            for gi, rays in enumerate(g.rays):
                if len(rays):
                    with np.errstate(invalid="ignore"):
                        ed[:, gi, :] = nanmedian(rays_ci[:, rays, :], axis=1)
        for j, lev in enumerate(ED_LEVELS):
            out.per_group[f"ci_ed{round(lev * 100)}"] = ed[:, :, j]
