"""RT-qPCR exports -> the tidy ``qpcr`` table (one row per well x target).

Readers: Bio-Rad CFX / CFX Maestro "Quantification Cq Results" CSV, Applied Biosystems QuantStudio /
ViiA 7 text exports (``* key = value`` header, ``[Results]`` block, "Undetermined"), Roche
LightCycler 480 text (``Experiment: ... Selected Filter: ...``, Pos / Name / Cp) and LightCycler 96
tables, RDML 1.x (zip or plain XML, read with the standard library; sample annotations become condition
columns, target amplification efficiencies the ``efficiency`` column), a generic long table
(sample, target, ct [+ plate, well, replicate, task, quantity, efficiency, condition columns]) and a
wide table (one column per target and one row per well, as the R ``pcr`` package keeps Ct values,
or one column per sample and one row per target). Excel workbooks are recognised by content.

Columns: plate, well, sample, target, ct (cycles; NaN = no amplification / Undetermined),
replicate, task (unknown / ntc / standard / nrt / negative / positive), quantity (standards),
omit (flagged by the instrument software), efficiency (amplification factor per cycle, 2 = 100 %,
when the file states it), exclude + message (a Ct cell that is not a number is an excluded well whose
message quotes it; a non-detect word - Undetermined, No Ct, NaN, empty - is NaN with the message
"non-detect"), source, and condition columns from a layout. Impossible numbers (Ct <= 0, inf,
above the cycle count) and duplicated wells are judged by the analysis
(:func:`tallrx.analysis.assays.qpcr.flag_wells`), which sees tables from every source. Empty wells (no sample, no
target, no Ct) are not rows; every other well is kept, including NTC and Undetermined wells.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.io.assays._tables import (
    PathLike,
    exc_text,
    extra_columns,
    find_column,
    norm_name,
    normalize_wells,
    numeric_if_possible,
    read_table,
    require_column,
    require_file,
    table_or_file,
    to_bool,
    to_number,
    well_from_index,
)
from tallrx.io.plates.layout import drop_wellmap_extras
from tallrx.schema import validate

__all__ = [
    "FORMATS",
    "apply_layout",
    "detect_format",
    "read_biorad_cfx",
    "read_qpcr_layout",
    "read_lightcycler",
    "read_qpcr",
    "read_qpcr_table",
    "read_quantstudio",
    "read_qpcr_wide",
    "read_rdml",
]

FORMATS = ("biorad", "quantstudio", "lightcycler", "rdml", "table", "wide")
#: What ``tallrx qpcr`` reads, for error messages.
ACCEPTED = (
    "accepted: Bio-Rad CFX CSV, QuantStudio / ViiA 7 text, LightCycler text, RDML, a long table "
    "(sample, target, ct) or a wide table (one column per target) as CSV, TSV or XLSX"
)
#: Vendor task / content labels -> tallrx task.
TASKS = {
    "unknown": "unknown",
    "unkn": "unknown",
    "unk": "unknown",
    "sample": "unknown",
    "ntc": "ntc",
    "no template control": "ntc",
    "ntp": "ntc",
    "nac": "ntc",
    "standard": "standard",
    "std": "standard",
    "nrt": "nrt",
    "no rt": "nrt",
    "-rt": "nrt",
    "neg ctrl": "negative",
    "negative": "negative",
    "negative control": "negative",
    "pos ctrl": "positive",
    "positive": "positive",
    "positive control": "positive",
    "pos": "positive",
    "opt": "unknown",
    "unkn_sample": "unknown",
}
_UNDETERMINED = ("", "nan", "na", "n/a", "undetermined", "no ct", "no cq", "-", "none", "n.d.")
_COLUMNS = (
    "plate",
    "well",
    "sample",
    "target",
    "ct",
    "replicate",
    "task",
    "quantity",
    "omit",
    "efficiency",
    "exclude",
    "message",
)
NON_DETECT = "no Ct (non-detect: Undetermined / no amplification)"


def _task(values: pd.Series) -> pd.Series:
    """Vendor task labels ('Unkn-01', 'Std', 'NTC', 'STANDARD') -> tallrx task names."""
    text = values.fillna("").astype(str).str.strip().str.lower()
    text = text.str.replace(r"[-_ ]?\d+$", "", regex=True)
    return text.map(lambda t: TASKS.get(t, "unknown" if t == "" else t))


def _finish(df: pd.DataFrame, *, plate: str, where: str) -> pd.DataFrame:
    """Fill defaults, drop empty wells, order the columns, validate."""
    out = df.copy()
    out["plate"] = out["plate"].astype(str) if "plate" in out else plate
    for col, default in (
        ("replicate", 1),
        ("task", "unknown"),
        ("quantity", np.nan),
        ("omit", False),
        ("efficiency", np.nan),
        ("exclude", False),
        ("message", ""),
    ):
        if col not in out:
            out[col] = default
    out["sample"] = out["sample"].fillna("").astype(str).str.strip()
    out["target"] = out["target"].fillna("").astype(str).str.strip()
    empty = (out["sample"] == "") & (out["target"] == "") & out["ct"].isna()
    out = out.loc[~empty]
    if out.empty:
        raise InputError(
            f"{where}: no wells with a sample, target or Ct (the results table is empty); "
            "export the results with their Ct / Cq values"
        )
    out["sample"] = out["sample"].mask(
        out["sample"] == "",
        out["task"].map({"ntc": "NTC", "standard": "standard", "nrt": "NRT"}).fillna(""),
    )
    extra = [c for c in out.columns if c not in _COLUMNS and c != "source"]
    out = out.assign(source="measured")[[*_COLUMNS, *extra, "source"]]
    return validate(out.reset_index(drop=True), "qpcr", where=where)


def _set_ct(out: pd.DataFrame, values: pd.Series, *, where: str, column: str) -> None:
    """Parse Ct text into ``out['ct']`` with ``exclude`` / ``message`` per well (in place).

    '26,5' is read as 26.5 (a decimal comma; a Ct never needs a thousands separator). Non-detect
    words -> NaN + message; other text -> NaN, excluded, message quoting the cell. When
    no cell is a number but some are text, the file is not a Ct table: InputError at the first.
    """
    text = values.astype(str).str.strip()
    # a Ct never reaches 1,000 cycles: '26,5' is a decimal comma (European exports)
    text = text.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True).str.replace(",", "")
    missing = values.isna() | text.str.lower().isin(_UNDETERMINED)
    num = pd.to_numeric(text.where(~missing), errors="coerce").astype(float)
    bad = num.isna() & ~missing
    if bad.any() and num.notna().sum() == 0:
        to_number(values, where=where, column=column, missing=_UNDETERMINED)  # raises at row
    out["ct"] = num.to_numpy()
    out["exclude"] = bad.to_numpy()
    msg = np.where(missing, NON_DETECT, "").astype(object)
    msg[bad.to_numpy()] = [
        f"Ct {v!r} is not a number (column '{column}'): well excluded" for v in values[bad]
    ]
    out["message"] = msg


# --------------------------------------------------------------------------- Bio-Rad CFX
def read_biorad_cfx(path: PathLike, *, plate: str | None = None) -> pd.DataFrame:
    """Bio-Rad CFX Manager / CFX Maestro 'Quantification Cq Results' CSV.

    Empty Target cells take the fluorophore name (Fluor), so FAM / VIC channels stay apart.
    'Biological Set Name' becomes the condition column ``biological_set``.
    """
    where = str(path)
    raw = read_table(path, what="a Bio-Rad CFX 'Quantification Cq Results' CSV")
    well = require_column(raw, ("Well",), where=where, what="the well of each row")
    cq = require_column(raw, ("Cq", "Ct", "C(t)"), where=where, what="the Cq value")
    out = pd.DataFrame({"well": normalize_wells(raw[well], where=where)})
    fluor = find_column(raw.columns, ("Fluor", "Dye"))
    target = find_column(raw.columns, ("Target",))
    tgt = raw[target].fillna("").astype(str).str.strip() if target else pd.Series("", raw.index)
    if fluor:
        tgt = tgt.mask(tgt == "", raw[fluor].fillna("").astype(str).str.strip())
    out["target"] = tgt
    sample = find_column(raw.columns, ("Sample",))
    out["sample"] = raw[sample] if sample else ""
    _set_ct(out, raw[cq], where=where, column=cq)
    content = find_column(raw.columns, ("Content",))
    out["task"] = _task(raw[content]) if content else "unknown"
    sq = find_column(raw.columns, ("Starting Quantity (SQ)", "SQ"))
    if sq:
        q = to_number(raw[sq], where=where, column=sq)
        out["quantity"] = q.where(out["task"] == "standard")
    bio = find_column(raw.columns, ("Biological Set Name", "Biological Set"))
    if bio and raw[bio].notna().any():
        out["biological_set"] = raw[bio].fillna("").astype(str).str.strip()
    return _finish(out, plate=plate or Path(path).stem, where=where)


# --------------------------------------------------------------------------- QuantStudio / ViiA 7
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
    The ``* key = value`` header lines are in ``attrs['header']``.
    """
    where = str(path)
    p = _require_qpcr_file(path)
    text = (
        _quantstudio_excel_text(p)
        if _is_excel(p)
        else _read_text(p, what="a QuantStudio / ViiA 7 text export")
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
    out["sample"] = raw[require_column(raw, ("Sample Name",), where=where, what="sample names")]
    out["target"] = raw[
        require_column(raw, ("Target Name", "Detector"), where=where, what="target names")
    ]
    _set_ct(out, raw[cq], where=where, column=cq)
    task = find_column(raw.columns, ("Task",))
    out["task"] = _task(raw[task]) if task else "unknown"
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
    df = _finish(out, plate=name, where=where)
    df.attrs["header"] = header
    df.attrs["footer"] = footer
    return df


def _quantstudio_excel_text(path: Path) -> str:
    """A QuantStudio / ViiA 7 Excel export's Results sheet in the text export's layout:
    ``* key = value`` lines, then ``[Results]`` and tab-separated rows."""
    rows = _quantstudio_results_sheet(path)
    if rows is None:
        raise _not_qpcr(path, "an Excel workbook without a QuantStudio 'Results' sheet")
    start = next(i for i, r in enumerate(rows) if _is_results_header(r))
    head = [f"* {r[0]} = {r[1] if len(r) > 1 else ''}" for r in rows[:start] if r and r[0]]
    body = ["\t".join(r) for r in rows[start:]]
    return "\n".join([*head, "[Results]", *body]) + "\n"


def _is_results_header(row: list[str]) -> bool:
    names = {norm_name(c) for c in row}
    return bool(row) and norm_name(row[0]) == "well" and "sample_name" in names


def _quantstudio_results_sheet(path: Path) -> list[list[str]] | None:
    """The cells of a workbook's 'Results' sheet when it holds a QuantStudio results table."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str,
                               engine=_excel_engine(path))
    except Exception as exc:  # openpyxl / xlrd raise many kinds: all mean "unreadable workbook"
        raise _not_qpcr(path, f"an Excel workbook that cannot be read ({exc_text(exc)})") from exc
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


# --------------------------------------------------------------------------- LightCycler
def read_lightcycler(
    path: PathLike, *, target: str | None = None, plate: str | None = None
) -> pd.DataFrame:
    """Roche LightCycler 480 text export (Pos / Name / Cp) or LightCycler 96 table.

    LightCycler 480 exports have no target column: pass ``target`` or a layout with a target
    column; otherwise the selected filter (e.g. 'SYBR Green I / HRM Dye (465-510)') stands in
    and ``attrs['notes']`` says so. Include=False -> ``omit``; Standard > 0 -> a standard well
    with that quantity.
    """
    where = str(path)
    text = _read_text(path, what="a Roche LightCycler text export")
    lines = text.splitlines()
    first = lines[0] if lines else ""
    notes = []
    filt = None
    m = re.match(r"^\s*Experiment:\s*(?P<exp>.*?)\s+Selected Filter:\s*(?P<filter>.+?)\s*$", first)
    if m:
        filt = m.group("filter")
        lines = lines[1:]
        plate = plate or m.group("exp")
    body = "\n".join(ln for ln in lines if ln.strip())
    try:
        raw = pd.read_csv(io.StringIO(body), sep="\t", dtype=str)
    except Exception as exc:
        raise InputError(
            f"{where}: cannot read the LightCycler table ({type(exc).__name__}); "
            "expected tab-separated Pos / Name / Cp columns"
        ) from exc
    well = require_column(raw, ("Pos", "Well", "Position"), where=where, what="well positions")
    cq = require_column(raw, ("Cp", "Cq", "Ct"), where=where, what="Cp / Cq values")
    out = pd.DataFrame({"well": normalize_wells(raw[well], where=where)})
    out["sample"] = raw[
        require_column(raw, ("Name", "Sample Name"), where=where, what="sample names")
    ]
    gene = find_column(raw.columns, ("Gene Name", "Target", "Target Name"))
    if gene:
        out["target"] = raw[gene]
    elif target:
        out["target"] = target
    else:
        out["target"] = filt or "unknown target"
        notes.append(
            "LightCycler 480 export has no target column; the target is the filter "
            f"'{out['target'].iloc[0]}' until a layout or target= names it"
        )
    _set_ct(out, raw[cq], where=where, column=cq)
    include = find_column(raw.columns, ("Include",))
    excluded = find_column(raw.columns, ("Excluded",))
    if include:
        out["omit"] = ~to_bool(raw[include], where=where, column=include)
    elif excluded:
        out["omit"] = to_bool(raw[excluded], where=where, column=excluded)
    stype = find_column(raw.columns, ("Sample Type",))
    out["task"] = _task(raw[stype]) if stype else "unknown"
    std = find_column(raw.columns, ("Standard",))
    if std:
        q = to_number(raw[std], where=where, column=std)
        is_std = (q > 0).fillna(False)
        out["task"] = out["task"].mask(is_std, "standard")
        out["quantity"] = q.where(is_std)
    df = _finish(out, plate=plate or Path(path).stem, where=where)
    df.attrs["notes"] = notes
    return df


# --------------------------------------------------------------------------- RDML
_RDML_TYPES = {
    "unkn": "unknown",
    "ntc": "ntc",
    "nac": "ntc",
    "std": "standard",
    "nrt": "nrt",
    "pos": "positive",
    "neg": "negative",
    "ntp": "ntc",
    "opt": "unknown",
}


def _rdml_root(path: PathLike) -> ElementTree.Element:
    where = str(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".xml")]
                if not names:
                    raise InputError(
                        f"{where}: the RDML zip holds no XML file; expected rdml_data.xml inside"
                    )
                name = "rdml_data.xml" if "rdml_data.xml" in names else names[0]
                data = zf.read(name)
        else:
            data = Path(path).read_bytes()
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"{where}: not a readable RDML file ({type(exc).__name__}: {exc}); "
            "expected RDML 1.x (a zip with rdml_data.xml, or the XML itself)"
        ) from exc
    if not root.tag.endswith("rdml"):
        raise InputError(f"{where}: the XML root is <{root.tag}>, expected <rdml>")
    return root


def read_rdml(path: PathLike) -> pd.DataFrame:
    """RDML 1.x (1.0-1.4): one row per react x target data element.

    plate = "experiment/run" ids; well from the react id (1-based, row-major on the run's
    pcrFormat); sample from ``react/sample/@id``, its type unkn / ntc / std / nrt / pos -> task, its
    ``annotation`` (property, value) pairs -> condition columns (e.g. dox, prednisolone); std
    quantity -> quantity; Cq from ``<cq>`` (absent or negative, the RDML code for "no Cq" -> NaN,
    a non-detect); ``<excl>`` -> omit; efficiency from the target's ``amplificationEfficiency``
    (an amplification factor, 2 = 100 %; 0 or absent = unknown), else the data's ``ampEff``. A file
    with raw or melting data only (no ``<cq>``) reads with NaN Ct and a note in ``attrs['notes']``.
    """
    where = str(path)
    root = _rdml_root(path)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""

    def text(el, tag, default=""):
        child = el.find(ns + tag) if el is not None else None
        return child.text.strip() if child is not None and child.text else default

    samples = {s.get("id"): _rdml_sample(s, ns, text) for s in root.findall(ns + "sample")}
    stated = {t.get("id"): text(t, "amplificationEfficiency") for t in root.findall(ns + "target")}
    target_eff = {k: _positive(v) for k, v in stated.items()}
    notes = [
        f"target '{k}': amplificationEfficiency '{stated[k]}' is not a positive number; "
        "treated as unknown"
        for k, v in target_eff.items()
        if stated[k] and not np.isfinite(v)
    ]
    rows = []
    for exp in root.findall(ns + "experiment"):
        for run in exp.findall(ns + "run"):
            fmt = run.find(ns + "pcrFormat")
            cols = text(fmt, "columns", "12")
            ncols = int(cols) if cols.isdigit() and int(cols) > 0 else 12
            plate = f"{exp.get('id')}/{run.get('id')}"
            for react in run.findall(ns + "react"):
                rid = react.get("id", "")
                well = well_from_index(int(rid), ncols) if rid.isdigit() and int(rid) > 0 else rid
                sample_el = react.find(ns + "sample")
                sid = sample_el.get("id", "") if sample_el is not None else ""
                info = samples.get(sid, {"task": "unknown"})
                for data in react.findall(ns + "data"):
                    tar = data.find(ns + "tar")
                    tid = tar.get("id", "") if tar is not None else ""
                    eff = target_eff.get(tid, np.nan)
                    cq = text(data, "cq")
                    rows.append(
                        {
                            "plate": plate,
                            "well": well,
                            "sample": sid,
                            "target": tid,
                            "cq": "" if _negative(cq) else cq,
                            "efficiency": eff if np.isfinite(eff) else _positive(text(data, "ampEff")),
                            "omit": bool(text(data, "excl")),
                            **info,
                        }
                    )
    if not rows:
        raise InputError(
            f"{where}: the RDML file has no reactions with data; expected "
            "<experiment><run><react><data> elements"
        )
    raw = pd.DataFrame(rows)
    _set_ct(raw, raw.pop("cq"), where=where, column="cq")
    for col in [c for c in raw.columns if c not in _COLUMNS]:
        raw[col] = numeric_if_possible(raw[col].where(raw[col].notna(), None))
    df = _finish(raw, plate="rdml", where=where)
    if not df["ct"].notna().any():
        notes.append(
            "the RDML file holds no Cq values (raw amplification / melting data "
            "only); export Cq values from the instrument software"
        )
    df.attrs["notes"] = notes
    df.attrs["version"] = root.get("version", "")
    return df


def _rdml_sample(sample: ElementTree.Element, ns: str, text) -> dict:
    """task, quantity (standards) and annotation columns of one RDML ``<sample>``."""
    qty = sample.find(ns + "quantity")
    task = _RDML_TYPES.get(text(sample, "type", "unkn"), "unknown")
    out = {"task": task, "quantity": _positive(text(qty, "value")) if task == "standard" else np.nan}
    for ann in sample.findall(ns + "annotation"):
        prop = norm_name(text(ann, "property"))
        if prop and prop not in _COLUMNS and prop not in ("plate", "source"):
            out[prop] = text(ann, "value")
    return out


def _positive(value: str) -> float:
    """'1.95' -> 1.95; empty, text, 0 or negative (placeholders) -> NaN."""
    try:
        number = float(value)
    except ValueError:
        return np.nan
    return number if np.isfinite(number) and number > 0 else np.nan


def _negative(value: str) -> bool:
    """RDML codes "no Cq" as a negative number (-1 not available, -2 not applicable)."""
    try:
        return float(value) < 0
    except ValueError:
        return False


# --------------------------------------------------------------------------- generic long table
def read_qpcr_table(path: PathLike | pd.DataFrame, *, plate: str | None = None) -> pd.DataFrame:
    """A long table: sample, target, ct [+ plate, well, replicate, task, quantity, omit,
    efficiency, condition columns]. Ct 'Undetermined' / empty -> NaN. Efficiency may be a factor
    (1-2.5) or a percentage (> 10), converted to the factor."""
    raw, where = _cells(path, what="a qPCR long table with columns sample, target, ct")
    name = plate or ("table" if isinstance(path, pd.DataFrame) else Path(path).stem)
    return _long_table(raw, where=where, plate=name)


def _long_table(
    raw: pd.DataFrame, *, where: str, plate: str, wells: list[str] | None = None
) -> pd.DataFrame:
    """Text cells of a long table -> the qpcr table (see :func:`read_qpcr_table`); ``wells``
    names the rows' wells when the table has no well column (default: row2, row3, ...)."""
    cols = {
        "sample": require_column(
            raw, ("sample", "sample_name", "name"), where=where, what="the sample of each well"
        ),
        "target": require_column(
            raw,
            ("target", "target_name", "gene", "gene_name", "primers", "detector"),
            where=where,
            what="the target gene",
        ),
        "ct": require_column(raw, ("ct", "cq", "cp", "cт"), where=where, what="the Ct / Cq value"),
    }
    for key, aliases in (
        ("plate", ("plate",)),
        ("well", ("well", "well_position", "pos")),
        ("replicate", ("replicate", "biological_replicate", "bio_rep")),
        ("task", ("task", "content", "sample_type")),
        ("quantity", ("quantity", "starting_quantity", "sq")),
        ("omit", ("omit", "exclude", "excluded")),
        ("efficiency", ("efficiency",)),
    ):
        found = find_column(raw.columns, aliases)
        if found is not None:
            cols[key] = found
    out = pd.DataFrame(
        {
            "sample": raw[cols["sample"]].astype(str).str.strip(),
            "target": raw[cols["target"]].astype(str).str.strip(),
        }
    )
    _set_ct(out, raw[cols["ct"]], where=where, column=cols["ct"])
    out["well"] = (
        normalize_wells(raw[cols["well"]], where=where)
        if "well" in cols
        else wells or [f"row{i + 2}" for i in range(len(raw))]
    )
    if "plate" in cols:
        out["plate"] = raw[cols["plate"]].astype(str).str.strip()
    if "replicate" in cols:
        out["replicate"] = numeric_if_possible(raw[cols["replicate"]].astype(str).str.strip())
    if "task" in cols:
        out["task"] = _task(raw[cols["task"]])
    if "quantity" in cols:
        out["quantity"] = to_number(raw[cols["quantity"]], where=where, column=cols["quantity"])
    if "omit" in cols:
        out["omit"] = to_bool(raw[cols["omit"]], where=where, column=cols["omit"])
    if "efficiency" in cols:
        eff = to_number(raw[cols["efficiency"]], where=where, column=cols["efficiency"])
        out["efficiency"] = eff.where(eff <= 10, 1 + eff / 100)
    used = set(cols.values())
    for name, values in extra_columns(raw, used).items():
        out[name] = values
    return _finish(out, plate=plate, where=where)


# --------------------------------------------------------------------------- wide tables
_SAMPLE_COLUMNS = ("sample", "sample_name", "group", "name", "condition")
_TARGET_COLUMNS = ("target", "target_name", "gene", "gene_name", "detector", "primers", "assay")
_ANNOTATION_COLUMNS = (
    *_SAMPLE_COLUMNS,
    "plate",
    "well",
    "well_position",
    "replicate",
    "biological_replicate",
    "task",
    "content",
)


def read_qpcr_wide(
    path: PathLike | pd.DataFrame,
    *,
    genes: list[str] | None = None,
    plate: str | None = None,
) -> pd.DataFrame:
    """A wide Ct table -> the qpcr table.

    Two orientations: one column per target and one row per well (the R ``pcr`` package's
    layout: ``c_myc, GAPDH`` columns; a sample / group column names each row's sample, other text
    columns are conditions), or one row per target (first column named target / gene) and one
    column per sample. Target columns are ``genes`` when given, else every column that is not an
    annotation (sample, group, well, replicate, ...) and holds mostly Ct-like numbers. Each row
    is one well (``row2``, ``row3``, ... after the file's line), shared by its targets.
    """
    raw, where = _cells(path, what="a wide qPCR table (one column per target or per sample)")
    name = plate or ("table" if isinstance(path, pd.DataFrame) else Path(path).stem)
    first = raw.columns[0]
    if norm_name(first) in _TARGET_COLUMNS or (
        genes and any(g in set(raw[first].str.strip()) for g in genes)
    ):
        long = raw.melt(id_vars=[first], var_name="sample", value_name="ct")
        wells = [f"row{r + 2}col{c + 2}" for c in range(raw.shape[1] - 1) for r in range(len(raw))]
        long = long.rename(columns={first: "target"})
        return _long_table(long.astype(str), where=where, plate=name, wells=wells)
    targets = _wide_targets(raw, genes)
    if not targets:
        raise InputError(
            f"{where}: no Ct columns found in the wide table (columns: "
            f"{', '.join(map(str, raw.columns))}); expected one column per target gene holding "
            "Ct values, or pass --format table for a long table with a ct column"
        )
    ids = [c for c in raw.columns if c not in targets]
    sample = find_column(ids, _SAMPLE_COLUMNS)
    cells = raw.assign(_well=[f"row{i + 2}" for i in range(len(raw))])
    if sample is None:
        cells["_sample"] = ""
        sample = "_sample"
    long = cells.melt(
        id_vars=[*ids, "_well"] + ([sample] if sample not in ids else []),
        value_vars=targets,
        var_name="target",
        value_name="ct",
    )
    wells = long.pop("_well").tolist()
    long = long.rename(columns={sample: "sample"})
    return _long_table(long.astype(str), where=where, plate=name, wells=wells)


def _wide_targets(raw: pd.DataFrame, genes: list[str] | None) -> list[str]:
    """The target columns of a wide table: ``genes`` that are columns, else the non-annotation
    columns whose non-empty cells are mostly numbers in (0, 60] cycles or non-detect words."""
    if genes:
        named = [c for c in raw.columns if str(c).strip() in genes]
        if named:
            return named
    out = []
    for c in raw.columns:
        if norm_name(c) in _ANNOTATION_COLUMNS:
            continue
        text = raw[c].astype(str).str.strip()
        text = text[text != ""]
        num = pd.to_numeric(text, errors="coerce")
        likely = ((num > 0) & (num <= 60)) | text.str.lower().isin(_UNDETERMINED)
        if len(text) and likely.mean() >= 0.5 and num.notna().any():
            out.append(c)
    return out


# --------------------------------------------------------------------------- Excel and tables
def _is_excel_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.startswith("xl/") for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _is_excel(path: Path) -> bool:
    """An Excel workbook by name or by content (a zip with xl/ inside, whatever its name)."""
    return path.suffix.lower() in _EXCEL_SUFFIXES or (
        zipfile.is_zipfile(path) and _is_excel_zip(path)
    )


def _excel_engine(path: Path) -> str | None:
    """pandas' choice for an Excel name; openpyxl for a workbook renamed to something else."""
    return None if path.suffix.lower() in _EXCEL_SUFFIXES else "openpyxl"


def _cells(source: PathLike | pd.DataFrame, *, what: str) -> tuple[pd.DataFrame, str]:
    """``(text cells, where)`` of a DataFrame, an Excel workbook (by content, whatever its name)
    or a delimited text table."""
    if isinstance(source, pd.DataFrame):
        return table_or_file(source, name="qPCR table", what=what)
    path = _require_qpcr_file(source)
    if _is_excel(path):
        return _read_excel(path), str(path)
    if zipfile.is_zipfile(path):
        raise _not_qpcr(path, "a zip archive that is not an Excel workbook")
    return read_table(path, what=what), str(path)


def _read_excel(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook as text cells (empty rows and unnamed empty columns dropped)."""
    try:
        df = pd.read_excel(path, sheet_name=0, dtype=str, engine=_excel_engine(path))
    except Exception as exc:  # openpyxl / xlrd raise many kinds: all mean "unreadable workbook"
        raise _not_qpcr(path, f"an Excel workbook that cannot be read ({exc_text(exc)})") from exc
    df = df.dropna(how="all")
    df = df.loc[:, [not str(c).startswith("Unnamed") or df[c].notna().any() for c in df.columns]]
    if df.empty:
        raise _not_qpcr(path, "an empty Excel sheet")
    return df.fillna("").astype(str).reset_index(drop=True)


def _not_qpcr(path: Path, what: str) -> InputError:
    return InputError(
        f"{path}: {what}; {ACCEPTED}. Save the sheet as .xlsx or CSV with a header row "
        "(sample, target, ct) and try --format table, or --format wide for one column per target"
    )


# --------------------------------------------------------------------------- layouts
_SAMPLE_ALIASES = ("sample", "sample_name")
_TARGET_ALIASES = ("target", "primers", "primer", "gene", "assay", "target_name")


def read_qpcr_layout(path: PathLike | pd.DataFrame) -> pd.DataFrame:
    """A plate layout -> one row per well: well [+ plate] + annotation columns.

    wellmap TOML files are read with the ``wellmap`` package; CSV / TSV / XLSX need a ``well``
    column. Columns named sample / target (or primers / gene) / replicate / task fill those
    fields of the qPCR table; all other columns become condition columns.
    """
    if isinstance(path, pd.DataFrame):
        layout, where = path.copy(), "layout"
    elif str(path).lower().endswith(".toml"):
        import wellmap

        where = str(path)
        try:
            layout = wellmap.load(path)
        except FileNotFoundError as exc:
            raise InputError(f"{where}: no such file; expected a wellmap TOML layout") from exc
        except Exception as exc:
            raise InputError(f"{where}: not a valid wellmap layout ({exc_text(exc)})") from exc
        layout = drop_wellmap_extras(layout)
    else:
        where = str(path)
        layout = read_table(path, what="a plate layout with a 'well' column")
    well = require_column(
        layout,
        ("well", "well_position", "pos", "position"),
        where=where,
        what="the well of each layout row",
    )
    out = layout.rename(columns={well: "well"})
    out.columns = [c if c == "well" else norm_name(c) for c in out.columns]
    out["well"] = normalize_wells(out["well"], where=where)
    for c in out.columns:
        if c != "well":
            col = out[c]
            if col.map(lambda v: not isinstance(v, str | int | float | bool | type(None))).any():
                col = col.map(
                    lambda v: v if v is None or isinstance(v, float) and np.isnan(v) else str(v)
                )
            out[c] = (
                numeric_if_possible(col.astype(object).where(col.notna(), None))
                if col.dtype == object
                else col
            )
    key = ["plate", "well"] if "plate" in out.columns else ["well"]
    dup = out.duplicated(key)
    if dup.any():
        raise InputError(
            f"{where}: well {out.loc[dup, 'well'].iloc[0]} is listed twice in the layout"
        )
    out.attrs["where"] = where
    return out.reset_index(drop=True)


def apply_layout(qpcr: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """Join a layout (from :func:`read_qpcr_layout`) onto a qpcr table by well (and plate).

    Layout sample / target / replicate / task columns replace the file's values where given.
    Wells with data (a Ct or a sample name) that the layout does not cover are an error.
    """
    where = layout.attrs.get("where", "layout")
    lay = layout.copy()
    rename = {}
    for field, aliases in (
        ("sample", _SAMPLE_ALIASES),
        ("target", _TARGET_ALIASES),
        ("replicate", ("replicate", "biological_replicate")),
        ("task", ("task",)),
        ("efficiency", ("efficiency",)),
    ):
        col = find_column([c for c in lay.columns if c != "well"], aliases)
        if col is not None:
            rename[col] = f"_layout_{field}"
    lay = lay.rename(columns=rename)
    on = ["plate", "well"] if "plate" in lay.columns and "plate" in qpcr.columns else ["well"]
    if on == ["well"] and "plate" in lay.columns:
        lay = lay.drop(columns="plate")
    clash = [c for c in lay.columns if c not in on and c in qpcr.columns]
    merged = qpcr.drop(columns=clash).merge(lay, on=on, how="left", indicator=True)
    uncovered = (merged["_merge"] == "left_only") & (
        merged["ct"].notna() | (merged["sample"] != "")
    )
    if uncovered.any():
        wells = merged.loc[uncovered, "well"].unique()
        raise InputError(
            f"{where}: well(s) {', '.join(wells[:8])}"
            f"{' ...' if len(wells) > 8 else ''} have data but no layout entry; "
            f"add them to the layout (layout wells: {len(lay)})."
            f"{did_you_mean(wells[0], lay['well'])}"
        )
    merged = merged.drop(columns="_merge")
    for field in ("sample", "target", "replicate", "task", "efficiency"):
        col = f"_layout_{field}"
        if col in merged.columns:
            val = merged.pop(col)
            if field == "task":
                val = _task(val)
            elif field in ("sample", "target"):
                val = val.where(val.notna(), None).map(lambda v: "" if v is None else str(v))
            merged[field] = val.where(
                pd.Series(val).astype(str).ne("") & pd.Series(val).notna(),
                merged[field] if field in merged.columns else np.nan,
            )
    return _finish(merged, plate="plate", where=where)


# --------------------------------------------------------------------------- dispatch
def _read_text(path: PathLike, *, what: str) -> str:
    p = require_file(path, what)
    data = p.read_bytes()
    for enc in ("utf-8-sig", "utf-16", "latin-1"):
        try:
            text = data.decode(enc)
            if "\x00" not in text:
                return text
        except UnicodeDecodeError:
            continue
    raise InputError(f"{p}: not a text file; expected {what}")


def _require_qpcr_file(path: PathLike) -> Path:
    """``path`` as a Path: missing or a folder is an InputError saying what to pass."""
    p = require_file(path, f"a qPCR export ({ACCEPTED})")
    if p.is_dir():
        inside = sorted(q.name for q in p.iterdir())[:5]
        listing = f" (it holds: {', '.join(inside)})" if inside else " (it is empty)"
        raise InputError(f"{p}: is a folder; pass the qPCR export file inside it{listing}")
    return p


def detect_format(path: PathLike) -> str:
    """Guess the export format of a qPCR file from its content (and extension)."""
    p = _require_qpcr_file(path)
    if _is_excel(p):
        return "quantstudio" if _quantstudio_results_sheet(p) else _table_kind(_read_excel(p))
    if zipfile.is_zipfile(p):
        try:
            with zipfile.ZipFile(p) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise _not_qpcr(p, f"a damaged zip archive ({exc_text(exc)})") from exc
        if any(n.lower().endswith(".xml") for n in names):
            return "rdml"
        raise _not_qpcr(p, "a zip archive without rdml_data.xml (not RDML) and not Excel")
    if p.suffix.lower() == ".rdml":
        return "rdml"
    try:
        text = _read_text(p, what="a qPCR export")[:20000]
    except InputError:
        raise _not_qpcr(p, "a binary file that is neither RDML nor Excel") from None
    head = text.lstrip()
    if head.startswith("<?xml") or head.startswith("<rdml"):
        return "rdml"
    if "[Results]" in text or re.match(r"^\* [^=]+=", head):
        return "quantstudio"
    first = head.splitlines()[0] if head else ""
    if first.startswith("Experiment:") or re.search(r"(^|\t)Pos\t", text) and "\tCp" in text:
        return "lightcycler"
    names = {norm_name(c) for c in re.split(r"[,\t;]", first)}
    if {"well", "fluor", "cq"} <= names:
        return "biorad"
    if {"gene_name", "cq", "sample_name"} <= names:
        return "lightcycler"
    return "table" if names & set(_CT_NAMES) or not head else "wide"


_CT_NAMES = ("ct", "cq", "cp", "cт")


def _table_kind(cells: pd.DataFrame) -> str:
    """'table' when a sheet has a ct / cq / cp column, else 'wide'."""
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

    ``format`` is one of 'auto', 'biorad', 'quantstudio', 'lightcycler', 'rdml', 'table', 'wide'.
    ``target`` names the single target of a LightCycler 480 export without target column;
    ``genes`` (target and reference genes) picks the target columns of a wide table.
    """
    if format not in ("auto", *FORMATS):
        raise InputError(
            f"qPCR format '{format}' is not known; expected one of auto, "
            f"{', '.join(FORMATS)}.{did_you_mean(format, FORMATS)}"
        )
    _require_qpcr_file(path)
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
