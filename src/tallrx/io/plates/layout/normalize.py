"""A raw layout table (any column spelling) -> the layout columns (see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from tallrx.errors import InputError, SchemaError
from tallrx.io._columns import close_hint, match_columns, misspelled, normalize_name, parse_flag
from tallrx.io._numbers import numbers_if_all
from tallrx.io.plates.layout._values import cell_numbers, cell_texts, located_error, name_keys
from tallrx.io.plates.layout.doses import (
    convert,
    default_unit,
    row_units,
    unit_parser,
    warn_activity,
)
from tallrx.io.plates.layout.positions import check_duplicates, positions
from tallrx.io.plates.layout.roles import BLANK_NAMES, VEHICLE_NAMES, check_values, well_roles
from tallrx.plate import well_names

ALIASES: dict[str, tuple[str, ...]] = {
    "plate": ("plate", "plate_id", "plate_name", "barcode", "plate_barcode"),
    "well": ("well", "wells", "well_id", "well_name", "well_position", "position"),
    "row": ("row", "well_row", "row_letter"),
    "col": ("col", "column", "well_col", "well_column", "column_number"),
    "sample": ("sample", "sample_id", "sample_name", "cell_line", "cell_line_name", "cellline",
               "cell_name"),
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


_CELL_UNIT = re.compile(r"^\s*([-+]?[\d.,]+(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)\s*$")


def _units_in_cells(raw: pd.DataFrame, found: dict) -> tuple[pd.DataFrame, dict]:
    """Concentration cells that carry their unit ('10 nM', '2.5 µM', '1 ug/ml') split into the
    number and the row's unit (a 'unit' column is added when there is none). A cell whose unit
    column says another unit is left as it is (and reported as not a number). Only drug A's
    doses, and only when drug B has a unit column of its own or no doses (drug B would otherwise
    read drug A's unit column)."""
    from tallrx.errors import UnitError
    from tallrx.units import normalize_unit

    column = found.get("conc_a")
    if column is None or ("conc_b" in found and "unit_b" not in found):
        return raw, found
    texts = raw[column].astype(str)
    split = texts.str.extract(_CELL_UNIT)
    if split[1].isna().all():
        return raw, found
    unit_col = found.get("unit_a", "unit")
    units = (raw[unit_col].astype(str).str.strip().where(raw[unit_col].notna(), "")
             if unit_col in raw.columns else pd.Series("", index=raw.index))
    raw = raw.copy()
    for k in np.flatnonzero(split[1].notna().to_numpy()):
        number, text = split.iloc[k, 0], split.iloc[k, 1]
        try:
            unit = normalize_unit(text)
        except UnitError:
            continue
        given = units.iloc[k]
        try:
            same = given == "" or normalize_unit(given) == unit
        except UnitError:
            same = False
        if same:
            raw.iloc[k, raw.columns.get_loc(column)] = number
            units.iloc[k] = text
    raw[unit_col] = units
    return raw, {**found, "unit_a": unit_col}


def normalize_layout(
    raw: pd.DataFrame,
    *,
    where: str = "layout",
    unit: str | None = None,
    drug_units: Mapping[str, str] | None = None,
    locs: list[str] | None = None,
) -> pd.DataFrame:
    """Turn a raw layout table (any alias spelling) into the layout columns.

    Idempotent: a layout this function produced passes through unchanged (its ``conc_unit``
    column is read as the unit).

    Parameters
    ----------
    raw
        One row per well; column names may use any alias in :data:`ALIASES`.
    where
        Names the table in messages.
    unit, drug_units
        As for :func:`~tallrx.io.plates.layout.read_layout`.
    locs
        Names each row in messages ("line 5"); default "row 1", "row 2", ...

    Returns
    -------
    pandas.DataFrame
        The layout columns listed in :func:`~tallrx.io.plates.layout.read_layout` (``plate``,
        ``well``, ``row``, ``col``, ``sample``, ``drug_a``, ``conc_a`` (uM), ``drug_b``,
        ``conc_b`` (uM), ``role``, ``conc_unit``, ...), then the other columns unchanged.
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
    raw, found = _units_in_cells(raw, found)
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

    rows, cols = positions(raw, found, where, base)
    wells = well_names(rows, cols)
    plate = cell_texts(raw[found["plate"]]) if "plate" in found else None
    where_well = [
        f"plate {p}, well {w}" if plate is not None else f"well {w}"
        for p, w in zip(plate if plate is not None else wells, wells, strict=True)
    ]
    locs = [f"{b} ({w})" if b else w for b, w in zip(base, where_well, strict=True)]
    if plate is not None and (plate == "").any():
        k = int(np.flatnonzero(plate == "")[0])
        raise located_error(
            InputError,
            where,
            locs[k],
            "the plate cell is empty; name the plate of "
            "every well (or drop the plate column to use the layout for every plate)",
        )
    check_duplicates(plate, wells, locs, where)

    n = len(raw)
    empty = np.full(n, "", dtype=object)
    sample = cell_texts(raw[found["sample"]]) if "sample" in found else empty
    drug_a = cell_texts(raw[found["drug_a"]]) if "drug_a" in found else empty.copy()
    drug_b = cell_texts(raw[found["drug_b"]]) if "drug_b" in found else empty.copy()
    conc_a, bad_a = (
        cell_numbers(raw[found["conc_a"]], where=where, locs=locs)
        if "conc_a" in found
        else (np.full(n, np.nan), np.zeros(n, bool))
    )
    conc_b, bad_b = (
        cell_numbers(raw[found["conc_b"]], where=where, locs=locs)
        if "conc_b" in found
        else (np.full(n, np.nan), np.zeros(n, bool))
    )
    role = well_roles(raw, found, drug_a, conc_a, drug_b, sample, where, locs)

    vehicle_name = np.where(role == "vehicle", drug_a, "").astype(object)
    clear_a = (role == "vehicle") | (
        (role == "blank") & np.isin(name_keys(drug_a), list(VEHICLE_NAMES | BLANK_NAMES))
    )
    drug_a[clear_a] = ""
    drug_b[role == "vehicle"] = ""
    check_values(role, drug_a, conc_a, bad_a, drug_b, conc_b, bad_b, raw, found, where, locs)

    default = default_unit(unit)
    parse = unit_parser(where, locs)
    default_a = header_units.get("conc_a", default)
    default_b = header_units.get("conc_b", default_a)
    overrides = {normalize_name(k): v for k, v in (drug_units or {}).items()}
    need_a = (drug_a != "") & np.isfinite(conc_a) & (conc_a > 0)
    need_b = (drug_b != "") & np.isfinite(conc_b) & (conc_b > 0)
    unit_col_b = found.get("unit_b", found.get("unit_a"))
    unit_a, reint_a = row_units(
        cell_texts(raw[found["unit_a"]]) if "unit_a" in found else empty,
        default_a,
        drug_a,
        overrides,
        parse,
        need_a,
    )
    unit_b, reint_b = row_units(
        cell_texts(raw[unit_col_b]) if unit_col_b else empty,
        default_b,
        drug_b,
        overrides,
        parse,
        need_b,
    )
    mw_a = (
        cell_numbers(raw[found["mw_a"]], where=where, locs=locs)[0]
        if "mw_a" in found
        else np.full(n, np.nan)
    )
    mw_b = cell_numbers(raw[found["mw_b"]], where=where, locs=locs)[0] if "mw_b" in found else mw_a
    conc_a_um, label_a = convert(conc_a, unit_a, drug_a, mw_a, need_a, where, locs)
    conc_b_um, label_b = convert(conc_b, unit_b, drug_b, mw_b, need_b, where, locs)
    warn_activity(where, drug_a, drug_b, label_a, label_b, reint_a + reint_b)

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
        given = cell_texts(raw[found["vehicle"]]) if "vehicle" in found else empty
        out["vehicle"] = np.where(given != "", given, vehicle_name)
    if "replicate" in found:
        out["replicate"] = _replicates(raw[found["replicate"]], where, locs)
    if "exclude" in found:
        out["exclude"] = np.array(
            [
                parse_flag(v, f"{where} {loc}")
                for v, loc in zip(cell_texts(raw[found["exclude"]]), locs, strict=True)
            ],
            bool,
        )
    table = pd.DataFrame(out)
    for column in raw.columns:
        if column not in found.values():  # a condition column: numbers when all cells are
            table[column] = numbers_if_all(raw[column], where=where).to_numpy()
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


def _replicates(values: pd.Series, where: str, locs: list[str]) -> np.ndarray:
    nums, bad = cell_numbers(values, where=where, locs=locs)
    bad = bad | np.isnan(nums) | (nums != np.round(nums)) | (nums < 1)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise located_error(
            InputError, where, locs[k], f"replicate '{values.iloc[k]}' is not a whole number >= 1"
        )
    return nums.astype(int)
