"""The data classes of the schema (:class:`Column`, :class:`TableSpec`) and the compact text
format the table entries are written in (:func:`table`)."""

from __future__ import annotations

from dataclasses import dataclass

#: dtypes a column may declare (as written to CSV and read back by pandas)
DTYPES = ("str", "float", "int", "bool")


@dataclass(frozen=True)
class Column:
    """One documented column: name, dtype, unit ('' = none), required, meaning.

    ``condition`` marks a documented column that still groups rows like a free-form condition
    (e.g. ``reference`` of a curves table), so :func:`tallrx.schema.condition_columns` keeps it.
    """

    name: str
    dtype: str
    unit: str
    required: bool
    meaning: str
    condition: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One tidy table: what a row is, what it holds, and every documented column.

    ``conditions`` True: the table also carries free-form condition columns (``il7``, ``dox``,
    ``genotype``, drug doses, ...), so columns the spec does not name are allowed.
    """

    name: str
    one_row_per: str
    meaning: str
    columns: tuple[Column, ...]
    conditions: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """Every documented column, in the order a writer puts them."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns every table of this kind has."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        """Documented columns a table may lack (conditions-like columns excluded)."""
        return tuple(c.name for c in self.columns if not c.required and not c.condition)

    @property
    def numeric(self) -> tuple[str, ...]:
        """Float columns: checked to be numbers at every layer boundary (:func:`validate`)."""
        return tuple(c.name for c in self.columns if c.dtype == "float")

    @property
    def units(self) -> dict[str, str]:
        """Column -> unit, for the columns that have one."""
        return {c.name: c.unit for c in self.columns if c.unit}

    def column(self, name: str) -> Column:
        """The documented :class:`Column` called ``name`` (KeyError if none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def table(name: str, one_row_per: str, meaning: str, text: str, *,
          conditions: bool = True) -> TableSpec:
    """Build a :class:`TableSpec` from one line per column::

        name  dtype  unit  flag  meaning ...

    ``unit`` is ``-`` for none (underscores read as spaces: ``%_x_log10(uM)``); ``flag`` is
    ``*`` required, ``.`` optional, ``c`` an optional column that groups like a condition.
    """
    cols = []
    for line in filter(str.strip, text.splitlines()):
        cname, dtype, unit, flag, meaning_text = line.split(maxsplit=4)
        if dtype not in DTYPES or flag not in ("*", ".", "c"):
            raise ValueError(f"schema {name}.{cname}: bad dtype {dtype!r} or flag {flag!r}")
        cols.append(Column(cname, dtype, "" if unit == "-" else unit.replace("_", " "),
                           flag == "*", meaning_text, flag == "c"))
    return TableSpec(name, one_row_per, meaning, tuple(cols), conditions)
