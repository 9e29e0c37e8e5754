"""The eight claims of the paper that ``tallrx reproduce`` re-derives, with pre-registered rules.

Each :class:`Claim` holds the paper's statement and the decision rule, written before any result
was looked at (DESIGN.md, "Claims `tallrx reproduce` must re-derive"; van der Zwet et al.,
Leukemia 2021). Each ``evaluate_claimN`` is a pure function of ANALYSIS RESULT TABLES (curves,
strata, regression fits, blot ratios, relative expression, co-IP binding, combinations) -- the
same tables a lab gets from its real files -- never of model internals. It returns a
:class:`Verdict`: ``held`` and the numbers that decided it.

Thresholds are named constants below; the rule texts quote them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from tallrx._result import json_safe
from tallrx.reproduce._tables import (
    drug_mask,
    is_on,
    line_of,
    mean_by,
    numeric,
    own_reference,
    ratio,
    untreated,
    with_only,
)

__all__ = [
    "CLAIMS",
    "Claim",
    "Verdict",
    "not_run",
    "evaluate_claim1",
    "evaluate_claim2",
    "evaluate_claim3",
    "evaluate_claim4",
    "evaluate_claim5",
    "evaluate_claim6",
    "evaluate_claim7",
    "evaluate_claim8",
]

# ----------------------------------------------------------------------------- thresholds
CYSTEINE_IL7R = ("IL7R_PILT240-244RFCPH", "IL7R_LT243-244LMCPT", "IL7R_PIL240-242QSPSC")
ACTIVATING = (*CYSTEINE_IL7R, "JAK1_R724H", "JAK1_T901A", "NRAS_G12D")
NON_SIGNALLING_IL7R = ("IL7R_WT", "IL7R_V253GPSL")
#: claim 1: "strongly raised" resistance = prednisolone AUC(+dox) / AUC(-dox) at least this
RESISTANCE_FOLD = 1.5
#: claim 1: "did not affect" the steroid response = AUC fold inside (1/x, x)
UNCHANGED_FOLD = 1.2
#: claims 1-2: ERK "activated" = pERK/ERK ratio raised at least this fold; "not" = below 1.5
ERK_ACTIVATED_FOLD = 2.0
ERK_UNCHANGED_FOLD = 1.5
IL7_PERK_FOLD = 1.5
#: claim 2: IL7-responsive share of the cohort (paper: 12 of 46 = 26 %)
RESPONSIVE_SHARE = (0.20, 0.33)
#: claim 2: share of the blotted PDX samples (Fig. 1E: 3 + 2) whose pERK must rise with IL7
IL7_PERK_SHARE = 0.8
#: claim 3: phospho shift of BIM-EL / BIM-L on induction (upper-band fraction, absolute rise)
SHIFT_RISE = 0.2
#: claim 3: BIM-S "never shifted" = upper-band fraction at most this in every lane
BIM_S_MAX_SHIFT = 0.05
#: claim 3: a MEK inhibitor "blocks" = pERK ratio and BIM-EL shift at most this share of untreated
BLOCKED_SHARE = 0.5
#: claim 3: dose dependence = Spearman rho of upper-band fraction vs dose at most this
DOSE_RHO = -0.8
#: claim 3: "non-toxic" = 4-day viability of the same line at least this (% of vehicle)
NON_TOXIC_VIABILITY = 80.0
#: claim 4: BIM mRNA fold with prednisolone (paper: "4- to 10-fold"), MCL1 "increased"
BIM_FOLD_RANGE = (4.0, 10.0)
MCL1_FOLD = 1.3
#: claim 5: a co-IP change counts when consistent in every replicate and at least this fold
BINDING_FOLD = 1.2
BCL2_FAMILY = ("BCL2", "BCL2L1", "MCL1")  # HGNC: BCLXL = BCL2L1
#: claim 5: bortezomib "moderately" raises BIM and stabilizes MCL1 (blot, fold over untreated)
PROTEASOME_FOLD = 1.2
#: claim 6: a sample "responds" when its AUC is below this share of the window maximum
RESPONSE_AUC_SHARE = 0.75
MEK_RESPONDER_SHARE = 0.5
MEK_INHIBITORS = ("selumetinib", "trametinib", "binimetinib")
#: claim 7: significance level of the delta-AUC regression
ALPHA = 0.05
#: claim 8: synergy calls of the calibrated test
SYNERGY_CALLS = ("synergy", "strong synergy")
RUX_INDEPENDENT_MAX = 1
MIN_GROUP = 3


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim: ``held`` (None = not run), evidence and a one-line summary."""

    held: bool | None
    evidence: Mapping = field(default_factory=dict)
    summary: str = ""

    @property
    def status(self) -> str:
        return "not run" if self.held is None else ("held" if self.held else "not held")


