"""Applied Biosystems QuantStudio / ViiA 7 / StepOne exports (text or Excel) -> the qpcr table."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from tallrx.errors import InputError
from tallrx.io._cells import read_text
from tallrx.io.assays._tables import (
    PathLike,
    exc_text,
    find_column,
    norm_name,
    normalize_wells,
    require_column,
    to_bool,
    to_number,
    well_from_index,
)
from tallrx.io.assays.qpcr._common import finish, set_ct, task_names
from tallrx.io.assays.qpcr._files import excel_engine, is_excel, not_qpcr, require_qpcr_file


def _quantstudio_sections(text: str) -> tuple[dict[str, str], dict[str, str]]:
    header: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("* ") and current is None:
            key, _, value = line[2:].partition("=")
            header[key.strip()] = value.strip()
        elif re.match(r"^\[.+\]\s*$", line):
            current = line.strip()[1:-1]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return header, {k: "\n".join(v) for k, v in sections.items()}


def read_quantstudio(path: PathLike, *, plate: str | None = None) -> pd.DataFrame:
    """Applied Biosystems QuantStudio / ViiA 7 / StepOne export: text ([Results] block) or Excel
    (a 'Results' sheet: key / value rows, then the table from its 'Well' header row).

    'Undetermined' Ct -> NaN; Task UNKNOWN / NTC / STANDARD kept; Omit=true -> ``omit``; the
    per-target 'Efficiency' (%) of a standard-curve run -> ``efficiency`` = 1 + % / 100.

    Returns
    -------
    pandas.DataFrame
        The qpcr table (columns: see :func:`~tallrx.io.assays.qpcr.read_qpcr`), with ``biogroup`` when the
        file names biogroups; the ``* key = value`` header lines in ``attrs['header']``, the
        comparative-Ct summary lines in ``attrs['footer']``.
    """
    where = str(path)
    p = require_qpcr_file(path)
    text = (
        _quantstudio_excel_text(p)
        if is_excel(p)
        else read_text(p, what="a QuantStudio / ViiA 7 text export")
    )
    header, sections = _quantstudio_sections(text)
    if "Results" not in sections:
        raise InputError(
            f"{where}: no [Results] section; expected a QuantStudio / ViiA 7 text "
            f"export with results (sections found: {', '.join(sections) or 'none'})"
        )
    raw, footer = _results_table(sections["Results"], where=where)
    cq = require_column(raw, ("CT", "Cq", "Ct"), where=where, what="the Ct of each well")
    out = pd.DataFrame({"well": _quantstudio_wells(raw, header, where=where)})
    # QuantStudio Design & Analysis (QS 1/3/5 and the cloud app) write Sample / Target / Cq
    out["sample"] = raw[
        require_column(raw, ("Sample Name", "Sample"), where=where, what="sample names")
    ]
    out["target"] = raw[
        require_column(raw, ("Target Name", "Target", "Detector"), where=where,
                       what="target names")
    ]
    set_ct(out, raw[cq], where=where, column=cq)
    task = find_column(raw.columns, ("Task",))
    out["task"] = task_names(raw[task]) if task else "unknown"
    quantity = find_column(raw.columns, ("Quantity",))
    if quantity:
        out["quantity"] = to_number(raw[quantity], where=where, column=quantity).where(
            out["task"] == "standard"
        )
    omit = find_column(raw.columns, ("Omit",))
    if omit:
        out["omit"] = to_bool(raw[omit], where=where, column=omit)
    eff = find_column(raw.columns, ("Efficiency",))
    if eff:
        out["efficiency"] = 1.0 + to_number(raw[eff], where=where, column=eff) / 100.0
    biogroup = find_column(raw.columns, ("Biogroup Name",))
    if biogroup and raw[biogroup].fillna("").str.strip().ne("").any():
        out["biogroup"] = raw[biogroup].fillna("").astype(str).str.strip()
    name = plate or header.get("Experiment Name") or Path(path).stem
    df = finish(out, plate=name, where=where)
    df.attrs["header"] = header
    df.attrs["footer"] = footer
    return df


def _quantstudio_excel_text(path: Path) -> str:
    """A QuantStudio / ViiA 7 Excel export's Results sheet in the text export's layout:
    ``* key = value`` lines, then ``[Results]`` and tab-separated rows."""
    rows = results_sheet(path)
    if rows is None:
        raise not_qpcr(path, "an Excel workbook without a QuantStudio 'Results' sheet")
    start = next(i for i, r in enumerate(rows) if _is_results_header(r))
    head = [r[0] if r[0].startswith("* ") else f"* {r[0]} = {r[1] if len(r) > 1 else ''}"
            for r in rows[:start] if r and r[0]]
    body = ["\t".join(r) for r in rows[start:]]
    return "\n".join([*head, "[Results]", *body]) + "\n"


def _is_results_header(row: list[str]) -> bool:
    names = {norm_name(c) for c in row}
    return bool(row) and norm_name(row[0]) == "well" and bool({"sample_name", "sample"} & names)


def results_sheet(path: Path) -> list[list[str]] | None:
    """The cells of a workbook's 'Results' sheet when it holds a QuantStudio results table."""
    try:
        sheets = pd.read_excel(
            path, sheet_name=None, header=None, dtype=str, engine=excel_engine(path)
        )
    except Exception as exc:  # openpyxl / xlrd raise many kinds: all mean "unreadable workbook"
        raise not_qpcr(path, f"an Excel workbook that cannot be read ({exc_text(exc)})") from exc
    name = next((n for n in sheets if norm_name(n) == "results"), None)
    if name is None:
        return None
    grid = sheets[name].fillna("").astype(str)
    rows = [[c.strip() for c in r] for r in grid.itertuples(index=False)]
    return rows if any(_is_results_header(r) for r in rows) else None


def _results_table(block: str, *, where: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The [Results] block -> (table, footer): ViiA 7 / QuantStudio comparative-Ct exports end the
    block with ``key<TAB>value`` summary lines (Analysis Type, Endogenous Control, ...)."""
    lines = [ln for ln in block.splitlines() if ln.strip()]
    if not lines:
        raise InputError(f"{where}: the [Results] section is empty; expected a header and rows")
    body = [lines[0]] + [ln for ln in lines[1:] if re.match(r"^\s*(\d+|[A-Za-z]{1,2}\d+)\t", ln)]
    footer = {}
    for ln in lines[1:]:
        if ln not in body:
            key, _, value = ln.partition("\t")
            footer[key.strip()] = value.strip()
    try:
        raw = pd.read_csv(io.StringIO("\n".join(body)), sep="\t", dtype=str)
    except Exception as exc:
        raise InputError(
            f"{where}: the [Results] section is not a tab-separated table ({exc_text(exc)})"
        ) from exc
    return raw, footer


def _quantstudio_wells(raw: pd.DataFrame, header: dict[str, str], *, where: str) -> pd.Series:
    """'Well Position' (A1) when present; else 'Well' as a name or a 1-based number on the block
    of the header (96 / 384 wells: 12 / 24 columns)."""
    pos = find_column(raw.columns, ("Well Position",))
    if pos:
        return normalize_wells(raw[pos], where=where)
    well = require_column(raw, ("Well",), where=where, what="the well of each result")
    text = raw[well].astype(str).str.strip()
    if text.str.fullmatch(r"\d+").all():
        block = header.get("Block Type", "")
        ncols = 24 if "384" in block else 8 if re.search(r"\b48\b", block) else 12
        return text.astype(int).map(lambda i: well_from_index(i, ncols))
    return normalize_wells(raw[well], where=where)
