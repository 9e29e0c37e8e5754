"""Claim 3 (Fig. 2, Suppl. Fig. 2): ERK phosphorylates BIM-EL / BIM-L, never BIM-S, and MEK
inhibitors block it dose-dependently at non-toxic doses. Thresholds beside the claim."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from tallrx.reproduce._tables import (
    drug_mask,
    is_on,
    line_of,
    numeric,
    ratio,
    untreated,
    with_only,
)
from tallrx.reproduce.claims._base import Claim, Verdict, _count, _finite, _fmt

__all__ = ["CLAIM3", "evaluate_claim3"]

#: phospho shift of BIM-EL / BIM-L on induction (upper-band fraction, absolute rise)
SHIFT_RISE = 0.2
#: BIM-S "never shifted" = upper-band fraction at most this in every lane
BIM_S_MAX_SHIFT = 0.05
#: a MEK inhibitor "blocks" = pERK ratio and BIM-EL shift at most this share of untreated
BLOCKED_SHARE = 0.5
#: dose dependence = Spearman rho of upper-band fraction vs dose at most this
DOSE_RHO = -0.8
#: "non-toxic" = 4-day viability of the same line at least this (% of vehicle)
NON_TOXIC_VIABILITY = 80.0


def _shift_of(shift: pd.DataFrame, isoform: str) -> pd.DataFrame:
    return shift[shift["isoform"].astype("str") == isoform]


def _dose_series(shift: pd.DataFrame, line: str, drug: str) -> dict:
    d = shift[(line_of(shift) == line) & is_on(shift["dox"])]
    d = d[untreated(d, keep=(drug,))] if drug in d else d.iloc[0:0]
    el = _shift_of(d, "BIM-EL")
    dose = numeric(el[drug])
    frac = numeric(el["fraction"])
    order = np.argsort(dose, kind="stable")
    dose, frac = dose[order], frac[order]
    out = {"doses_um": dose.tolist(), "bim_el_upper_fraction": frac.tolist()}
    if len(dose) < 3 or not np.isfinite(frac).all():
        out.update(rho=float("nan"), half_dose_um=float("nan"))
        return out
    rho = float(stats.spearmanr(dose, frac).statistic) if np.ptp(frac) > 0 else float("nan")
    base = frac[dose == 0].mean() if (dose == 0).any() else np.nan
    halved = dose[(dose > 0) & (frac <= BLOCKED_SHARE * base)]
    out.update(rho=rho, half_dose_um=float(halved.min()) if halved.size else float("nan"))
    return out


def _viability_at(viability: pd.DataFrame, line: str, drug: str, dose: float) -> float:
    """Mean 4-day viability (% of vehicle) of the induced line at ``dose`` (log-interpolated)."""
    v = viability[(line_of(viability) == line) & drug_mask(viability, drug)]
    if "dox" in v:
        v = v[is_on(v["dox"])]
    if "role" in v:
        v = v[v["role"].astype("str") == "treated"]
    if "exclude" in v:
        v = v[~is_on(v["exclude"])]
    if v.empty or not _finite(dose) or dose <= 0:
        return float("nan")
    m = v.assign(_c=numeric(v["conc_a"])).groupby("_c")["viability"].mean()
    m = m[m.index > 0]
    return float(np.interp(np.log10(dose), np.log10(m.index.to_numpy()), m.to_numpy()))


def evaluate_claim3(shift: pd.DataFrame, perk: pd.DataFrame, viability: pd.DataFrame) -> Verdict:
    """Fig. 2. ``shift``: upper-band fractions per lane (genotype/sample, dox, drug columns,
    isoform BIM-EL / BIM-L / BIM-S, fraction). ``perk``: pERK/ERK ratios of the same lanes.
    ``viability``: 4-day viability wells of the induced lines with the MEK inhibitors."""
    ev: dict = {}
    ok = True
    # (a) induction shifts BIM-EL and BIM-L, never BIM-S
    rest = shift[untreated(shift)]
    induced = {}
    for g in ("JAK1_R724H", "JAK1_T901A"):
        for iso in ("BIM-EL", "BIM-L"):
            x = _shift_of(rest, iso)
            x = x[line_of(x) == g]
            on = numeric(x.loc[is_on(x["dox"]), "fraction"]).mean() if len(x) else np.nan
            off = numeric(x.loc[~is_on(x["dox"]), "fraction"]).mean() if len(x) else np.nan
            good = bool(_finite(on - off) and on - off >= SHIFT_RISE)
            induced[f"{g} {iso}"] = {
                "without_dox": off,
                "with_dox": on,
                "rise": on - off,
                "as_expected": good,
            }
            ok &= good
    ev["induction_shift"] = induced
    s_frac = numeric(_shift_of(shift, "BIM-S")["fraction"])
    ev["bim_s_max_upper_fraction"] = float(np.nanmax(s_frac)) if s_frac.size else float("nan")
    ev["bim_s_lanes"] = int(s_frac.size)
    ok &= bool(s_frac.size and np.nanmax(s_frac) <= BIM_S_MAX_SHIFT)
    # (b) CI1040 2 uM blocks pERK and the BIM-EL shift in the induced JAK1 mutants
    blocked = {}
    for g in ("JAK1_R724H", "JAK1_T901A"):
        p = perk[(line_of(perk) == g) & is_on(perk["dox"])]
        e = _shift_of(shift, "BIM-EL")
        e = e[(line_of(e) == g) & is_on(e["dox"])]
        r_erk = ratio(
            numeric(p.loc[with_only(p, "ci1040"), "ratio"]).mean(),
            numeric(p.loc[untreated(p), "ratio"]).mean(),
        )
        r_bim = ratio(
            numeric(e.loc[with_only(e, "ci1040"), "fraction"]).mean(),
            numeric(e.loc[untreated(e), "fraction"]).mean(),
        )
        good = all(_finite(r) and r <= BLOCKED_SHARE for r in (r_erk, r_bim))
        blocked[g] = {"perk_share": r_erk, "bim_el_shift_share": r_bim, "as_expected": good}
        ok &= good
    ev["ci1040"] = blocked
    # (c) selumetinib and trametinib: dose-dependent block at non-toxic doses
    series = {}
    for g in ("JAK1_T901A", "NRAS_G12D"):
        for drug in ("selumetinib", "trametinib"):
            r = _dose_series(shift, g, drug)
            r["viability_at_half_dose"] = _viability_at(viability, g, drug, r["half_dose_um"])
            good = (
                _finite(r["rho"])
                and r["rho"] <= DOSE_RHO
                and _finite(r["viability_at_half_dose"])
                and r["viability_at_half_dose"] >= NON_TOXIC_VIABILITY
            )
            r["as_expected"] = bool(good)
            ok &= bool(good)
            series[f"{g} {drug}"] = r
    ev["dose_series"] = series
    summary = (
        f"induction shift of BIM-EL/BIM-L >= {SHIFT_RISE:g} in {_count(induced)} of "
        f"{len(induced)}; BIM-S max upper fraction {_fmt(ev['bim_s_max_upper_fraction'], '.3f')}; "
        f"CI1040 blocks in {_count(blocked)} of {len(blocked)} lines; dose-dependent non-toxic "
        f"block in {_count(series)} of {len(series)} series"
    )
    return Verdict(bool(ok), ev, summary)


CLAIM3 = Claim(
    3,
    "Fig. 2",
    "ERK activity shifts BIM-EL/BIM-L to phospho forms, not BIM-S; MEK inhibitors (CI1040, "
    "selumetinib, trametinib) block it dose-dependently at non-toxic doses.",
    f"(a) Induced JAK1 R724H and T901A raise the upper-band fraction of BIM-EL and of BIM-L by "
    f">= {SHIFT_RISE:g}; BIM-S upper-band fraction <= {BIM_S_MAX_SHIFT:g} in every lane. "
    f"(b) CI1040 2 uM brings pERK/ERK and the BIM-EL upper-band fraction of both induced JAK1 "
    f"mutants to <= {BLOCKED_SHARE:.0%} of untreated. (c) In induced JAK1 T901A and NRAS G12D, "
    f"the BIM-EL upper-band fraction falls with selumetinib and with trametinib dose (Spearman "
    f"rho <= {DOSE_RHO:g}) and the lowest dose halving it leaves >= {NON_TOXIC_VIABILITY:g} % "
    "4-day viability in the same line.",
    ("shift", "perk", "viability"),
    evaluate_claim3,
)
