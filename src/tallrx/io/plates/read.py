"""Layout + plate-reader files -> the tidy ``wells`` table (one row per used well).

Matching rules (see docs/guide/plates.md, "Joining"):

- A layout with a ``plate`` column is matched plate by plate on the plate id; a measured plate that
  the layout does not name is an error (with a "did you mean"), and so is a layout plate with no
  measurement. A layout without ``plate`` is a template applied to every measured plate; when it
  has no ``sample`` column the plate id is the sample.
- Every layout well must be measured (else an error naming the wells) and lie on the plate
  (a layout well P24 on a 96-well plate is an error).
- Measured wells that the layout does not list are left out of the table; one
  DegenerateDataWarning gives their number and names (wells the layout marks ``unused`` are left
  out silently).
- ``exclude`` is True where the reader file or the layout flags the well (never dropped);
  ``exclude_reason`` says which. ``replicate`` numbers identical wells 1..n in plate/well order
  unless the layout gives it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.errors import InputError, SchemaError, TallrxError, did_you_mean
from tallrx.io._columns import check_names_match, match_columns, parse_flag, warn
from tallrx.io.plates.instruments import read_plate_file
from tallrx.io.plates.layout import normalize_layout, read_layout
from tallrx.plate import (
    known_shapes_text,
    parse_well,
    plate_for,
    shape_text,
    sort_wells,
    well_names,
)
from tallrx.schema import validate

FILE_REASON = "excluded in input file"
LAYOUT_REASON = "excluded in layout"
_FIRST = [
    "plate",
    "well",
    "row",
    "col",
    "sample",
    "drug_a",
    "conc_a",
    "drug_b",
    "conc_b",
    "role",
    "signal",
    "replicate",
    "source",
]

PathLike = str | Path


def _names(values: Iterable[str], limit: int = 12) -> str:
    values = list(values)
    more = f" (+{len(values) - limit} more)" if len(values) > limit else ""
    return ", ".join(map(str, values[:limit])) + more


def _first_plate(rows: pd.DataFrame) -> tuple[str, pd.Series]:
    """The first plate among ``rows`` and its wells there (for error messages)."""
    plate = rows["plate"].iloc[0]
    return plate, rows.loc[rows["plate"] == plate, "well"]


def _table_frame(source: pd.DataFrame, name: str, k: int) -> pd.DataFrame:
    """A measurement given as a DataFrame (plate?, well, signal[, exclude, read]), checked."""
    missing = [c for c in ("well", "signal") if c not in source.columns]
    if missing:
        raise SchemaError(
            f"{name}: needs columns 'well' and 'signal' (and optionally 'plate'); lacks "
            f"{', '.join(missing)}.{did_you_mean(missing[0], source.columns)}"
        )
    frame = source.copy()
    try:
        positions = [parse_well(w) for w in frame["well"].astype(str)]
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    frame["row"] = np.array([r for r, _ in positions], dtype=int)
    frame["col"] = np.array([c for _, c in positions], dtype=int)
    frame["well"] = well_names(frame["row"], frame["col"])
    frame["plate"] = frame["plate"].astype(str) if "plate" in frame else f"plate{k + 1}"
    signal = pd.to_numeric(frame["signal"], errors="coerce")
    bad = signal.isna()
    if bad.any():
        row = frame[bad].iloc[0]
        raise InputError(
            f"{name}: plate '{row['plate']}' well {row['well']}: signal "
            f"{row['signal']!r} is not a number; expected a numeric reading"
        )
    frame["signal"] = signal.astype(float)
    if "exclude" in frame.columns:
        frame["exclude"] = [
            parse_flag("" if pd.isna(v) else v, f"{name} well {w}")
            for v, w in zip(frame["exclude"], frame["well"], strict=True)
        ]
    if "read" not in frame.columns:
        frame["read"] = ""
    return frame


def _nfc(name: object) -> object:
    """A plate id in Unicode NFC: 'Ä' typed on one system (one code point) and saved by another
    (A + combining diaeresis, macOS file exports) name the same plate."""
    return unicodedata.normalize("NFC", name) if isinstance(name, str) else name


def _measured_frame(source: PathLike | pd.DataFrame, format: str | None, k: int) -> pd.DataFrame:
    """One reader file (or table) with its plate shapes and a ``file`` column for messages."""
    if isinstance(source, pd.DataFrame):
        name = f"measurement table {k + 1}"
        frame = _table_frame(source, name, k)
    else:
        name = str(source)
        frame = read_plate_file(source, format=format)
    shapes = {_nfc(k): v for k, v in frame.attrs.get("plate_shapes", {}).items()}
    frame = frame.assign(plate=frame["plate"].map(_nfc))
    for plate, wells in frame.groupby("plate", sort=False):
        shape = plate_for(int(wells["row"].max()), int(wells["col"].max()))
        if str(plate) not in shapes and shape is None:
            raise InputError(
                f"{name}: plate '{plate}' has wells beyond the largest plate "
                f"({known_shapes_text()})"
            )
        shapes.setdefault(str(plate), shape)
    frame = frame.assign(file=name)
    frame.attrs = {"plate_shapes": shapes}
    return frame


def _choose_read(frame: pd.DataFrame, read: str | None) -> pd.DataFrame:
    file = frame["file"].iloc[0]
    reads = [r for r in pd.unique(frame["read"]) if r != ""]
    if read is not None:
        if read not in reads:
            raise InputError(
                f"{file}: has no read '{read}'; its reads: {_names(reads) or 'one, unnamed'}."
                f"{did_you_mean(read, reads)}"
            )
        return frame[frame["read"] == read]
    per_plate = frame.loc[frame["read"] != ""].groupby("plate", sort=False)["read"].nunique()
    if (per_plate > 1).any():
        reads = list(pd.unique(frame.loc[frame["plate"] == per_plate.idxmax(), "read"]))
        raise InputError(
            f"{file}: holds several reads ({_names(reads)}); choose one with --read "
            f"'{reads[0]}' (Python: read='{reads[0]}')"
        )
    return frame


def _measurements(files, format: str | None, read: str | None, skip_bad: bool = False):
    """The measured wells of every file, their plate shapes and the files that could not be
    read (``skip_bad``: (file, message) pairs instead of an error, unless none could be read)."""
    if isinstance(files, (str, Path, pd.DataFrame)):
        files = [files]
    files = list(files)
    if not files:
        raise InputError("no plate-reader files given; pass one or more exports to read")
    frames, shapes, bad = [], {}, []
    for k, source in enumerate(files):
        try:
            frame = _measured_frame(source, format, k)
            frames.append(_choose_read(frame, read))
        except TallrxError as exc:
            if not skip_bad or isinstance(source, pd.DataFrame):
                raise
            bad.append((str(source), str(exc)))
            continue
        shapes.update(frame.attrs["plate_shapes"])
    if not frames:
        raise InputError(bad[0][1] + (f" (and {len(bad) - 1} more unreadable file(s))"
                                      if len(bad) > 1 else ""))
    measured = pd.concat(frames, ignore_index=True)
    dup = measured.duplicated(["plate", "well"], keep=False)
    if dup.any():
        first = measured[dup].iloc[0]
        same = measured[
            dup & (measured["plate"] == first["plate"]) & (measured["well"] == first["well"])
        ]
        raise InputError(
            f"plate '{first['plate']}' well {first['well']} is measured twice (in "
            f"{' and '.join(pd.unique(same['file']))}); every plate needs its own id: give the "
            "files different names or plate barcodes"
        )
    if "exclude" not in measured.columns:
        measured["exclude"] = False
    measured["exclude"] = measured["exclude"].fillna(False).astype(bool)
    given = measured["reason"].fillna("").astype(str) if "reason" in measured else ""
    measured["reason"] = np.where(
        measured["exclude"], np.where(given != "", given, FILE_REASON), ""
    )
    return measured, shapes, bad


def _bad_plates(
    lay: pd.DataFrame, measured: pd.DataFrame, bad: list[tuple[str, str]], shapes: dict
) -> pd.DataFrame:
    """Placeholder wells (signal NaN, excluded with the reason) for plates whose file could not
    be read: the file's stem for a template layout, else the layout plates left unmeasured."""
    if not bad:
        return measured
    if "plate" in lay.columns:
        plates = [p for p in pd.unique(lay["plate"]) if p not in set(measured["plate"])]
        why = "; ".join(f"{f}: {m}" for f, m in bad)
        pairs = [(p, f"plate not measured: unreadable plate file(s) ({why})") for p in plates]
    else:
        pairs = [(Path(f).stem, f"plate file unreadable ({m})") for f, m in bad]
        pairs = [(p, m) for p, m in pairs if p not in set(measured["plate"])]
    rows = []
    for plate, reason in pairs:
        wells = lay if "plate" not in lay.columns else lay[lay["plate"] == plate]
        rows.append(pd.DataFrame({
            "plate": plate, "well": wells["well"].to_numpy(), "signal": np.nan, "exclude": True,
            "reason": reason, "file": next((f for f, _ in bad if Path(f).stem == plate),
                                           bad[0][0]), "read": "",
        }))
        shapes.setdefault(plate, (int(wells["row"].max()), int(wells["col"].max())))
        shapes[plate] = plate_for(*shapes[plate]) or shapes[plate]
    return pd.concat([measured, *rows], ignore_index=True)


