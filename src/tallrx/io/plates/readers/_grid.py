"""Shared pieces of the plate-reader parsers: the :class:`Block` they return and grid reading.

A *grid* is the plate-shaped table most exports contain: a header row of column numbers
(``,1,2,...,12`` or ``,01,02,...,24``) followed by rows that start with a row letter. Gen5 adds
continuation rows (empty first cell) and a trailing label naming the read of each row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from tallrx.errors import InputError
from tallrx.io._cells import Sheet
from tallrx.plate import PLATE_SHAPES, is_row_label, known_shapes_text, row_number

T = TypeVar("T")


@dataclass
class Block:
    """The raw values of one read of one plate, as found in a file (values still text).

    ``plate`` is the id the file carries (barcode, plate name) or None; ``number`` the plate's
    position in a multi-plate file, used to build an id from the file name when there is none.
    """

    plate: str | None
    read: str = ""
    number: int | None = None
    shape: tuple[int, int] | None = None
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    where: str = ""  # e.g. "line 12" of the block's start, for messages
    note: str = ""  # said once when the file is read (e.g. which reads were left out)

    def add(self, row: int, col: int, value: str, exclude: str | None = None) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.values.append(value)
        if exclude is not None:
            if self.exclude is None:
                self.exclude = [""] * (len(self.values) - 1)
            self.exclude.append(exclude)


def headed(sheets: list[Sheet], find: Callable[[Sheet], T | None]) -> Iterator[tuple[Sheet, T]]:
    """``(sheet, header)`` for each sheet in which ``find`` finds a header (not None)."""
    for sheet in sheets:
        head = find(sheet)
        if head is not None:
            yield sheet, head


def trim(cells: list[str]) -> list[str]:
    """Cells without trailing empty ones."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def header_columns(cells: list[str], skip: int = 1) -> list[int] | None:
    """Column numbers 1..n when ``cells[skip:]`` is a grid header (n >= 2), else None."""
    body = trim(cells[skip:])
    if len(body) < 2:
        return None
    try:
        numbers = [int(float(c)) for c in body]
    except (ValueError, OverflowError):  # text, or 'inf' / '1e400' in a header cell
        return None
    if numbers != list(range(1, len(numbers) + 1)) or any("." in c for c in body):
        return None
    return numbers


#: BMG MARS labels the rows of a 32 x 48 plate A..Z then a..f (rows 27-32)
_BMG_LOWER = "abcdef"


def grid_row_number(label: str, previous: int | None) -> int:
    """Row number of a grid's row label; a lower-case a-f right after row Z (26) or after such
    a row continues the plate (BMG's 1536-well convention: ``a`` = row 27 = AA ... ``f`` = AF)."""
    if label in _BMG_LOWER and len(label) == 1 and previous is not None and previous >= 26:
        return 27 + _BMG_LOWER.index(label)
    return row_number(label)


def grid_rows(rows: list[list[str]], start: int, ncols: int, *, continuation: bool = False):
    """Yield (line index, row number, value cells, label) for the grid rows after header ``start``.

    ``label`` is the first non-empty cell after the ``ncols`` values (Gen5 read names), else "".
    With ``continuation`` an empty first cell continues the previous row letter (Gen5).
    Stops at the first row that is neither.
    """
    current: int | None = None
    for i in range(start + 1, len(rows)):
        cells = rows[i]
        first = cells[0] if cells else ""
        if first and is_row_label(first):
            current = grid_row_number(first, current)
        elif not (continuation and current is not None and not first and any(cells)):
            return
        values = (cells[1 : 1 + ncols] + [""] * ncols)[:ncols]
        extra = [c for c in cells[1 + ncols :] if c]
        yield i, current, values, (extra[0] if extra else "")


def next_nonempty(rows: list[list[str]], start: int) -> int | None:
    """Index of the first row at or after ``start`` holding any non-empty cell."""
    for i in range(start, len(rows)):
        if any(rows[i]):
            return i
    return None


def read_grid_block(rows: list[list[str]], header: int, block: Block) -> None:
    """Fill ``block`` from the grid whose header row is ``header`` (a valid grid header)."""
    cols = header_columns(rows[header]) or []
    for _, row, values, _label in grid_rows(rows, header, len(cols)):
        for col, value in zip(cols, values, strict=True):
            block.add(row, col, value)


_NUMBER = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)*|[.,]\d+)(?:[eE][-+]?\d+)?$")
# overflow / error marks a reader writes in a grid cell (a flagged well, see _block_frame)
_MARK = re.compile(r"^(?:ovrflw|overflow|over|range\?|sat(?:urated)?|\*+|#[a-z0-9/]+[!?]?|"
                   r"n\.?a\.?|[<>]\s*\S+)$", re.IGNORECASE)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_reading(text: str) -> bool:
    """A number in any locale ('2.63', '2,63', '1.234,5', '1e5'); see :mod:`tallrx.io._numbers`."""
    return _is_number(text) or bool(_NUMBER.match(text.strip()))


def bare_grid(rows: list[list[str]], start: int) -> list[list[str]]:
    """The consecutive rows of numbers from ``start`` on: a grid without row letters or column
    numbers (EnVision "Plate" exports write plate rows A, B, ... this way). [] when none."""
    lines: list[list[str]] = []
    for cells in rows[start:]:
        body = trim(cells)
        numbers = [_is_reading(c) for c in body]
        if not any(numbers) or not all(n or _MARK.match(c.strip()) for n, c in zip(
                numbers, body, strict=True)):
            break
        lines.append(body)
    return lines


def fill_bare_grid(lines: list[list[str]], block: Block, where: str) -> None:
    """Fill ``block`` from :func:`bare_grid` lines as plate rows 1..n; InputError unless their
    shape is a standard plate."""
    shape = (len(lines), max(len(line) for line in lines))
    if shape not in PLATE_SHAPES.values():
        raise InputError(
            f"the unlabelled grid at {where} has {shape[0]} rows x {shape[1]} columns, which is "
            f"not a whole plate; expected a standard plate ({known_shapes_text()}), or export "
            "with row letters and column numbers and pass --format matrix"
        )
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            block.add(r, c, value)
    block.shape = shape
