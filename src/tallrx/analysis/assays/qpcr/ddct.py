"""Relative expression by Livak 2^-ddCt or Pfaffl (paper Fig. 3A-B): the ddCt arithmetic.

Technical replicates (wells with the same group, replicate and target) are averaged as Ct; the
reference term is the mean over reference genes of Ct x log2(E) (with several reference genes
the geometric mean of their relative quantities, Vandesompele et al. 2002); per biological
replicate log2 RQ = -(Ct_target log2 E_target - reference term) minus the mean of the same
quantity over the baseline group's replicates (the calibrator). With E = 2 (Livak & Schmittgen
2001) this is -ddCt; with measured E it is Pfaffl (2001).
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
from tallrx.analysis.assays.qpcr.efficiency import _efficiencies
from tallrx.analysis.assays.qpcr.wells import CT_MAX, _conditions, _flags, _prepare
from tallrx.errors import AnalysisError, did_you_mean
from tallrx.schema import TABLES
from tallrx.schema.assays import QPCR_SAMPLE_ALIASES

__all__ = ["EXPRESSION_STATS", "TECH_RANGE_MAX", "parse_baseline", "relative_expression"]

#: Technical replicates (wells of one sample x replicate x target) further apart than this (cycles)
#: flag their group: one of the wells is likely wrong (MIQE: replicate spread is reported).
TECH_RANGE_MAX = 1.0
#: Columns of expression.csv after the group columns.
EXPRESSION_STATS = tuple(c for c in TABLES["expression"].names if c != "sample")


def parse_baseline(spec: str | Sequence[str] | Mapping[str, object] | None) -> dict[str, str]:
    """'dox=-,prednisolone=0' / ['dox=-', 'prednisolone=0'] / {'dox': '-'} -> {'dox': '-', ...}.

    Returns
    -------
    dict
        Column name -> level as text ({} for None).

    >>> parse_baseline(["dox=-", "prednisolone=0"])
    {'dox': '-', 'prednisolone': '0'}
    """
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

    Each combination of the ``by`` columns not named in the baseline is normalized to its own
    baseline group (e.g. each cell line to its own untreated, non-induced cells). Biological
    replicates are the distinct (sample, replicate) pairs within a group: with
    ``by=["biological_set"]`` the samples (e.g. mice) of a set are its replicates.

    Parameters
    ----------
    qpcr
        The tidy ``qpcr`` table (plate, well, sample, target, ct in cycles, replicate [+ task,
        quantity, omit, efficiency, condition columns]).
    target, reference
        The target gene(s) and the reference gene(s) (e.g. ``"BCL2L11"``, ``"GAPDH"``).
    baseline
        The calibrator group whose expression is 1, e.g. ``{"dox": "-", "prednisolone": 0}``,
        ``"dox=-,prednisolone=0"`` or ``"sample=Liver"`` (see :func:`parse_baseline`).
    method
        ``"livak"`` (E = 2), ``"pfaffl"`` (efficiencies from ``efficiency``) or ``"auto"``
        (Pfaffl when every gene has an efficiency, else Livak).
    efficiency
        ``{target: E}``, an :func:`estimate_efficiency` table, ``"estimate"`` (from this
        table's standards) or None (the table's efficiency column, if any).
    by
        The group columns (default: sample and every condition column).
    error
        ``"log"``: relative_expression = 2^mean(log2 RQ), lower / upper = 2^(mean -/+ SD);
        ``"linear"``: mean and mean -/+ SD of the per-replicate 2^-ddCt.
    max_ct
        Largest possible Ct (cycles); larger ones are excluded as impossible.
    where
        The table's name for error messages.

    Returns
    -------
    Result
        Kind ``"expression"``. ``table`` (expression.csv) has one row per group x target,
        columns: the ``by`` columns, then ``target``, ``relative_expression`` (fold of the
        baseline), ``sd`` (SD of the per-replicate 2^-ddCt, ddof = 1), ``lower``, ``upper``,
        ``n`` (biological replicates with a value), ``log2_fc``, ``log2_sd``, ``ddct``
        (cycles), ``p_value`` (Welch t-test of log2 RQ against the baseline group),
        ``n_wells``, ``n_undetermined``, ``baseline`` (bool), ``flagged`` (bool: no value or
        wells excluded) and ``message``. ``extra``: ``replicates`` (per biological replicate),
        ``flags`` (controls, standards, Undetermined and excluded wells with a note),
        ``wells`` (the input with ``exclude`` and ``message`` per well) and ``efficiency``
        (the efficiency table, when one was used).
    """
    df = _prepare(qpcr, where, max_ct)
    targets = [target] if isinstance(target, str) else list(target)
    refs = [reference] if isinstance(reference, str) else list(reference)
    usable = (df["task"] == "unknown") & ~df["omit"] & ~df["exclude"]
    genes = _check_genes(df, targets, refs, usable, error, where)
    by, base = _check_groups(df, by, baseline, where)
    notes: list[str] = []
    effs, used_method, eff_table = _efficiencies(df, genes, method, efficiency, where, notes)
    flags = _flags(df, genes)

    unit_cols = by + [c for c in ("sample", "replicate") if c not in by]
    tech = _technical_means(df, usable, genes, unit_cols)
    ct = tech.set_index(unit_cols + ["target"])["ct_mean"].unstack("target").reindex(columns=genes)
    log2e = pd.Series({g: np.log2(effs[g]) for g in genes})
    weighted = ct * log2e
    ref_term = weighted[refs].mean(axis=1, skipna=False)
    x = -(weighted[targets].sub(ref_term, axis=0))  # log2 relative quantity vs the references

    units = x.index.to_frame(index=False)
    is_base = _baseline_mask(df, units, base, where)
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
    why[unset] = (
        f"the baseline group ({base_desc}) has no value for this target: not detected there"
    )
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
            unit_cols + ["target", "ct_mean", "ct_range", "n_wells", "n_undetermined", "n_excluded"]
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