def _expand(
    layout: pd.DataFrame, plates: list[str], where: str, files: dict[str, str]
) -> pd.DataFrame:
    """Layout rows per measured plate (template) or checked plate ids (named plates)."""
    if "plate" not in layout.columns:
        return pd.concat([layout.assign(plate=p) for p in plates], ignore_index=True)
    named = list(pd.unique(layout["plate"]))
    check_names_match(
        plates,
        named,
        stray=lambda _, plate: (
            f"plate '{plate}' (from {files[plate]}) is not in the layout {where}; layout "
            f"plates: {_names(named)}."
        ),
        unmatched=lambda unmeasured: (
            f"{where}: layout plate(s) {_names(unmeasured)} have no measurement; measured "
            f"plates: {_names(plates)}."
        ),
    )
    return layout


def _check_fit(table: pd.DataFrame, shapes: dict, where: str, files: dict[str, str]) -> None:
    """Every layout well lies on its plate."""
    shape = table["plate"].map(shapes)
    rows = shape.map(lambda s: s[0]).to_numpy(dtype=int)
    cols = shape.map(lambda s: s[1]).to_numpy(dtype=int)
    off = (table["row"].to_numpy() > rows) | (table["col"].to_numpy() > cols)
    if off.any():
        plate, wells = _first_plate(table[off])
        raise InputError(
            f"{where}: well(s) {_names(wells)} lie outside plate '{plate}', a "
            f"{shape_text(shapes[plate])} read from {files[plate]}; the layout does not match "
            "the plate size (is it meant for a larger plate?)"
        )


