"""Plate-reader exports -> one tidy table of raw signals per well.

:func:`read_plate_file` detects the format from the file's content (``format=`` overrides) and
returns columns ``plate, well, row, col, signal`` (+ ``read`` naming the measurement, + ``exclude``
when the file flags wells). Supported formats are the keys of :data:`FORMATS`; each lives in
``tallrx.io.plates.readers.<name>`` with a ``sniff(sheets)`` and a ``parse(sheets)`` function.

Plate id: the id the file carries (EnVision/Kaleido barcode, SoftMax Pro plate name, MARS ID1,
Magellan ``Plate`` column, a long table's ``plate`` column, a matrix grid's top-left cell), else the
file name without extension; a file with several unnamed plates gives ``<name>-1``, ``<name>-2``...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.errors import InputError, TallrxError, did_you_mean
from tallrx.io._cells import Sheet, read_sheets
from tallrx.io._columns import parse_flag, warn
from tallrx.io._numbers import to_number
from tallrx.io.plates.readers import envision, gen5, kaleido, long, magellan, mars, matrix, softmax
from tallrx.io.plates.readers._grid import Block
from tallrx.plate import known_shapes_text, plate_for, sort_wells, well_names


@dataclass(frozen=True)
class Format:
    """A supported export format: a content test and a parser, both on sheets of cells."""

    name: str
    description: str
    sniff: Callable[[list[Sheet]], bool]
    parse: Callable[[list[Sheet]], list[Block]]


# detection order matters: specific vendor signatures first, generic layouts last
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "softmax",
            "Molecular Devices SoftMax Pro text export (UTF-16/UTF-8)",
            softmax.sniff,
            softmax.parse,
        ),
        Format("envision", "PerkinElmer/Revvity EnVision CSV", envision.sniff, envision.parse),
        Format("kaleido", "Revvity Kaleido / EnSight CSV", kaleido.sniff, kaleido.parse),
        Format("mars", "BMG LABTECH MARS CSV", mars.sniff, mars.parse),
        Format("gen5", "Agilent BioTek Gen5 text export", gen5.sniff, gen5.parse),
        Format("magellan", "Tecan Magellan XLSX list export", magellan.sniff, magellan.parse),
        Format("long", "tidy long CSV/XLSX (well or row+col, signal)", long.sniff, long.parse),
        Format("matrix", "generic plate-matrix CSV/XLSX grid(s)", matrix.sniff, matrix.parse),
    )
}

#: largest plausible raw reading (instrument units); larger or infinite cells are flagged wells
MAX_SIGNAL = 1e15
_EMPTY = {"", "-", "na", "n/a", "nan", "none", "null"}


def detect_format(sheets: list[Sheet]) -> str | None:
    """Name of the first format whose signature matches, or None."""
    for fmt in FORMATS.values():
        if fmt.sniff(sheets):
            return fmt.name
    return None


def _short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _other_formats(name: str) -> str:
    """'try --format X (one of ...)' naming the formats other than ``name``."""
    others = [f for f in FORMATS if f != name]
    return (f"try another --format ({', '.join(others)}); a plate grid with row letters and "
            "column numbers reads as 'matrix', a table with well and signal columns as 'long'")


def _plate_ids(blocks: list[Block], stem: str) -> list[str]:
    numbers = sorted({b.number for b in blocks if b.plate is None and b.number is not None})
    return [
        b.plate
        if b.plate is not None
        else f"{stem}-{b.number}"
        if len(numbers) > 1 and b.number is not None
        else stem
        for b in blocks
    ]


def _block_frame(block: Block, plate: str, where: str) -> pd.DataFrame:
    """One read of one plate as rows; readings parsed as numbers with the decimal mark decided
    for the whole block (:func:`tallrx.io._numbers.to_number`: '0,5' is 0.5, a '1,234' that
    nothing in the block settles is an error); empty cells are wells left out."""
    names = well_names(block.rows, block.cols) if block.rows else np.array([], dtype=object)
    text = pd.Series(block.values, dtype=object).str.strip()
    empty = text.str.lower().isin(_EMPTY).to_numpy()
    numbers = to_number(
        text,
        where=f"{where}: plate '{plate}'",
        column="signal",
        missing=tuple(_EMPTY),
        rows=[f"well {name}" for name in names],
        invalid="nan",
    ).to_numpy(dtype=float)
    bad = np.isnan(numbers) & ~empty
    if bad.any() and bad.sum() * 2 >= (~empty).sum():  # half or more text: not readings
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: plate '{plate}' well {names[k]}: signal '{_short(text[k])}' is not a "
            f"number ({int(bad.sum())} of {int((~empty).sum())} cells are not); "
            "expected a numeric reading (re-export without overflow marks, or leave the "
            "cell empty and the well out of the layout)"
        )
    keep = np.flatnonzero(~empty).tolist()
    values = numbers[keep]
    implausible = ~(np.abs(values) <= MAX_SIGNAL)  # inf, 1e400, 1e308
    reasons = {
        int(i): f"signal '{_short(text[keep[i]])}' is not a plausible reading "
        f"(|signal| > {MAX_SIGNAL:g})"
        for i in np.flatnonzero(implausible & ~bad[keep])
    }
    # a few overflow / error marks (OVRFLW, *****, #DIV/0!, <0.001) are flagged wells
    reasons.update({
        int(i): f"signal '{_short(text[keep[i]])}' is not a number (overflow, out-of-range "
        "or error mark)"
        for i in np.flatnonzero(bad[keep])
    })
    values[implausible] = np.nan
    frame = pd.DataFrame(
        {
            "plate": plate,
            "well": names[keep] if keep else np.array([], dtype=object),
            "row": np.asarray(block.rows, dtype=int)[keep],
            "col": np.asarray(block.cols, dtype=int)[keep],
            "signal": np.asarray(values, dtype=float),
            "read": block.read,
        }
    )
    if reasons:
        frame["reason"] = ""
        frame.loc[list(reasons), "reason"] = list(reasons.values())
        frame["exclude"] = frame["reason"] != ""
    if block.exclude is not None:
        flags = [
            parse_flag(block.exclude[k], f"{where}: plate '{plate}' well {names[k]}") for k in keep
        ]
        frame["exclude"] = np.asarray(flags, dtype=bool) | frame.get("exclude", False)
    return frame


def _shapes(
    blocks: list[Block], ids: list[str], frame: pd.DataFrame, where: str
) -> dict[str, tuple[int, int]]:
    shapes: dict[str, tuple[int, int]] = {}
    for block, plate in zip(blocks, ids, strict=True):
        if block.shape is not None:
            shapes[plate] = block.shape
    for plate, wells in frame.groupby("plate", sort=False):
        if plate in shapes:
            continue
        shape = plate_for(int(wells["row"].max()), int(wells["col"].max()))
        if shape is None:
            raise InputError(
                f"{where}: plate '{plate}' has wells beyond row "
                f"{int(wells['row'].max())} / column {int(wells['col'].max())}; "
                f"expected a standard plate: {known_shapes_text()}"
            )
        shapes[str(plate)] = shape
    return shapes


def _check_duplicates(frame: pd.DataFrame, where: str) -> None:
    dup = frame.duplicated(["plate", "read", "well"], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        wells = ", ".join(pd.unique(frame.loc[dup, "well"])[:10])
        raise InputError(
            f"{where}: plate '{first['plate']}' lists well(s) {wells} more than "
            "once; each well may appear once per plate and read"
        )


def read_plate_file(path: str | Path, *, format: str | None = None) -> pd.DataFrame:
    """Read one plate-reader export (format detected from its content unless ``format`` names it).

    Parameters
    ----------
    path
        The export: text (CSV, TSV, vendor ``.txt``; any encoding) or XLSX.
    format
        One of :data:`FORMATS` (e.g. 'envision', 'gen5', 'long'); default: detected.

    Returns
    -------
    pandas.DataFrame
        One row per well with a reading: ``plate`` (the file's plate id, else the file name),
        ``well`` ("A1"), ``row``, ``col`` (1-based), ``signal`` (raw reading, float, instrument
        units), ``read`` (the read's name, "" when the file holds one) and ``exclude`` (when the
        file flags wells). ``attrs["plate_shapes"]`` maps each plate id to (rows, cols).

    Raises
    ------
    InputError
        Naming the file when it is empty, unreadable, of unknown format, holds a non-numeric
        reading or a grid that is not a standard plate.

    >>> from pathlib import Path
    >>> d = Path(__import__("tempfile").mkdtemp())
    >>> _ = (d / "p1.csv").write_text("well,signal\\nA1,10\\nB2,12.5\\n")
    >>> read_plate_file(d / "p1.csv")[["plate", "well", "row", "col", "signal"]].to_dict("list")
    {'plate': ['p1', 'p1'], 'well': ['A1', 'B2'], 'row': [1, 2], 'col': [1, 2], 'signal': [10.0, 12.5]}
    """
    path = Path(path)
    where = str(path)
    sheets = read_sheets(path)
    if format is None:
        name = detect_format(sheets)
        if name is None:
            long.check_columns(sheets, where)
            raise InputError(
                f"{where}: could not recognise the file format; expected one of "
                f"{', '.join(FORMATS)} (a plate grid with row letters and column numbers, or a "
                "table with 'well' and 'signal' columns). Pass --format NAME (Python: format=...) "
                "to choose one"
            )
    else:
        name = format.strip().lower()
        if name not in FORMATS:
            raise InputError(
                f"unknown plate-reader format '{format}'; use one of "
                f"{', '.join(FORMATS)}.{did_you_mean(name, FORMATS)}"
            )
    try:
        blocks = [b for b in FORMATS[name].parse(sheets) if b.values]
    except TallrxError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    except (IndexError, KeyError, ValueError, ArithmeticError) as exc:
        raise InputError(
            f"{where}: cannot be read as a {FORMATS[name].description} file "
            f"({type(exc).__name__}: {_short(str(exc), 120)}); {_other_formats(name)}"
        ) from None
    if not blocks:
        raise InputError(
            f"{where}: no plate data found for format '{name}' "
            f"({FORMATS[name].description}); check the file, or {_other_formats(name)}"
        )
    for note in dict.fromkeys(b.note for b in blocks if b.note):
        warn(f"{where}: {note}")
    ids = _plate_ids(blocks, path.stem)
    frame = pd.concat(
        [_block_frame(b, plate, where) for b, plate in zip(blocks, ids, strict=True)],
        ignore_index=True,
    )
    if frame.empty:
        raise InputError(f"{where}: the plate grid(s) hold no readings (all cells empty)")
    if "exclude" in frame.columns:
        frame["exclude"] = frame["exclude"].fillna(False).astype(bool)
    if "reason" in frame.columns:
        frame["reason"] = frame["reason"].fillna("").astype(str)
    _check_duplicates(frame, where)
    shapes = _shapes(blocks, ids, frame, where)
    frame = sort_wells(frame)
    frame["plate"] = frame["plate"].astype(str)
    frame.attrs["plate_shapes"] = shapes
    frame.attrs["format"] = name
    return frame