def not_run(reason: str) -> Verdict:
    """A verdict for a claim whose experiment could not run (never a faked result)."""
    return Verdict(None, {"reason": reason}, f"not run: {reason}")


@dataclass(frozen=True)
class Claim:
    """One claim: id, paper figure, the paper's statement and the pre-registered rule."""

    id: int
    figure: str
    statement: str
    rule: str
    inputs: tuple[str, ...]
    evaluate: Callable[..., Verdict] = field(repr=False, compare=False)

    def record(self, verdict: Verdict) -> dict:
        """The claims.json entry: id, figure, statement, rule, status, held, summary, evidence."""
        return json_safe(
            {
                "id": self.id,
                "figure": self.figure,
                "statement": self.statement,
                "rule": self.rule,
                "status": verdict.status,
                "held": verdict.held,
                "summary": verdict.summary,
                "evidence": dict(verdict.evidence),
            }
        )


# ----------------------------------------------------------------------------- helpers
def _finite(x: float) -> bool:
    return x is not None and math.isfinite(x)


def _fmt(x: float, spec: str = ".2f") -> str:
    return format(x, spec) if _finite(x) else "NA"


def _dox_fold(df: pd.DataFrame, value: str, lines: list[str]) -> dict[str, dict]:
    """Per line: mean ``value`` without and with doxycycline and their ratio."""
    d = df.assign(_line=line_of(df), _dox=is_on(df["dox"]) if "dox" in df else False)
    means = mean_by(d, ["_line", "_dox"], value)
    out = {}
    for g in lines:
        off = float(means.get((g, False), np.nan))
        on = float(means.get((g, True), np.nan))
        out[g] = {"without_dox": off, "with_dox": on, "fold": ratio(on, off)}
    return out


def _count(parts: Mapping[str, Mapping]) -> int:
    """How many evidence entries came out as expected."""
    return sum(bool(v.get("as_expected")) for v in parts.values())


def _required(n: int) -> int:
    """'At least 5 of 6': all but at most one of the ``n`` samples."""
    return max(n - 1, 0)


# ----------------------------------------------------------------------------- claim 1
def evaluate_claim1(curves: pd.DataFrame, perk: pd.DataFrame) -> Verdict:
    """Fig. 1A-C. ``curves``: prednisolone curves of the SUPT-1 lines (genotype or sample, dox,
    drug_a, auc). ``perk``: pERK/ERK ratios per lane (genotype or sample, dox, drug columns,
    ratio) from :func:`tallrx.analysis.assays.blots.phospho_ratio`."""
    pred = own_reference(curves)[drug_mask(own_reference(curves), "prednisolone")]
    lanes = perk[untreated(perk)]
    expected = {g: "raised" for g in ACTIVATING}
    expected.update({g: "unchanged" for g in ("parental", *NON_SIGNALLING_IL7R)})
    lines = sorted(set(line_of(pred)) | set(line_of(lanes)))
    auc = _dox_fold(pred, "auc", lines)
    erk = _dox_fold(lanes, "ratio", lines)
    rows, ok = {}, True
    for g in lines:
        a, e = auc[g]["fold"], erk[g]["fold"]
        want = expected.get(g, "reported")
        if want == "raised":
            good = _finite(a) and a >= RESISTANCE_FOLD and _finite(e) and e >= ERK_ACTIVATED_FOLD
        elif want == "unchanged":
            good = _finite(a) and 1 / UNCHANGED_FOLD < a < UNCHANGED_FOLD
            if g in NON_SIGNALLING_IL7R:
                good = good and _finite(e) and e < ERK_UNCHANGED_FOLD
        else:
            good = True
        if want != "reported":
            ok &= bool(good)
        rows[g] = {
            "expected": want,
            "auc_without_dox": auc[g]["without_dox"],
            "auc_with_dox": auc[g]["with_dox"],
            "auc_fold": a,
            "perk_fold": e,
            "as_expected": bool(good) if want != "reported" else None,
        }
    missing = [g for g in expected if g not in rows]
    ok &= not missing
    bad = [g for g, r in rows.items() if r["as_expected"] is False]
    summary = (
        f"resistance and pERK raised in {sum(rows[g]['as_expected'] is True for g in ACTIVATING if g in rows)}"
        f" of {len(ACTIVATING)} activating genotypes; "
        + (f"not as expected: {', '.join(bad)}" if bad else "all genotypes as expected")
        + (f"; missing: {', '.join(missing)}" if missing else "")
    )
    return Verdict(ok, {"genotypes": rows, "missing": missing}, summary)