def _replicates(table: pd.DataFrame) -> np.ndarray:
    """1..n over wells identical in sample, drugs, doses, role, units and conditions."""
    skip = {
        "plate",
        "well",
        "row",
        "col",
        "signal",
        "replicate",
        "source",
        "exclude",
        "exclude_reason",
        "file",
    }
    keys = [c for c in table.columns if c not in skip]
    return table.groupby(keys, dropna=False, sort=False).cumcount().to_numpy() + 1


def read_plates(
    layout: PathLike | pd.DataFrame,
    files: PathLike | pd.DataFrame | Iterable[PathLike | pd.DataFrame],
    *,
    format: str | None = None,
    unit: str | None = None,
    drug_units: Mapping[str, str] | None = None,
    read: str | None = None,
    skip_bad: bool = False,
) -> pd.DataFrame:
    """The ``wells`` table of a screen: layout (path or table) joined to plate-reader files.

    Parameters
    ----------
    layout
        Plate layout: a file for :func:`~tallrx.io.plates.layout.read_layout` or a table for
        :func:`~tallrx.io.plates.layout.normalize_layout`.
    files
        Plate-reader exports (paths or long tables with well / signal columns), one or several.
    format
        Forces one reader format for all files (default: detected per file).
    unit, drug_units
        Concentration units of the layout (see :func:`~tallrx.io.plates.layout.read_layout`).
    read
        Picks one read when a file holds several.
    skip_bad
        A file that cannot be read does not stop the others: its plate (the file name for a
        template layout, else the layout plates left unmeasured) gets signal NaN, exclude True
        and the reader's message in ``exclude_reason`` (an error still when no file can be read);
        layout wells a file leaves empty are excluded ("no reading in FILE") instead of an error.

    Returns
    -------
    pandas.DataFrame
        One row per used well: ``plate``, ``well`` ("A1"), ``row``, ``col`` (1-based),
        ``sample``, ``drug_a``, ``conc_a`` (uM), ``drug_b``, ``conc_b`` (uM), ``role`` (treated /
        vehicle / blank / positive), ``signal`` (raw reading, instrument units), ``replicate``,
        ``source`` ('measured'), ``conc_unit``, ``vehicle`` (when named), condition columns of
        the layout, ``exclude`` (bool) and ``exclude_reason``.

    Raises
    ------
    TallrxError
        InputError / SchemaError / UnitError naming the file, plate and wells.
    """
    if isinstance(layout, pd.DataFrame):
        where = "layout table"
        lay = normalize_layout(layout, where=where, unit=unit, drug_units=drug_units)
    else:
        where = str(layout)
        lay = read_layout(layout, unit=unit, drug_units=drug_units)
        lay = _drop_own_readings(lay, Path(layout), files)
    if "plate" in lay.columns:
        lay = lay.assign(plate=lay["plate"].map(_nfc))
    clash = [c for c in ("signal", "source", "exclude_reason") if c in lay.columns]
    if clash:
        raise SchemaError(
            f"{where}: the layout has column(s) {', '.join(clash)}, which read_plates fills in "
            "from the reader files; rename or drop them"
        )
    measured, shapes, bad = _measurements(files, format, read, skip_bad)
    measured = _bad_plates(lay, measured, bad, shapes)
    files_of = dict(zip(measured["plate"], measured["file"], strict=True))
    plates = list(pd.unique(measured["plate"]))

    table = _expand(lay, plates, where, files_of)
    if "sample" not in table.columns:
        table["sample"] = table["plate"]
    _check_fit(table, shapes, where, files_of)

    merged = table.merge(
        measured[["plate", "well", "signal", "exclude", "reason"]].rename(
            columns={"exclude": "_file_exclude", "reason": "_file_reason"}
        ),
        on=["plate", "well"],
        how="left",
        indicator=True,
    )
    missing = merged[merged["_merge"] == "left_only"]
    if len(missing) and skip_bad:
        _unread_wells(merged, missing, files_of)
    elif len(missing):
        plate, wells = _first_plate(missing)
        raise InputError(
            f"{where}: layout well(s) {_names(wells)} of plate '{plate}' are not in the "
            f"measurement ({files_of[plate]}); check the layout against the plate, or remove "
            "wells that were not read"
        )
    _warn_unused(lay, table, measured)
    negative = merged["signal"] < 0
    if negative.any():
        bad = merged[negative].iloc[0]
        raise InputError(
            f"{files_of[bad['plate']]}: plate '{bad['plate']}' well {bad['well']} has a negative "
            f"signal ({bad['signal']:g}); expected raw readings >= 0 (export raw, not "
            "blank-corrected, values)"
        )
    return _finish(merged.drop(columns=["_merge"]), where, plates)


