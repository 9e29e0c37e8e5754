"""Generic plate-matrix CSV/TSV/XLSX: whole-plate grids with row letters and column numbers.

Each grid is a header row ``<corner>,1,2,...,n`` followed by one row per plate row (A, B, ...),
and must cover a whole standard plate (8 x 12, 16 x 24, 32 x 48; also 2 x 3 ... 6 x 8).
Several grids may be stacked in one sheet (separated by anything) or spread over worksheets.
Plate id: the grid's top-left cell when filled in (other than ``<>``), else a ``Plate: NAME``
(``Plate name``, ``Plate ID``, ``Barcode``; ``:`` or a cell of its own) line just above the grid,
else the worksheet name in a multi-sheet workbook, else the file name (``name-1``, ``name-2`` ...
for several grids).
"""

from __future__ import annotations

import re

from tallrx.errors import InputError
from tallrx.io._cells import Sheet
from tallrx.io.plates.readers._grid import Block, grid_rows, header_columns, trim
from tallrx.plate import PLATE_SHAPES, is_row_label, known_shapes_text, row_letter, row_number

_GENERIC_CORNERS = {"", "<>", "row", "rows", "row/col", "well", "wells", "#"}
_TITLE = re.compile(r"^(?:plate(?:[ _]?(?:name|id))?|barcode)\s*[:=]?\s*(.*)$", re.IGNORECASE)


def _title_plate(sheet: Sheet, start: int) -> str | None:
    """NAME from a 'Plate: NAME' line (or 'Plate', 'NAME' in two cells) just above a grid."""
    if start == 0:
        return None
    cells = [c.strip() for c in sheet.rows[start - 1] if c.strip()]
    match = _TITLE.match(" ".join(cells)) if 1 <= len(cells) <= 2 else None
    if match is None or not match.group(1).strip():
        return None
    return match.group(1).strip()


_READ_TITLE = re.compile(r"^(?:label|wavelength|read)\b(?!\s*(?:date|time|height|speed))"
                         r"\s*[:=]?\s*(.*)$", re.IGNORECASE)


def _read_title(sheet: Sheet, start: int, stop: int) -> str:
    """The read a grid belongs to: the nearest ``Label: NAME`` line above it (Tecan i-control
    names each measurement so, several lines above its ``<>`` grid), or a ``Wavelength: 450 nm``
    / ``Read: ...`` line just above it; '' when there is none. Lines at or above ``stop`` (the
    previous grid) are not looked at."""
    for k in range(start - 1, stop, -1):
        cells = [c.strip() for c in sheet.rows[k] if c.strip()]
        if not cells or not 1 <= len(cells) <= 3:
            continue
        match = _READ_TITLE.match(" ".join(cells))
        label = cells[0].lower().startswith("label")
        if match and match.group(1).strip() and (label or k == start - 1):
            return match.group(1).strip()
    return ""


def _grids(sheet: Sheet):
    rows = sheet.rows
    for i, cells in enumerate(rows):
        # a header's corner cell is never a row letter (that would be a data row of 1..n)
        cols = header_columns(cells) if cells and not is_row_label(cells[0]) else None
        if cols is None and cells[:1] == ["1"]:  # a header without its corner cell: 1,2,...,12
            cols = header_columns(cells, skip=0)
            if cols and i + 1 < len(rows) and len(trim(rows[i + 1])) != len(cols) + 1:
                cols = None  # the next line must be a row letter and n values
        if cols and i + 1 < len(rows) and rows[i + 1] and is_row_label(rows[i + 1][0]):
            yield i, cols


def _transposed_header(cells: list[str]) -> int:
    """Number of plate rows when ``cells`` is the header of a transposed grid (``,A,B,...,H``:
    plate rows as columns, a line per plate column 1..n), else 0."""
    body = trim(cells[1:])
    if len(body) < 2 or not all(is_row_label(c) for c in body):
        return 0
    numbers = [row_number(c) for c in body]
    return len(numbers) if numbers == list(range(1, len(numbers) + 1)) else 0


