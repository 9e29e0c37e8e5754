"""PerkinElmer / Revvity EnVision CSV exports ("Plate2" style).

Layout of the file: per plate and label a ``Plate information`` block (header row + value row with
``Plate`` number and ``Barcode``), a ``Background information`` block, then ``Results for <label>``
followed by a grid (rows may be a subset, e.g. A, E, I, M). ``Calculated results: ...`` grids are
derived values (e.g. crosstalk correction) and are skipped; the raw ``Results for`` reads are kept.
"Plate"-format exports have no ``Results for`` line: the grid follows the background block with
neither row letters nor column numbers (16 lines of 24 numbers for a 384-well plate); it is read
when its shape is a standard plate, and named by the ``Label`` of its plate block (a block with a
``Formula`` instead is a calculated plate and skipped when the plate has a measured read).
Everything after ``Basic assay information`` / ``Protocol information`` is metadata.
"""

from __future__ import annotations

import re

from tallrx.io._cells import Sheet
from tallrx.io.plates.readers._grid import (
    Block,
    bare_grid,
    fill_bare_grid,
    header_columns,
    next_nonempty,
    read_grid_block,
)

_STOP = ("Basic assay information", "Protocol information")
_EXCEL_TEXT = re.compile(r'^="?(.*?)"?$')


def sniff(sheets: list[Sheet]) -> bool:
    firsts = {row[0] for sheet in sheets for row in sheet.rows[:400] if row}
    return "Plate information" in firsts and any(
        f.startswith("Results for") or f == "Background information" for f in firsts
    )


def clean_barcode(text: str) -> str:
    """Barcode cell without Excel's ``="..."`` text guard."""
    return _EXCEL_TEXT.sub(r"\1", text.strip()).strip()


def _bare_block(rows: list[list[str]], i: int, info: dict, number: int | None, barcode: str):
    """The unlabelled grid after the background block starting at line ``i``, or None."""
    start = i + 1
    while start < len(rows) and any(rows[start]):
        start += 1  # the background table (header + values) ends at an empty line
    start = next_nonempty(rows, start)
    if start is None:
        return None
    lines = bare_grid(rows, start)
    if not lines:
        return None
    calculated = not info.get("Label") and bool(info.get("Formula"))
    read = info.get("Label") or info.get("Formula", "").split("=")[0].strip()
    block = Block(
        plate=barcode or None,
        number=number,
        read=("calculated: " if calculated else "") + read,
        where=f"line {start + 1}",
    )
    fill_bare_grid(lines, block, f"line {start + 1}")
    return block


def _drop_calculated(blocks: list[Block]) -> list[Block]:
    """Calculated grids of plates that also have a measured read are left out."""
    measured = {(b.plate, b.number) for b in blocks if not b.read.startswith("calculated: ")}
    return [
        b
        for b in blocks
        if not (b.read.startswith("calculated: ") and (b.plate, b.number) in measured)
    ]


def parse(sheets: list[Sheet]) -> list[Block]:
    rows = sheets[0].rows
    blocks: list[Block] = []
    number: int | None = None
    barcode = ""
    info: dict = {}
    for i, cells in enumerate(rows):
        first = cells[0] if cells else ""
        if first.startswith(_STOP):
            break
        if first == "Plate information" and i + 2 < len(rows):
            info = dict(zip(rows[i + 1], rows[i + 2], strict=False))
            plate = info.get("Plate", "")
            number = int(plate) if plate.isdigit() else None
            barcode = clean_barcode(info.get("Barcode", ""))
        elif first == "Background information":
            block = _bare_block(rows, i, info, number, barcode)
            if block is not None:
                blocks.append(block)
        elif first.startswith("Results for"):
            header = next_nonempty(rows, i + 1)
            if header is None or header_columns(rows[header]) is None:
                continue
            block = Block(
                plate=barcode or None,
                number=number,
                read=first.removeprefix("Results for").strip(),
                where=f"line {i + 1}",
            )
            read_grid_block(rows, header, block)
            blocks.append(block)
    return _drop_calculated(blocks)
