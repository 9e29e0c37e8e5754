"""One sample's single-agent screen as the twin fits it: condition means of % viability.

Input: a tidy viability table (the screen's ``viability.csv``): sample, drug_a, conc_a (uM), il7
(ng/ml), viability (% of a vehicle). Optional columns are honoured: ``role`` (vehicle / treated;
blanks dropped), ``exclude`` (excluded wells dropped), ``drug_b`` (combination wells are never
fitted: the twin predicts them), ``reference`` ("own" vehicle or "il7=0", the +IL7 wells as % of
the -IL7 vehicle). Drugs the model does not have are left out (``attrs["skipped_drugs"]``).
With both references present, -IL7 wells come from "own" and +IL7 wells from "il7=0" (the latter also keeps the IL7-enhanced vehicle viability, which carries the IL7 effect).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean

REQUIRED = ("sample", "drug_a", "conc_a", "il7", "viability")
MIN_NOISE_SD = 1.0  # % viability; floor of the replicate SD (few replicates underestimate it)
DEFAULT_NOISE_SD = 8.0  # % viability when no condition has replicates


@dataclass(frozen=True)
class Observations:
    """Condition means of one sample.

    ``conditions``: drug (``""`` = vehicle), conc (uM), il7 (ng/ml), ref_il7 (IL7 of the
    vehicle that is 100 %); ``mean`` (% viability), ``n`` (wells); ``noise_sd`` (% viability,
    pooled replicate SD of one well).
    """

    sample: str
    conditions: pd.DataFrame
    mean: np.ndarray
    n: np.ndarray
    noise_sd: float

    @property
    def se(self) -> np.ndarray:
        """Standard error of each condition mean (% viability)."""
        return self.noise_sd / np.sqrt(self.n)


def _text(s: pd.Series) -> pd.Series:
    return s.astype("object").where(s.notna(), "").astype(str).str.strip()


def clean_table(table: pd.DataFrame, where: str = "viability table") -> pd.DataFrame:
    """Usable single-agent wells: drug, conc, il7, ref_il7, viability (checked)."""
    if len(table) == 0:
        raise InputError(f"{where}: no rows; give the screen's viability.csv")
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise InputError(
            f"{where}: missing column(s) {', '.join(missing)}; a twin needs "
            f"{', '.join(REQUIRED)} (the screen's viability.csv)"
        )
    df = table.copy()
    keep = np.ones(len(df), bool)
    if "role" in df:
        keep &= _text(df["role"]).isin(["treated", "vehicle"]).to_numpy()
    if "exclude" in df:
        keep &= ~df["exclude"].fillna(False).astype(bool).to_numpy()
    if "drug_b" in df:
        keep &= _text(df["drug_b"]).eq("").to_numpy()
    df = df[keep]
    for col in ("conc_a", "il7", "viability"):
        vals = pd.to_numeric(df[col], errors="coerce")
        bad = ~np.isfinite(vals.to_numpy(dtype=float))
        if col != "viability" and bad.any():
            i = df.index[np.flatnonzero(bad)[0]]
            raise InputError(
                f"{where}: row {i + 2}, column '{col}' holds {table.at[i, col]!r}; expected a "
                "number (conc_a in uM, il7 in ng/ml)"
            )
        df[col] = vals
    df = df[np.isfinite(df["viability"].to_numpy(dtype=float))]
    from tallrx.model.genotypes import normalize_drug

    drug = _text(df["drug_a"])
    vehicle = drug.eq("") | df["conc_a"].le(0)
    if "role" in df:
        vehicle |= _text(df["role"]).eq("vehicle")
    names, skipped = {}, []
    for d in sorted(set(drug[~vehicle])):
        try:
            names[d] = normalize_drug(d)
        except InputError:  # a drug the model does not have: nothing to fit it with
            skipped.append(d)
    df["drug"] = np.where(vehicle, "", drug.map(lambda d: names.get(d, "")))
    df = df[vehicle.to_numpy() | drug.isin(list(names)).to_numpy()]
    vehicle = vehicle[df.index]
    df.loc[vehicle, "conc_a"] = 0.0
    ref = _text(df["reference"]) if "reference" in df else pd.Series("own", index=df.index)
    has_il7_ref = ref.str.startswith("il7").any()
    il7 = df["il7"].to_numpy(dtype=float)
    if has_il7_ref:
        use = np.where(il7 > 0, ref.str.startswith("il7"), ref.eq("own"))
        df, il7 = df[use], il7[use]
        df["ref_il7"] = 0.0
    else:
        df = df[ref.eq("own").to_numpy()]
        df["ref_il7"] = df["il7"].to_numpy(dtype=float)
    df["sample"] = _text(df["sample"])
    out = df[["sample", "drug", "conc_a", "il7", "ref_il7", "viability"]].rename(
        columns={"conc_a": "conc"}
    )
    out.attrs["skipped_drugs"] = skipped
    return out


def observations(table: pd.DataFrame, sample: str, where: str = "viability table") -> Observations:
    """Condition means of ``sample`` (see module); InputError when it cannot be fitted."""
    df = clean_table(table, where)
    samples = sorted(set(df["sample"]))
    if sample not in samples:
        raise InputError(
            f"{where}: sample '{sample}' has no usable single-agent wells.{did_you_mean(sample, samples)}"
            f" Samples: {', '.join(samples[:8])}{' ...' if len(samples) > 8 else ''}"
        )
    d = df[df["sample"] == sample]
    if not (d["drug"] == "prednisolone").any():
        raise InputError(
            f"{where}: sample '{sample}' has no prednisolone curve; a twin needs at least the "
            "prednisolone dose-response (drug_a 'prednisolone')"
        )
    # the vehicle that defines 100 % is 100 by construction: it carries no information
    d = d[~((d["drug"] == "") & (d["il7"] == d["ref_il7"]))]
    keys = ["drug", "conc", "il7", "ref_il7"]
    g = d.groupby(keys, sort=True)["viability"]
    stats = g.agg(["mean", "count", "var"]).reset_index()
    dof = (stats["count"] - 1).clip(lower=0)
    pooled = float((stats["var"].fillna(0) * dof).sum() / dof.sum()) if dof.sum() > 0 else np.nan
    sd = max(np.sqrt(pooled), MIN_NOISE_SD) if np.isfinite(pooled) else DEFAULT_NOISE_SD
    cond = stats[keys].reset_index(drop=True)
    return Observations(
        sample, cond, stats["mean"].to_numpy(float), stats["count"].to_numpy(float), sd
    )


def samples_of(table: pd.DataFrame, where: str = "viability table") -> list[str]:
    """Samples with usable single-agent wells, sorted."""
    return sorted(set(clean_table(table, where)["sample"]))