# ----------------------------------------------------------------------------- claim 2
def evaluate_claim2(strata: pd.DataFrame, perk: pd.DataFrame) -> Verdict:
    """Fig. 1D-E. ``strata``: :func:`tallrx.analysis.doseresponse.stratify.stratify_il7` table (prednisolone).
    ``perk``: pERK/ERK ratios of the blotted PDX samples (sample, il7, ratio)."""
    s = strata[drug_mask(strata, "prednisolone")] if "drug_a" in strata else strata
    fold = numeric(s["auc_fold"])
    called = np.isfinite(fold)
    responsive = is_on(s["il7_responsive"]) & called
    n, k = int(called.sum()), int(responsive.sum())
    share = k / n if n else float("nan")
    share_ok = _finite(share) and RESPONSIVE_SHARE[0] <= share <= RESPONSIVE_SHARE[1]

    lanes = perk[untreated(perk)]
    lanes = lanes.assign(_il7=is_on(lanes["il7"]))
    means = mean_by(lanes, ["sample", "_il7"], "ratio")
    per_sample = {}
    for smp in sorted(set(lanes["sample"].astype("str"))):
        per_sample[smp] = ratio(
            float(means.get((smp, True), np.nan)), float(means.get((smp, False), np.nan))
        )
    raised = [smp for smp, f in per_sample.items() if _finite(f) and f >= IL7_PERK_FOLD]
    perk_ok = bool(per_sample) and len(raised) >= IL7_PERK_SHARE * len(per_sample) - 1e-9
    evidence = {
        "n_samples": n,
        "n_il7_responsive": k,
        "responsive_share": share,
        "share_in_range": bool(share_ok),
        "perk_fold_with_il7": per_sample,
        "n_perk_raised": len(raised),
        "n_blotted": len(per_sample),
    }
    summary = (
        (
            f"{k} of {n} samples IL7-responsive ({100 * share:.0f} %; paper 12 of 46, 26 %); "
            f"IL7 raised pERK >= {IL7_PERK_FOLD:g}-fold in {len(raised)} of {len(per_sample)} blotted"
            " samples"
        )
        if n
        else "no prednisolone AUC pairs in the strata table"
    )
    return Verdict(bool(share_ok and perk_ok), evidence, summary)


# ----------------------------------------------------------------------------- claim 3
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


# ----------------------------------------------------------------------------- claim 4
BIM_NAMES = ("BCL2L11", "BIM")


