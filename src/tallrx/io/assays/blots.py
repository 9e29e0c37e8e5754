"""Western-blot input: band-intensity tables and blot images.

Band tables become the tidy ``blots`` table (one row per lane x band): blot, lane, sample, target,
intensity (densitometry units) [+ condition columns]. Accepted tables:

* any table with blot / lane / sample / target / intensity columns (intensity aliases: volume,
  intden, signal, density, area);
* ImageJ / Fiji Gel Analyzer results (columns Area and Percent, one row per labelled peak in lane
  order) and ImageJ Measure results (Label, Area, Mean, IntDen, RawIntDen; one row per lane ROI):
  these have no lane / target columns, so rows are lanes 1..n and ``target`` / ``blot`` name them.

A lane sheet (lane, sample [+ conditions]) names the lanes of tables or images that lack samples.
Images (TIFF via tifffile, PNG / JPEG via scikit-image) are read as 2-D float arrays; quantifying
them is :func:`tallrx.analysis.assays.blots.quantify_blot_image`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.errors import InputError
from tallrx.io._columns import warn
from tallrx.io.assays._tables import (
    PathLike,
    exc_text,
    extra_columns,
    find_column,
    norm_name,
    numeric_if_possible,
    require_column,
    require_file,
    source_of,
    table_or_file,
    to_number,
)
from tallrx.schema import validate

__all__ = ["IMAGE_SUFFIXES", "is_image", "read_bands", "read_blot_image", "read_lane_sheet"]

IMAGE_SUFFIXES = (".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp")
_INTENSITY = (
    "intensity",
    "volume",
    "intden",
    "integrated_density",
    "rawintden",
    "signal",
    "density",
    "adj_volume",
    "adjusted_volume",
    "area",
)


def is_image(path: PathLike) -> bool:
    """True for blot image files (by extension)."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def read_blot_image(path: PathLike) -> np.ndarray:
    """Read a blot image as a 2-D float array (RGB -> luminance; first page of a stack).

    Returns
    -------
    numpy.ndarray
        2-D float array (rows x columns of pixels), the image's grey values as stored
        (e.g. 0-65535 for a 16-bit TIFF; RGB images: luminance 0-1).
    """
    p = require_file(path, "a blot image (TIFF / PNG)")
    try:
        if p.suffix.lower() in (".tif", ".tiff"):
            import tifffile

            img = tifffile.imread(p, key=0)
        else:
            from skimage import io as skio

            img = skio.imread(p)
    except Exception as exc:
        raise InputError(
            f"{p}: cannot be read as an image ({exc_text(exc)}); expected a TIFF or PNG blot image"
        ) from exc
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[-1] in (3, 4):
        from skimage.color import rgb2gray

        img = rgb2gray(img[..., :3])
    elif img.ndim == 3:
        img = img[0]
    if img.ndim != 2 or min(img.shape) < 8:
        raise InputError(f"{p}: image of shape {img.shape}; expected a 2-D grayscale blot image")
    return img.astype(float)


def read_lane_sheet(path: PathLike | pd.DataFrame) -> pd.DataFrame:
    """A lane sheet: the sample (and conditions) of each lane of a blot.

    Returns
    -------
    pandas.DataFrame
        One row per lane: ``lane`` (int, from 1 in the order the lanes appear on the blot;
        default: the row order), ``sample``, then the other columns as conditions (snake_case
        names, numbers converted where every cell is one).
    """
    raw, where = table_or_file(
        path, name="lane sheet", what="a lane sheet with columns lane, sample"
    )
    sample = require_column(
        raw, ("sample", "sample_name", "name"), where=where, what="the sample in each lane"
    )
    lane = find_column(raw.columns, ("lane",))
    out = pd.DataFrame(
        {
            "lane": to_number(raw[lane], where=where, column=lane).astype(int)
            if lane
            else np.arange(1, len(raw) + 1),
            "sample": raw[sample].astype(str).str.strip(),
        }
    )
    for c in raw.columns:
        if c not in (sample, lane):
            out[norm_name(c)] = numeric_if_possible(raw[c].astype(str).str.strip())
    if out["lane"].duplicated().any():
        raise InputError(
            f"{where}: lane {out['lane'][out['lane'].duplicated()].iloc[0]} is listed twice"
        )
    return out


def _join_lanes(df: pd.DataFrame, lanes: pd.DataFrame | None, where: str) -> pd.DataFrame:
    if lanes is None:
        return df
    missing = sorted(set(df["lane"]) - set(lanes["lane"]))
    if missing:
        raise InputError(
            f"{where}: lane(s) {', '.join(map(str, missing))} have no row in the "
            f"lane sheet (it lists lanes {', '.join(map(str, lanes['lane']))})"
        )
    return df.drop(columns="sample").merge(lanes, on="lane", how="left")


