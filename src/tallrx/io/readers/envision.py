"""PerkinElmer / Revvity EnVision CSV exports ("Plate2" style).

Layout of the file: per plate and label a ``Plate information`` block (header row + value row with
``Plate`` number and ``Barcode``), a ``Background information`` block, then ``Results for <label>``
followed by a grid (rows may be a subset, e.g. A, E, I, M). ``Calculated results: ...`` grids are
derived values (e.g. crosstalk correction) and are skipped; the raw ``Results for`` reads are kept.
Everything after ``Basic assay information`` / ``Protocol information`` is metadata.
"""

from __future__ import annotations

import re

from tallrx.io._cells import Sheet
from tallrx.io.readers._grid import Block, header_columns, next_nonempty, read_grid_block

_STOP = ("Basic assay information", "Protocol information")
_EXCEL_TEXT = re.compile(r'^="?(.*?)"?$')


def sniff(sheets: list[Sheet]) -> bool:
    firsts = {row[0] for sheet in sheets for row in sheet.rows[:400] if row}
    return "Plate information" in firsts and any(f.startswith("Results for") for f in firsts)


def clean_barcode(text: str) -> str:
    """Barcode cell without Excel's ``="..."`` text guard."""
    return _EXCEL_TEXT.sub(r"\1", text.strip()).strip()


def parse(sheets: list[Sheet]) -> list[Block]:
    rows = sheets[0].rows
    blocks: list[Block] = []
    number: int | None = None
    barcode = ""
    for i, cells in enumerate(rows):
        first = cells[0] if cells else ""
        if first.startswith(_STOP):
            break
        if first == "Plate information" and i + 2 < len(rows):
            info = dict(zip(rows[i + 1], rows[i + 2], strict=False))
            plate = info.get("Plate", "")
            number = int(plate) if plate.isdigit() else None
            barcode = clean_barcode(info.get("Barcode", ""))
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
    return blocks
