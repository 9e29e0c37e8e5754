"""Agilent BioTek Gen5 text exports (tab separated).

A header (``Software Version``, ``Plate Number``, ``Procedure Details`` ...), an optional
``Layout`` grid of well types, then one or more data grids. In a ``Results`` grid every plate row
has one line per data set, labelled in the cell after the last column: raw reads are named
``<step>:<channel>`` (e.g. ``LUM:Lum``, ``Read 1:450``, ``450nm:450``); labels without a colon
(``NormLum``), in brackets (``[Concentration]`` of a standard curve) or starting with a reduction
name (``Blank 450nm:450``, ``Corrected ...``, ``Delta ...``, ``Ratio ...``) are Gen5 data reductions
and are skipped, with a note, when a raw read is present.
"""

from __future__ import annotations

import re

from tallrx.io._cells import Sheet
from tallrx.io.plates.readers._grid import Block, grid_rows, header_columns
from tallrx.plate import parse_well

_SKIP_TITLES = {"layout", "well ids", "well id", "plate layout"}


def sniff(sheets: list[Sheet]) -> bool:
    firsts = {row[0] for sheet in sheets for row in sheet.rows[:200] if row}
    return "Software Version" in firsts and bool(
        firsts & {"Procedure Details", "Results", "Plate Number", "Reading Type"}
    )


def parse(sheets: list[Sheet]) -> list[Block]:
    rows = sheets[0].rows
    blocks: dict[tuple[int | None, str], Block] = {}
    number: int | None = None
    barcode: str | None = None
    title = ""
    for i, cells in enumerate(rows):
        first = cells[0] if cells else ""
        if first == "Plate Number" and len(cells) > 1:
            digits = re.findall(r"\d+", cells[1])
            number = int(digits[0]) if digits else None
            barcode = None
        elif first in ("Barcode", "Plate Barcode", "Plate ID") and len(cells) > 1:
            barcode = cells[1] or None
        if first == "Time" and _kinetic_wells(cells):
            for block in _kinetic(rows, i, title, barcode, number):
                blocks.setdefault((number, block.read), block)
            continue
        cols = header_columns(cells) if not first else None
        if cols is None:
            if first and not any(cells[1:]):
                title = first
            continue
        if title.lower() in _SKIP_TITLES:
            continue
        for _, row, values, label in grid_rows(rows, i, len(cols), continuation=True):
            read = label or title
            block = blocks.setdefault(
                (number, read),
                Block(plate=barcode, number=number, read=read, where=f"line {i + 1}"),
            )
            for col, value in zip(cols, values, strict=True):
                block.add(row, col, value)
    found = list(blocks.values())
    raw = [b for b in found if is_raw(b.read)]
    if raw and len(raw) < len(found):
        skipped = ", ".join(sorted({f"'{b.read}'" for b in found if not is_raw(b.read)}))
        kept = ", ".join(sorted({f"'{b.read}'" for b in raw}))
        raw[0].note = (
            f"Gen5 data reduction(s) {skipped} not used; reading the raw read(s) {kept} "
            "(tallrx subtracts blanks and normalizes itself)"
        )
    return raw or found


def _kinetic_wells(cells: list[str]) -> list[tuple[int, tuple[int, int]]]:
    """(cell index, (row, col)) of the well names in a kinetic table's ``Time`` header row."""
    found = []
    for j, cell in enumerate(cells[1:], start=1):
        if re.fullmatch(r"[A-Z]{1,2}\d{1,2}", cell):
            found.append((j, parse_well(cell)))
    return found if len(found) >= 6 else []


def _kinetic(
    rows: list[list[str]], start: int, title: str, barcode: str | None, number: int | None
) -> list[Block]:
    """A kinetic read (``Time``, ``T° <read>``, one column per well; one line per time point):
    one read per time point, named ``<read> <time>`` (e.g. ``Read 1:450 0:10:00``); pick one with
    ``--read``. The temperature column is not a well."""
    wells = _kinetic_wells(rows[start])
    blocks = []
    for k in range(start + 1, len(rows)):
        cells = rows[k]
        if not cells or not cells[0] or not re.fullmatch(r"\d+:\d{2}(:\d{2})?(\.\d+)?", cells[0]):
            break
        block = Block(plate=barcode, number=number, read=f"{title} {cells[0]}".strip(),
                      where=f"line {k + 1}")
        for j, (row, col) in wells:
            block.add(row, col, cells[j] if j < len(cells) else "")
        blocks.append(block)
    return blocks


_REDUCTIONS = ("blank ", "corrected ", "delta ", "ratio ", "norm", "mean ", "conc", "[")


def is_raw(label: str) -> bool:
    """True for a Gen5 raw read label ``<step>:<channel>``, False for a data reduction.

    >>> [is_raw(x) for x in ("450nm:450", "Blank 450nm:450", "[Concentration]", "NormLum")]
    [True, False, False, False]
    """
    return ":" in label and not label.lower().startswith(_REDUCTIONS)
