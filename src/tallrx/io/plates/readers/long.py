"""Tidy long tables (CSV/TSV/XLSX): one row per well (and read).

Columns (case-insensitive, aliases in brackets): ``plate`` [plate_id, plate_name, barcode],
``well`` [well_id, position] or ``row`` + ``col`` [column] (row as letter or number),
``signal`` [response, value, raw, measurement, intensity, rlu, od, counts], optional
``exclude`` [excluded, outlier] (0/1, true/false, yes/no) and ``read`` [readout, label, channel,
wavelength, filter].
Other columns are ignored.
"""

from __future__ import annotations

from tallrx.errors import InputError, SchemaError
from tallrx.io._cells import Sheet
from tallrx.io._columns import match_columns, misspelled
from tallrx.io.plates.readers._grid import Block, headed
from tallrx.plate import parse_well, row_number

ALIASES: dict[str, tuple[str, ...]] = {
    "plate": ("plate", "plate_id", "plate_name", "barcode", "plate_barcode"),
    "well": ("well", "wells", "well_id", "well_name", "well_position", "position"),
    "row": ("row", "well_row", "row_letter"),
    "col": ("col", "column", "well_col", "well_column", "column_number"),
    "signal": (
        "signal",
        "response",
        "value",
        "raw",
        "raw_data",
        "measurement",
        "intensity",
        "rlu",
        "od",
        "counts",
        "count",
        "luminescence",
        "absorbance",
        "fluorescence",
    ),
    "exclude": ("exclude", "excluded", "outlier", "flagged"),
    "read": ("read", "readout", "read_name", "label", "channel", "wavelength", "wavelength_nm",
             "filter"),
}


def _header(sheet: Sheet) -> tuple[int, dict[str, object]] | None:
    """The header row: the first non-empty row of the first 20 that names a well position or
    a signal column (title rows above it, as Excel's merged title cells, are skipped), else the
    first non-empty row."""
    first = None
    for i, row in enumerate(sheet.rows[:20]):
        if any(row):
            found = match_columns([c for c in row if c], ALIASES, sheet.name)
            if "signal" in found or "well" in found or {"row", "col"} <= found.keys():
                return i, found
            first = first or (i, found)
    return first


def check_columns(sheets: list[Sheet], where: str) -> None:
    """SchemaError naming the missing column when a sheet looks like a long table (it has a
    'well' or 'signal' column) but lacks the other; nothing otherwise."""
    for sheet, (start, found) in headed(sheets, _header):
        has_position = "well" in found or {"row", "col"} <= found.keys()
        if has_position != ("signal" in found):
            _missing(sheet.rows[start], found, where)


def _missing(header: list[str], found: dict, where: str) -> None:
    missing = "signal" if "signal" not in found else "well" if "row" not in found else "col"
    wanted = ["signal"] if missing == "signal" else (["well"] if missing == "well" else ["col"])
    guess = misspelled(header, found, ALIASES, wanted)
    hint = f" Did you mean '{guess[1]}' for column '{guess[0]}'?" if guess else ""
    options = "/".join(ALIASES[missing][:6])
    raise SchemaError(
        f"{where + ': ' if where else ''}a long plate table (one row per well) needs a '{missing}' column "
        f"({options}); it has: {', '.join(c for c in header if c)}.{hint} Rename the column, "
        "or pass --format for a plate-reader export"
    )


def sniff(sheets: list[Sheet]) -> bool:
    for sheet in sheets:
        head = _header(sheet)
        if head and "signal" in head[1] and ("well" in head[1] or {"row", "col"} <= head[1].keys()):
            return True
    return False


def _position(cells: dict, found: dict, where: str) -> tuple[int, int]:
    if "well" in found:
        return parse_well(cells[found["well"]])
    row_text, col_text = cells[found["row"]], cells[found["col"]]
    try:
        row = int(float(row_text)) if row_text[:1].isdigit() else row_number(row_text)
        col = int(float(col_text))
    except (ValueError, InputError):
        raise InputError(
            f"{where}: row '{row_text}' / col '{col_text}' is not a well position; "
            "expected a row letter or number and a column number"
        ) from None
    return row, col


def parse(sheets: list[Sheet]) -> list[Block]:
    blocks: dict[tuple[str | None, str], Block] = {}
    for sheet, (start, found) in headed(sheets, _header):
        header = sheet.rows[start]
        if "signal" not in found or not ("well" in found or {"row", "col"} <= found.keys()):
            _missing(header, found, "")
        skipped: list[str] = []
        for i in range(start + 1, len(sheet.rows)):
            raw = sheet.rows[i]
            if not any(raw):
                continue
            cells = dict(zip(header, raw + [""] * len(header), strict=False))
            where = f"line {i + 1}"
            if _not_a_well(raw, header, cells, found):
                skipped.append(f"{where} ('{raw[0] if raw else ''}')")
                continue
            row, col = _position(cells, found, where)
            plate = cells[found["plate"]] if "plate" in found else ""
            read = cells[found["read"]] if "read" in found else ""
            block = blocks.setdefault(
                (plate or None, read), Block(plate=plate or None, read=read, where=where)
            )
            exclude = cells[found["exclude"]] if "exclude" in found else None
            block.add(row, col, cells[found["signal"]], exclude)
        if skipped and blocks:
            first = next(iter(blocks.values()))
            shown = "; ".join(skipped[:3]) + (f" (+{len(skipped) - 3} more)" if len(skipped) > 3
                                              else "")
            first.note = (f"{len(skipped)} repeated header or summary row(s) left out: {shown}"
                          + (f"; {first.note}" if first.note else ""))
    return list(blocks.values())


#: first cells of the summary rows a spreadsheet or instrument adds under a table
SUMMARY_WORDS = {"total", "totals", "sum", "mean", "average", "median", "sd", "stdev", "cv",
                 "cv %", "cv%", "min", "max", "count"}  # never a row letter (N is a row)


def _not_a_well(raw: list[str], header: list[str], cells: dict, found: dict) -> bool:
    """True for a row that repeats the header (tables concatenated with ``cat``) or is a summary
    row ('Total', 'Mean', 'SD' ... in the position column) rather than a well."""
    if [c.strip() for c in raw[: len(header)]] == [c.strip() for c in header]:
        return True
    position = cells[found["well"]] if "well" in found else cells[found["row"]]
    return position.strip().lower() in SUMMARY_WORDS
