"""qPCR wells: impossible Cts and duplicated wells flagged, controls and standards listed.

Bad wells never stop the batch (:func:`flag_wells`): a Ct that is not finite, below 1 cycle or
above ``max_ct`` (default 50 cycles) is impossible; a well listed twice (same plate, well and
target) is not a replicate (identical copies: the first is kept; different Cts: every copy is
dropped). Such wells get ``exclude`` True and a ``message``. NTC / NRT wells, Undetermined
wells, omitted wells and standards are listed with what was done with them (:func:`_flags`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.errors import AnalysisError
from tallrx.schema import TABLES, condition_columns, validate

__all__ = ["ANNOTATIONS", "CT_MAX", "CT_MIN", "flag_wells"]

#: Highest plausible Ct (cycles): runs are 40-50 cycles; a larger Ct is an impossible value.
CT_MAX = 50.0
#: Lowest possible Ct (cycles): the threshold cannot be crossed before the first cycle.
CT_MIN = 1.0
#: Columns of a qpcr table that are annotations, not conditions.
ANNOTATIONS = TABLES["qpcr"].names
_NEGATIVE_TASKS = ("ntc", "nrt", "negative")


def _conditions(df: pd.DataFrame) -> list[str]:
    """The condition columns of a qpcr table (dox, prednisolone, ...)."""
    return [c for c in condition_columns(df, "qpcr") if c not in ANNOTATIONS]


def _prepare(qpcr: pd.DataFrame, where: str, max_ct: float = CT_MAX) -> pd.DataFrame:
    """The validated table with task (lower case, default 'unknown'), omit, float ct and the
    :func:`flag_wells` flags."""
    validate(qpcr, "qpcr", where=where)
    if qpcr.empty:
        raise AnalysisError(f"{where}: the qPCR table has no wells")
    df = qpcr.copy()
    df["task"] = df["task"].fillna("unknown").astype(str).str.lower() if "task" in df else "unknown"
    df["omit"] = df["omit"].fillna(False).astype(bool) if "omit" in df else False
    df["ct"] = df["ct"].astype(float)
    return flag_wells(df, max_ct=max_ct)


def _add_note(message: pd.Series, mask: pd.Series, notes: pd.Series | str) -> pd.Series:
    """``message`` with ``notes`` appended ('; '-separated) where ``mask``."""
    notes = pd.Series(notes, index=message.index) if isinstance(notes, str) else notes
    joined = message.where(message == "", message + "; ") + notes
    return message.mask(mask, joined)


def flag_wells(qpcr: pd.DataFrame, *, max_ct: float = CT_MAX) -> pd.DataFrame:
    """Flag impossible Cts and duplicated wells (see the module notes).

    Parameters
    ----------
    qpcr
        The tidy ``qpcr`` table; ``exclude`` and ``message`` columns already there (e.g. a
        reader's flags) are kept and added to.
    max_ct
        Largest possible Ct (cycles).

    Returns
    -------
    pandas.DataFrame
        The qpcr columns plus ``exclude`` (bool: the well is left out) and ``message`` (why,
        '' when nothing is wrong), one row per well as in the input.
    """
    if not (np.isfinite(max_ct) and max_ct > 0):
        raise AnalysisError(
            f"max_ct {max_ct} must be a finite positive number of cycles (e.g. --max-ct 45)"
        )
    df = qpcr.copy()
    exclude = df["exclude"].fillna(False).astype(bool) if "exclude" in df else False
    df["exclude"] = pd.Series(exclude, index=df.index, dtype=bool)
    msg = df["message"] if "message" in df else pd.Series("", index=df.index)
    df["message"] = msg.fillna("").astype(str)
    ct = df["ct"].astype(float)
    bad = ~df["exclude"] & ct.notna() & ~((ct >= CT_MIN) & (ct <= max_ct))
    df["message"] = _add_note(
        df["message"],
        bad,
        pd.Series(
            [
                f"Ct {v:g} is impossible (expected a finite Ct in [{CT_MIN:g}, {max_ct:g}] "
                "cycles): well excluded"
                for v in ct
            ],
            index=df.index,
            dtype=object,
        ),
    )
    df["exclude"] |= bad
    key = [c for c in ("plate", "well", "target") if c in df]
    dup = df.duplicated(key, keep=False)
    for _, g in df[dup].groupby(key, sort=False):
        cts = sorted(set(g["ct"].round(6).fillna(-1.0)))
        where = f"well {g['well'].iloc[0]} target {g['target'].iloc[0]} is listed {len(g)} times"
        if len(cts) == 1 and g["sample"].nunique() == 1:
            rows = g.index[1:]
            note = f"{where} (identical copies): only the first counts, not as a replicate"
        else:
            rows = g.index
            values = ", ".join("NaN" if v == -1 else f"{v:g}" for v in cts)
            note = f"{where} with different Ct ({values}): a well is not a replicate; all excluded"
        mask = df.index.isin(rows)
        df["message"] = _add_note(df["message"], pd.Series(mask, index=df.index), note)
        df.loc[mask, "exclude"] = True
    return df


def _flags(df: pd.DataFrame, genes: list[str]) -> pd.DataFrame:
    """Wells that are not analysed or need a look: plate, well, sample, target, ct, task, note."""
    notes = pd.Series("", index=df.index, dtype=object)
    neg = df["task"].isin(_NEGATIVE_TASKS)
    amp = df["ct"].notna()
    notes[neg & amp] = (
        "negative control amplified (Ct "
        + df["ct"].round(2).astype(str)
        + "): possible contamination or primer dimers; not analysed"
    )
    notes[neg & ~amp] = "negative control: no amplification (as expected); not analysed"
    notes[df["task"] == "standard"] = "standard (dilution series): used for efficiency only"
    notes[df["task"] == "positive"] = "positive control: not analysed"
    unk = df["task"] == "unknown"
    notes[unk & ~amp & df["target"].isin(genes)] = (
        "no amplification (Undetermined): left out of the technical mean"
    )
    notes[df["omit"]] = "omitted in the instrument software: not analysed"
    notes[df["exclude"]] = df.loc[df["exclude"], "message"]
    flagged = notes != ""
    cols = [c for c in ("plate", "well", "sample", "target", "ct", "task") if c in df]
    out = df.loc[flagged, cols].copy()
    out["note"] = notes[flagged]
    return out.reset_index(drop=True)
