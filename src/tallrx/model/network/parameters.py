"""The model's parameters: one cited record per row of ``tallrx/data/model/parameters.csv``.

The table is read once, at import, in its row order (the order of the parameter vector every
engine uses). Columns:

=======  ===============================================================================
name     identifier used in the rules and rate laws
value    default value, in ``unit`` (written with ``repr``: it reads back bit for bit)
unit     1/h, nM, nM/h, uM, ng/ml, fraction, relative or 1
low      lower end of the plausible range (``tallrx reproduce --sensitivity`` samples it)
high     upper end of the plausible range
kind     kinetic / level (cell-specific amounts) / input (set per condition: IL7, dox, drug
         doses) / genotype (set by the transgene) / context (cell type or patient)
status   input (set per condition or genotype), calibrated (tuned so that the model shows what
         the cited figure shows), literature (the value comes from a cited measurement) or
         assumed (a value chosen to agree with a qualitative statement of the cited source)
source   a DOI ("doi:10..."), "paper Fig. N" (van der Zwet et al., Leukemia 2021) or
         "calibrated to Fig. N"
notes    what the parameter is
=======  ===============================================================================

>>> PARAMETERS[0].name, PARAMETERS[0].unit, PARAMETERS[0].status
('il7', 'ng/ml', 'input')
"""

from __future__ import annotations

import csv
import importlib.resources
import io
from pathlib import Path

from tallrx.errors import InternalError
from tallrx.model.network._table import KINDS, Parameter

PARAMETER_FILE = "parameters.csv"
COLUMNS = ("name", "value", "unit", "low", "high", "kind", "status", "source", "notes")
STATUSES = ("input", "calibrated", "literature", "assumed")


def _text(path: str | Path | None) -> tuple[str, str]:
    """(CSV text, name for messages) of ``path`` or of the shipped table."""
    if path is not None:
        return Path(path).read_text(encoding="utf-8"), str(path)
    ref = importlib.resources.files("tallrx") / "data" / "model" / PARAMETER_FILE
    return ref.read_text(encoding="utf-8"), f"tallrx/data/model/{PARAMETER_FILE}"


def load_parameters(path: str | Path | None = None) -> tuple[Parameter, ...]:
    """Parameter records of the CSV at ``path`` (default: the shipped table), in row order.

    Raises :class:`InternalError` when the table is malformed (a broken shipped table is a bug).
    """
    text, where = _text(path)
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InternalError(f"{where}: columns must be {', '.join(COLUMNS)}")
    out = []
    for line, row in enumerate(reader, start=2):
        try:
            value, low, high = (float(row[c]) for c in ("value", "low", "high"))
        except (TypeError, ValueError):
            raise InternalError(
                f"{where}, line {line}: value, low and high must be numbers"
            ) from None
        if row["status"] not in STATUSES or row["kind"] not in KINDS:
            raise InternalError(
                f"{where}, line {line}: status must be one of {', '.join(STATUSES)} and kind one "
                f"of {', '.join(KINDS)}"
            )
        out.append(
            Parameter(
                row["name"],
                value,
                row["unit"],
                low,
                high,
                row["source"],
                row["notes"],
                row["kind"],
                row["status"],
            )
        )
    return tuple(out)


PARAMETERS: tuple[Parameter, ...] = load_parameters()
