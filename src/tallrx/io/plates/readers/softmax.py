"""Molecular Devices SoftMax Pro plate exports (text, usually UTF-16 with BOM, tab separated).

``##BLOCKS= n`` then blocks ending in ``~End``. A plate block starts with a ``Plate:`` line whose
tab-separated fields are: name, export version, export format (``TimeFormat`` with one column per
well, or ``PlateFormat`` with plate-shaped grids), read type (``Endpoint``, ``Kinetic``, ...),
read mode (Absorbance / Fluorescence / Luminescence), [scan position, fluorescence only],
data type (Raw / Reduced / Both), pre-read, kinetic points, 5 timing/spectrum fields,
number of wavelengths, wavelengths, first column, number of columns, number of wells, ...
Only endpoint reads are parsed (raw data; one read per wavelength). Wells left empty were not read.
"""

from __future__ import annotations

from tallrx.errors import InputError
from tallrx.io._cells import Sheet
from tallrx.io.plates.readers._grid import Block
from tallrx.plate import PLATE_SHAPES, parse_well

_DATA_TYPES = ("Raw", "Reduced", "Both")


def sniff(sheets: list[Sheet]) -> bool:
    rows = [row for sheet in sheets for row in sheet.rows[:50] if row]
    return any(r[0].startswith("##BLOCKS") for r in rows) or any(
        r[0] == "Plate:" and len(r) > 3 and r[3] in ("TimeFormat", "PlateFormat") for r in rows
    )


def _header(fields: list[str], where: str) -> dict:
    fields = fields + [""] * 40
    offset = next((k - 6 for k in (6, 7) if fields[k] in _DATA_TYPES), 0)
    wells = fields[18 + offset]
    return {
        "name": fields[1],
        "format": fields[3],
        "read_type": fields[4],
        "mode": fields[5],
        "wavelengths": fields[15 + offset].split(),
        "shape": PLATE_SHAPES.get(int(wells)) if wells.isdigit() else None,
        "where": where,
    }


def _read_name(head: dict, k: int) -> str:
    waves = head["wavelengths"]
    wave = waves[k] if k < len(waves) else ""
    return f"{head['mode']} {wave} nm" if wave and wave != "0" else head["mode"]


def _time_format(rows: list[list[str]], start: int, head: dict) -> list[Block]:
    """Header row of well names, then one raw data row per wavelength (blank-line separated)."""
    wells = [(j, parse_well(c)) for j, c in enumerate(rows[start]) if j >= 2 and c]
    blocks = []
    i = start + 1
    for k in range(max(1, len(head["wavelengths"]))):
        while i < len(rows) and not any(rows[i]):
            i += 1
        data = rows[i] if i < len(rows) else []
        i += 1
        block = Block(
            plate=head["name"] or None,
            read=_read_name(head, k),
            shape=head["shape"],
            where=head["where"],
        )
        for j, (row, col) in wells:
            block.add(row, col, data[j] if j < len(data) else "")
        blocks.append(block)
    return blocks


def _plate_format(rows: list[list[str]], start: int, head: dict) -> list[Block]:
    """Header ``<time>, Temperature, 1..n[, '', 1..n]``; then one line per plate row."""
    header = rows[start]
    groups: list[list[tuple[int, int]]] = [[]]
    for j, cell in enumerate(header[2:], start=2):
        if cell:
            groups[-1].append((j, int(float(cell))))
        elif groups[-1]:
            groups.append([])
    groups = [g for g in groups if g]
    blocks = [
        Block(
            plate=head["name"] or None,
            read=_read_name(head, k),
            shape=head["shape"],
            where=head["where"],
        )
        for k in range(len(groups))
    ]
    for offset, cells in enumerate(rows[start + 1 :]):
        if not any(cells):
            break
        for block, group in zip(blocks, groups, strict=True):
            for j, col in group:
                block.add(offset + 1, col, cells[j] if j < len(cells) else "")
    return blocks


def parse(sheets: list[Sheet]) -> list[Block]:
    rows = sheets[0].rows
    blocks: list[Block] = []
    for i, cells in enumerate(rows):
        if not cells or cells[0] != "Plate:":
            continue
        head = _header(cells, f"line {i + 1}")
        if head["read_type"] != "Endpoint":
            raise InputError(
                f"plate '{head['name']}' (line {i + 1}) is a {head['read_type']} read; only "
                "endpoint reads are supported. Export the endpoint (or reduced) values, or a "
                "long CSV with one signal per well"
            )
        start = i + 1
        if head["format"] == "TimeFormat":
            blocks.extend(_time_format(rows, start, head))
        elif head["format"] == "PlateFormat" and rows[start][2:3] == ["1"]:
            blocks.extend(_plate_format(rows, start, head))
        else:
            raise InputError(
                f"plate '{head['name']}' (line {i + 1}): unknown SoftMax Pro "
                f"export format '{head['format']}'; expected TimeFormat or "
                "PlateFormat"
            )
    return blocks