def _transposed(sheet: Sheet):
    """(header index, plate rows) of each transposed grid of ``sheet``."""
    rows = sheet.rows
    for i, cells in enumerate(rows):
        n = _transposed_header(cells) if cells and not is_row_label(cells[0]) else 0
        if n and i + 1 < len(rows) and rows[i + 1][:1] == ["1"]:
            yield i, n


def _transposed_block(sheet: Sheet, start: int, n_rows: int, number: int) -> Block:
    """A transposed grid read back into plate orientation; InputError unless it is a whole
    standard plate."""
    lines = []
    for cells in sheet.rows[start + 1 :]:
        if cells[:1] != [str(len(lines) + 1)]:
            break
        lines.append((cells[1 : 1 + n_rows] + [""] * n_rows)[:n_rows])
    shape = (n_rows, len(lines))
    where = f"line {start + 1}"
    if shape not in PLATE_SHAPES.values():
        raise InputError(
            f"the transposed grid at {where} (rows A-{row_letter(n_rows)} as columns) has "
            f"{shape[0]} rows x {shape[1]} columns, which is not a whole plate; expected a "
            f"standard plate: {known_shapes_text()}"
        )
    corner = sheet.rows[start][0]
    plate = corner if corner.lower() not in _GENERIC_CORNERS else _title_plate(sheet, start)
    block = Block(plate=plate, number=number, shape=shape, where=where)
    for col, values in enumerate(lines, start=1):
        for row, value in enumerate(values, start=1):
            block.add(row, col, value)
    return block


def sniff(sheets: list[Sheet]) -> bool:
    return any(True for sheet in sheets for _ in _grids(sheet)) or any(
        True for sheet in sheets for _ in _transposed(sheet))


def parse(sheets: list[Sheet]) -> list[Block]:
    blocks: list[Block] = []
    multi_sheet = sum(1 for s in sheets if any(True for _ in _grids(s))) > 1
    seen: dict[str, int] = {}  # read name -> grids so far: the same read again is a new plate
    for sheet in sheets:
        previous = -1
        for start, cols in _grids(sheet):
            lines = list(grid_rows(sheet.rows, start, len(cols)))
            row_numbers = [r for _, r, _, _ in lines]
            shape = (len(row_numbers), len(cols))
            where = f"line {start + 1}" + (f" of sheet '{sheet.name}'" if multi_sheet else "")
            if shape not in PLATE_SHAPES.values() or row_numbers != list(
                range(1, len(row_numbers) + 1)
            ):
                labels = f"{row_letter(row_numbers[0])}-{row_letter(row_numbers[-1])}"
                raise InputError(
                    f"the grid at {where} has {shape[0]} rows ({labels}) x {shape[1]} columns, "
                    f"which is not a whole plate; expected rows A, B, ... and columns 1..n of a "
                    f"standard plate: {known_shapes_text()}"
                )
            header = sheet.rows[start]
            corner = "" if header[:2] == ["1", "2"] else header[0]  # no corner cell: no name
            plate = (
                corner
                if corner.lower() not in _GENERIC_CORNERS
                else _title_plate(sheet, start) or (sheet.name if multi_sheet else None)
            )
            read = _read_title(sheet, start, previous)
            previous = start + len(lines)
            if read:
                seen[read] = seen.get(read, 0) + 1
            number = seen[read] if read else len(blocks) + 1
            block = Block(plate=plate, read=read, number=number, shape=shape, where=where)
            for _, row, values, _ in lines:
                for col, value in zip(cols, values, strict=True):
                    block.add(row, col, value)
            blocks.append(block)
    if not blocks:  # grids written with plate rows as columns (',A,B,...,H' then 1..12)
        for sheet in sheets:
            for start, n_rows in _transposed(sheet):
                blocks.append(_transposed_block(sheet, start, n_rows, len(blocks) + 1))
    return blocks
