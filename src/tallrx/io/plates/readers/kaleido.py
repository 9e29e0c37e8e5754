"""Revvity Kaleido (EnSight, VICTOR Nivo, EnVision Nexus) plate CSV exports.

Each ``Result for <label>`` line is followed by a header row (``Barcode,Repeat,...``), its value
row, an empty line and the plate grid. The later ``Platemap`` grid holds well types, not data.
"""

from __future__ import annotations

from tallrx.io._cells import Sheet
from tallrx.io.plates.readers._grid import Block, header_columns, next_nonempty, read_grid_block


def sniff(sheets: list[Sheet]) -> bool:
    rows = [row for sheet in sheets for row in sheet.rows[:400] if row]
    firsts = [row[0] for row in rows]
    return any(f.startswith("Result for") for f in firsts) and (
        any(f.startswith(("Exported with Kaleido", "EnSight Results")) for f in firsts)
        or any(row[:2] == ["Barcode", "Repeat"] for row in rows)
    )


def parse(sheets: list[Sheet]) -> list[Block]:
    rows = sheets[0].rows
    blocks: list[Block] = []
    for i, cells in enumerate(rows):
        first = cells[0] if cells else ""
        if not first.startswith("Result for"):
            continue
        barcode = ""
        if i + 2 < len(rows) and rows[i + 1][:1] == ["Barcode"]:
            barcode = rows[i + 2][0] if rows[i + 2] else ""
        header = next_nonempty(rows, i + (3 if barcode else 1))
        while header is not None and header_columns(rows[header]) is None and header < i + 6:
            header = next_nonempty(rows, header + 1)
        if header is None or header_columns(rows[header]) is None:
            continue
        block = Block(
            plate=barcode or None,
            read=first.removeprefix("Result for").strip(),
            where=f"line {i + 1}",
        )
        read_grid_block(rows, header, block)
        blocks.append(block)
    return blocks
