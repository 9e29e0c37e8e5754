"""Plate layouts (wellmap TOML or a plain CSV/TSV/XLSX table) -> one row per well.

Output columns: ``plate`` (only when the layout names plates), ``well`` ("A1"), ``row``, ``col``
(1-based ints), ``sample`` (only when given), ``drug_a``, ``conc_a`` (uM), ``drug_b`` ("" for single
agents), ``conc_b`` (uM, 0.0 for single agents), ``role`` (treated | vehicle | blank | positive),
``conc_unit`` ("uM", or "U/l" for enzyme-activity doses that have no molar equivalent), ``vehicle``
(the vehicle's name, e.g. DMSO, when the layout names one), ``replicate``/``exclude`` when given,
then every other column unchanged (conditions such as ``il7``, ``dox``, ``genotype``).

Column aliases (case-insensitive; spaces, dashes and dots count as ``_``) are in :data:`ALIASES`.
Role, when not given: a drug named like a vehicle (DMSO, vehicle, solvent, medium, control, ...) or
no drug at concentration 0 -> vehicle; drug or sample 'blank' / 'empty' / 'no cells' -> blank;
otherwise treated. Vehicle wells get ``drug_a = ""`` and ``conc_a = 0``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import wellmap

from tallrx.errors import (
    InputError,
    SchemaError,
    TallrxError,
    UnitError,
    did_you_mean,
)
from tallrx.io._cells import EXCEL_SUFFIXES, cell_text, decode, read_bytes, sniff_delimiter
from tallrx.io._columns import (
    close_hint,
    match_columns,
    misspelled,
    normalize_name,
    parse_flag,
    warn,
)
from tallrx.plate import MAX_COLS, MAX_ROWS, parse_well, row_number, well_names
from tallrx.units import UNITS, normalize_unit, to_um

ALIASES: dict[str, tuple[str, ...]] = {
    "plate": ("plate", "plate_id", "plate_name", "barcode", "plate_barcode"),
    "well": ("well", "wells", "well_id", "well_name", "well_position", "position"),
    "row": ("row", "well_row", "row_letter"),
    "col": ("col", "column", "well_col", "well_column", "column_number"),
    "sample": ("sample", "sample_id", "sample_name"),
    "drug_a": ("drug", "drug_a", "drug1", "drug_1", "compound", "compound_a", "drug_name"),
    "conc_a": (
        "conc_a",
        "conc",
        "concentration",
        "conc1",
        "conc_1",
        "concentration_a",
        "dose",
        "dose_a",
    ),
    "unit_a": ("unit", "units", "unit_a", "unit1", "unit_1", "conc_unit", "concentration_unit"),
    "drug_b": ("drug_b", "drug2", "drug_2", "compound_b", "compound2"),
    "conc_b": ("conc_b", "conc2", "conc_2", "concentration_b", "concentration2", "dose_b", "dose2"),
    "unit_b": ("unit_b", "unit2", "unit_2", "conc_unit_b"),
    "mw_a": ("mw", "mw_a", "molecular_weight"),
    "mw_b": ("mw_b",),
    "role": ("role", "well_role", "well_type"),
    "replicate": ("replicate", "rep", "replicate_id"),
    "exclude": ("exclude", "excluded"),
    "vehicle": ("vehicle",),
}
# canonical names whose absence makes a near-miss column name an error (typo guard)
_TYPO_CHECKED = ("plate", "sample", "drug_a", "conc_a", "unit_a", "drug_b", "conc_b", "role")

VEHICLE_NAMES = frozenset(
    {
        "dmso",
        "vehicle",
        "solvent",
        "medium",
        "media",
        "control",
        "ctrl",
        "untreated",
        "no_drug",
        "none",
        "water",
        "h2o",
        "pbs",
        "ethanol",
        "etoh",
    }
)
BLANK_NAMES = frozenset({"blank", "empty", "no_cells", "no_cell", "background", "cell_free"})
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "treated": ("treated", "treatment", "sample", "drug", "test", "compound"),
    "vehicle": (
        "vehicle",
        "negative",
        "neg",
        "negcon",
        "negative_control",
        "neg_ctrl",
        "dmso",
        "solvent",
        "untreated",
        "control",
        "ctrl",
    ),
    "blank": ("blank", "empty", "background", "bkg", "no_cells", "medium_only", "media_only"),
    "positive": (
        "positive",
        "pos",
        "poscon",
        "positive_control",
        "pos_ctrl",
        "kill",
        "kill_control",
    ),
    "unused": ("unused", "not_used", "none", "skip", "ignore", "-"),
}
_ROLE_OF = {alias: role for role, names in ROLE_ALIASES.items() for alias in names}

# Enzyme-activity doses (asparaginase) have no molar equivalent: kept as U/l (factor to U/l).
ACTIVITY_UNITS: dict[str, float] = {
    "u/l": 1.0,
    "iu/l": 1.0,
    "u/ml": 1e3,
    "iu/ml": 1e3,
    "mu/ml": 1.0,
    "ku/l": 1e3,
}
ACTIVITY_DRUG = re.compile(r"asparaginase|aspargase|crisantaspase|erwinase|erwinaze|oncaspar")


def read_layout(
    path: str | Path, *, unit: str | None = None, drug_units: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Read a plate layout (wellmap ``.toml``, or ``.csv``/``.tsv``/``.txt``/``.xlsx``).

    ``unit`` is the concentration unit of rows without a ``unit`` column/value (default uM);
    ``drug_units`` maps drug names (case-insensitive) to the unit their concentrations are in,
    overriding the file (e.g. ``{"asparaginase": "U/l"}``). Concentrations come out in uM.
    Raises SchemaError (columns), InputError (wells, values) or UnitError (units), each naming
    the file and line/well.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "layout.csv"
    >>> _ = p.write_text("well,drug,conc,unit\\nA1,DMSO,0.1,%\\nA2,prednisolone,500,nM\\n")
    >>> read_layout(p)[["well", "drug_a", "conc_a", "role"]].to_dict("list")
    {'well': ['A1', 'A2'], 'drug_a': ['', 'prednisolone'], 'conc_a': [0.0, 0.5], 'role': ['vehicle', 'treated']}
    """
    path = Path(path)
    raw, locs = _load(path)
    return normalize_layout(raw, where=str(path), unit=unit, drug_units=drug_units, locs=locs)


