"""Cell helpers of the layout normalizer: text / numbers per distinct value, located errors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.errors import InputError, TallrxError
from tallrx.io._cells import cell_text
from tallrx.io._columns import normalize_name
from tallrx.io._numbers import to_number


def per_unique(values, fn) -> np.ndarray:
    """``fn`` applied once per distinct value (layouts repeat a few values over many wells)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(u) for u in uniques]
    return mapped[codes]


def cell_texts(values: pd.Series) -> np.ndarray:
    """Strings with NaN -> '' (numbers as written: 1.0 -> '1')."""
    return per_unique(values, cell_text)


def name_keys(values: np.ndarray) -> np.ndarray:
    """:func:`normalize_name` of every value ('No Cells' -> 'no_cells')."""
    return per_unique(values, normalize_name)


def cell_numbers(
    values: pd.Series, *, where: str = "layout", locs: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(floats with NaN for empty/bad, mask of non-empty cells that are not numbers).

    Decimal commas read as in every io table (:func:`tallrx.io._numbers.to_number`: '0,5' in a
    ';' layout is 0.5); a value that reads two ways ('1,234') is an InputError at its ``locs``.
    """
    text = cell_texts(values)
    nums = to_number(
        pd.Series(text, dtype=object),
        where=where,
        column=str(values.name),
        missing=("",),
        delimiter=values.attrs.get("delimiter"),
        rows=locs,
        invalid="nan",
    ).to_numpy(dtype=float)
    return nums, np.isnan(nums) & (text != "")


def located_error(kind: type[TallrxError], where: str, loc: str, message: str) -> TallrxError:
    return kind(f"{where} {loc}: {message}" if loc else f"{where}: {message}")


def returning_errors(fn):
    """``fn`` returning its InputError/ValueError instead of raising (for per-unique parsing)."""

    def safe(value):
        try:
            return fn(value)
        except (InputError, ValueError) as exc:
            return exc

    return safe


def first_index(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None
