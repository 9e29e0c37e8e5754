"""Claim 5 (Fig. 4, Suppl. Fig. 3b / 4e): phospho-BIM binds less BCL2, BCLXL and MCL1; MEK
inhibition restores binding, ruxolitinib only in the JAK1 mutant; bortezomib does not.
Thresholds beside the claim."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.reproduce._tables import is_on, numeric, ratio
from tallrx.reproduce.claims._base import Claim, Verdict, _count, _finite, _fmt

__all__ = ["CLAIM5", "evaluate_claim5"]

#: a co-IP change counts when consistent in every replicate and at least this fold
BINDING_FOLD = 1.2
BCL2_FAMILY = ("BCL2", "BCL2L1", "MCL1")  # HGNC: BCLXL = BCL2L1
#: bortezomib "moderately" raises BIM and stabilizes MCL1 (blot, fold over untreated)
PROTEASOME_FOLD = 1.2


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


CLAIM5 = Claim(
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
)
