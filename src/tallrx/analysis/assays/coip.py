"""Co-IP mass spectrometry: bait-normalized binding and loss of binding (paper Fig. 4A).

Input is the tidy ``coip`` table (experiment, bait, sample, condition columns, protein, ibaq,
replicate), measured or simulated alike. The paper's method (van der Zwet et al. 2021):

* relative stoichiometry: each protein's iBAQ / the bait's iBAQ in the same sample (bait BIM,
  HGNC ``BCL2L11``);
* interactors: proteins seen (iBAQ > 0) in every replicate of the reference condition;
* loss of binding: the bait-normalized amount drops between conditions (e.g. +dox vs -dox within
  each prednisolone condition) consistently in every replicate.

Per protein and comparison :func:`score_binding` reports the per-replicate ratios, their mean, the
log2 fold change, a Welch (or paired) t-test with Benjamini-Hochberg FDR over the proteins of that
comparison, and the consistency call. ``method="perseus"`` switches to log2 iBAQ with a valid-value
filter and down-shifted normal imputation (width 0.3 SD, shift 1.8 SD, per sample) before the
ratios. Control IPs (bait IgG / beads / mock) give an enrichment table; when present, interactors
must also be enriched over the control.
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
from tallrx.errors import AnalysisError, DegenerateDataWarning, InternalError, did_you_mean
from tallrx.schema import condition_columns, validate

__all__ = [
    "BAIT_ALIASES",
    "BINDING_STATS",
    "CONTROL_BAITS",
    "IMPUTE_SHIFT",
    "IMPUTE_WIDTH",
    "LOSS_MIN_FOLD",
    "bait_normalize",
    "control_enrichment",
    "find_interactors",
    "reference_level",
    "resolve_protein",
    "score_binding",
]

#: Common protein names -> HGNC symbols used in MaxQuant gene names.
BAIT_ALIASES = {
    "BIM": "BCL2L11",
    "BCLXL": "BCL2L1",
    "BCL-XL": "BCL2L1",
    "BCL-2": "BCL2",
    "MCL-1": "MCL1",
    "BCLW": "BCL2L2",
    "BCL-W": "BCL2L2",
    "BMF": "BMF",
}
#: Columns of binding.csv besides the condition columns.
BINDING_STATS = (
    "protein",
    "comparison",
    "group",
    "n",
    "ratios",
    "ratio_mean",
    "ratio_sd",
    "log2_fc",
    "p_value",
    "q_value",
    "direction",
    "interactor",
    "lost_binding",
    "flagged",
    "message",
)
#: Bait names that mark control IPs (case-insensitive).
CONTROL_BAITS = ("igg", "beads", "bead", "mock", "control", "empty", "isotype")
#: Perseus defaults for down-shifted normal imputation (in SD of the sample's log2 values).
IMPUTE_WIDTH = 0.3
IMPUTE_SHIFT = 1.8
#: Minimum fold enrichment over control IPs for a protein to count as enriched.
MIN_ENRICHMENT = 2.0
#: Minimum fold decrease for a loss-of-binding call. The paper calls a consistent decrease over
#: three replicates; with n = 3 per group a consistent ordering happens by chance for 1 in 20
#: unchanged proteins, so tallrx also asks for a 1.5-fold drop (min_fold=1 gives the bare rule).
LOSS_MIN_FOLD = 1.5
#: Values read as "off" / "untreated" when picking a reference level automatically.
_REFERENCE_HINTS = (
    "-",
    "no",
    "none",
    "0",
    "false",
    "off",
    "untreated",
    "control",
    "ctrl",
    "vehicle",
    "dmso",
    "mock",
    "uninduced",
    "non-induced",
    "noninduced",
    "minus",
)
_KNOWN = ("experiment", "bait", "sample", "protein", "ibaq", "replicate", "source")


# --------------------------------------------------------------------------- small helpers
def _conditions(df: pd.DataFrame) -> list[str]:
    return [c for c in condition_columns(df, "coip") if c not in _KNOWN]


def reference_level(levels: Sequence[object]) -> object:
    """The level that reads as untreated ('-', 0, 'no', 'vehicle', ...), else the smallest."""
    levels = list(dict.fromkeys(levels))
    for hint in _REFERENCE_HINTS:
        for lv in levels:
            if _fmt(lv).strip().lower() == hint:
                return lv
    try:
        return min(levels, key=float)
    except (TypeError, ValueError):
        return sorted(levels, key=_fmt)[0]


def resolve_protein(
    name: str, proteins: Sequence[str], *, where: str = "co-IP table", what: str = "bait"
) -> str:
    """Find ``name`` among ``proteins`` (exact, case-insensitive, or via BAIT_ALIASES)."""
    proteins = list(proteins)
    if name in proteins:
        return name
    lower = {p.lower(): p for p in proteins}
    if name.lower() in lower:
        return lower[name.lower()]
    alias = BAIT_ALIASES.get(name.upper())
    if alias and alias in proteins:
        return alias
    hint = did_you_mean(name, proteins)
    if alias and not hint:
        hint = f" (the HGNC symbol of {name} is {alias}, which is not in the table either)"
    raise AnalysisError(
        f"{where}: {what} '{name}' is not among the {len(proteins)} proteins; "
        f"expected an HGNC symbol such as BCL2L11 (BIM).{hint}"
    )


def _is_control(baits: pd.Series, control_bait: str | None) -> pd.Series:
    names = set(CONTROL_BAITS) | ({control_bait.lower()} if control_bait else set())
    codes, uniques = pd.factorize(baits.fillna(""), use_na_sentinel=False)
    flags = np.array([str(u).strip().lower() in names for u in uniques], dtype=bool)
    return pd.Series(flags[codes], index=baits.index)


def _sample_table(df: pd.DataFrame, conds: list[str], where: str) -> pd.DataFrame:
    cols = ["sample", "experiment", "bait", *conds, "replicate"]
    samples = df[cols].drop_duplicates()
    dup = samples["sample"].duplicated()
    if dup.any():
        s = samples["sample"][dup].iloc[0]
        raise AnalysisError(
            f"{where}: sample '{s}' has more than one bait / condition / "
            "replicate; each sample must be one IP with one set of conditions"
        )
    return samples.reset_index(drop=True)


def _matrix(df: pd.DataFrame, samples: pd.DataFrame, where: str) -> pd.DataFrame:
    dup = df.duplicated(["sample", "protein"])
    if dup.any():
        row = df[dup].iloc[0]
        raise AnalysisError(
            f"{where}: protein '{row['protein']}' appears twice in sample "
            f"'{row['sample']}'; expected one row per sample x protein"
        )
    mat = df.pivot(index="protein", columns="sample", values="ibaq")
    mat = mat.reindex(columns=samples["sample"])
    return mat.astype(float)


def _bait_rows(
    samples: pd.DataFrame, proteins: Sequence[str], bait: str | None, where: str
) -> np.ndarray:
    """Row index (into ``proteins``) of each sample's bait."""
    index = {p: i for i, p in enumerate(proteins)}
    names = samples["bait"] if bait is None else pd.Series(bait, index=samples.index)
    if names.isna().any() or (names.astype(str).str.strip() == "").any():
        s = samples["sample"][names.isna() | (names.astype(str).str.strip() == "")].iloc[0]
        raise AnalysisError(
            f"{where}: sample '{s}' has no bait; fill the bait column of the "
            "sample sheet or pass bait= (--bait BCL2L11)"
        )
    resolved = {n: resolve_protein(str(n), proteins, where=where) for n in names.unique()}
    return np.array([index[resolved[n]] for n in names])


