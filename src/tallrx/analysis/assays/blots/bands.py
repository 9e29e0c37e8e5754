"""Band tables of western blots (paper Fig. 1C, 1E, 2): normalized bands, phospho ratios, shifts.

* :func:`normalize_bands`: each band / loading control in the same lane, / the same ratio in the
  reference lane (default: the first lane of each blot) -> ``normalized``.
* :func:`phospho_ratio`: phospho / total per lane (e.g. pERK / ERK), each optionally over its own
  blot's loading control, relative to the reference lane.
* :func:`upper_band_fraction`: mobility shift (phospho-BIM-EL runs slower): upper / (upper +
  lower) per lane.
* :func:`analyze_blots`: all of them in one Result.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx._result import Result, checksum
from tallrx.analysis.assays._levels import same_level
from tallrx.errors import AnalysisError, DegenerateDataWarning, did_you_mean
from tallrx.schema import TABLES, condition_columns, validate

__all__ = ["analyze_blots", "normalize_bands", "phospho_ratio", "upper_band_fraction"]

_KNOWN = TABLES["bands"].names


def _conditions(df: pd.DataFrame) -> list[str]:
    """The condition columns of a blots table."""
    return [c for c in condition_columns(df, "blots") if c not in _KNOWN]


def _check_target(df: pd.DataFrame, target: str, role: str, where: str) -> None:
    """An error naming the targets present when ``target`` is not one of them."""
    targets = list(dict.fromkeys(df["target"]))
    if target not in targets:
        raise AnalysisError(
            f"{where}: {role} '{target}' is not a band target (targets: "
            f"{', '.join(map(str, targets))}).{did_you_mean(target, targets)}"
        )


def _reference_lanes(df: pd.DataFrame, reference: int | str | None, where: str) -> pd.Series:
    """Reference lane per blot: a lane number, a sample name, or (None) the first lane."""
    out = {}
    for blot, g in df.groupby("blot", sort=False):
        lanes = sorted(g["lane"].unique())
        if reference is None:
            out[blot] = lanes[0]
            continue
        by_lane = [ln for ln in lanes if same_level(ln, reference)]
        by_sample = g.loc[g["sample"].astype(str) == str(reference), "lane"].unique()
        if len(by_sample):
            out[blot] = sorted(by_sample)[0]
        elif by_lane:
            out[blot] = by_lane[0]
        else:
            samples = list(dict.fromkeys(g["sample"].astype(str)))
            raise AnalysisError(
                f"{where}: reference '{reference}' is neither a lane nor a sample of blot "
                f"'{blot}' (lanes {', '.join(map(str, lanes))}; samples {', '.join(samples)})."
                f"{did_you_mean(str(reference), samples)}"
            )
    return pd.Series(out, name="reference_lane")


def _per_loading(df: pd.DataFrame, loading: str | None, where: str) -> pd.Series:
    """Each band's intensity / the loading-control band of the same blot and lane."""
    if loading is None:
        return df["intensity"].astype(float)
    _check_target(df, loading, "loading control", where)
    load = df[df["target"] == loading].set_index(["blot", "lane"])["intensity"]
    key = pd.MultiIndex.from_frame(df[["blot", "lane"]])
    denom = load.reindex(key).to_numpy(float)
    has_load = df.groupby("blot")["target"].transform(lambda t: (t == loading).any()).to_numpy()
    bad = has_load & ~(denom > 0)
    if bad.any():
        lanes = (
            df.loc[bad, ["blot", "lane"]].drop_duplicates().astype(str).agg(" lane ".join, axis=1)
        )
        warnings.warn(
            f"loading control '{loading}' missing or zero in {', '.join(lanes)}: "
            "those bands are not normalized (NaN)",
            DegenerateDataWarning,
            stacklevel=3,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        out = df["intensity"].to_numpy(float) / np.where(denom > 0, denom, np.nan)
    if not has_load.all():
        # blots without their own loading band (e.g. a re-probed membrane) use the loading
        # control of the same lane on the blot that has it, matched by lane and sample
        other = df[df["target"] == loading].set_index(["lane", "sample"])["intensity"]
        other = other[~other.index.duplicated()]
        alt = other.reindex(pd.MultiIndex.from_frame(df[["lane", "sample"]])).to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(has_load, out, df["intensity"].to_numpy(float) / alt)
    return pd.Series(out, index=df.index)


def normalize_bands(
    blots: pd.DataFrame,
    *,
    loading: str | None = None,
    reference: int | str | None = None,
    where: str = "band table",
) -> pd.DataFrame:
    """bands.csv: each band over its lane's loading control, relative to the reference lane.

    normalized = (intensity / loading intensity in the same lane) / (the same for the reference
    lane of that blot and target); without ``loading`` just intensity / reference-lane intensity.
    The loading-control rows themselves are normalized to the reference lane only.

    Parameters
    ----------
    blots
        The tidy ``blots`` table (blot, lane, sample, target, intensity [+ conditions]).
    loading
        The loading-control target (e.g. ``"GAPDH"``); None: no loading normalization.
    reference
        The reference lane of each blot: a lane number, a sample name, or None (first lane).
    where
        The table's name for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per band, columns: ``blot``, ``lane``, ``sample``, ``target``, ``intensity``
        (densitometry units), ``normalized`` (fold of the reference lane; NaN when it cannot be
        computed), the condition columns, ``source`` (when present), ``flagged`` (bool) and
        ``message`` (why a band has no normalized value).
    """
    validate(blots, "blots", where=where)
    df = blots.reset_index(drop=True).copy()
    per = _per_loading(df, loading, where)
    if loading is not None:
        is_load = (df["target"] == loading).to_numpy()
        per = per.where(~is_load, df["intensity"].astype(float))
    intensity = df["intensity"].to_numpy(float)
    # a negative or infinite band volume is impossible (flagged below); so is an overflow
    per = per.where((intensity >= 0) & np.isfinite(intensity) & np.isfinite(per))
    refs = _reference_lanes(df, reference, where)
    ref_lane = df["blot"].map(refs)
    ref_val = per[(df["lane"] == ref_lane).to_numpy()]
    ref_key = df.loc[ref_val.index, ["blot", "target"]].assign(v=ref_val.to_numpy())
    ref_key = ref_key.drop_duplicates(["blot", "target"]).set_index(["blot", "target"])["v"]
    denom = ref_key.reindex(pd.MultiIndex.from_frame(df[["blot", "target"]])).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = per.to_numpy() / np.where(denom > 0, denom, np.nan)
    df["normalized"] = np.where(np.isfinite(norm), norm, np.nan)
    df["message"] = _band_messages(df, per.to_numpy(), denom, ref_lane, loading)
    df["flagged"] = df["message"] != ""
    conds = _conditions(df)
    cols = ["blot", "lane", "sample", "target", "intensity", "normalized", *conds]
    return df[cols + (["source"] if "source" in df else []) + ["flagged", "message"]]


def _band_messages(
    df: pd.DataFrame,
    per: np.ndarray,
    denom: np.ndarray,
    ref_lane: pd.Series,
    loading: str | None,
) -> np.ndarray:
    """Why a band has no normalized value ('' when it has one): its own intensity missing or
    negative, its lane's loading control unusable, or its reference-lane band unusable."""
    intensity = df["intensity"].to_numpy(float)
    out = np.full(len(df), "", dtype=object)
    ref = ref_lane.astype(str).to_numpy()
    no_ref = ~(np.isfinite(denom) & (denom > 0))
    out[no_ref] = (
        "reference lane "
        + ref[no_ref]
        + (" has no usable band of this target (missing, zero or negative): not normalized")
    )
    no_load = ~np.isfinite(per) & np.isfinite(intensity) & (intensity >= 0)
    if loading is not None:
        out[no_load] = (
            f"loading control '{loading}' missing, zero or negative in this lane: not normalized"
        )
    out[np.isnan(intensity)] = "no intensity: not normalized"
    out[np.isinf(intensity)] = "intensity is infinite: not a band volume; not normalized"
    overflow = (
        np.isfinite(per) & ~np.isfinite(per / np.where(denom > 0, denom, np.nan)) & (out == "")
    )
    out[overflow] = "normalized value overflows (reference band near 0): not normalized"
    neg = intensity < 0
    out[neg] = [
        f"negative intensity {v:g} (over-subtracted background?): a band volume cannot be "
        "negative; not normalized"
        for v in intensity[neg]
    ]
    return out


def _pair_table(
    df: pd.DataFrame, first: str, second: str, values: pd.Series, where: str
) -> pd.DataFrame:
    """Rows of ``first`` and ``second`` bands matched by blot+lane (or lane+sample across blots)."""
    _check_target(df, first, "band", where)
    _check_target(df, second, "band", where)
    a = df[df["target"] == first].assign(_v=values[df["target"] == first])
    b = df[df["target"] == second].assign(_v=values[df["target"] == second])
    same_blot = set(a["blot"]) <= set(b["blot"])
    keys = ["blot", "lane"] if same_blot else ["lane", "sample"]
    conds = _conditions(df)
    merged = a[["blot", "lane", "sample", *conds, "_v"]].merge(
        b[[*keys, "_v"]].drop_duplicates(keys), on=keys, how="left", suffixes=("_a", "_b")
    )
    missing = merged["_v_b"].isna() & merged["_v_a"].notna()
    if missing.any():
        r = merged[missing].iloc[0]
        warnings.warn(
            f"no '{second}' band for blot {r['blot']} lane {r['lane']} "
            f"(sample {r['sample']}): ratio is NaN",
            DegenerateDataWarning,
            stacklevel=3,
        )
    return merged


def phospho_ratio(
    blots: pd.DataFrame,
    phospho: str,
    total: str,
    *,
    loading: str | None = None,
    reference: int | str | None = None,
    where: str = "band table",
) -> pd.DataFrame:
    """Per lane: phospho / total (e.g. pERK / ERK), relative to the reference lane.

    Phospho and total bands are matched by blot and lane; when they sit on different blots
    (stripped and re-probed, or parallel membranes) by lane and sample.

    Parameters
    ----------
    blots
        The tidy ``blots`` table.
    phospho, total
        The targets of the phospho and the total band.
    loading
        When given, each band is first divided by its blot's loading control in that lane.
    reference
        The reference lane: a lane number, a sample name, or None (first lane of each blot).
    where
        The table's name for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per phospho band, columns: ``blot``, ``lane``, ``sample``, the condition
        columns, ``<phospho>`` and ``<total>`` (the two band values, named after their
        targets), ``ratio`` (phospho / total) and ``relative`` (ratio / the reference lane's).
    """
    validate(blots, "blots", where=where)
    df = blots.reset_index(drop=True)
    values = _per_loading(df, loading, where)
    m = _pair_table(df, phospho, total, values, where)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a negative band (flagged in bands.csv) gives no ratio rather than a negative one
        ratio = (m["_v_a"] / m["_v_b"]).where((m["_v_a"] >= 0) & (m["_v_b"] > 0))
    m["ratio"] = ratio.where(np.isfinite(ratio))  # inf / overflow: no ratio (flagged in bands)
    refs = _reference_lanes(df[df["target"] == phospho], reference, where)
    ref_ratio = (
        m[m["lane"] == m["blot"].map(refs)].drop_duplicates("blot").set_index("blot")["ratio"]
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rel = m["ratio"] / m["blot"].map(ref_ratio).where(lambda r: r > 0)
    m["relative"] = rel.where(np.isfinite(rel))
    m = m.rename(columns={"_v_a": phospho, "_v_b": total})
    conds = _conditions(df)
    return m[["blot", "lane", "sample", *conds, phospho, total, "ratio", "relative"]]


def upper_band_fraction(
    blots: pd.DataFrame, upper: str, lower: str, *, where: str = "band table"
) -> pd.DataFrame:
    """Mobility shift per lane: upper / (upper + lower) (e.g. phospho-BIM-EL / all BIM-EL).

    Negative intensities (over-subtracted background) are clipped to 0.

    Parameters
    ----------
    blots
        The tidy ``blots`` table.
    upper, lower
        The targets of the slower (upper) and faster (lower) band.
    where
        The table's name for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per upper band, columns: ``blot``, ``lane``, ``sample``, the condition columns,
        ``<upper>`` and ``<lower>`` (intensities, named after their targets) and ``fraction``
        (0-1).
    """
    validate(blots, "blots", where=where)
    df = blots.reset_index(drop=True)
    values = df["intensity"].astype(float).clip(lower=0)
    m = _pair_table(df, upper, lower, values, where)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = m["_v_a"] + m["_v_b"]
        m["fraction"] = m["_v_a"] / total.where(total > 0)
    m = m.rename(columns={"_v_a": upper, "_v_b": lower})
    conds = _conditions(df)
    return m[["blot", "lane", "sample", *conds, upper, lower, "fraction"]]


def analyze_blots(
    blots: pd.DataFrame,
    *,
    loading: str | None = None,
    reference: int | str | None = None,
    phospho: Sequence[tuple[str, str]] = (),
    shift: Sequence[tuple[str, str]] = (),
    where: str = "band table",
) -> Result:
    """All blot read-outs in one Result.

    Parameters
    ----------
    blots
        The tidy ``blots`` table.
    loading, reference
        As in :func:`normalize_bands`.
    phospho
        (phospho, total) target pairs for :func:`phospho_ratio`.
    shift
        (upper, lower) target pairs for :func:`upper_band_fraction`.
    where
        The table's name for error messages.

    Returns
    -------
    Result
        Kind ``"blots"``. ``table`` is bands.csv (the :func:`normalize_bands` columns).
        ``extra['phospho']`` (when pairs are given): blot, lane, sample, conditions, phospho,
        total, ratio, relative, pair (``"P/T"``); ``extra['shift']``: blot, lane, sample,
        conditions, upper, lower, fraction, pair (``"U/(U+L)"``).
    """
    table = normalize_bands(blots, loading=loading, reference=reference, where=where)
    extra = {}
    if phospho:
        extra["phospho"] = pd.concat(
            [
                phospho_ratio(blots, p, t, loading=loading, reference=reference, where=where)
                .rename(columns={p: "phospho", t: "total"})
                .assign(pair=f"{p}/{t}")
                for p, t in phospho
            ],
            ignore_index=True,
        )
    if shift:
        extra["shift"] = pd.concat(
            [
                upper_band_fraction(blots, u, lo, where=where)
                .rename(columns={u: "upper", lo: "lower"})
                .assign(pair=f"{u}/({u}+{lo})")
                for u, lo in shift
            ],
            ignore_index=True,
        )
    refs = _reference_lanes(blots, reference, where)
    meta = {
        "loading": loading,
        "reference_lanes": {str(k): int(v) for k, v in refs.items()},
        "phospho": [list(p) for p in phospho],
        "shift": [list(s) for s in shift],
        "units": {"intensity": "densitometry units", "normalized": "fold of reference lane"},
        "input_checksum": checksum(blots),
    }
    return Result(kind="blots", table=table, meta=meta, extra=extra)
