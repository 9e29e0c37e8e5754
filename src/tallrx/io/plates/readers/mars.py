"""BMG LABTECH MARS CSV exports (table/plate format).

Header lines ``User: ...,Path: ...,Test run no.: ...`` and ``ID1: ...,ID2: ...,ID3: ...``, then
titled grids such as ``Raw Data (450 1)`` or ``Blank corrected based on Raw Data (450 1)``.
The plate id is ID1 (MARS' plate identifier) when filled in; raw-data grids are preferred over
corrected or calculated ones.
"""

from __future__ import annotations

from tallrx.errors import InputError
from tallrx.io._cells import Sheet
from tallrx.io.plates.readers._grid import Block, header_columns, next_nonempty, read_grid_block
from tallrx.plate import parse_well, row_number


def sniff(sheets: list[Sheet]) -> bool:
    cells = [c for sheet in sheets for row in sheet.rows[:60] for c in row]
    return any(c.startswith(("Test run no.", "Test name:")) for c in cells) and any(
        c.startswith("ID1:") for c in cells
    )


def parse(sheets: list[Sheet]) -> list[Block]:
    rows = sheets[0].rows
    blocks: list[Block] = []
    plate: str | None = None
    number = 0
    for i, cells in enumerate(rows):
        first = cells[0] if cells else ""
        if first.startswith("ID1:"):
            plate = first.removeprefix("ID1:").strip() or None
            number += 1
            continue
        if not first or header_columns(cells) is not None:
            continue
        header = next_nonempty(rows, i + 1)
        if header is None or header_columns(rows[header]) is None:
            continue
        block = Block(plate=plate, number=number or None, read=first, where=f"line {i + 1}")
        read_grid_block(rows, header, block)
        if block.values:
            blocks.append(block)
    if not blocks:  # the 'Table' (list) export: a line per well
        blocks = _table_blocks(rows, plate)
    raw = [b for b in blocks if b.read.lower().startswith("raw data")]
    return raw or blocks


_NOT_READS = {"well", "well row", "well col", "well column", "content", "group", "id", "sample",
              "sample id", ""}


def _table_blocks(rows: list[list[str]], plate: str | None) -> list[Block]:
    """MARS 'Table' exports: a header naming ``Well`` (A01) or ``Well Row`` + ``Well Col``,
    ``Content`` ..., then one column per read (``Raw Data (450 1)``); one block per read."""
    lowered = [[c.strip().lower() for c in cells] for cells in rows]
    i = next((k for k, names in enumerate(lowered)
              if "well" in names or {"well row", "well col"} <= set(names)), None)
    if i is None:
        return []
    names = lowered[i]
    reads = [(j, rows[i][j]) for j, name in enumerate(names) if name not in _NOT_READS]
    blocks = [Block(plate=plate, read=name, where=f"line {i + 1}") for _, name in reads]
    for cells in rows[i + 1 :]:
        if not any(cells):
            break
        cell = dict(zip(names, cells, strict=False))
        try:
            if "well" in cell:
                row, col = parse_well(cell["well"])
            else:
                row, col = row_number(cell["well row"]), int(cell["well col"])
        except (InputError, ValueError):
            break  # the table ends (a summary or a note follows)
        for block, (j, _) in zip(blocks, reads, strict=True):
            block.add(row, col, cells[j] if j < len(cells) else "")
    return [b for b in blocks if b.values]