def _drop_own_readings(lay: pd.DataFrame, layout: Path, files) -> pd.DataFrame:
    """When the layout is also read as the measurement (a long table with a signal column), its
    signal and read columns (long-table aliases: signal, intensity, rlu, readout, ...) are the
    readings, not condition columns that would split every well into its own group."""
    sources = [files] if isinstance(files, (str, Path, pd.DataFrame)) else list(files)
    own = [f for f in sources if isinstance(f, (str, Path)) and Path(f).resolve() == layout.resolve()]
    if not own:
        return lay
    from tallrx.io.plates.readers.long import ALIASES as LONG
    found = match_columns(lay.columns, {k: LONG[k] for k in ("signal", "read")}, str(layout))
    return lay.drop(columns=list(found.values()))


def _unread_wells(merged: pd.DataFrame, missing: pd.DataFrame, files_of: dict) -> None:
    """Layout wells the reader file left empty: signal NaN, excluded with a reason (in place)."""
    idx = missing.index
    merged.loc[idx, "_file_exclude"] = True
    merged.loc[idx, "_file_reason"] = [f"no reading in {files_of[p]}" for p in missing["plate"]]
    listing = "; ".join(
        f"plate '{p}': {_names(g['well'], 8)}" for p, g in missing.groupby("plate", sort=False)
    )
    warn(
        f"{len(missing)} layout well(s) have no reading and are excluded ({listing}); a plate "
        "whose vehicle wells are all unread gets no viability"
    )


