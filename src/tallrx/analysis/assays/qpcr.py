"""RT-qPCR relative expression: Livak 2^-ddCt and Pfaffl (paper Fig. 3A-B).

Input is the tidy ``qpcr`` table (plate, well, sample, target, ct, replicate [+ task, quantity, omit,
efficiency, condition columns]), measured or simulated alike.

Conventions (stated in every Result's meta):

* Technical replicates (wells with the same group, replicate and target) are averaged as Ct.
* The reference term is the mean over reference genes of Ct x log2(E): with several reference
  genes that is the geometric mean of their relative quantities (Vandesompele et al. 2002).
* Per biological replicate: log2 RQ = -(Ct_target log2 E_target - ref term) minus the mean of the
  same quantity over the baseline group's replicates (the calibrator). With E = 2 (Livak &
  Schmittgen 2001) this is -ddCt; with measured E it is Pfaffl (2001).
* Error convention ``error="log"`` (default): relative_expression = 2^mean(log2 RQ) (the baseline
  is exactly 1), lower / upper = 2^(mean -/+ SD of log2 RQ) over biological replicates;
  ``error="linear"``: mean and mean -/+ SD of the per-replicate 2^-ddCt values. ``sd`` is always
  the SD of the per-replicate linear values (ddof = 1).
* NTC / NRT wells, Undetermined wells, omitted wells and standards are listed in
  ``extra['flags']`` with what was done with them; none is dropped silently.
* Bad wells never stop the batch (:func:`flag_wells`): a Ct that is not finite, below 1 cycle
  or above ``max_ct`` (default 50 cycles) is impossible; a well listed twice (same plate, well and target)
  is not a replicate (identical copies: the first is kept; different Cts: every copy is dropped).
  Such wells get ``exclude`` True and a ``message`` (``extra['wells']``); the groups they belong
  to are ``flagged`` in the table with a message. A group without a value (no Ct, no reference,
  no baseline group) is a flagged row with NaN, not an error; so is a group whose technical
  replicates span more than ``TECH_RANGE_MAX`` (1 cycle), with its value kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from tallrx._result import Result, checksum
from tallrx.analysis.assays._levels import fmt_level as _fmt
from tallrx.analysis.assays._levels import same_level as _same
from tallrx.errors import AnalysisError, did_you_mean
from tallrx.schema import condition_columns, validate

__all__ = [
    "CT_MAX",
    "EFFICIENCY_RANGE",
    "EXPRESSION_STATS",
    "LIVAK_EFFICIENCY",
    "estimate_efficiency",
    "flag_wells",
    "parse_baseline",
    "relative_expression",
]

#: Highest plausible Ct (cycles): runs are 40-50 cycles; a larger Ct is an impossible value.
CT_MAX = 50.0
#: Lowest possible Ct (cycles): the threshold cannot be crossed before the first cycle.
CT_MIN = 1.0
#: Technical replicates (wells of one sample x replicate x target) further apart than this (cycles)
#: flag their group: one of the wells is likely wrong (MIQE: replicate spread is reported).
TECH_RANGE_MAX = 1.0
#: Perfect doubling per cycle (the 2 in 2^-ddCt).
LIVAK_EFFICIENCY = 2.0
#: Acceptable amplification factors (MIQE: 90-110 % efficiency); outside is flagged, not refused.
EFFICIENCY_RANGE = (1.9, 2.1)
#: Columns of expression.csv after the group columns.
EXPRESSION_STATS = (
    "target",
    "relative_expression",
    "sd",
    "lower",
    "upper",
    "n",
    "log2_fc",
    "log2_sd",
    "ddct",
    "p_value",
    "n_wells",
    "n_undetermined",
    "baseline",
    "flagged",
    "message",
)
#: Columns of a qpcr table that are annotations, not conditions.
ANNOTATIONS = (
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
    "source",
)
_NEGATIVE_TASKS = ("ntc", "nrt", "negative")


def _conditions(df: pd.DataFrame) -> list[str]:
    return [c for c in condition_columns(df, "qpcr") if c not in ANNOTATIONS]


def _prepare(qpcr: pd.DataFrame, where: str, max_ct: float = CT_MAX) -> pd.DataFrame:
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
    """The qpcr table with ``exclude`` (bool) and ``message`` per well: impossible Cts and
    duplicated wells excluded (see the module notes); earlier flags (e.g. a reader's) are kept."""
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


def parse_baseline(spec: str | Sequence[str] | Mapping[str, object] | None) -> dict[str, str]:
    """'dox=-,prednisolone=0' / ['dox=-', 'prednisolone=0'] / {'dox': '-'} -> {'dox': '-', ...}."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {str(k): v for k, v in spec.items()}
    items = [spec] if isinstance(spec, str) else list(spec)
    out: dict[str, str] = {}
    for item in items:
        for part in str(item).split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise AnalysisError(
                    f"baseline '{part.strip()}' is not COLUMN=VALUE; expected "
                    "e.g. --baseline dox=- --baseline prednisolone=0"
                )
            key, _, value = part.partition("=")
            out[key.strip()] = value.strip()
    return out


# --------------------------------------------------------------------------- efficiency
def estimate_efficiency(
    qpcr: pd.DataFrame, *, targets: Sequence[str] | None = None, where: str = "qPCR table"
) -> pd.DataFrame:
    """Amplification efficiency of each target from its dilution series (standard wells).

    Least-squares line Ct = intercept + slope log10(quantity) through every standard well with a
    Ct (task 'standard', quantity > 0, not omitted); efficiency E = 10^(-1/slope) (amplification
    factor, 2 = 100 %), efficiency_percent = (E - 1) x 100. Columns: target, slope, intercept,
    r2, efficiency, efficiency_percent, n_wells, n_dilutions, fit_ok, message (efficiency outside
    90-110 % or fewer than 3 dilutions is flagged, not refused).
    """
    df = _prepare(qpcr, where)
    std = df[(df["task"] == "standard") & ~df["omit"] & ~df["exclude"] & df["ct"].notna()]
    if "quantity" in std:
        std = std[pd.to_numeric(std["quantity"], errors="coerce") > 0]
    else:
        std = std.iloc[0:0]
    if targets is not None:
        std = std[std["target"].isin(list(targets))]
    if std.empty:
        raise AnalysisError(
            f"{where}: no standard wells (task 'standard' with a quantity and a "
            "Ct); a dilution series is needed to estimate efficiencies"
        )
    rows = []
    for target, g in std.groupby("target", sort=False):
        x = np.log10(g["quantity"].astype(float).to_numpy())
        y = g["ct"].to_numpy()
        n_dil = len(np.unique(x))
        row = {
            "target": target,
            "slope": np.nan,
            "intercept": np.nan,
            "r2": np.nan,
            "efficiency": np.nan,
            "efficiency_percent": np.nan,
            "n_wells": len(g),
            "n_dilutions": n_dil,
            "fit_ok": False,
            "message": "",
        }
        if n_dil < 2:
            row["message"] = "fewer than 2 dilutions: no slope"
        else:
            fit = stats.linregress(x, y)
            e = 10 ** (-1.0 / fit.slope) if fit.slope < 0 else np.nan
            row.update(
                slope=fit.slope,
                intercept=fit.intercept,
                r2=fit.rvalue**2,
                efficiency=e,
                efficiency_percent=(e - 1) * 100,
                fit_ok=bool(np.isfinite(e)),
            )
            notes = []
            if not np.isfinite(e):
                notes.append("Ct does not fall with quantity (slope >= 0)")
            elif not EFFICIENCY_RANGE[0] <= e <= EFFICIENCY_RANGE[1]:
                notes.append(f"efficiency {(e - 1) * 100:.1f} % outside 90-110 %")
            if n_dil < 3:
                notes.append("fewer than 3 dilutions")
            row["message"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows)


def _efficiencies(
    df: pd.DataFrame,
    genes: list[str],
    method: str,
    efficiency: Mapping[str, float] | pd.DataFrame | str | None,
    where: str,
    notes: list[str],
) -> tuple[dict[str, float], str, pd.DataFrame | None]:
    """Efficiencies per gene, the method used and the estimate table (if any). Implausible values
    from the table's efficiency column are ignored with a note (appended to ``notes``); given
    ones are an error."""
    table = None
    given: dict[str, float] = {}
    if isinstance(efficiency, str):
        if efficiency != "estimate":
            raise AnalysisError(
                f"efficiency '{efficiency}' is not known; expected 'estimate', "
                "a {target: E} mapping or an estimate_efficiency() table"
            )
        table = estimate_efficiency(df, targets=genes, where=where)
        given = dict(zip(table["target"], table["efficiency"], strict=True))
    elif isinstance(efficiency, pd.DataFrame):
        table = efficiency
        given = dict(zip(efficiency["target"], efficiency["efficiency"], strict=True))
    elif efficiency is not None:
        given = {str(k): float(v) for k, v in efficiency.items()}
    elif "efficiency" in df and pd.to_numeric(df["efficiency"], errors="coerce").notna().any():
        eff = df.assign(efficiency=pd.to_numeric(df["efficiency"], errors="coerce"))
        column = eff.dropna(subset=["efficiency"]).groupby("target")["efficiency"].mean()
        for k, v in column.items():
            if k in genes and not 1.0 < v <= 2.5:
                notes.append(
                    f"efficiency {v:g} of target '{k}' in the file is not an amplification factor "
                    "(1 < E <= 2.5): ignored"
                )
        given = {k: v for k, v in column.items() if 1.0 < v <= 2.5}
    given = {k: float(v) for k, v in given.items() if k in genes and np.isfinite(v)}
    for k, v in given.items():
        if not 1.0 < v <= 2.5:
            hint = (
                " It looks like a percentage: divide by 100 and add 1."
                if v > 10
                else " It looks like a fraction: add 1."
                if 0 < v <= 1
                else ""
            )
            raise AnalysisError(
                f"{where}: efficiency {v:g} for target '{k}' is not an "
                f"amplification factor (expected 1 < E <= 2.5, 2 = 100 %).{hint}"
            )
    if method == "auto":
        method = "pfaffl" if all(g in given for g in genes) else "livak"
    if method == "livak":
        return dict.fromkeys(genes, LIVAK_EFFICIENCY), "livak", table
    if method != "pfaffl":
        raise AnalysisError(
            f"method '{method}' is not known; expected auto, livak or pfaffl."
            f"{did_you_mean(method, ('auto', 'livak', 'pfaffl'))}"
        )
    missing = [g for g in genes if g not in given]
    if missing:
        raise AnalysisError(
            f"{where}: no efficiency for target(s) {', '.join(missing)}; give "
            "efficiency={'GENE': 1.95}, an efficiency column, or a dilution "
            "series (task 'standard' with quantity) and efficiency='estimate'"
        )
    return given, "pfaffl", table


# --------------------------------------------------------------------------- flags
def _flags(df: pd.DataFrame, genes: list[str]) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- main analysis
def relative_expression(
    qpcr: pd.DataFrame,
    *,
    target: str | Sequence[str],
    reference: str | Sequence[str],
    baseline: str | Sequence[str] | Mapping[str, object],
    method: str = "auto",
    efficiency: Mapping[str, float] | pd.DataFrame | str | None = None,
    by: Sequence[str] | None = None,
    error: str = "log",
    max_ct: float = CT_MAX,
    where: str = "qPCR table",
) -> Result:
    """Relative expression of ``target`` gene(s) normalized to ``reference`` gene(s).

    ``baseline`` (e.g. ``{"dox": "-", "prednisolone": 0}`` or ``"sample=Liver"``) selects the
    calibrator group whose expression is 1; ``by`` (default: sample and every condition column)
    defines the groups; each combination of the ``by`` columns not named in the baseline is
    normalized to its own baseline group (e.g. each cell line to its own untreated, non-induced
    cells). Biological replicates are the distinct (sample, replicate) pairs within a group: with
    ``by=["biological_set"]`` the samples (e.g. mice) of a set are its replicates.

    ``method``: 'livak' (E = 2), 'pfaffl' (efficiencies from ``efficiency`` = {target: E}, an
    :func:`estimate_efficiency` table, 'estimate' from this table's standards, or the table's
    efficiency column) or 'auto' (Pfaffl when every gene has an efficiency, else Livak).

    Table (expression.csv): the ``by`` columns, target, relative_expression, sd, lower, upper, n,
    log2_fc, log2_sd, ddct, p_value (Welch t-test of log2 RQ against the baseline group),
    n_wells, n_undetermined, baseline, flagged, message. ``flagged`` rows need a look: no value
    (NaN, the message says why) or wells excluded (impossible Ct: not in [1, ``max_ct``] cycles;
    duplicated well); ``extra['wells']`` is the input with ``exclude`` and ``message`` per well.
    """
    df = _prepare(qpcr, where, max_ct)
    targets = [target] if isinstance(target, str) else list(target)
    refs = [reference] if isinstance(reference, str) else list(reference)
    both = [g for g in targets if g in refs]
    if both:
        raise AnalysisError(
            f"'{both[0]}' is both a target and a reference gene; a gene normalized to itself is "
            "always 1. Choose another reference (e.g. --target BIM --reference GAPDH)"
        )
    usable = (df["task"] == "unknown") & ~df["omit"] & ~df["exclude"]
    if not (usable & df["ct"].notna()).any() and df["exclude"].any():
        first = df[df["exclude"]].iloc[0]
        raise AnalysisError(
            f"{where}: no well has a usable Ct ({int(df['exclude'].sum())} of {len(df)} wells "
            f"excluded; first: well {first['well']} target {first['target']}: {first['message']})"
        )
    if error not in ("log", "linear"):
        raise AnalysisError(f"error convention '{error}' is not known; expected 'log' or 'linear'")
    genes = list(dict.fromkeys(targets + refs))
    present = list(dict.fromkeys(df["target"]))
    for gene, role in [(g, "reference gene") for g in refs] + [(g, "target") for g in targets]:
        if gene not in present:
            raise AnalysisError(
                f"{where}: {role} '{gene}' has no wells (targets in the file: "
                f"{', '.join(present)}).{did_you_mean(gene, present)}"
            )
    for gene in refs:
        if not (usable & (df["target"] == gene) & df["ct"].notna()).any():
            others = sorted(set(df.loc[df["target"] == gene, "task"]))
            raise AnalysisError(
                f"{where}: reference gene '{gene}' has no Ct in any sample well "
                f"(its wells are: {', '.join(others)}); a reference gene must be "
                "measured in the samples"
            )
    conds = _conditions(df)
    by = list(dict.fromkeys(["sample", *conds])) if by is None else list(by)
    for c in by:
        if c not in df.columns:
            raise AnalysisError(
                f"{where}: group column '{c}' does not exist.{did_you_mean(c, list(df.columns))}"
            )
    base = parse_baseline(baseline)
    if not base:
        raise AnalysisError(
            "a baseline is needed (e.g. --baseline dox=- --baseline "
            "prednisolone=0): the group whose relative expression is 1"
        )
    for k in base:
        if k not in by:
            raise AnalysisError(
                f"{where}: baseline column '{k}' is not a group column (groups: "
                f"{', '.join(by)}).{did_you_mean(k, by)}"
            )
    notes: list[str] = []
    effs, used_method, eff_table = _efficiencies(df, genes, method, efficiency, where, notes)
    flags = _flags(df, genes)

    unit_cols = by + [c for c in ("sample", "replicate") if c not in by]
    wells = df[usable & df["target"].isin(genes)]
    tech = (
        wells.groupby(unit_cols + ["target"], dropna=False, sort=False)
        .agg(
            ct_mean=("ct", "mean"),
            ct_range=("ct", lambda c: c.max() - c.min()),
            n_wells=("ct", "count"),
            n_total=("ct", "size"),
        )
        .reset_index()
    )
    tech["n_undetermined"] = tech["n_total"] - tech["n_wells"]
    dropped = df[(df["task"] == "unknown") & ~df["omit"] & df["exclude"] & df["target"].isin(genes)]
    tech = tech.merge(
        dropped.groupby(unit_cols + ["target"], dropna=False, sort=False)
        .size()
        .rename("n_excluded")
        .reset_index(),
        on=unit_cols + ["target"],
        how="outer",
    )
    tech["n_excluded"] = tech["n_excluded"].fillna(0).astype(int)
    for col in ("n_wells", "n_total", "n_undetermined"):
        tech[col] = tech[col].fillna(0).astype(int)
    ct = tech.set_index(unit_cols + ["target"])["ct_mean"].unstack("target").reindex(columns=genes)
    log2e = pd.Series({g: np.log2(effs[g]) for g in genes})
    weighted = ct * log2e
    ref_term = weighted[refs].mean(axis=1, skipna=False)
    x = -(weighted[targets].sub(ref_term, axis=0))  # log2 relative quantity vs the references

    units = x.index.to_frame(index=False)
    is_base = np.ones(len(units), bool)
    for k, v in base.items():
        col = units[k]
        match = col.map(lambda u, v=v: _same(u, v)).to_numpy()
        if not match.any():
            values = list(dict.fromkeys(map(_fmt, df[k])))
            raise AnalysisError(
                f"{where}: baseline {k}={v} matches no sample wells ({k} values: "
                f"{', '.join(values)}).{did_you_mean(str(v), values)}"
            )
        is_base &= match
    strata_cols = [c for c in by if c not in base]
    strata = (
        units[strata_cols].astype(str).agg("\x1f".join, axis=1)
        if strata_cols
        else pd.Series("", index=units.index)
    )
    base_mean = x[is_base].groupby(strata[is_base].to_numpy()).mean()
    base_desc = ", ".join(f"{k}={v}" for k, v in base.items())
    why = np.full(x.shape, "", dtype=object)
    for stratum in sorted(set(strata) - set(base_mean.index)):
        first = dict(zip(strata_cols, stratum.split("\x1f"), strict=True))
        desc = ", ".join(f"{k}={v}" for k, v in first.items())
        why[(strata == stratum).to_numpy(), :] = (
            f"no baseline group {base_desc} for {desc}: cannot normalize"
        )
    base_at = base_mean.reindex(strata.to_numpy())
    missing_refs = weighted[refs].isna().to_numpy()
    for i in np.flatnonzero(missing_refs.any(axis=1)):
        names = ", ".join(r for r, m in zip(refs, missing_refs[i], strict=True) if m)
        why[i] = [_joined(v, f"reference gene {names} not detected") for v in why[i]]
    unset = base_at.isna().to_numpy() & (why == "")
    why[unset] = f"the baseline group ({base_desc}) has no value for this target: not detected there"
    reasons = pd.DataFrame(why, index=x.index, columns=x.columns)
    log2rq = x - base_at.to_numpy()

    rep = log2rq.stack(future_stack=True).rename("log2_rq").reset_index()
    rep = rep.rename(columns={rep.columns[len(unit_cols)]: "target"})
    rep["rq"] = 2.0 ** rep["log2_rq"]
    why = reasons.stack(future_stack=True).rename("reason").reset_index()
    why = why.rename(columns={why.columns[len(unit_cols)]: "target"})
    rep = rep.merge(why, on=unit_cols + ["target"], how="left")
    rep = rep.merge(
        tech[
            unit_cols
            + ["target", "ct_mean", "ct_range", "n_wells", "n_undetermined", "n_excluded"]
        ],
        on=unit_cols + ["target"],
        how="left",
    )
    ref_df = ref_term.rename("ref_term").reset_index()
    rep = rep.merge(ref_df, on=unit_cols, how="left")
    if used_method == "livak":
        rep["dct"] = rep["ct_mean"] - rep["ref_term"]
    rep = rep.merge(units.assign(baseline=is_base), on=unit_cols, how="left")
    table = _summarize(rep, by, error, strata_cols)
    meta = {
        "method": used_method,
        "targets": targets,
        "reference_genes": refs,
        "baseline": {k: _fmt(v) for k, v in base.items()},
        "by": by,
        "error": error,
        "error_convention": (
            "relative_expression = 2^mean(log2 RQ) over biological replicates; lower/upper = "
            "2^(mean -/+ SD of log2 RQ); sd = SD of per-replicate 2^-ddCt"
            if error == "log"
            else "relative_expression = mean of per-replicate 2^-ddCt; lower/upper = mean -/+ SD; "
            "sd = SD (ddof=1)"
        ),
        "technical_replicates": "averaged as Ct within group x replicate x target",
        "efficiency": {g: float(effs[g]) for g in genes},
        "reference_term": "mean of Ct x log2(E) over reference genes (geometric mean)",
        "n_flagged_wells": len(flags),
        "n_excluded_wells": int(df["exclude"].sum()),
        "max_ct": max_ct,
        "notes": notes,
        "input_checksum": checksum(qpcr),
    }
    extra = {"replicates": rep, "flags": flags, "wells": df}
    if eff_table is not None:
        extra["efficiency"] = eff_table
    return Result(kind="expression", table=table, meta=meta, extra=extra)


def _summarize(
    rep: pd.DataFrame, by: list[str], error: str, strata_cols: list[str]
) -> pd.DataFrame:
    keys = by + ["target"]
    grouped = rep.groupby(keys, dropna=False, sort=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = grouped.agg(
            n=("log2_rq", "count"),
            log2_fc=("log2_rq", "mean"),
            log2_sd=("log2_rq", "std"),
            lin_mean=("rq", "mean"),
            sd=("rq", "std"),
            n_wells=("n_wells", "sum"),
            n_undetermined=("n_undetermined", "sum"),
            n_excluded=("n_excluded", "sum"),
            ct_range=("ct_range", "max"),
            n_replicates=("log2_rq", "size"),
            baseline=("baseline", "all"),
            reason=("reason", lambda r: "; ".join(dict.fromkeys(v for v in r if v))),
        )
    out = out.reset_index()
    out["log2_fc"] = out["log2_fc"].mask(out["log2_fc"].abs() < 1e-12, 0.0)
    if error == "log":
        out["relative_expression"] = 2.0 ** out["log2_fc"]
        out["lower"] = 2.0 ** (out["log2_fc"] - out["log2_sd"])
        out["upper"] = 2.0 ** (out["log2_fc"] + out["log2_sd"])
    else:
        out["relative_expression"] = out["lin_mean"]
        out["lower"] = out["lin_mean"] - out["sd"]
        out["upper"] = out["lin_mean"] + out["sd"]
    out["ddct"] = 0.0 - out["log2_fc"]
    out["p_value"] = _pvalues(rep, out, by, strata_cols)
    msg = []
    for n, total, und, excl, spread, why, b in zip(
        out["n"],
        out["n_replicates"],
        out["n_undetermined"],
        out["n_excluded"],
        out["ct_range"],
        out["reason"],
        out["baseline"],
        strict=True,
    ):
        parts = []
        if n == 0:
            parts.append(why or "not detected (no Ct in any replicate)")
        elif n < total:
            parts.append(f"{total - n} of {total} replicates without a value ({why or 'no Ct'})")
        elif und:
            parts.append(f"{und} undetermined well(s) left out of technical means")
        if excl:
            parts.append(f"{excl} well(s) excluded (impossible Ct or duplicated well): see flags")
        if spread > TECH_RANGE_MAX:
            parts.append(
                f"technical replicates span {spread:.2f} cycles (> {TECH_RANGE_MAX:g}): "
                "check the wells"
            )
        if n == 1:
            parts.append("single biological replicate: no SD")
        if b:
            parts.append("baseline")
        msg.append("; ".join(parts))
    out["message"] = msg
    out["flagged"] = (
        (out["n"] < out["n_replicates"])
        | (out["n"] == 0)
        | (out["n_excluded"] > 0)
        | (out["ct_range"] > TECH_RANGE_MAX)
    )
    return out[[*by, *EXPRESSION_STATS]]


def _joined(current: str, note: str) -> str:
    return f"{current}; {note}" if current else note


def _pvalues(
    rep: pd.DataFrame, out: pd.DataFrame, by: list[str], strata_cols: list[str]
) -> np.ndarray:
    """Welch t-test of each group's log2 RQ against its stratum's baseline group (NaN if n < 2)."""
    key = (
        rep[strata_cols].astype(str).agg("\x1f".join, axis=1)
        if strata_cols
        else pd.Series("", index=rep.index)
    )
    rep = rep.assign(_stratum=key.to_numpy())
    base = {k: g for k, g in rep[rep["baseline"]].groupby(["_stratum", "target"], sort=False)}
    p = np.full(len(out), np.nan)
    groups = rep.groupby(by + ["target"], dropna=False, sort=False)
    for i, (_, g) in enumerate(groups):
        if g["baseline"].all():
            continue
        b = base.get((g["_stratum"].iloc[0], g["target"].iloc[0]))
        a_vals = g["log2_rq"].dropna()
        if b is None or len(a_vals) < 2 or b["log2_rq"].notna().sum() < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            p[i] = stats.ttest_ind(a_vals, b["log2_rq"].dropna(), equal_var=False).pvalue
    return p