def evaluate_claim4(expression: pd.DataFrame) -> Verdict:
    """Fig. 3. ``expression``: :func:`tallrx.analysis.assays.qpcr.relative_expression` table (baseline:
    each line's non-induced, untreated cells; columns genotype/sample, dox, prednisolone, target,
    relative_expression)."""
    e = expression.assign(
        _line=line_of(expression),
        _dox=is_on(expression["dox"]),
        _pred=is_on(expression["prednisolone"]),
        _t=expression["target"].astype("str").str.upper(),
    )
    bim = e[e["_t"].isin(BIM_NAMES)]
    mcl1 = e[e["_t"] == "MCL1"]
    mb = mean_by(bim, ["_line", "_dox", "_pred"], "relative_expression")
    mm = mean_by(mcl1, ["_line", "_dox", "_pred"], "relative_expression")
    rows, ok = {}, bool(len(bim) and len(mcl1))
    for g in sorted(set(e["_line"])):
        for dox in (False, True):
            b = float(mb.get((g, dox, True), np.nan))
            m = ratio(float(mm.get((g, dox, True), np.nan)), float(mm.get((g, dox, False), np.nan)))
            if not (_finite(b) or _finite(m)):
                continue
            good_b = _finite(b) and BIM_FOLD_RANGE[0] <= b <= BIM_FOLD_RANGE[1]
            good_m = _finite(m) and m >= MCL1_FOLD
            ok &= bool(good_b and good_m)
            rows[f"{g} {'+dox' if dox else '-dox'}"] = {
                "bim_fold": b,
                "mcl1_fold": m,
                "bim_ok": bool(good_b),
                "mcl1_ok": bool(good_m),
            }
    ok &= bool(rows)
    n_b = sum(r["bim_ok"] for r in rows.values())
    n_m = sum(r["mcl1_ok"] for r in rows.values())
    folds = [r["bim_fold"] for r in rows.values() if _finite(r["bim_fold"])]
    summary = (
        f"BIM mRNA fold with prednisolone in [{BIM_FOLD_RANGE[0]:g}, {BIM_FOLD_RANGE[1]:g}] in "
        f"{n_b} of {len(rows)} line x dox groups (range {_fmt(min(folds, default=np.nan))}-"
        f"{_fmt(max(folds, default=np.nan))}); MCL1 up >= {MCL1_FOLD:g}-fold in {n_m} of {len(rows)}"
    )
    return Verdict(ok, {"groups": rows}, summary)


# ----------------------------------------------------------------------------- claim 5
def _binding_changes(binding: pd.DataFrame, by: list[str]) -> dict:
    """Per (by columns..., protein): fold of the test over the reference group and direction."""
    t = binding[binding["group"].astype("str") == "test"]
    out = {}
    for _, r in t.iterrows():
        key = tuple(str(r[c]) for c in by) + (str(r["protein"]),)
        fc = float(r["log2_fc"]) if pd.notna(r["log2_fc"]) else float("nan")
        out[key] = {
            "fold": 2.0**fc if np.isfinite(fc) else (0.0 if fc == -np.inf else np.nan),
            "direction": str(r["direction"]),
        }
    return out


def _changed(c: dict | None, direction: str) -> bool:
    if not c:
        return False
    f = c["fold"]
    if direction == "up":
        return c["direction"] == "up" and _finite(f) and f >= BINDING_FOLD
    return c["direction"] == "down" and _finite(f) and f <= 1 / BINDING_FOLD


LOADING_CONTROLS = ("GAPDH", "ACTB", "TUBB", "TUBULIN", "ACTIN")


def _bim_level(blots: pd.DataFrame) -> pd.DataFrame:
    """Per lane: total BIM (sum of every BIM band, upper and lower) and MCL1, each divided by the
    loading control when the blot has one; plus the lane's condition columns."""
    key = ["blot", "lane"]
    b = blots.assign(_t=blots["target"].astype("str").str.upper(), _v=numeric(blots["intensity"]))
    wide = b.pivot_table(index=key, columns="_t", values="_v", aggfunc="sum")
    bim_cols = [c for c in wide.columns if "BIM" in c]
    out = pd.DataFrame(
        {
            "BIM": wide[bim_cols].sum(axis=1, min_count=1) if bim_cols else np.nan,
            "MCL1": wide["MCL1"] if "MCL1" in wide else np.nan,
        },
        index=wide.index,
    )
    load = [c for c in LOADING_CONTROLS if c in wide.columns]
    if load:
        out = out.div(wide[load[0]], axis=0)
    cols = [c for c in blots.columns if c in ("bortezomib", "prednisolone", "dox", "sample")]
    info = blots.drop_duplicates(key).set_index(key)[cols]
    return out.join(info).reset_index()


