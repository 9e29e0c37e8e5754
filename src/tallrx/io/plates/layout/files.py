"""Layout files -> a raw table: wellmap TOML (``wellmap.load``), XLSX, or CSV/TSV text."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import wellmap

from tallrx.errors import InputError
from tallrx.io._cells import EXCEL_SUFFIXES, decode, read_bytes, text_table
from tallrx.io._columns import normalize_name
from tallrx.io.plates.layout.normalize import ALIASES, normalize_layout


def read_layout(
    path: str | Path, *, unit: str | None = None, drug_units: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read a plate layout (wellmap ``.toml``, or ``.csv``/``.tsv``/``.txt``/``.xlsx``).

    Parameters
    ----------
    path
        The layout file; column names may use any alias in
        :data:`~tallrx.io.plates.layout.ALIASES`.
    unit
        Concentration unit of rows without a ``unit`` column/value (default uM).
    drug_units
        Drug name (case-insensitive) -> the unit its concentrations are in, overriding the
        file (e.g. ``{"asparaginase": "U/l"}``).

    Returns
    -------
    pandas.DataFrame
        One row per used well (role 'unused' rows are dropped: ``attrs['unused_wells']``):
        ``plate`` (when the layout names plates), ``well`` ("A1"), ``row``, ``col`` (1-based),
        ``sample`` (when given), ``drug_a``, ``conc_a`` (uM), ``drug_b`` ("" for single agents),
        ``conc_b`` (uM, 0 for single agents), ``role`` (treated / vehicle / blank / positive),
        ``conc_unit`` ("uM", or "U/l" for activity doses), ``conc_unit_b`` (only when drug B has
        activity doses), ``vehicle`` (the vehicle's name, when known), ``replicate`` and
        ``exclude`` (when given), then every other column unchanged (conditions).

    Raises
    ------
    TallrxError
        SchemaError (columns), InputError (wells, values) or UnitError (units), each naming
        the file and line/well.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "layout.csv"
    >>> _ = p.write_text("well,drug,conc,unit\\nA1,DMSO,0.1,%\\nA2,prednisolone,500,nM\\n")
    >>> read_layout(p)[["well", "drug_a", "conc_a", "role"]].to_dict("list")
    {'well': ['A1', 'A2'], 'drug_a': ['', 'prednisolone'], 'conc_a': [0.0, 0.5], 'role': ['vehicle', 'treated']}
    """
    path = Path(path)
    raw, locs = load_table(path)
    return normalize_layout(raw, where=str(path), unit=unit, drug_units=drug_units, locs=locs)


#: bookkeeping columns of ``wellmap.load`` (0-based positions, source file): not annotations
WELLMAP_EXTRAS = ("well0", "row", "col", "row_i", "col_j", "path")


def drop_wellmap_extras(frame: pd.DataFrame) -> pd.DataFrame:
    """A ``wellmap.load`` table without its :data:`WELLMAP_EXTRAS` columns."""
    return frame.drop(columns=[c for c in WELLMAP_EXTRAS if c in frame.columns])


def read_wellmap(path: Path) -> pd.DataFrame:
    """A wellmap TOML layout read by ``wellmap.load``, without its bookkeeping columns.

    Returns
    -------
    pandas.DataFrame
        One row per well: ``well`` ("A1"), ``plate`` when the layout names plates, and one
        column per annotation of the TOML file (as wellmap names them).
    """
    read_bytes(path)
    try:
        frame = wellmap.load(path)
    except Exception as exc:  # wellmap raises its own and TOML errors
        message = " ".join(str(exc).split())
        raise InputError(f"{path}: not a valid wellmap layout: {message}") from None
    return drop_wellmap_extras(frame)


def _names_wells(names) -> bool:
    """True when ``names`` (a header) hold a 'well' column or 'row' and 'col' columns."""
    keys = {normalize_name(n) for n in names if isinstance(n, str)}
    has = {k: bool(keys & set(ALIASES[k])) for k in ("well", "row", "col")}
    return has["well"] or (has["row"] and has["col"])


def _title_rows(frame: pd.DataFrame) -> int:
    """How many rows above the real header a spreadsheet's title cells take (0: none): the
    header is the first of the first 10 rows naming the well columns, when the file's first
    line does not."""
    if _names_wells(frame.columns):
        return 0
    for k in range(min(10, len(frame))):
        if _names_wells(frame.iloc[k].tolist()):
            return k + 1
    return 0


def load_table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Raw layout table and a location ("line 5") per row; title rows above the header (Excel's
    merged title cells) are skipped."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        frame = read_wellmap(path)
        return frame, [""] * len(frame)
    if suffix in EXCEL_SUFFIXES:
        return _workbook_layout(path)
    what = "a plate layout table (CSV/TSV) with a header row"
    text = decode(read_bytes(path), str(path), what=what)

    def read(skip: int) -> pd.DataFrame:
        with warnings.catch_warnings():  # a title line shorter than the rows is expected
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            return text_table(
                text,
                where=str(path),
                what=what,
                skip_blank_lines=False,
                skipinitialspace=True,
                index_col=False,  # rows longer than the header never become an index
                skiprows=skip,
            )

    try:
        frame = read(0)
    except InputError:  # e.g. a one-cell title line ('drug') above a grid: a grid layout?
        grids = grid_layout(path)
        if grids is None:
            raise
        return grids
    return _headed_table(frame, read, path, "line")