#: bookkeeping columns of ``wellmap.load`` (0-based positions, source file): not annotations
WELLMAP_EXTRAS = ("well0", "row", "col", "row_i", "col_j", "path")


def drop_wellmap_extras(frame: pd.DataFrame) -> pd.DataFrame:
    """A ``wellmap.load`` table without its :data:`WELLMAP_EXTRAS` columns."""
    return frame.drop(columns=[c for c in WELLMAP_EXTRAS if c in frame.columns])


def _load(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Raw layout table and a location ("line 5") per row."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        read_bytes(path)
        try:
            frame = wellmap.load(path)
        except Exception as exc:  # wellmap raises its own and TOML errors
            message = " ".join(str(exc).split())
            raise InputError(f"{path}: not a valid wellmap layout: {message}") from None
        frame = drop_wellmap_extras(frame)
        return frame, [""] * len(frame)
    if suffix in EXCEL_SUFFIXES:
        read_bytes(path)
        try:
            frame = pd.read_excel(path, sheet_name=0)
        except Exception as exc:  # openpyxl/zip errors of a damaged workbook
            raise InputError(f"{path}: cannot be read as an XLSX workbook ({exc})") from None
        label = "row"
    else:
        text = decode(read_bytes(path), str(path))
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sniff_delimiter(text),
                skip_blank_lines=False,
                skipinitialspace=True,
                index_col=False,  # rows longer than the header never become an index
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise InputError(
                f"{path}: cannot be read as a CSV/TSV table ({' '.join(str(exc).split())})"
            ) from None
        label = "line"
    frame = frame.dropna(how="all")
    empty_unnamed = [
        c for c in frame.columns if str(c).startswith("Unnamed:") and frame[c].isna().all()
    ]
    frame = frame.drop(columns=empty_unnamed)
    return frame, [f"{label} {i + 2}" for i in frame.index]


def _per_unique(values, fn) -> np.ndarray:
    """``fn`` applied once per distinct value (layouts repeat a few values over many wells)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(u) for u in uniques]
    return mapped[codes]


def _text(values: pd.Series) -> np.ndarray:
    """Strings with NaN -> '' (numbers as written: 1.0 -> '1')."""
    return _per_unique(values, cell_text)


def _keys(values: np.ndarray) -> np.ndarray:
    """:func:`normalize_name` of every value ('No Cells' -> 'no_cells')."""
    return _per_unique(values, normalize_name)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(floats with NaN for empty/bad, mask of non-empty cells that are not numbers)."""
    text = _text(values)
    nums = pd.to_numeric(pd.Series(text, dtype=object).replace("", np.nan), errors="coerce")
    nums = nums.to_numpy(dtype=float)
    return nums, np.isnan(nums) & (text != "")


def _fail(kind: type[TallrxError], where: str, loc: str, message: str) -> TallrxError:
    return kind(f"{where} {loc}: {message}" if loc else f"{where}: {message}")


def _row_col(text: str) -> tuple[int, int]:
    """(row, col) of 'C\t3' or '3\t3' (row letter or number, column number)."""
    row, _, col = text.partition("\t")
    return (int(float(row)) if row[:1].isdigit() else row_number(row)), int(float(col))


def _try(fn):
    """``fn`` returning its InputError/ValueError instead of raising (for per-unique parsing)."""

    def safe(value):
        try:
            return fn(value)
        except (InputError, ValueError) as exc:
            return exc

    return safe


def _positions(
    raw: pd.DataFrame, found: dict, where: str, base: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    if "well" in found:
        text = _text(raw[found["well"]])
        parsed = _per_unique(text, _try(parse_well))
        message = "{exc}"
    else:
        text = _text(raw[found["row"]]) + "\t" + _text(raw[found["col"]])
        parsed = _per_unique(text, _try(_row_col))
        message = (
            "row '{row}' / col '{col}' is not a well position; expected a row letter "
            "(A) or number (1) and a column number (1..48)"
        )
    failed = [p is None or isinstance(p, Exception) for p in parsed]
    k = _first(np.asarray(failed, dtype=bool))
    if k is not None:
        row, _, col = str(text[k]).partition("\t")
        raise _fail(InputError, where, base[k], message.format(exc=parsed[k], row=row, col=col))
    rows = [p[0] for p in parsed]
    cols = [p[1] for p in parsed]
    r_arr, c_arr = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
    bad = (r_arr < 1) | (c_arr < 1) | (r_arr > MAX_ROWS) | (c_arr > MAX_COLS)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise _fail(
            InputError,
            where,
            base[k],
            f"row {r_arr[k]} / column {c_arr[k]} is outside any plate; the largest "
            f"(1536 wells) has rows 1-{MAX_ROWS} (A-AF) and columns 1-{MAX_COLS}",
        )
    return r_arr, c_arr


def _roles(
    raw: pd.DataFrame,
    found: dict,
    drug_a: np.ndarray,
    conc_a: np.ndarray,
    drug_b: np.ndarray,
    sample: np.ndarray,
    where: str,
    locs: list[str],
) -> np.ndarray:
    """Explicit role where given (aliases allowed), inferred elsewhere."""
    dkey, skey = _keys(drug_a), _keys(sample)
    blank = np.isin(dkey, list(BLANK_NAMES)) | np.isin(skey, list(BLANK_NAMES))
    no_drug = (dkey == "") & (np.nan_to_num(conc_a) == 0) & (drug_b == "")
    vehicle = np.isin(dkey, list(VEHICLE_NAMES)) | no_drug
    inferred = np.where(blank, "blank", np.where(vehicle, "vehicle", "treated")).astype(object)
    if "role" not in found:
        return inferred
    given = _text(raw[found["role"]])
    out = inferred.copy()
    for k, text in enumerate(given):
        if not text:
            continue
        role = _ROLE_OF.get(normalize_name(text))
        if role is None:
            raise _fail(
                InputError,
                where,
                locs[k],
                f"role '{text}' is not known; use treated, vehicle, blank, positive or "
                f"unused.{did_you_mean(normalize_name(text), _ROLE_OF)}",
            )
        out[k] = role
    return out


def _default_unit(unit: str | None) -> str:
    """Validated ``unit=`` argument (default uM)."""
    if unit is None:
        return "uM"
    if unit.replace(" ", "").lower() in ACTIVITY_UNITS:
        return unit
    try:
        return normalize_unit(unit)
    except UnitError as exc:
        raise UnitError(f"unit={unit!r}: {exc}") from None


def _unit_parser(where: str, locs: list[str]):
    options = list(UNITS) + ["U/l", "U/ml"]

    def parse(text: str, k: int) -> str:
        key = text.replace(" ", "").replace("µ", "u").replace("μ", "u").lower()
        if key in ACTIVITY_UNITS:
            return key
        try:
            return normalize_unit(text)
        except UnitError:
            raise _fail(
                UnitError,
                where,
                locs[k],
                f"unknown concentration unit '{text}'; use one of "
                f"{', '.join(options)}.{did_you_mean(text, options)}",
            ) from None

    return parse


def _convert(
    conc: np.ndarray,
    units: np.ndarray,
    drugs: np.ndarray,
    mws: np.ndarray,
    active: np.ndarray,
    where: str,
    locs: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Concentrations in uM (activity units: in U/l) and the unit label of each row."""
    out = np.where(active, conc, 0.0).astype(float)
    labels = np.full(len(conc), "uM", dtype=object)
    combos = pd.DataFrame({"unit": units, "drug": drugs, "mw": mws})[active]
    keys = ["unit", "drug", "mw"]
    for (unit, drug, mw), group in combos.groupby(keys, dropna=False, sort=False):
        idx = group.index.to_numpy()
        if unit in ACTIVITY_UNITS:
            out[idx] = conc[idx] * ACTIVITY_UNITS[unit]
            labels[idx] = "U/l"
            continue
        try:
            factor = float(
                to_um(1.0, unit, drug=drug or None, mw=None if np.isnan(mw) else float(mw))
            )
        except UnitError as exc:
            raise _fail(UnitError, where, locs[idx[0]], str(exc)) from None
        out[idx] = conc[idx] * factor
    return out, labels


def _units(
    given: np.ndarray,
    default: str,
    drugs: np.ndarray,
    drug_units: dict[str, str],
    parse,
    needed: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """Canonical unit per row ('' where not needed) and the activity drugs read as U/l."""
    units = np.full(len(given), "", dtype=object)
    reinterpreted: list[str] = []
    table = pd.DataFrame({"drug": drugs, "text": given})[needed]
    for (drug, text), group in table.groupby(["drug", "text"], sort=False):
        k = int(group.index[0])
        dkey = normalize_name(drug)
        if dkey in drug_units:
            unit = parse(drug_units[dkey], k)
        else:
            unit = parse(text or default, k)
            if ACTIVITY_DRUG.search(dkey) and unit not in ACTIVITY_UNITS:
                reinterpreted.append(drug)
                unit = "u/l"
        units[group.index.to_numpy()] = unit
    return units, reinterpreted


_HEADER_UNIT = re.compile(r"^(.*?)[\s_]*[(\[]\s*([^)\]]+?)\s*[)\]]\s*$")


def _header_units(raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """'Concentration (nM)' -> column 'Concentration' with unit nM for its rows."""
    renames, units = {}, {}
    for column in raw.columns:
        match = _HEADER_UNIT.match(column)
        if not match:
            continue
        for slot in ("conc_a", "conc_b"):
            if normalize_name(match.group(1)) in ALIASES[slot]:
                renames[column] = match.group(1)
                units[slot] = match.group(2)
    return raw.rename(columns=renames), units


def normalize_layout(
    raw: pd.DataFrame,
    *,
    where: str = "layout",
    unit: str | None = None,
    drug_units: Mapping[str, str] | None = None,
    locs: list[str] | None = None,
) -> pd.DataFrame:
    """Turn a raw layout table (any alias spelling) into the layout columns described above.

    Idempotent: a layout this function produced passes through unchanged (its ``conc_unit``
    column is read as the unit). ``locs`` names each row in messages ("line 5").
    """
    if not isinstance(raw, pd.DataFrame):
        raise SchemaError(f"{where}: expected a layout table, got {type(raw).__name__}")
    raw = raw.reset_index(drop=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    if raw.columns.duplicated().any():
        dup = raw.columns[raw.columns.duplicated()][0]
        raise SchemaError(f"{where}: column '{dup}' appears twice; give each column one name")
    if raw.empty:
        raise InputError(f"{where}: the layout lists no wells; expected one row per used well")
    base = list(locs) if locs is not None else [f"row {i + 1}" for i in range(len(raw))]
    raw, header_units = _header_units(raw)
    found = match_columns(raw.columns, ALIASES, where)
    has_position = "well" in found or {"row", "col"} <= found.keys()
    checked = list(_TYPO_CHECKED) + ([] if has_position else ["well", "row", "col"])
    typo = misspelled(raw.columns, found, ALIASES, checked)
    if typo:
        raise SchemaError(
            f"{where}: column '{typo[0]}' is not a layout column. Did you mean '{typo[1]}'? "
            "Rename it (condition columns may have any name that is not this close to a "
            "layout column)"
        )
    if not has_position:
        raise SchemaError(
            f"{where}: the layout needs a 'well' column (A1, B12, ...) or 'row' and 'col' "
            f"columns; has: {', '.join(raw.columns)}.{close_hint(raw.columns, ['well', 'row'])}"
        )
    for have, need, names in (
        ("drug_a", "conc_a", "concentration"),
        ("conc_a", "drug_a", "drug"),
        ("drug_b", "conc_b", "conc_b"),
        ("conc_b", "drug_b", "drug_b"),
    ):
        if have in found and need not in found:
            raise SchemaError(
                f"{where}: column '{found[have]}' has no matching '{names}' column; has: "
                f"{', '.join(raw.columns)}.{close_hint(raw.columns, ALIASES[need])}"
            )

    rows, cols = _positions(raw, found, where, base)
    wells = well_names(rows, cols)
    plate = _text(raw[found["plate"]]) if "plate" in found else None
    where_well = [
        f"plate {p}, well {w}" if plate is not None else f"well {w}"
        for p, w in zip(plate if plate is not None else wells, wells, strict=True)
    ]
    locs = [f"{b} ({w})" if b else w for b, w in zip(base, where_well, strict=True)]
    if plate is not None and (plate == "").any():
        k = int(np.flatnonzero(plate == "")[0])
        raise _fail(
            InputError,
            where,
            locs[k],
            "the plate cell is empty; name the plate of "
            "every well (or drop the plate column to use the layout for every plate)",
        )
    _check_duplicates(plate, wells, locs, where)

    n = len(raw)
    empty = np.full(n, "", dtype=object)
    sample = _text(raw[found["sample"]]) if "sample" in found else empty
    drug_a = _text(raw[found["drug_a"]]) if "drug_a" in found else empty.copy()
    drug_b = _text(raw[found["drug_b"]]) if "drug_b" in found else empty.copy()
    conc_a, bad_a = (
        _numbers(raw[found["conc_a"]])
        if "conc_a" in found
        else (np.full(n, np.nan), np.zeros(n, bool))
    )
    conc_b, bad_b = (
        _numbers(raw[found["conc_b"]])
        if "conc_b" in found
        else (np.full(n, np.nan), np.zeros(n, bool))
    )
    role = _roles(raw, found, drug_a, conc_a, drug_b, sample, where, locs)

    vehicle_name = np.where(role == "vehicle", drug_a, "").astype(object)
    clear_a = (role == "vehicle") | (
        (role == "blank") & np.isin(_keys(drug_a), list(VEHICLE_NAMES | BLANK_NAMES))
    )
    drug_a[clear_a] = ""
    drug_b[role == "vehicle"] = ""
    _check_values(role, drug_a, conc_a, bad_a, drug_b, conc_b, bad_b, raw, found, where, locs)

    default = _default_unit(unit)
    parse = _unit_parser(where, locs)
    default_a = header_units.get("conc_a", default)
    default_b = header_units.get("conc_b", default_a)
    overrides = {normalize_name(k): v for k, v in (drug_units or {}).items()}
    need_a = (drug_a != "") & np.isfinite(conc_a) & (conc_a > 0)
    need_b = (drug_b != "") & np.isfinite(conc_b) & (conc_b > 0)
    unit_col_b = found.get("unit_b", found.get("unit_a"))
    unit_a, reint_a = _units(
        _text(raw[found["unit_a"]]) if "unit_a" in found else empty,
        default_a,
        drug_a,
        overrides,
        parse,
        need_a,
    )
    unit_b, reint_b = _units(
        _text(raw[unit_col_b]) if unit_col_b else empty, default_b, drug_b, overrides, parse, need_b
    )
    mw_a = _numbers(raw[found["mw_a"]])[0] if "mw_a" in found else np.full(n, np.nan)
    mw_b = _numbers(raw[found["mw_b"]])[0] if "mw_b" in found else mw_a
    conc_a_um, label_a = _convert(conc_a, unit_a, drug_a, mw_a, need_a, where, locs)
    conc_b_um, label_b = _convert(conc_b, unit_b, drug_b, mw_b, need_b, where, locs)
    _warn_activity(where, drug_a, drug_b, label_a, label_b, reint_a + reint_b)

    out = {}
    if plate is not None:
        out["plate"] = plate
    out.update(well=wells, row=rows, col=cols)
    if "sample" in found:
        out["sample"] = sample
    out.update(
        drug_a=drug_a,
        conc_a=conc_a_um,
        drug_b=drug_b,
        conc_b=conc_b_um,
        role=role,
        conc_unit=label_a,
    )
    if (label_b != "uM").any():
        out["conc_unit_b"] = label_b
    if "vehicle" in found or (vehicle_name != "").any():
        given = _text(raw[found["vehicle"]]) if "vehicle" in found else empty
        out["vehicle"] = np.where(given != "", given, vehicle_name)
    if "replicate" in found:
        out["replicate"] = _replicates(raw[found["replicate"]], where, locs)
    if "exclude" in found:
        out["exclude"] = np.array(
            [
                parse_flag(v, f"{where} {loc}")
                for v, loc in zip(_text(raw[found["exclude"]]), locs, strict=True)
            ],
            bool,
        )
    table = pd.DataFrame(out)
    for column in raw.columns:
        if column not in found.values():
            table[column] = raw[column].to_numpy()
    keep = role != "unused"
    result = table[keep].reset_index(drop=True)
    result.attrs["unused_wells"] = list(
        zip(
            plate[~keep] if plate is not None else [None] * int((~keep).sum()),
            wells[~keep],
            strict=True,
        )
    )
    return result


def _check_duplicates(
    plate: np.ndarray | None, wells: np.ndarray, locs: list[str], where: str
) -> None:
    keys = pd.Series(
        [
            f"{p}\x00{w}"
            for p, w in zip(
                plate if plate is not None else np.full(len(wells), ""), wells, strict=True
            )
        ]
    )
    dup = keys.duplicated(keep=False).to_numpy()
    if dup.any():
        first = keys[dup].iloc[0]
        places = [locs[k] for k in np.flatnonzero(keys.to_numpy() == first)]
        names = ", ".join(pd.unique(wells[dup])[:10])
        raise InputError(
            f"{where}: well(s) {names} listed more than once ({'; '.join(places)}); "
            "each well may appear once per plate"
        )


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _check_values(
    role, drug_a, conc_a, bad_a, drug_b, conc_b, bad_b, raw, found, where, locs
) -> None:
    """Treated wells need a drug and a positive concentration; none may be negative/non-numeric."""
    checked = ~np.isin(role, ["vehicle", "unused"])
    treated = role == "treated"
    cell_a = _text(raw[found["conc_a"]]) if "conc_a" in found else np.full(len(role), "")
    cell_b = _text(raw[found["conc_b"]]) if "conc_b" in found else np.full(len(role), "")
    problems = [
        (
            checked & bad_a & (drug_a != ""),
            lambda k: (
                f"concentration '{cell_a[k]}' of {drug_a[k]} is not a number; expected a "
                "number (put the unit in a 'unit' column)"
            ),
        ),
        (
            treated & (drug_a == ""),
            lambda k: (
                "a treated well with no drug; name the drug, or give the well role "
                "'vehicle' or 'blank'"
            ),
        ),
        (
            treated & ~(conc_a > 0),
            lambda k: (
                f"concentration {cell_a[k] or 'empty'} for treated drug '{drug_a[k]}'; "
                "treated wells need a concentration > 0 (mark controls with drug 'DMSO' or "
                "role 'vehicle')"
            ),
        ),
        (
            checked & (conc_a < 0),
            lambda k: f"negative concentration {cell_a[k]}; expected a value >= 0",
        ),
        (
            checked & (drug_b != "") & (bad_b | ~(conc_b > 0)),
            lambda k: (
                f"concentration '{cell_b[k] or 'empty'}' for second drug '{drug_b[k]}'; "
                "expected a number > 0"
            ),
        ),
        (
            checked & (drug_b == "") & (bad_b | (np.nan_to_num(conc_b) != 0)),
            lambda k: (
                f"a second-drug concentration ({cell_b[k]}) without a second drug; name "
                "drug_b or leave conc_b empty"
            ),
        ),
    ]
    for mask, message in problems:
        k = _first(mask)
        if k is not None:
            raise _fail(InputError, where, locs[k], message(k))


def _replicates(values: pd.Series, where: str, locs: list[str]) -> np.ndarray:
    nums, bad = _numbers(values)
    bad = bad | np.isnan(nums) | (nums != np.round(nums)) | (nums < 1)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise _fail(
            InputError, where, locs[k], f"replicate '{values.iloc[k]}' is not a whole number >= 1"
        )
    return nums.astype(int)


def _warn_activity(where: str, drug_a, drug_b, label_a, label_b, reinterpreted) -> None:
    drugs = sorted(set(drug_a[label_a != "uM"]) | set(drug_b[label_b != "uM"]))
    if not drugs:
        return
    message = (
        f"{where}: {', '.join(drugs)} dosed in enzyme activity units, which have no uM "
        "equivalent; conc_a keeps the dose in U/l and conc_unit says 'U/l'"
    )
    if reinterpreted:
        names = sorted(set(reinterpreted))
        message += (
            f". The layout gives {', '.join(names)} a molar/mass unit, but "
            f"{'it is' if len(names) == 1 else 'they are'} dosed in activity units, so the "
            f"numbers were read as U/l; pass drug_units={{'{names[0]}': 'nM'}} if they "
            "really are molar"
        )
    warn(message)