def evaluate_claim5(
    binding_dox: pd.DataFrame,
    binding_drug: pd.DataFrame,
    binding_btz: pd.DataFrame,
    blots_btz: pd.DataFrame,
) -> Verdict:
    """Fig. 4, Suppl. Fig. 3b/4e. Inputs are :func:`tallrx.analysis.assays.coip.score_binding` tables:
    ``binding_dox`` (NRAS G12D, compare dox within prednisolone), ``binding_drug`` (induced,
    prednisolone-treated JAK1 T901A and NRAS G12D, compare ``treatment`` none / ruxolitinib /
    selumetinib within genotype), ``binding_btz`` (induced NRAS G12D, compare bortezomib), and
    the bortezomib western ``blots_btz`` (blots table: BIM bands, MCL1, loading control)."""
    ev: dict = {}
    ok = True
    within = [c for c in ("prednisolone",) if c in binding_dox]
    lost = _binding_changes(binding_dox, within)
    ev["phospho_bim_loss"] = {" ".join(k): v for k, v in lost.items() if k[-1] in BCL2_FAMILY}
    levels = sorted({k[:-1] for k in lost})
    for lev in levels or [()]:
        for p in BCL2_FAMILY:
            ok &= _changed(lost.get((*lev, p)), "down")
    n_lost = sum(_changed(lost.get((*lev, p)), "down") for lev in levels for p in BCL2_FAMILY)

    drug = _binding_changes(binding_drug, ["genotype", "treatment"])
    expect = {
        ("JAK1_T901A", "selumetinib"): True,
        ("NRAS_G12D", "selumetinib"): True,
        ("JAK1_T901A", "ruxolitinib"): True,
        ("NRAS_G12D", "ruxolitinib"): False,
    }
    rest = {}
    for (g, d), want in expect.items():
        got = [_changed(drug.get((g, d, p)), "up") for p in BCL2_FAMILY]
        good = all(got) if want else not any(got)
        ok &= good
        rest[f"{g} + {d}"] = {
            "expected": "restored" if want else "not restored",
            "restored_partners": [p for p, x in zip(BCL2_FAMILY, got, strict=True) if x],
            "folds": {p: (drug.get((g, d, p)) or {}).get("fold") for p in BCL2_FAMILY},
            "as_expected": bool(good),
        }
    ev["restoration"] = rest

    btz = _binding_changes(binding_btz, [c for c in ("prednisolone",) if c in binding_btz])
    bcl2_up = [k for k, v in btz.items() if k[-1] == "BCL2" and _changed(v, "up")]
    ev["bortezomib_bcl2_binding"] = {" ".join(k): v for k, v in btz.items() if k[-1] == "BCL2"}
    ok &= bool(btz) and not bcl2_up
    lv = _bim_level(blots_btz)
    treated = is_on(lv["bortezomib"]) if "bortezomib" in lv else np.zeros(len(lv), bool)
    bim_fold = ratio(lv.loc[treated, "BIM"].mean(), lv.loc[~treated, "BIM"].mean())
    mcl1_fold = ratio(lv.loc[treated, "MCL1"].mean(), lv.loc[~treated, "MCL1"].mean())
    ev["bortezomib_blot"] = {"bim_fold": bim_fold, "mcl1_fold": mcl1_fold}
    ok &= _finite(bim_fold) and bim_fold >= PROTEASOME_FOLD
    ok &= _finite(mcl1_fold) and mcl1_fold >= PROTEASOME_FOLD
    summary = (
        f"phospho-BIM lost binding to {n_lost} of {len(BCL2_FAMILY) * max(len(levels), 1)} "
        f"partner x prednisolone pairs; restoration as expected in {_count(rest)} of {len(rest)} "
        f"line x drug pairs; bortezomib: BIM x{_fmt(bim_fold)}, MCL1 x{_fmt(mcl1_fold)}, "
        f"BCL2 binding {'restored' if bcl2_up else 'not restored'}"
    )
    return Verdict(bool(ok), ev, summary)


