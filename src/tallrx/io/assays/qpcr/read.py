"""The qPCR dispatcher: guess an export's format from its content and read it."""

from __future__ import annotations

import re
import zipfile

import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.io._cells import read_text
from tallrx.io.assays._tables import PathLike, exc_text, find_column, norm_name
from tallrx.io.assays.qpcr._files import first_sheet, is_excel, not_qpcr, require_qpcr_file
from tallrx.io.assays.qpcr.biorad import read_biorad_cfx
from tallrx.io.assays.qpcr.layout import apply_layout, read_qpcr_layout
from tallrx.io.assays.qpcr.lightcycler import read_lightcycler
from tallrx.io.assays.qpcr.quantstudio import read_quantstudio, results_sheet
from tallrx.io.assays.qpcr.rdml import read_rdml
from tallrx.io.assays.qpcr.tables import read_qpcr_table, read_qpcr_wide

FORMATS = ("biorad", "quantstudio", "lightcycler", "rdml", "table", "wide")


def detect_format(path: PathLike) -> str:
    """Guess the export format of a qPCR file from its content (and extension).

    Returns
    -------
    str
        One of :data:`FORMATS`: 'biorad', 'quantstudio', 'lightcycler', 'rdml', 'table' (a long
        table with a ct / cq / cp column) or 'wide'.
    """
    p = require_qpcr_file(path)
    if is_excel(p):
        return "quantstudio" if results_sheet(p) else _table_kind(first_sheet(p))
    if zipfile.is_zipfile(p):
        try:
            with zipfile.ZipFile(p) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise not_qpcr(p, f"a damaged zip archive ({exc_text(exc)})") from exc
        if any(n.lower().endswith(".xml") for n in names):
            return "rdml"
        raise not_qpcr(p, "a zip archive without rdml_data.xml (not RDML) and not Excel")
    if p.suffix.lower() == ".rdml":
        return "rdml"
    try:
        text = read_text(p, what="a qPCR export")[:20000]
    except InputError:
        raise not_qpcr(p, "a binary file that is neither RDML nor Excel") from None
    head = text.lstrip()
    if head.startswith("<?xml") or head.startswith("<rdml"):
        return "rdml"
    if "[Results]" in text or re.match(r"^\* [^=]+=", head):
        return "quantstudio"
    first = head.splitlines()[0] if head else ""
    if first.startswith("Experiment:") or re.search(r"(^|\t)Pos\t", text) and "\tCp" in text:
        return "lightcycler"
    lines = head.splitlines()[:12]
    filled = [ln for ln in lines if sum(bool(c.strip()) for c in re.split(r"[,\t;]", ln)) >= 2]
    if filled and sum(bool(c.strip()) for c in re.split(r"[,\t;]", first)) < 2:
        first = filled[0]  # the header under a spreadsheet title line ('qPCR run 3;;;')
    names = {norm_name(c) for c in re.split(r"[,\t;]", first)}
    if {"well", "fluor", "cq"} <= names:
        return "biorad"
    if {"gene_name", "cq", "sample_name"} <= names:
        return "lightcycler"
    return "table" if names & set(_CT_NAMES) or not head else "wide"


_CT_NAMES = ("ct", "cq", "cp", "cт")


def _table_kind(cells: pd.DataFrame) -> str:
    """'biorad' for a CFX results sheet (Well, Fluor, Cq), 'table' when a sheet has a ct / cq /
    cp column, else 'wide'."""
    if {"well", "fluor", "cq"} <= {norm_name(c) for c in cells.columns}:
        return "biorad"
    return "table" if find_column(cells.columns, _CT_NAMES) else "wide"


def read_qpcr(
    path: PathLike,
    *,
    layout: PathLike | pd.DataFrame | None = None,
    format: str = "auto",
    target: str | None = None,
    plate: str | None = None,
    genes: list[str] | None = None,
) -> pd.DataFrame:
    """Read any supported qPCR export (format guessed unless given) and join a layout.

    Parameters
    ----------
    path
        The export: Bio-Rad CFX CSV, QuantStudio / ViiA 7 text or Excel, LightCycler text, RDML,
        or a long / wide table (CSV, TSV, XLSX).
    layout
        Plate layout (see :func:`read_qpcr_layout`) joined by well; its sample / target /
        replicate / task columns replace the file's, the others become conditions.
    format
        'auto' (default: guessed by :func:`detect_format`) or one of :data:`FORMATS`.
    target
        The single target of a LightCycler 480 export without target column.
    plate
        Plate name (default: from the file, else its name).
    genes
        Target and reference genes: picks the target columns of a wide table.

    Returns
    -------
    pandas.DataFrame
        One row per well x target: ``plate``, ``well``, ``sample``, ``target``, ``ct``
        (cycles; NaN = no amplification), ``replicate``, ``task`` (unknown / ntc / standard /
        nrt / negative / positive), ``quantity`` (standards), ``omit`` (flagged by the
        instrument software), ``efficiency`` (amplification factor per cycle, 2 = 100 %, when
        stated), ``exclude`` + ``message`` (a Ct that is not a number), condition columns (from
        the file or layout), ``source`` ('measured'). ``attrs``: ``format``, ``file`` and the
        reader's ``notes`` / ``header`` where it has them.
    """
    if format not in ("auto", *FORMATS):
        raise InputError(
            f"qPCR format '{format}' is not known; expected one of auto, "
            f"{', '.join(FORMATS)}.{did_you_mean(format, FORMATS)}"
        )
    require_qpcr_file(path)
    fmt = detect_format(path) if format == "auto" else format
    if fmt == "lightcycler":
        df = read_lightcycler(path, target=target, plate=plate)
    elif fmt == "rdml":
        df = read_rdml(path)
    elif fmt == "wide":
        df = read_qpcr_wide(path, genes=genes, plate=plate)
    else:
        readers = {
            "biorad": read_biorad_cfx,
            "quantstudio": read_quantstudio,
            "table": read_qpcr_table,
        }
        df = readers[fmt](path, plate=plate)
    attrs = dict(df.attrs)
    if layout is not None:
        df = apply_layout(df, read_qpcr_layout(layout))
    df.attrs.update(attrs)
    df.attrs["format"] = fmt
    df.attrs["file"] = str(path)
    return df