def _warn_unused(lay: pd.DataFrame, table: pd.DataFrame, measured: pd.DataFrame) -> None:
    used = set(zip(table["plate"], table["well"], strict=True))
    quiet = {(p, w) for p, w in lay.attrs.get("unused_wells", [])}
    template = "plate" not in lay.columns
    extra = [
        (p, w)
        for p, w in zip(measured["plate"], measured["well"], strict=True)
        if (p, w) not in used and ((None if template else p), w) not in quiet
    ]
    if extra:
        by_plate = pd.DataFrame(extra, columns=["plate", "well"]).groupby("plate", sort=False)
        listing = "; ".join(f"plate '{p}': {_names(g['well'], 8)}" for p, g in by_plate)
        warn(
            f"{len(extra)} measured well(s) have no layout entry and were left out of the "
            f"wells table ({listing}); add them to the layout to analyse them"
        )


def _finish(merged: pd.DataFrame, where: str, plates: list[str]) -> pd.DataFrame:
    file_flag = merged.pop("_file_exclude").fillna(False).astype(bool).to_numpy()
    file_reason = merged.pop("_file_reason").fillna(FILE_REASON).astype(str).to_numpy()
    layout_flag = (
        merged.pop("exclude").fillna(False).astype(bool).to_numpy()
        if "exclude" in merged.columns
        else np.zeros(len(merged), bool)
    )
    merged["exclude"] = file_flag | layout_flag
    merged["exclude_reason"] = np.where(
        file_flag & layout_flag,
        np.char.add(file_reason.astype(str), f"; {LAYOUT_REASON}"),
        np.where(file_flag, file_reason, np.where(layout_flag, LAYOUT_REASON, "")),
    )
    merged["signal"] = merged["signal"].astype(float)
    merged["source"] = "measured"
    merged = sort_wells(merged, plates)
    if "replicate" not in merged.columns:
        merged["replicate"] = _replicates(merged)
    ordered = _FIRST + [c for c in ("conc_unit", "conc_unit_b", "vehicle") if c in merged]
    rest = [c for c in merged.columns if c not in ordered + ["exclude", "exclude_reason"]]
    table = merged[ordered + rest + ["exclude", "exclude_reason"]]
    return validate(table, "wells", where=where)