def read_bands(
    path: PathLike | pd.DataFrame,
    *,
    blot: str | None = None,
    target: str | None = None,
    lanes: PathLike | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A band-intensity table -> tidy ``blots`` table.

    ``blot`` / ``target`` fill missing blot / target columns (default blot: the file name).
    ``lanes`` is a lane sheet (path or DataFrame) giving the sample (and conditions) of each lane.
    ImageJ Gel Analyzer / Measure results take lanes 1..n from the row order and need ``target``.

    Returns
    -------
    pandas.DataFrame
        The ``blots`` table, one row per blot x lane x target: ``blot``, ``lane`` (int),
        ``sample``, ``target``, ``intensity`` (densitometry units), condition columns (from
        the table or the lane sheet), ``source`` ('measured').
    """
    raw, where = table_or_file(
        path,
        name="band table",
        what="a band table (blot, lane, sample, target, intensity) or ImageJ Gel Analyzer results",
    )
    name = blot or ("blot" if isinstance(path, pd.DataFrame) else Path(path).stem)
    lane_sheet = read_lane_sheet(lanes) if lanes is not None else None
    raw = raw.rename(columns=_unit_free_names(raw.columns))
    cols = {norm_name(c) for c in raw.columns}
    imagej = "lane" not in cols and (
        {"area", "percent"} <= cols or "intden" in cols or "rawintden" in cols
    )
    if imagej:
        value = find_column(raw.columns, ("IntDen", "RawIntDen", "Area"))
        if target is None:
            raise InputError(
                f"{where}: ImageJ results have no target column; name the band "
                "with target= (--target pERK)"
            )
        raw = _drop_summary_rows(raw, where)
        df = pd.DataFrame(
            {
                "blot": name,
                "lane": np.arange(1, len(raw) + 1),
                "sample": [f"lane {i}" for i in range(1, len(raw) + 1)],
                "target": target,
                "intensity": to_number(raw[value], where=where, column=value),
            }
        )
        label = find_column(raw.columns, ("Label",))
        if label is not None and lane_sheet is None:
            df["sample"] = raw[label].astype(str).str.strip()
        df = _join_lanes(df, lane_sheet, where)
        return validate(df.assign(source="measured"), "blots", where=where)
    intensity = require_column(raw, _INTENSITY, where=where, what="the band intensity")
    lane = require_column(raw, ("lane", "lane_number"), where=where, what="the lane of each band")
    out = pd.DataFrame({"lane": to_number(raw[lane], where=where, column=lane)})
    if out["lane"].isna().any() or not np.allclose(out["lane"], out["lane"].round()):
        i = int(np.flatnonzero(out["lane"].isna() | (out["lane"] != out["lane"].round()))[0])
        raise InputError(f"{where} row {i + 2}: lane {raw[lane].iloc[i]!r} is not a whole number")
    out["lane"] = out["lane"].astype(int)
    blot_col = find_column(raw.columns, ("blot", "membrane", "gel"))
    out.insert(0, "blot", raw[blot_col].astype(str).str.strip() if blot_col else name)
    sample_col = find_column(raw.columns, ("sample", "sample_name"))
    out["sample"] = (
        raw[sample_col].astype(str).str.strip() if sample_col else "lane " + out["lane"].astype(str)
    )
    target_col = find_column(  # not Image Lab's 'Band %' (a share of the lane, not a name)
        [c for c in raw.columns if "%" not in str(c)],
        ("target", "band_label", "band", "antibody", "protein"),
    )
    if target_col is None and target is None:
        raise InputError(
            f"{where}: no 'target' column; add one (e.g. pERK, ERK, GAPDH) or pass "
            "target= for a single-target table"
        )
    out["target"] = raw[target_col].astype(str).str.strip() if target_col else target
    out["intensity"] = to_number(raw[intensity], where=where, column=intensity)
    used = {c for c in (intensity, lane, blot_col, sample_col, target_col) if c}
    for name, values in extra_columns(raw, used).items():
        out[name] = values
    out = _join_lanes(out, lane_sheet, where)
    dup = out.duplicated(["blot", "lane", "target"])
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"{where} row {i + 2}: blot {out['blot'].iloc[i]} lane "
            f"{out['lane'].iloc[i]} has two '{out['target'].iloc[i]}' bands; expected "
            "one row per blot x lane x target"
        )
    return validate(out.assign(source=source_of(raw)), "blots", where=where)


_UNIT_SUFFIX = re.compile(r"^(.*?)\s*[(\[][^)\]]*[)\]]\s*$")
#: the rows ImageJ's Analyze > Summarize appends under a Results table (first column)
_SUMMARY_ROWS = {"mean", "sd", "min", "max", "median", "sum", "total"}


def _unit_free_names(columns: pd.Index) -> dict[object, str]:
    """Renames of intensity columns carrying a unit, as Bio-Rad Image Lab writes them:
    'Volume (Int)' -> 'Volume', 'Adj. Volume (Int)' -> 'Adj. Volume' (other names kept)."""
    renames: dict[object, str] = {}
    taken = {norm_name(c) for c in columns}
    for c in columns:
        m = _UNIT_SUFFIX.match(str(c))
        if m and norm_name(m.group(1)) in _INTENSITY and norm_name(m.group(1)) not in taken:
            renames[c] = m.group(1)
    return renames


def _drop_summary_rows(raw: pd.DataFrame, where: str) -> pd.DataFrame:
    """An ImageJ Results table without the Mean / SD / Min / Max rows that Analyze > Summarize
    appends (they are not lanes); a warning names them."""
    first = raw.iloc[:, 0].astype(str).str.strip().str.lower()
    summary = first.isin(_SUMMARY_ROWS)
    if not summary.any():
        return raw
    names = ", ".join(raw.iloc[:, 0][summary].astype(str).str.strip())
    warn(f"{where}: ImageJ summary row(s) {names} left out (they are not lanes)")
    return raw[~summary].reset_index(drop=True)