# ----------------------------------------------------------------------------- claim 6
def evaluate_claim6(curves: pd.DataFrame) -> Verdict:
    """Fig. 5A. ``curves``: cohort curves (sample, il7, drug_a, auc, auc_max), own vehicle."""
    c = own_reference(curves)
    if "il7" in c:
        c = c[~is_on(c["il7"])]
    share = numeric(c["auc"]) / numeric(c["auc_max"])
    c = c.assign(_share=share)
    ev, ok = {}, True
    for drug in ("ruxolitinib", *MEK_INHIBITORS):
        d = c[drug_mask(c, drug)]
        good = np.isfinite(d["_share"].to_numpy(dtype=float))
        resp = d["_share"].to_numpy(dtype=float)[good] < RESPONSE_AUC_SHARE
        n, k = int(good.sum()), int(resp.sum())
        ev[drug] = {
            "n": n,
            "responders": k,
            "share": k / n if n else float("nan"),
            "median_auc_share": float(np.median(d["_share"][good])) if n else float("nan"),
        }
        if drug == "ruxolitinib":
            ok &= n > 0 and k == 0
        else:
            ok &= n > 0 and k >= MEK_RESPONDER_SHARE * n
    summary = (
        f"without IL7: {ev['ruxolitinib']['responders']} of {ev['ruxolitinib']['n']} respond to "
        "ruxolitinib; MEK inhibitor responders: "
        + ", ".join(f"{d} {ev[d]['responders']}/{ev[d]['n']}" for d in MEK_INHIBITORS)
    )
    return Verdict(bool(ok), ev, summary)


# ----------------------------------------------------------------------------- claim 7
def evaluate_claim7(regression: pd.DataFrame) -> Verdict:
    """Fig. 5B. ``regression``: delta-AUC fits per drug (drug_a or drug, slope, r2, p, n) from
    :func:`tallrx.analysis.doseresponse.stratify.delta_auc_regression` over the IL7-dependent samples."""
    col = "drug_a" if "drug_a" in regression else "drug"
    fits = {str(r[col]).lower(): r for _, r in regression.iterrows()}
    ev = {}
    for d in ("ruxolitinib", "selumetinib"):
        r = fits.get(d)
        ev[d] = {
            k: (float(r[k]) if r is not None and pd.notna(r[k]) else float("nan"))
            for k in ("slope", "r2", "p")
        }
        ev[d]["n"] = int(r["n"]) if r is not None and pd.notna(r["n"]) else 0
    rux, sel = ev["ruxolitinib"], ev["selumetinib"]
    rux_ok = _finite(rux["p"]) and rux["p"] < ALPHA and rux["slope"] < 0
    sel_ok = _finite(sel["p"]) and sel["p"] >= ALPHA
    ok = bool(rux_ok and sel_ok and rux["n"] >= MIN_GROUP)
    summary = (
        f"ruxolitinib: slope {_fmt(rux['slope'], '.4f')}, R2 {_fmt(rux['r2'])}, p "
        f"{_fmt(rux['p'], '.3g')} (n {rux['n']}); selumetinib: slope {_fmt(sel['slope'], '.4f')},"
        f" R2 {_fmt(sel['r2'])}, p {_fmt(sel['p'], '.3g')} (n {sel['n']})"
    )
    return Verdict(ok, ev, summary)


# ----------------------------------------------------------------------------- claim 8
def _pair(df: pd.DataFrame, other: str) -> pd.Series:
    a = df["drug_a"].astype("str").str.lower()
    b = df["drug_b"].astype("str").str.lower()
    return ((a == "prednisolone") & (b == other)) | ((b == "prednisolone") & (a == other))


