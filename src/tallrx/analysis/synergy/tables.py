"""Assemble the output tables (combinations, surface, median_effect) of a batch of blocks at once.

Everything is built column-wise from the batch arrays; only the per-row message text is a Python loop
over small integers (flags are counted with numpy first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.analysis.synergy.chou_talalay import CI_WINDOW_MIN_FA, ED_LEVELS
from tallrx.analysis.synergy.design import Block
from tallrx.analysis.synergy.engine import BatchScores
from tallrx.schema import TABLES

__all__ = [
    "block_frame",
    "combination_table",
    "not_scored_table",
    "surface_table",
    "series_table",
    "NOT_SCORED",
]

NOT_SCORED = "not scored"  # the call of a block that could not be scored (message says why)

#: the per-dose-pair scores of surface.csv (the schema's columns from bliss_ref on)
SURFACE_COLUMNS = TABLES["surface"].names[TABLES["surface"].names.index("bliss_ref"):]


def block_frame(blks: list[Block]) -> pd.DataFrame:
    """One row per block: its key columns (sample, conditions), drug_a, drug_b."""
    return pd.DataFrame([{**b.keys, "drug_a": b.drug_a, "drug_b": b.drug_b} for b in blks])


def _counts(sc: BatchScores, key: str) -> np.ndarray:
    """(B, G) number of member cells where the per-cell boolean ``key`` holds."""
    return (sc.per_cell[key][:, None, :] & sc.groups.member[None]).sum(-1)


def _messages(blks: list[Block], sc: BatchScores, methods) -> tuple[np.ndarray, list[str]]:
    B, G = len(blks), sc.groups.member.shape[0]
    pg = sc.per_group
    member = sc.groups.member[None]
    zeros = np.zeros((B, G), int)
    no_b = np.zeros(B, bool)
    curve_bad = {k: ~sc.curve_ok[k] if k in sc.curve_ok else no_b for k in ("a", "b")}
    ci = "ci" in methods
    fit_bad = {k: sc.flags[f"ci_fit_{k}"] if ci else no_b for k in ("a", "b")}
    use_ll4 = {k: sc.flags[f"ci_ll4_{k}"] if ci else no_b for k in ("a", "b")}
    n_ext = _counts(sc, "ci_extrapolated") if ci else zeros
    fa = 1.0 - sc.cell_mean / 100.0
    in_window = (fa >= CI_WINDOW_MIN_FA) & (fa < 1)
    n_out = (member & ~in_window[:, None, :]).sum(-1) if ci else zeros
    ci_nan = ~np.isfinite(pg["ci_mean"]) if ci else zeros.astype(bool)
    n_cap = _counts(sc, "loewe_capped") if "loewe" in methods else zeros
    zip_design = "zip" in methods and "zip_design" in sc.flags
    zip_fail = sc.flags.get("zip_fit_failed", no_b) if "zip" in methods else no_b
    n_excl = np.array([int((~np.isfinite(b.viability)).sum()) - b.n_left_out for b in blks])
    score_nan = {m: ~np.isfinite(pg[m]) for m in ("bliss", "hsa", "loewe") if m in methods}
    fallback = sc.flags.get("call_fallback", np.zeros((B, G), bool))
    ok = np.ones((B, G), bool)
    texts = []
    for k, blk in enumerate(blks):
        names = {"a": blk.drug_a, "b": blk.drug_b}
        head = list(blk.notes)
        if blk.sham:
            head.insert(
                0,
                f"sham: {blk.drug_a} combined with itself (the Loewe / CI null case: expect "
                "CI ~ 1, Loewe ~ 0)",
            )
        if not blk.has_zero_wells:
            head.append("no untreated (0, 0) well: its viability is taken as 100 %")
        for g in range(G):
            msgs = list(head)
            for key, drug in names.items():
                if curve_bad[key][k]:
                    ok[k, g] = False
                    msgs.append(
                        f"4PL fit of {drug} failed (Loewe, ZIP and the calibrated call need it)"
                    )
                if fit_bad[key][k]:
                    ok[k, g] = False
                    me = sc.me[key]
                    why = (
                        f"only {int(me.n[k])} point(s) with 0 < fa < 1; needs >= 2 doses with "
                        "an effect"
                        if me.n[k] < 2
                        else f"slope m = {me.m[k]:.2g}: no dose-dependent effect"
                    )
                    msgs.append(
                        f"median-effect fit of {drug} failed ({why}; --ci-dx auto uses "
                        "its 4PL fit instead)"
                    )
                elif use_ll4[key][k]:
                    msgs.append(f"CI uses the 4PL Dx for {drug} (its effect stays below 50 %)")
            if n_ext[k, g]:
                msgs.append(
                    f"{n_ext[k, g]} CI point(s) need a Dx beyond a drug's tested doses or "
                    "maximal effect (extrapolated)"
                )
            if n_out[k, g]:
                msgs.append(
                    f"{n_out[k, g]} combination point(s) with an effect below "
                    f"{CI_WINDOW_MIN_FA:.0%} or of 100 % left out of the CI window"
                )
            if ci_nan[k, g]:
                ok[k, g] = False
                msgs.append("no combination point gives a CI")
            if fallback[k, g]:
                msgs.append("call from the Bliss excess (the CI statistic cannot be computed)")
            if n_cap[k, g]:
                msgs.append(
                    f"Loewe: {n_cap[k, g]} cell(s) beyond a drug's maximal effect "
                    "(plateau convention)"
                )
            if zip_design:
                msgs.append(
                    "ZIP needs a dose matrix (>= 3 doses of each drug); design is "
                    f"{blk.design.kind}"
                )
            elif zip_fail[k]:
                msgs.append("ZIP: some row/column fits did not converge")
            if sc.flags["sa_untested"][k]:
                msgs.append(
                    "single agents not tested at every combination dose: Bliss/HSA use "
                    "the fitted 4PL curve there"
                )
            if n_excl[k]:
                msgs.append(f"{n_excl[k]} excluded well(s) left out")
            for m, bad in score_nan.items():
                if bad[k, g]:
                    ok[k, g] = False
                    msgs.append(f"{m} could not be computed")
            texts.append("; ".join(msgs))
    return ok.ravel(), texts


def combination_table(
    blks, keys: pd.DataFrame, sc: BatchScores, methods, calls, p_syn, naive, sd, lo, hi
) -> pd.DataFrame:
    """One row per block x summary group (B * G rows, block-major)."""
    B, G = len(blks), sc.groups.member.shape[0]
    rb = np.repeat(np.arange(B), G)
    rg = np.tile(np.arange(G), B)
    out = {c: keys[c].to_numpy()[rb] for c in keys.columns}
    pg = sc.per_group
    nan = np.full(B * G, np.nan)
    out["design"] = blks[0].design.kind
    out["ratio"] = sc.groups.ratio[rg]
    for key in ("ci_mean", "ci_gmean", "ci_median"):
        out[key] = pg[key].ravel() if key in pg else nan
    out["ci_n"] = pg["ci_n"].ravel().astype(int) if "ci_n" in pg else 0
    out["ci_low"], out["ci_high"] = np.ravel(lo), np.ravel(hi)
    for lev in ED_LEVELS:
        key = f"ci_ed{round(lev * 100)}"
        out[key] = pg[key].ravel() if key in pg else nan
    for m in ("bliss", "hsa", "loewe", "zip"):
        out[m] = pg[m].ravel() if m in pg else nan
    out["call"] = np.ravel(calls)
    out["p_value"] = np.ravel(p_syn)
    out["naive_call"] = np.ravel(naive)
    out["noise_sd"] = np.asarray(sd)[rb]
    out["fit_ok"], out["message"] = _messages(blks, sc, methods)
    return pd.DataFrame(out)


def not_scored_table(blks: list[Block], keys: pd.DataFrame) -> pd.DataFrame:
    """One row per block that could not be scored: NaN scores, call "not scored", fit_ok False
    and the block's problem as message (the columns of :func:`combination_table`)."""
    B = len(blks)
    out = {c: keys[c].to_numpy() for c in keys.columns}
    nan = np.full(B, np.nan)
    out["design"] = ""
    out["ratio"] = nan
    for key in ("ci_mean", "ci_gmean", "ci_median"):
        out[key] = nan
    out["ci_n"] = np.zeros(B, int)
    out["ci_low"] = out["ci_high"] = nan
    for lev in ED_LEVELS:
        out[f"ci_ed{round(lev * 100)}"] = nan
    for m in ("bliss", "hsa", "loewe", "zip"):
        out[m] = nan
    out["call"] = NOT_SCORED
    out["p_value"] = nan
    out["naive_call"] = NOT_SCORED
    out["noise_sd"] = nan
    out["fit_ok"] = np.zeros(B, bool)
    out["message"] = ["; ".join([*(["sham"] if b.sham else []), *b.notes, b.problem]) for b in blks]
    return pd.DataFrame(out)