def _impute(
    log2: np.ndarray,
    rng: np.random.Generator,
    width: float = IMPUTE_WIDTH,
    shift: float = IMPUTE_SHIFT,
) -> tuple[np.ndarray, np.ndarray]:
    """Perseus down-shifted normal imputation per column (sample) of a log2 matrix."""
    missing = ~np.isfinite(log2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(log2, axis=0)
        sd = np.nanstd(log2, axis=0, ddof=1)
    sd = np.where(np.isfinite(sd), sd, 0.0)
    draws = rng.normal(mu - shift * sd, width * sd, size=log2.shape)
    return np.where(missing, draws, log2), missing


def _join_values(values: np.ndarray) -> np.ndarray:
    """Rows of a matrix as '0.1;0.25;0.3' strings (vectorized over rows)."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], "", dtype=object)
    text = np.char.mod("%.6g", values)
    out = text[:, 0]
    for j in range(1, values.shape[1]):
        out = np.char.add(np.char.add(out, ";"), text[:, j])
    return out.astype(object)


def _bh(p: np.ndarray) -> np.ndarray:
    q = np.full_like(p, np.nan, dtype=float)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = stats.false_discovery_control(p[ok], method="bh")
    return q


# --------------------------------------------------------------------------- public API
def bait_normalize(
    coip: pd.DataFrame,
    bait: str | None = None,
    *,
    control_bait: str | None = None,
    where: str = "co-IP table",
) -> pd.DataFrame:
    """Per sample x protein: ``ratio`` = ibaq / bait ibaq in the same sample (paper Fig. 4A).

    Returns the coip columns plus ``bait_protein``, ``bait_ibaq`` and ``ratio``. Proteins not
    detected in a sample (ibaq NaN) get ratio 0; samples whose bait was not detected get NaN
    ratios and a :class:`DegenerateDataWarning`. Control IPs (IgG / beads) are left out.
    """
    validate(coip, "coip", where=where)
    conds = _conditions(coip)
    ip = coip[~_is_control(coip["bait"], control_bait)]
    if ip.empty:
        raise AnalysisError(
            f"{where}: every sample is a control IP (bait IgG / beads); "
            "expected at least one bait IP"
        )
    samples = _sample_table(ip, conds, where)
    mat = _matrix(ip, samples, where)
    proteins = mat.index.tolist()
    rows = _bait_rows(samples, proteins, bait, where)
    x = mat.to_numpy()
    bait_ibaq = x[rows, np.arange(x.shape[1])]
    _warn_missing_bait(samples, bait_ibaq)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, x, 0.0) / np.where(bait_ibaq > 0, bait_ibaq, np.nan)
    return _ratio_table(ip, samples, np.asarray(proteins), x, ratio, rows)


def _warn_missing_bait(samples: pd.DataFrame, bait_ibaq: np.ndarray) -> None:
    bad = ~(np.isfinite(bait_ibaq) & (bait_ibaq > 0))
    if bad.any():
        warnings.warn(
            f"bait not detected in sample(s) {', '.join(samples['sample'][bad])}: "
            "their ratios are NaN and they are left out of the statistics",
            DegenerateDataWarning,
            stacklevel=3,
        )


def find_interactors(
    coip: pd.DataFrame,
    reference: Mapping[str, object],
    *,
    bait: str | None = None,
    where: str = "co-IP table",
) -> list[str]:
    """Proteins detected (ibaq > 0) in every replicate of the ``reference`` condition.

    ``reference`` maps condition columns to values, e.g. ``{"dox": "-", "prednisolone": 0}``.
    The bait itself is not listed.
    """
    validate(coip, "coip", where=where)
    mask = pd.Series(True, index=coip.index)
    for col, value in reference.items():
        if col not in coip.columns:
            raise AnalysisError(
                f"{where}: no condition column '{col}'.{did_you_mean(col, _conditions(coip))}"
            )
        mask &= coip[col].map(lambda v, value=value: _same(v, value))
    sub = coip[mask & ~_is_control(coip["bait"], None)]
    if sub.empty:
        raise AnalysisError(f"{where}: no samples match the reference condition {dict(reference)}")
    seen = sub.assign(seen=sub["ibaq"].fillna(0) > 0).groupby("protein")["seen"].all()
    baits = {
        resolve_protein(str(b), seen.index.tolist(), where=where)
        for b in ([bait] if bait else sub["bait"].dropna().unique())
    }
    return sorted(p for p in seen.index[seen.to_numpy()] if p not in baits)


def control_enrichment(
    coip: pd.DataFrame,
    *,
    control_bait: str | None = None,
    min_enrichment: float = MIN_ENRICHMENT,
    where: str = "co-IP table",
) -> pd.DataFrame:
    """Enrichment of each protein in bait IPs over control IPs (IgG / beads) per condition group.

    Controls with the same condition values are used when present, else all controls. Columns:
    protein, condition columns, ip_mean, control_mean (mean iBAQ, not detected = 0),
    log2_enrichment (inf when absent from the controls), p_value (Welch t-test on log2(ibaq + 1)),
    enriched (log2_enrichment >= log2(min_enrichment)), controls (which control samples).
    """
    validate(coip, "coip", where=where)
    conds = _conditions(coip)
    ctrl_mask = _is_control(coip["bait"], control_bait)
    if not ctrl_mask.any():
        raise AnalysisError(
            f"{where}: no control IPs (bait IgG / beads / mock); enrichment needs at least one"
        )
    ip = coip[~ctrl_mask]
    samples = _sample_table(coip, conds, where)
    mat = _matrix(coip, samples, where)
    mat = mat.where(mat > 0, 0.0)  # not detected, or an impossible negative iBAQ
    is_ctrl = _is_control(samples["bait"], control_bait).to_numpy()
    groups = ip[conds].drop_duplicates() if conds else pd.DataFrame(index=[0])
    out = []
    for _, g in groups.iterrows():

        def match(frame: pd.DataFrame, g=g) -> np.ndarray:
            m = np.ones(len(frame), bool)
            for c in conds:
                m &= frame[c].map(lambda v, t=g[c]: _same(v, t)).to_numpy()
            return m

        ip_cols = match(samples) & ~is_ctrl
        ctrl_cols = match(samples) & is_ctrl
        if not ctrl_cols.any():
            ctrl_cols = is_ctrl
        a, b = mat.to_numpy()[:, ip_cols], mat.to_numpy()[:, ctrl_cols]
        with np.errstate(divide="ignore", invalid="ignore"):
            log2e = np.log2(a.mean(1) / b.mean(1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            p = stats.ttest_ind(np.log2(a + 1), np.log2(b + 1), axis=1, equal_var=False).pvalue
        frame = pd.DataFrame(
            {
                "protein": mat.index,
                "ip_mean": a.mean(1),
                "control_mean": b.mean(1),
                "log2_enrichment": log2e,
                "p_value": p,
                "enriched": np.nan_to_num(log2e, nan=-np.inf) >= np.log2(min_enrichment),
                "controls": ";".join(samples["sample"][ctrl_cols]),
            }
        )
        for c in conds:
            frame.insert(1, c, g[c])
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def score_binding(
    coip: pd.DataFrame,
    *,
    compare: str | None = None,
    reference: object = None,
    within: Sequence[str] | None = None,
    bait: str | None = None,
    paired: bool = False,
    method: str = "ratio",
    min_fold: float = LOSS_MIN_FOLD,
    alpha: float | None = None,
    min_valid: int | None = None,
    control_bait: str | None = None,
    seed: int = 0,
    where: str = "co-IP table",
) -> Result:
    """Bait-normalized binding per protein and comparison, and the loss-of-binding call.

    ``compare`` is the condition column whose levels are compared (default ``dox`` when present,
    else the first condition column); ``reference`` its reference level (default: the level that
    reads as untreated, e.g. '-' or 0); comparisons are made within each combination of the
    ``within`` columns (default: all other condition columns), e.g. +dox vs -dox within each
    prednisolone condition.

    ``method="ratio"`` (paper): ratios on the linear scale, not detected = 0, Welch t-test on the
    ratios, log2_fc = log2(mean test ratio / mean reference ratio). ``method="perseus"``: log2
    iBAQ, proteins kept when valid in >= ``min_valid`` (default: all) replicates of at least one
    group, missing values imputed from a normal distribution down-shifted by 1.8 SD with width
    0.3 SD (per sample, seeded), ratios as log2 differences, t-test on log2 ratios.

    ``paired`` pairs replicates by the ``replicate`` column (paired t-test). The direction call
    ('down' / 'up' / 'mixed') is 'down' when every test replicate lies below every reference
    replicate (paired: below its own reference replicate). ``lost_binding`` = interactor and
    direction 'down' and fold change at least ``min_fold`` (and q <= ``alpha`` when given).

    The table (binding.csv) has two rows per protein and comparison, one per compared group:
    protein, comparison, group (reference / test), condition columns, n, ratios (per replicate,
    ';'-separated), ratio_mean, ratio_sd, log2_fc, p_value, q_value, direction, interactor,
    lost_binding, message. ``extra['ratios']`` holds the per-sample ratios,
    ``extra['enrichment']`` the control-IP enrichment when control IPs exist.
    """
    validate(coip, "coip", where=where)
    if method not in ("ratio", "perseus"):
        raise AnalysisError(
            f"method '{method}' is not known; expected 'ratio' or 'perseus'."
            f"{did_you_mean(method, ('ratio', 'perseus'))}"
        )
    conds = _conditions(coip)
    if not conds:
        raise AnalysisError(
            f"{where}: no condition columns to compare (e.g. dox, prednisolone); "
            "add them to the sample sheet"
        )
    clash = [c for c in conds if c in BINDING_STATS]
    if clash:
        raise AnalysisError(
            f"{where}: condition column '{clash[0]}' has the name of a binding.csv column; "
            "rename it in the sample sheet (e.g. 'cohort')"
        )
    if compare is None:
        compare = "dox" if "dox" in conds else conds[0]
    if compare not in conds:
        raise AnalysisError(
            f"{where}: no condition column '{compare}' (conditions: "
            f"{', '.join(conds)}).{did_you_mean(compare, conds)}"
        )
    within = [c for c in conds if c != compare] if within is None else list(within)
    for c in within:
        if c not in conds or c == compare:
            raise AnalysisError(
                f"{where}: 'within' column '{c}' is not another condition "
                f"column.{did_you_mean(c, [x for x in conds if x != compare])}"
            )
    ctrl_mask = _is_control(coip["bait"], control_bait)
    ip = coip[~ctrl_mask]
    if ip.empty:
        raise AnalysisError(f"{where}: every sample is a control IP; expected bait IPs")
    samples = _sample_table(ip, conds, where)
    mat = _matrix(ip, samples, where)
    proteins = mat.index.to_numpy()
    rows = _bait_rows(samples, list(proteins), bait, where)
    x = mat.to_numpy()
    detected = np.isfinite(x) & (x > 0)
    cols = np.arange(x.shape[1])
    bait_ok = detected[rows, cols]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # a bait so small that a ratio overflows (e.g. 1e-320) is as unusable as a missing one
        bait_ok &= np.isfinite(np.where(detected, x, 0.0) / x[rows, cols]).all(0)
    _warn_missing_bait(samples, np.where(bait_ok, x[rows, cols], np.nan))
    samples = samples.assign(_ok=bait_ok)
    messages = np.full(len(proteins), "", dtype=object)
    is_bait = np.zeros(len(proteins), bool)
    is_bait[np.unique(rows)] = True
    messages[is_bait] = "bait"

    keep = np.ones(len(proteins), bool)
    imputed = np.zeros_like(detected)
    if method == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(detected, x, 0.0) / np.where(bait_ok, x[rows, cols], np.nan)
        values = ratio
    else:
        log2 = np.log2(np.where(detected, x, np.nan))
        keep = _valid_value_filter(detected, samples, conds, min_valid)
        messages[~keep & ~is_bait] = "filtered: too few valid values (Perseus valid-value filter)"
        log2, imputed = _impute(log2, np.random.default_rng(seed))
        lr = log2 - np.where(bait_ok, log2[rows, cols], np.nan)
        ratio, values = 2.0**lr, lr

    enrichment = None
    if ctrl_mask.any():
        enrichment = control_enrichment(coip, control_bait=control_bait, where=where)

    comparisons = _comparisons(samples, compare, reference, within, where)
    tables = []
    for label, stratum, ref_level, test_level, ref_idx, test_idx in comparisons:
        ok_r = ref_idx[samples["_ok"].to_numpy()[ref_idx]]
        ok_t = test_idx[samples["_ok"].to_numpy()[test_idx]]
        if paired:
            ok_r, ok_t = _pairs(samples, ok_r, ok_t)
        vr, vt = values[:, ok_r], values[:, ok_t]
        rr, rt = ratio[:, ok_r], ratio[:, ok_t]
        if len(ok_r) and len(ok_t):
            p, direction = _test(vr, vt, samples, ok_r, ok_t, paired, where, label)
        else:
            p = np.full(len(proteins), np.nan)
            direction = np.full(len(proteins), "n/a", dtype=object)
        notes = _comparison_notes(samples, ref_idx, test_idx, ok_r, ok_t, paired)
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an empty group: NaN, noted
            if method == "ratio":
                log2_fc = np.log2(rt.mean(1) / rr.mean(1))
            else:
                log2_fc = vt.mean(1) - vr.mean(1)
        p = np.where(keep & ~is_bait, p, np.nan)
        direction[is_bait] = "n/a"
        q = _bh(p)
        interactor = detected[:, ref_idx].all(1) & ~is_bait & keep
        if enrichment is not None:
            interactor &= _enriched_in(enrichment, proteins, {**stratum, compare: ref_level})
        lost = (
            interactor
            & (direction == "down")
            & (np.nan_to_num(log2_fc, nan=0.0, neginf=-np.inf) <= -np.log2(min_fold))
        )
        if alpha is not None:
            lost &= np.nan_to_num(q, nan=1.0) <= alpha
        msg = messages.copy()
        nodet = ~np.isfinite(log2_fc) & ~is_bait & keep & (len(ok_r) > 0) & (len(ok_t) > 0)
        msg[nodet] = np.where(
            rt.sum(1)[nodet] == 0,
            "not detected in the test group",
            "not detected in the reference group",
        )
        negative = _negative_notes(x, samples, np.concatenate([ref_idx, test_idx]))
        msg = _join_notes(msg, negative, notes)
        flagged = (negative != "") | bool(notes)
        if min(len(ok_r), len(ok_t)) < 2:
            lost[:] = False
        common = {
            "log2_fc": log2_fc,
            "p_value": p,
            "q_value": q,
            "direction": direction,
            "interactor": interactor,
            "lost_binding": lost,
            "flagged": flagged,
            "message": msg,
        }
        for group, level, r in (("reference", ref_level, rr), ("test", test_level, rt)):
            frame = pd.DataFrame({"protein": proteins, "comparison": label, "group": group})
            for c in conds:
                frame[c] = level if c == compare else stratum.get(c, np.nan)
            frame["n"] = r.shape[1]
            frame["ratios"] = _join_values(r)
            frame["ratio_mean"] = r.mean(1) if r.shape[1] else np.nan
            frame["ratio_sd"] = r.std(1, ddof=1) if r.shape[1] > 1 else np.nan
            for k, v in common.items():
                frame[k] = v
            tables.append(frame)
    table = pd.concat(tables, ignore_index=True)
    ratios = _ratio_table(ip, samples, proteins, x, ratio, rows, imputed)
    meta = {
        "method": method,
        "compare": compare,
        "within": within,
        "paired": paired,
        "min_fold": min_fold,
        "alpha": alpha,
        "seed": seed,
        "test": ("paired t-test" if paired else "Welch t-test")
        + (" on log2 ratios" if method == "perseus" else " on linear ratios"),
        "fdr": "Benjamini-Hochberg over the proteins of each comparison",
        "consistency": "direction 'down' = every test replicate below every reference "
        "replicate (paired: below its own reference replicate)",
        "impute": {"width": IMPUTE_WIDTH, "shift": IMPUTE_SHIFT} if method == "perseus" else None,
        "bait": sorted(set(proteins[rows])),
        "n_samples": len(samples),
        "samples_without_bait": samples["sample"][~samples["_ok"]].tolist(),
        "comparisons": [c[0] for c in comparisons],
        "conditions": conds,
        "units": {
            "ratio_mean": "iBAQ / bait iBAQ (relative stoichiometry)",
            "log2_fc": "log2(test / reference)",
        },
        "input_checksum": checksum(coip),
    }
    extra = {"ratios": ratios}
    if enrichment is not None:
        extra["enrichment"] = enrichment
    return Result(kind="binding", table=table, meta=meta, extra=extra)


def _valid_value_filter(
    detected: np.ndarray, samples: pd.DataFrame, conds: list[str], min_valid: int | None
) -> np.ndarray:
    keep = np.zeros(detected.shape[0], bool)
    for _, idx in samples.groupby(conds, dropna=False, sort=False).indices.items():
        need = len(idx) if min_valid is None else min(min_valid, len(idx))
        keep |= detected[:, idx].sum(1) >= need
    return keep


def _enriched_in(
    enrichment: pd.DataFrame, proteins: np.ndarray, group: Mapping[str, object]
) -> np.ndarray:
    m = pd.Series(True, index=enrichment.index)
    for c, v in group.items():
        m &= enrichment[c].map(lambda x, v=v: _same(x, v))
    sub = enrichment[m].set_index("protein")["enriched"]
    return sub.reindex(proteins).fillna(False).to_numpy(bool)


def _comparisons(
    samples: pd.DataFrame, compare: str, reference: object, within: list[str], where: str
) -> list[tuple]:
    levels = list(dict.fromkeys(samples[compare]))
    if len(levels) < 2:
        raise AnalysisError(
            f"{where}: condition '{compare}' has a single level "
            f"({_fmt(levels[0])}); nothing to compare"
        )
    if reference is None:
        ref = reference_level(levels)
    else:
        matches = [lv for lv in levels if _same(lv, reference)]
        if not matches:
            raise AnalysisError(
                f"{where}: reference {compare}={_fmt(reference)} matches no sample (levels: "
                f"{', '.join(map(_fmt, levels))}).{did_you_mean(_fmt(reference), map(_fmt, levels))}"
            )
        ref = matches[0]
    strata = (
        samples.groupby(within, dropna=False, sort=False).indices
        if within
        else {(): np.arange(len(samples))}
    )
    out = []
    for key, idx in strata.items():
        key = key if isinstance(key, tuple) else (key,)
        stratum = dict(zip(within, key, strict=True))
        sub = samples.iloc[idx]
        ref_idx = idx[sub[compare].map(lambda v: _same(v, ref)).to_numpy()]
        if not len(ref_idx):
            continue
        for lv in dict.fromkeys(sub[compare]):
            if _same(lv, ref):
                continue
            test_idx = idx[sub[compare].map(lambda v, lv=lv: _same(v, lv)).to_numpy()]
            label = f"{compare}={_fmt(lv)} vs {compare}={_fmt(ref)}"
            if stratum:
                label += " | " + ", ".join(f"{k}={_fmt(v)}" for k, v in stratum.items())
            out.append((label, stratum, ref, lv, ref_idx, test_idx))
    if not out:
        raise AnalysisError(
            f"{where}: no stratum has both the reference {compare}={_fmt(ref)} "
            "and another level; nothing to compare"
        )
    return out


def _test(
    vr: np.ndarray,
    vt: np.ndarray,
    samples: pd.DataFrame,
    ok_r: np.ndarray,
    ok_t: np.ndarray,
    paired: bool,
    where: str,
    label: str,
) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if paired:
            rep_r = samples["replicate"].to_numpy()[ok_r].astype(str)
            rep_t = samples["replicate"].to_numpy()[ok_t].astype(str)
            if sorted(rep_r) != sorted(rep_t) or len(set(rep_r)) != len(rep_r):
                raise InternalError(
                    f"{where}: '{label}' reached the paired test with unmatched replicates "
                    f"(reference: {', '.join(rep_r)}; test: {', '.join(rep_t)})"
                )
            order = np.argsort(rep_t)[np.argsort(np.argsort(rep_r))]
            vt = vt[:, order]
            p = (
                stats.ttest_rel(vt, vr, axis=1).pvalue
                if vr.shape[1] > 1
                else np.full(vr.shape[0], np.nan)
            )
            down, up = (vt < vr).all(1), (vt > vr).all(1)
        else:
            if vr.shape[1] > 1 and vt.shape[1] > 1:
                p = stats.ttest_ind(vt, vr, axis=1, equal_var=False).pvalue
            else:
                p = np.full(vr.shape[0], np.nan)
            down = vt.max(1) < vr.min(1)
            up = vt.min(1) > vr.max(1)
    direction = np.where(down, "down", np.where(up, "up", "mixed")).astype(object)
    direction[~np.isfinite(vr).all(1) | ~np.isfinite(vt).all(1)] = "n/a"
    return np.asarray(p, float), direction


def _pairs(
    samples: pd.DataFrame, ok_r: np.ndarray, ok_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The reference / test columns whose replicate label occurs exactly once on both sides."""
    rep = samples["replicate"].astype(str).to_numpy()
    r, t = pd.Series(rep[ok_r]), pd.Series(rep[ok_t])
    once = set(r[~r.duplicated(keep=False)]) & set(t[~t.duplicated(keep=False)])
    return ok_r[r.isin(once).to_numpy()], ok_t[t.isin(once).to_numpy()]


def _comparison_notes(
    samples: pd.DataFrame,
    ref_idx: np.ndarray,
    test_idx: np.ndarray,
    ok_r: np.ndarray,
    ok_t: np.ndarray,
    paired: bool,
) -> str:
    """Why a comparison's statistics are missing or weaker: samples without a quantified bait,
    unpaired replicates, groups with fewer than 2 samples ('' when nothing is wrong)."""
    names = samples["sample"].to_numpy()
    notes = []
    no_bait = [i for i in (*ref_idx, *test_idx) if not samples["_ok"].iloc[i]]
    if no_bait:
        notes.append(
            f"bait not quantified (iBAQ missing, 0, negative, infinite or too small) in sample(s) "
            f"{', '.join(names[no_bait])}: their bait-normalized values are undefined and left out"
        )
    used = {*no_bait, *ok_r, *ok_t}
    unpaired = [i for i in (*ref_idx, *test_idx) if i not in used]
    if paired and unpaired:
        notes.append(
            f"sample(s) {', '.join(names[unpaired])} have no partner replicate: left out "
            "of the paired test"
        )
    for group, ok in (("reference", ok_r), ("test", ok_t)):
        if len(ok) == 0:
            notes.append(f"no usable sample in the {group} group: no ratio or test possible")
        elif len(ok) == 1:
            notes.append(
                f"n = 1 in the {group} group (sample {names[ok[0]]}): no t-test possible, "
                "p_value is NaN"
            )
    return "; ".join(notes)


def _negative_notes(x: np.ndarray, samples: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """Per protein: 'impossible iBAQ ... in sample S' for negative or infinite intensities in the
    samples ``idx`` ('' when none); such values count as not detected."""
    sub = x[:, idx]
    neg = np.isinf(sub) | (np.isfinite(sub) & (sub < 0))
    out = np.full(x.shape[0], "", dtype=object)
    names = samples["sample"].to_numpy()[idx]
    for i in np.flatnonzero(neg.any(1)):
        pairs = zip(sub[i, neg[i]], names[neg[i]], strict=True)
        cells = ", ".join(f"{v:g} in sample {s}" for v, s in pairs)
        out[i] = f"negative or infinite iBAQ ({cells}): impossible intensity, counted as not detected"
    return out


def _join_notes(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise '; '-join of message arrays / strings, skipping empty parts."""
    arrays = [np.broadcast_to(np.asarray(p, dtype=object), np.shape(parts[0])) for p in parts]
    return np.array(
        ["; ".join(str(v) for v in vals if v) for vals in zip(*arrays, strict=True)], dtype=object
    )


def _ratio_table(
    ip: pd.DataFrame,
    samples: pd.DataFrame,
    proteins: np.ndarray,
    x: np.ndarray,
    ratio: np.ndarray,
    rows: np.ndarray,
    imputed: np.ndarray | None = None,
) -> pd.DataFrame:
    """``ip`` plus bait_protein, bait_ibaq, ratio (and ``imputed`` when given) per sample x
    protein, from the protein x sample matrices ``x`` (iBAQ) and ``ratio``."""
    cols = np.arange(x.shape[1])
    long = pd.DataFrame(
        {
            "sample": np.tile(samples["sample"].to_numpy(), len(proteins)),
            "protein": np.repeat(proteins, len(samples)),
            "bait_protein": np.tile(proteins[rows], len(proteins)),
            "bait_ibaq": np.tile(x[rows, cols], len(proteins)),
            "ratio": ratio.ravel(),
        }
    )
    if imputed is not None:
        long["imputed"] = imputed.ravel()
    return ip.merge(long, on=["sample", "protein"], how="left")
