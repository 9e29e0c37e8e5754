"""Tecan Magellan XLSX list exports.

A header row with ``Well positions`` (and optionally ``Plate``) next to one column per
measurement (e.g. ``Raw data``), one row per well, then metadata lines (``Date of measurement``,
method, instrument, ...). The ``Plate`` column names the plate of each well; empty cells continue
the plate above (a file whose first cells are empty uses the file name).
"""

from __future__ import annotations

from tallrx.io._cells import Sheet
from tallrx.io.plates.readers._grid import Block, headed
from tallrx.plate import parse_well

_WELL = "well positions"


def _header_row(sheet: Sheet) -> int | None:
    for i, row in enumerate(sheet.rows[:50]):
        if any(c.lower() == _WELL for c in row):
            return i
    return None


def sniff(sheets: list[Sheet]) -> bool:
    return any(headed(sheets, _header_row))


def parse(sheets: list[Sheet]) -> list[Block]:
    blocks: dict[tuple[str | None, str], Block] = {}
    for sheet, start in headed(sheets, _header_row):
        header = [c.strip() for c in sheet.rows[start]]
        lower = [c.lower() for c in header]
        well_j = lower.index(_WELL)
        plate_j = lower.index("plate") if "plate" in lower else None
        value_js = [j for j, c in enumerate(header) if c and j not in (well_j, plate_j)]
        plate: str | None = None
        for i in range(start + 1, len(sheet.rows)):
            cells = sheet.rows[i] + [""] * len(header)
            if not cells[well_j]:
                break
            row, col = parse_well(cells[well_j])
            if plate_j is not None and cells[plate_j]:
                plate = cells[plate_j]
            for j in value_js:
                block = blocks.setdefault(
                    (plate, header[j]),
                    Block(plate=plate, read=header[j], where=f"sheet '{sheet.name}' row {i + 1}"),
                )
                block.add(row, col, cells[j])
    return list(blocks.values())
