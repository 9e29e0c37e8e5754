"""Western-blot quantification (paper Fig. 1C, 1E, 2): band tables and blot images.

Input is the tidy ``blots`` table (blot, lane, sample, target, intensity [+ conditions]), measured
or simulated alike, or a 2-D image array (io reads the files).

* :func:`normalize_bands`: each band / loading control in the same lane, / the same ratio in the
  reference lane (default: the first lane of each blot) -> ``normalized``.
* :func:`phospho_ratio`: phospho / total per lane (e.g. pERK / ERK), each optionally over its own
  blot's loading control, relative to the reference lane.
* :func:`upper_band_fraction`: mobility shift (phospho-BIM-EL runs slower): upper / (upper +
  lower) per lane.
* :func:`quantify_blot_image`: lanes (given boxes, a count, or detected from the column profile),
  per-lane vertical profiles (summed over the lane width), background removed with a rolling
  minimum (grey opening) of the profile, bands detected on the summed profile (or given as row
  windows) and integrated -> the ``blots`` table.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx._result import Result, checksum
from tallrx.analysis.assays._levels import fmt_level, same_level
from tallrx.errors import AnalysisError, DegenerateDataWarning, did_you_mean
from tallrx.schema import condition_columns, validate

__all__ = [
    "analyze_blots",
    "normalize_bands",
    "phospho_ratio",
    "quantify_blot_image",
    "upper_band_fraction",
]

_KNOWN = (
    "blot", "lane", "sample", "target", "intensity", "source", "normalized", "flagged", "message"
)


def _conditions(df: pd.DataFrame) -> list[str]:
    return [c for c in condition_columns(df, "blots") if c not in _KNOWN]


def _check_target(df: pd.DataFrame, target: str, role: str, where: str) -> None:
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
    """bands.csv: the blots columns plus ``normalized``.

    normalized = (intensity / loading intensity in the same lane) / (the same for the reference
    lane of that blot and target); without ``loading`` just intensity / reference-lane intensity.
    The loading-control rows themselves are normalized to the reference lane only.
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
    out[no_ref] = "reference lane " + ref[no_ref] + (
        " has no usable band of this target (missing, zero or negative): not normalized"
    )
    no_load = ~np.isfinite(per) & np.isfinite(intensity) & (intensity >= 0)
    if loading is not None:
        out[no_load] = f"loading control '{loading}' missing, zero or negative in this lane: not normalized"
    out[np.isnan(intensity)] = "no intensity: not normalized"
    out[np.isinf(intensity)] = "intensity is infinite: not a band volume; not normalized"
    overflow = np.isfinite(per) & ~np.isfinite(per / np.where(denom > 0, denom, np.nan)) & (out == "")
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
    """Per lane: ``ratio`` = phospho / total (each over its blot's loading control if given) and
    ``relative`` = ratio / ratio in the reference lane (default: first lane of each blot).

    Phospho and total bands are matched by blot and lane; when they sit on different blots
    (stripped and re-probed, or parallel membranes) by lane and sample.
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
    """Mobility shift per lane: ``fraction`` = upper / (upper + lower) (e.g. phospho-BIM-EL /
    all BIM-EL). Negative intensities (over-subtracted background) are clipped to 0."""
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
    """All blot read-outs in one Result: table = bands.csv (:func:`normalize_bands`), extra
    ``phospho`` (one block per phospho/total pair) and ``shift`` (per upper/lower pair)."""
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


# --------------------------------------------------------------------------- images
def _segments(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _expand(boxes: list[tuple[int, int]], width: int) -> list[tuple[int, int]]:
    """Equal-width lane boxes centred on the detected lanes, as wide as the lane pitch."""
    centers = np.array([(a + b) / 2 for a, b in boxes])
    half = np.median(np.diff(centers)) / 2 if len(centers) > 1 else float(boxes[0][1] - boxes[0][0])
    return [(int(max(0, round(c - half))), int(min(width, round(c + half)))) for c in centers]


def detect_lanes(
    image: np.ndarray, n_lanes: int | None = None, threshold: float = 0.3
) -> list[tuple[int, int]]:
    """Lane boxes (x0, x1) from the column profile of a background-dark image."""
    from scipy import ndimage  # lazy: scipy.signal/ndimage cost ~1 s at start-up

    smooth = ndimage.gaussian_filter(image, 2.0)
    col = smooth.max(axis=0) - np.median(smooth, axis=0)
    col = ndimage.gaussian_filter1d(col - col.min(), 2.0)
    segs = [(a, b) for a, b in _segments(col > threshold * col.max()) if b - a >= 3]
    if n_lanes is not None and len(segs) != n_lanes:
        if not segs:
            raise AnalysisError(
                "no lanes found in the image; give lane boxes in pixels (--lanes 10-50,60-100)"
            )
        lo, hi = segs[0][0], segs[-1][1]
        edges = np.linspace(lo, hi, n_lanes + 1).round().astype(int)
        return _expand(list(zip(edges[:-1], edges[1:], strict=True)), image.shape[1])
    if not segs:
        raise AnalysisError(
            "no lanes found in the image; give the lane count or lane boxes in pixels "
            "(--lanes 8 or --lanes 10-50,60-100)"
        )
    return _expand(segs, image.shape[1])


def _baseline(profile: np.ndarray, window: int) -> np.ndarray:
    """Rolling-minimum background of a profile: grey opening, then smoothed."""
    from scipy import ndimage  # lazy: scipy.signal/ndimage cost ~1 s at start-up

    opened = ndimage.grey_opening(ndimage.uniform_filter1d(profile, 3), size=window, mode="nearest")
    return ndimage.uniform_filter1d(opened, max(3, window // 2), mode="nearest")


def _band_windows(
    total: np.ndarray, n_bands: int | None, min_prominence: float
) -> list[tuple[int, int, int]]:
    from scipy import ndimage, signal  # lazy: scipy.signal/ndimage cost ~1 s at start-up

    smooth = ndimage.gaussian_filter1d(total, 1.5)
    peaks, props = signal.find_peaks(smooth, prominence=min_prominence * smooth.max())
    if n_bands is not None:
        if len(peaks) < n_bands:
            raise AnalysisError(
                f"found {len(peaks)} band(s) in the image, expected {n_bands}; "
                "give band windows (--band-rows) or lower min_prominence"
            )
        keep = np.sort(np.argsort(props["prominences"])[::-1][:n_bands])
        peaks = peaks[keep]
    if not len(peaks):
        raise AnalysisError("no bands found in the image; give band windows (--band-rows)")
    widths = signal.peak_widths(smooth, peaks, rel_height=0.5)[0]
    out = []
    for i, (p, w) in enumerate(zip(peaks, widths, strict=True)):
        lo, hi = int(p - 1.5 * w), int(np.ceil(p + 1.5 * w)) + 1
        if i:
            lo = max(lo, peaks[i - 1] + int(np.argmin(smooth[peaks[i - 1] : p])) + 1)
        if i + 1 < len(peaks):
            hi = min(hi, p + int(np.argmin(smooth[p : peaks[i + 1]])) + 1)
        out.append((max(lo, 0), min(hi, len(total)), int(p)))
    return out


def quantify_blot_image(
    image: np.ndarray,
    *,
    lanes: int | Sequence[tuple[int, int]] | None = None,
    bands: int | Sequence[tuple[int, int]] | None = None,
    targets: Sequence[str] | None = None,
    samples: Sequence[str] | pd.DataFrame | None = None,
    blot: str = "blot",
    invert: bool | str = "auto",
    window: int | None = None,
    min_prominence: float = 0.05,
    where: str = "blot image",
) -> Result:
    """Integrate the bands of a blot image -> Result with the tidy ``blots`` table.

    ``lanes``: lane boxes [(x0, x1), ...] in pixel columns (x1 exclusive), a lane count (found on
    the column profile, split evenly when the count does not match), or None (detected).
    ``bands``: row windows [(y0, y1), ...], a band count (default: one per name in ``targets``),
    or None (peaks of the summed profile); each window is +/- 1.5 FWHM of its peak, split at the
    valley between neighbouring bands.
    ``targets`` name the bands from top to bottom; ``samples`` name the lanes (a list, or a lane
    sheet with lane, sample and condition columns). ``invert='auto'`` turns dark bands on a light
    background into bright signal. ``window`` is the rolling-minimum width in pixels (default:
    1/4 of the image height). Intensities are integrated volumes (signal x pixels) above the
    background.

    Errors (no lanes / bands found, boxes outside the image, a blank or saturated image) are
    :class:`AnalysisError` starting with ``where`` (the image file).

    extra: ``lanes`` (lane, x0, x1), ``bands`` (target, y0, y1, peak_row), ``profiles`` (lane, row,
    signal, background).
    """
    try:
        return _quantify(
            np.asarray(image, dtype=float), lanes=lanes, bands=bands, targets=targets,
            samples=samples, blot=blot, invert=invert, window=window,
            min_prominence=min_prominence,
        )
    except AnalysisError as exc:
        raise AnalysisError(f"{where}: {exc}") from None


def _check_image(img: np.ndarray) -> None:
    """A 2-D image with finite pixels and some contrast (a blank or saturated image has none)."""
    if img.ndim != 2:
        raise AnalysisError(f"expected a 2-D grayscale image, got shape {img.shape}")
    if not np.isfinite(img).all():
        raise AnalysisError(
            f"{int((~np.isfinite(img)).sum())} pixel(s) are NaN or infinite; expected a "
            "grayscale image with finite values"
        )
    lo, hi = float(img.min()), float(img.max())
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        raise AnalysisError(
            f"the image is uniform (every pixel = {hi:g}: blank or saturated); no bands can be "
            "measured: export the unsaturated scan"
        )


def _quantify(
    img: np.ndarray,
    *,
    lanes: int | Sequence[tuple[int, int]] | None,
    bands: int | Sequence[tuple[int, int]] | None,
    targets: Sequence[str] | None,
    samples: Sequence[str] | pd.DataFrame | None,
    blot: str,
    invert: bool | str,
    window: int | None,
    min_prominence: float,
) -> Result:
    """The body of :func:`quantify_blot_image` (errors without the image's name)."""
    _check_image(img)
    p1, p99 = np.percentile(img, [1, 99])
    inverted = bool(np.median(img) > (p1 + p99) / 2) if invert == "auto" else bool(invert)
    if inverted:
        img = img.max() - img
    h, w = img.shape
    if lanes is None or isinstance(lanes, int | np.integer):
        boxes = detect_lanes(img, None if lanes is None else int(lanes))
    else:
        boxes = [(int(a), int(b)) for a, b in lanes]
        for a, b in boxes:
            if not 0 <= a < b <= w:
                raise AnalysisError(
                    f"lane box {a}-{b} is outside the image width {w}; expected "
                    f"0 <= x0 < x1 <= {w} (--lanes x0-x1,...)"
                )
    window = int(window or max(15, h // 4))
    profiles = np.stack([img[:, a:b].sum(axis=1) for a, b in boxes])
    base = np.stack([_baseline(p, window) for p in profiles])
    sig = profiles - base
    if bands is None and targets is not None:
        bands = len(targets)
    if bands is None or isinstance(bands, int | np.integer):
        windows = _band_windows(
            sig.sum(axis=0), None if bands is None else int(bands), min_prominence
        )
    else:
        windows = []
        for a, b in bands:
            if not 0 <= a < b <= h:
                raise AnalysisError(
                    f"band window {a}-{b} is outside the image height {h}; expected "
                    f"0 <= y0 < y1 <= {h} (--band-rows y0-y1,...)"
                )
            windows.append((int(a), int(b), int(a + np.argmax(sig.sum(axis=0)[a:b]))))
    names = list(targets) if targets is not None else [f"band {i + 1}" for i in range(len(windows))]
    if len(names) != len(windows):
        raise AnalysisError(
            f"{len(windows)} band(s) found but {len(names)} target name(s) given "
            f"({', '.join(names)}); give one name per band, top to bottom, or "
            "set the band count / windows"
        )
    lane_info = _lane_samples(samples, len(boxes))
    cs = np.cumsum(np.pad(sig, ((0, 0), (1, 0))), axis=1)
    rows = []
    for j, (a, b, _) in enumerate(windows):
        vol = cs[:, b] - cs[:, a]
        for i in range(len(boxes)):
            rows.append(
                {"blot": blot, "lane": i + 1, "target": names[j], "intensity": float(vol[i])}
            )
    table = pd.DataFrame(rows).merge(lane_info, on="lane", how="left")
    conds = [c for c in lane_info.columns if c not in ("lane", "sample")]
    table = table[["blot", "lane", "sample", "target", "intensity", *conds]].assign(
        source="measured"
    )
    validate(table, "blots", where="blot image")
    extra = {
        "lanes": pd.DataFrame(
            {
                "lane": np.arange(1, len(boxes) + 1),
                "x0": [a for a, _ in boxes],
                "x1": [b for _, b in boxes],
            }
        ),
        "bands": pd.DataFrame(
            {
                "target": names,
                "y0": [a for a, _, _ in windows],
                "y1": [b for _, b, _ in windows],
                "peak_row": [p for _, _, p in windows],
            }
        ),
        "profiles": pd.DataFrame(
            {
                "lane": np.repeat(np.arange(1, len(boxes) + 1), h),
                "row": np.tile(np.arange(h), len(boxes)),
                "signal": profiles.ravel(),
                "background": base.ravel(),
            }
        ),
    }
    meta = {
        "inverted": inverted,
        "background": f"rolling minimum (grey opening, {window} px) of each lane profile",
        "n_lanes": len(boxes),
        "n_bands": len(windows),
        "image_shape": [h, w],
        "units": {"intensity": "image units x pixels"},
    }
    return Result(kind="blot_image", table=table, meta=meta, extra=extra)


def _lane_samples(samples: Sequence[str] | pd.DataFrame | None, n: int) -> pd.DataFrame:
    if samples is None:
        return pd.DataFrame(
            {"lane": np.arange(1, n + 1), "sample": [f"lane {i}" for i in range(1, n + 1)]}
        )
    if isinstance(samples, pd.DataFrame):
        sheet = samples.copy()
        if "lane" not in sheet:
            sheet.insert(0, "lane", np.arange(1, len(sheet) + 1))
    else:
        sheet = pd.DataFrame({"lane": np.arange(1, len(samples) + 1), "sample": list(samples)})
    if len(sheet) != n:
        raise AnalysisError(
            f"{n} lanes in the image but {len(sheet)} sample names; give one "
            "sample per lane, left to right (or set the lane count / boxes)"
        )
    sheet["sample"] = sheet["sample"].map(fmt_level)
    return sheet