def evaluate_claim8(combinations: pd.DataFrame, groups: pd.DataFrame) -> Verdict:
    """Fig. 5C. ``combinations``: :func:`tallrx.analysis.synergy.score_synergy` table (sample,
    il7, drug_a, drug_b, ci_mean, call, p_value); ``groups``: sample, group ('IL7-dependent' or
    'IL7-independent'), the steroid-resistant samples chosen from the strata."""
    grp = dict(zip(groups["sample"].astype("str"), groups["group"].astype("str"), strict=True))
    c = combinations.assign(_s=combinations["sample"].astype("str"))
    c = c[c["_s"].isin(grp)]
    plus = c[is_on(c["il7"])] if "il7" in c else c
    ev: dict = {}
    counts = {}
    for other in ("selumetinib", "ruxolitinib"):
        for g in ("IL7-dependent", "IL7-independent"):
            members = sorted(s for s, x in grp.items() if x == g)
            rows = plus[_pair(plus, other) & plus["_s"].isin(members)]
            per = {
                r["_s"]: {
                    "call": str(r["call"]),
                    "ci_mean": r.get("ci_mean"),
                    "p_value": r.get("p_value"),
                    "naive_call": r.get("naive_call"),
                }
                for _, r in rows.iterrows()
            }
            syn = [s for s, v in per.items() if v["call"] in SYNERGY_CALLS]
            counts[(other, g)] = (len(syn), len(members))
            ev[f"prednisolone + {other}, {g}, +IL7"] = {
                "n_samples": len(members),
                "n_synergy": len(syn),
                "samples": per,
            }
        minus = c[~is_on(c["il7"])] if "il7" in c else c.iloc[0:0]
        m = minus[_pair(minus, other)]
        ev[f"prednisolone + {other}, -IL7"] = {
            "n_samples": int(m["_s"].nunique()),
            "n_synergy": int(m["call"].astype("str").isin(SYNERGY_CALLS).sum()),
        }
    sd, nd = counts[("selumetinib", "IL7-dependent")]
    si, ni = counts[("selumetinib", "IL7-independent")]
    rd, _ = counts[("ruxolitinib", "IL7-dependent")]
    ri, _ = counts[("ruxolitinib", "IL7-independent")]
    ok = (
        nd >= MIN_GROUP
        and ni >= MIN_GROUP
        and sd >= _required(nd)
        and si >= _required(ni)
        and rd >= _required(nd)
        and ri <= RUX_INDEPENDENT_MAX
    )
    summary = (
        f"+IL7 synergy calls: prednisolone + selumetinib {sd}/{nd} IL7-dependent, {si}/{ni} "
        f"IL7-independent; prednisolone + ruxolitinib {rd}/{nd} IL7-dependent, {ri}/{ni} "
        "IL7-independent"
    )
    return Verdict(bool(ok), ev, summary)