def _check_genes(
    df: pd.DataFrame,
    targets: list[str],
    refs: list[str],
    usable: pd.Series,
    error: str,
    where: str,
) -> list[str]:
    """The genes of the analysis (targets, then references), checked against the wells."""
    both = [g for g in targets if g in refs]
    if both:
        raise AnalysisError(
            f"'{both[0]}' is both a target and a reference gene; a gene normalized to itself is "
            "always 1. Choose another reference (e.g. --target BIM --reference GAPDH)"
        )
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
    return genes


def _check_groups(
    df: pd.DataFrame,
    by: Sequence[str] | None,
    baseline: str | Sequence[str] | Mapping[str, object],
    where: str,
) -> tuple[list[str], dict[str, str]]:
    """The group columns and the parsed baseline, checked against the table."""
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
            hint = did_you_mean(k, by)
            if "sample" in by and k.strip().lower() in QPCR_SAMPLE_ALIASES:
                hint = (f" The reader takes a '{k}' column as 'sample': use --baseline "
                        f"sample={base[k]}.")
            raise AnalysisError(
                f"{where}: baseline column '{k}' is not a group column (groups: "
                f"{', '.join(by)}).{hint}"
            )
    return by, base


def _technical_means(
    df: pd.DataFrame, usable: pd.Series, genes: list[str], unit_cols: list[str]
) -> pd.DataFrame:
    """Per biological replicate x gene: mean Ct (cycles) of its wells, their range and counts
    (n_wells with a Ct, n_total, n_undetermined, n_excluded)."""
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
    return tech


def _baseline_mask(
    df: pd.DataFrame, units: pd.DataFrame, base: dict[str, str], where: str
) -> np.ndarray:
    """Per biological replicate (row of ``units``): in the baseline group."""
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
    return is_base


def _summarize(
    rep: pd.DataFrame, by: list[str], error: str, strata_cols: list[str]
) -> pd.DataFrame:
    """expression.csv from the per-replicate table: one row per group x target."""
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
    """``current`` and ``note`` '; '-joined (``note`` alone when ``current`` is '')."""
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
