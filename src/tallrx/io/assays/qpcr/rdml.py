"""RDML 1.x (zip or plain XML, read with the standard library) -> the qpcr table."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from tallrx.errors import InputError
from tallrx.io.assays._tables import PathLike, norm_name, numeric_if_possible, well_from_index
from tallrx.io.assays.qpcr._common import COLUMNS, finish, set_ct

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

    Returns
    -------
    pandas.DataFrame
        The qpcr table (columns: see :func:`~tallrx.io.assays.qpcr.read_qpcr`), one condition column per
        sample annotation property; ``attrs['notes']`` and ``attrs['version']`` (RDML).
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
                            "efficiency": eff
                            if np.isfinite(eff)
                            else _positive(text(data, "ampEff")),
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
    set_ct(raw, raw.pop("cq"), where=where, column="cq")
    for col in [c for c in raw.columns if c not in COLUMNS]:
        raw[col] = numeric_if_possible(raw[col].where(raw[col].notna(), None))
    df = finish(raw, plate="rdml", where=where)
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
    out = {
        "task": task,
        "quantity": _positive(text(qty, "value")) if task == "standard" else np.nan,
    }
    for ann in sample.findall(ns + "annotation"):
        prop = norm_name(text(ann, "property"))
        if prop and prop not in COLUMNS and prop not in ("plate", "source"):
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