# ----------------------------------------------------------------------------- the list
CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "Fig. 1A-C",
        "Cysteine-mutant IL7R (not WT, not V253GPSL) raise prednisolone resistance; so do JAK1 "
        "R724H/T901A and NRAS G12D, and each of these activates ERK.",
        f"On doxycycline induction (4-day prednisolone 0.00822-250 ug/ml viability, AUC of each "
        f"condition normalized to its own vehicle): each of the 3 cysteine IL7R mutants, JAK1 R724H,"
        f" JAK1 T901A and NRAS G12D raises the AUC >= {RESISTANCE_FOLD:g}-fold AND raises the "
        f"pERK/ERK blot ratio >= {ERK_ACTIVATED_FOLD:g}-fold; parental, IL7R WT and IL7R V253GPSL "
        f"change the AUC less than {UNCHANGED_FOLD:g}-fold either way, and IL7R WT / V253GPSL raise"
        f" pERK/ERK less than {ERK_UNCHANGED_FOLD:g}-fold. Other lines are reported only.",
        ("curves", "perk"),
        evaluate_claim1,
    ),
    Claim(
        2,
        "Fig. 1D-E",
        "IL7 raises pERK in PDX cells; about 26 % of the cohort is IL7-responsive (prednisolone "
        "AUC fold > 1.5).",
        f"Between {RESPONSIVE_SHARE[0]:.0%} and {RESPONSIVE_SHARE[1]:.0%} of the 46 samples are "
        "IL7-responsive (AUC(+IL7)/AUC(-IL7) > 1.5, +IL7 normalized to the -IL7 vehicle) AND IL7 "
        f"(25 ng/ml, 30 min) raises pERK/ERK >= {IL7_PERK_FOLD:g}-fold in at least "
        f"{IL7_PERK_SHARE:.0%} of the blotted samples (Fig. 1E: 3 IL7-dependent and 2 "
        "IL7-independent steroid-resistant samples, i.e. 4 of 5).",
        ("strata", "perk"),
        evaluate_claim2,
    ),
    Claim(
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
    ),
    Claim(
        4,
        "Fig. 3",
        "Prednisolone raises BIM mRNA 4-10 fold whether or not the mutant is induced; MCL1 rises "
        "too.",
        f"In every line tested (JAK1 and IL7R lines, -dox and +dox), overnight prednisolone "
        f"250 ug/ml gives BIM (BCL2L11) relative expression in [{BIM_FOLD_RANGE[0]:g}, "
        f"{BIM_FOLD_RANGE[1]:g}] (qPCR, GAPDH reference, baseline = the line's non-induced "
        f"untreated cells) AND MCL1 >= {MCL1_FOLD:g}-fold over the same line and dox state "
        "without prednisolone.",
        ("expression",),
        evaluate_claim4,
    ),
    Claim(
        5,
        "Fig. 4",
        "Phospho-BIM binds less BCL2, BCLXL and MCL1 (bait-normalized co-IP); selumetinib restores"
        " binding in JAK1 and NRAS mutants, ruxolitinib only in the JAK1 mutant; bortezomib "
        "raises BIM but does not restore binding.",
        f"A binding change counts when every replicate moves the same way (the paper's criterion)"
        f" and the bait-normalized ratio changes >= {BINDING_FOLD:g}-fold. (a) NRAS G12D +dox vs "
        "-dox: BCL2, BCLXL and MCL1 lose binding, with and without prednisolone. (b) +dox "
        "+prednisolone: selumetinib 10 uM restores all three in JAK1 T901A and NRAS G12D; "
        "ruxolitinib 2 uM restores all three in JAK1 T901A and none in NRAS G12D. (c) Bortezomib "
        f"in induced NRAS G12D raises total BIM and MCL1 >= {PROTEASOME_FOLD:g}-fold on the blot "
        "and does not restore BIM-BCL2 binding.",
        ("binding_dox", "binding_drug", "binding_btz", "blots_btz"),
        evaluate_claim5,
    ),
    Claim(
        6,
        "Fig. 5A",
        "Without IL7 no PDX responds to ruxolitinib alone; most respond to MEK inhibitors.",
        f"Without IL7, a sample responds when its AUC is < {RESPONSE_AUC_SHARE:.0%} of the window "
        f"maximum (4-day viability, own vehicle): 0 samples respond to ruxolitinib AND >= "
        f"{MEK_RESPONDER_SHARE:.0%} respond to each of selumetinib, trametinib and binimetinib.",
        ("curves",),
        evaluate_claim6,
    ),
    Claim(
        7,
        "Fig. 5B",
        "Ruxolitinib sensitivity gain correlates with IL7-enhanced viability in IL7-dependent "
        "samples (significant); selumetinib's does not.",
        f"Over the IL7-dependent steroid-resistant samples (>= {MIN_GROUP}), OLS of delta AUC "
        "(AUC +IL7 / AUC -IL7, own vehicle) on IL7-enhanced viability: ruxolitinib slope < 0 with"
        f" p < {ALPHA:g} AND selumetinib p >= {ALPHA:g}.",
        ("regression",),
        evaluate_claim7,
    ),
    Claim(
        8,
        "Fig. 5C",
        "Prednisolone + selumetinib is synergistic (mean CI < 0.8) in both IL7-dependent and "
        "IL7-independent steroid-resistant samples; prednisolone + ruxolitinib only where IL7 "
        "drives the resistance.",
        "With IL7, in the (up to) 6 IL7-dependent and 6 IL7-independent steroid-resistant "
        "samples (>= 3 each): calibrated synergy call (null-calibrated window-mean CI, alpha "
        "0.05) for prednisolone + selumetinib in all but at most one sample of each group (5 of "
        "6) AND prednisolone + ruxolitinib synergy in all but at most one IL7-dependent sample "
        f"but in at most {RUX_INDEPENDENT_MAX} IL7-independent sample.",
        ("combinations", "groups"),
        evaluate_claim8,
    ),
)