def surface_table(blks, keys: pd.DataFrame, sc: BatchScores) -> pd.DataFrame:
    """One row per block x dose pair: observed mean viability, references, scores, CI, DRI."""
    des = blks[0].design
    B, C = len(blks), des.n_cells
    rb = np.repeat(np.arange(B), C)
    out = {c: keys[c].to_numpy()[rb] for c in keys.columns}
    out["conc_a"] = np.tile(des.cd1, B)
    out["conc_b"] = np.tile(des.cd2, B)
    out["n"] = sc.cell_n.ravel().astype(int)
    out["viability"] = sc.cell_mean.ravel()
    ratio = des.ratios[np.maximum(des.ray, 0)] if len(des.ratios) else np.zeros(C)
    out["ratio"] = np.tile(np.where(des.ray >= 0, ratio, np.nan), B)
    for key in SURFACE_COLUMNS:
        if key in sc.per_cell:
            out[key] = sc.per_cell[key].ravel()
    return pd.DataFrame(out)


def series_table(blks, keys: pd.DataFrame, sc: BatchScores) -> pd.DataFrame:
    """One row per block x median-effect series (drug a, drug b, each mixture ray), block-major."""
    des = blks[0].design
    if "a" not in sc.me:
        return pd.DataFrame()
    B = len(blks)
    series = [("a", None), ("b", None)]
    if "rays" in sc.me:
        counts = np.bincount(des.ray[des.combo], minlength=len(des.ratios))
        need = 2 if des.kind == "constant_ratio" else 3
        series += [("rays", r) for r in np.flatnonzero(counts >= need)]
    S = len(series)
    da, db = keys["drug_a"].to_numpy(dtype=object), keys["drug_b"].to_numpy(dtype=object)

    def stack(field):  # (B, S) -> block-major ravel
        cols = [np.asarray(getattr(sc.me[k], field)) for k, _ in series]
        return np.stack(
            [c if r is None else c[:, r] for c, (_, r) in zip(cols, series, strict=True)], 1
        ).ravel()

    names = np.stack(
        [
            da if k == "a" else db if k == "b" else da + "+" + db + f" 1:{des.ratios[r]:.4g}"
            for k, r in series
        ],
        1,
    ).ravel()
    rb = np.repeat(np.arange(B), S)
    out = {c: keys[c].to_numpy()[rb] for c in keys.columns}
    out["group"] = np.array([b.label.split(": ", 1)[-1] for b in blks], dtype=object)[rb]
    out["series"] = names
    out["kind"] = np.tile(["single" if k != "rays" else "mixture" for k, _ in series], B)
    out["ratio"] = np.tile([np.nan if r is None else des.ratios[r] for _, r in series], B)
    out["m"], out["dm"], out["r"], out["r2"] = stack("m"), stack("dm"), stack("r"), stack("r2")
    out["n"], out["n_dropped"] = stack("n").astype(int), stack("n_dropped").astype(int)
    out["fit_ok"] = stack("ok")
    return pd.DataFrame(out)