def _headed_table(frame: pd.DataFrame, read, path: Path, label: str):
    """``frame`` (read with ``read(0)``) under its title rows, without empty rows and unnamed
    empty columns, its unit row applied, with a place per row; a grid layout when ``frame``
    has no well header."""
    if not _names_wells(frame.columns) and not _title_rows(frame):
        grids = grid_layout(path)
        if grids is not None:
            return grids
    skip = _title_rows(frame)
    if skip:
        frame = read(skip)
        frame.index = frame.index + skip
    frame = frame.dropna(how="all")
    empty_unnamed = [
        c for c in frame.columns if str(c).startswith("Unnamed:") and frame[c].isna().all()
    ]
    frame = _unit_row(frame.drop(columns=empty_unnamed), path, label)
    return frame, [f"{label} {i + 2}" for i in frame.index]


def _workbook_layout(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """A layout workbook: its first sheet, or - when several sheets hold a layout table (a
    header naming the wells) - all of them, each sheet's name as the ``plate`` of its rows when
    they have no plate column (one sheet per plate, as labs keep them); places name the sheet."""
    read_bytes(path)
    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # openpyxl/zip errors of a damaged workbook
        raise InputError(f"{path}: cannot be read as an XLSX workbook ({exc})") from None
    with book:
        def reader(sheet):
            def read(skip: int) -> pd.DataFrame:
                try:
                    return book.parse(sheet, header=skip)
                except Exception as exc:  # a damaged sheet
                    raise InputError(f"{path}: cannot be read as an XLSX workbook ({exc})") from None
            return read

        first = reader(0)
        tables = []
        for name in book.sheet_names:
            read = reader(name)
            frame = read(0)
            if frame.empty or not (_names_wells(frame.columns) or _title_rows(frame)):
                continue
            tables.append((name, *_headed_table(frame, read, path, "row")))
        if len(tables) < 2:
            return _headed_table(first(0), first, path, "row")
    frames, places = [], []
    for name, frame, locs in tables:
        if not any(normalize_name(c) in ALIASES["plate"] for c in frame.columns):
            frame = frame.assign(plate=name)
        frames.append(frame)
        places += [f"sheet '{name}' {loc}" for loc in locs]
    return pd.concat(frames, ignore_index=True), places


def _unit_row(frame: pd.DataFrame, path: Path, label: str) -> pd.DataFrame:
    """A layout whose first row under the header gives units (``,,nM``: no well, only unit cells,
    as instruments and LIMS exports write them) -> that row removed and the concentration columns
    renamed ``conc (nM)`` (read in that unit); units of other columns are named in a warning."""
    from tallrx.errors import UnitError
    from tallrx.io._columns import warn
    from tallrx.units import normalize_unit

    if len(frame) < 2:
        return frame
    first = frame.iloc[0]
    wells = [c for c in frame.columns if normalize_name(c) in ALIASES["well"] + ALIASES["row"]]
    cells = {c: str(v).strip() for c, v in first.items() if pd.notna(v) and str(v).strip()}
    if not cells or any(c in cells for c in wells):
        return frame
    for text in cells.values():
        try:
            normalize_unit(text)
        except UnitError:
            return frame
    conc = set(ALIASES["conc_a"] + ALIASES["conc_b"])
    renames = {c: f"{c} ({u})" for c, u in cells.items() if normalize_name(c) in conc}
    others = [f"{c}: {u}" for c, u in cells.items() if c not in renames]
    note = f"{path} {label} {frame.index[0] + 2}: read as the unit row ({', '.join(f'{c} in {u}' for c, u in cells.items())})"
    if others:
        note += f"; the unit of {', '.join(others)} is not used"
    warn(note)
    return frame.iloc[1:].rename(columns=renames)


def grid_layout(path: Path) -> tuple[pd.DataFrame, list[str]] | None:
    """A layout drawn as plate-shaped grids, one per column (a ``drug`` grid, a ``conc`` grid,
    ...): each grid's header row is ``NAME,1,2,...,n`` (or ``,1,2,...,n`` under a line holding
    just ``NAME``) and its rows start with the row letters. Wells empty in every grid are not
    used. Returns the long table (one row per well) and each row's place ("line 7 (grid
    'conc')"), or None when the file holds no such grid."""
    from tallrx.io._cells import read_sheets
    from tallrx.io.plates.readers._grid import grid_rows, header_columns
    from tallrx.plate import is_row_label, well_name

    cells: dict[tuple[int, int], dict[str, str]] = {}
    places: dict[tuple[int, int], str] = {}
    label = "row" if path.suffix.lower() in EXCEL_SUFFIXES else "line"
    for sheet in read_sheets(path):
        rows = sheet.rows
        for i, row in enumerate(rows):
            cols = header_columns(row) if row and not is_row_label(row[0]) else None
            if not cols or i + 1 >= len(rows) or not rows[i + 1][:1] or not is_row_label(
                    rows[i + 1][0]):
                continue
            above = [c for c in rows[i - 1] if c] if i else []
            name = row[0] or (above[0] if len(above) == 1 else "")
            if not name:
                return None  # a grid without a name is data, not a layout column
            for k, r, values, _ in grid_rows(rows, i, len(cols)):
                for c, value in zip(cols, values, strict=True):
                    if value:
                        cells.setdefault((r, c), {})[name] = value
                        places.setdefault((r, c), f"{label} {k + 1}")
    names = {normalize_name(re.sub(r"[\s_]*[(\[].*$", "", n)) for v in cells.values() for n in v}
    if not names & set(ALIASES["drug_a"] + ALIASES["role"] + ALIASES["sample"]):
        return None  # no grid names a drug, role or sample: not a layout (a plate of readings?)
    keys = sorted(cells)
    frame = pd.DataFrame([{"well": well_name(r, c), **cells[(r, c)]} for r, c in keys])
    return frame, [places[k] for k in keys]
