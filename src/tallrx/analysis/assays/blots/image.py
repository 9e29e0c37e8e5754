"""Blot images -> band tables: lanes, background, bands and their integrated volumes.

Lanes are given boxes, a count, or detected from the column profile; per-lane vertical profiles
are summed over the lane width, background is removed with a rolling minimum (grey opening) of
the profile, bands are detected on the summed profile (or given as row windows) and integrated
-> the tidy ``blots`` table (:func:`quantify_blot_image`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx._result import Result
from tallrx.analysis.assays._levels import fmt_level
from tallrx.errors import AnalysisError
from tallrx.schema import validate

__all__ = ["detect_lanes", "quantify_blot_image"]


def _segments(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a 1-D mask."""
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
    """Lane boxes from the column profile of a background-dark image.

    Parameters
    ----------
    image
        2-D grayscale image, bands bright on a dark background.
    n_lanes
        The expected lane count: when the detected lanes differ, the span is split evenly.
    threshold
        Fraction of the highest column signal that counts as a lane.

    Returns
    -------
    list of (int, int)
        (x0, x1) pixel columns of each lane (x1 exclusive), left to right, as wide as the lane
        pitch.
    """
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
    """(y0, y1, peak row) of each band of the summed profile (the ``n_bands`` most prominent)."""
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

    Intensities are integrated volumes (signal x pixels) above the background (a rolling
    minimum of each lane profile).

    Parameters
    ----------
    image
        2-D grayscale image.
    lanes
        Lane boxes [(x0, x1), ...] in pixel columns (x1 exclusive), a lane count (found on the
        column profile, split evenly when the count does not match), or None (detected).
    bands
        Row windows [(y0, y1), ...], a band count (default: one per name in ``targets``), or
        None (peaks of the summed profile); each window is +/- 1.5 FWHM of its peak, split at
        the valley between neighbouring bands.
    targets
        Band names from top to bottom.
    samples
        Lane names, left to right: a list, or a lane sheet with lane, sample and condition
        columns.
    blot
        The blot id written to the table.
    invert
        ``"auto"`` turns dark bands on a light background into bright signal; True / False
        force it.
    window
        Rolling-minimum width in pixels (default: 1/4 of the image height, at least 15).
    min_prominence
        Smallest band peak, as a fraction of the highest, when bands are detected.
    where
        The image's name: errors (no lanes / bands found, boxes outside the image, a blank or
        saturated image) are :class:`AnalysisError` starting with it.

    Returns
    -------
    Result
        Kind ``"blot_image"``. ``table`` is the tidy ``blots`` table: ``blot``, ``lane``,
        ``sample``, ``target``, ``intensity`` (image units x pixels), the lane sheet's condition
        columns and ``source`` ("measured"). ``extra``: ``lanes`` (lane, x0, x1), ``bands``
        (target, y0, y1, peak_row), ``profiles`` (lane, row, signal, background).
    """
    try:
        return _quantify(
            np.asarray(image, dtype=float),
            lanes=lanes,
            bands=bands,
            targets=targets,
            samples=samples,
            blot=blot,
            invert=invert,
            window=window,
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
    """The lane sheet: lane, sample (+ conditions) for ``n`` lanes."""
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
