"""Combination designs: split a tidy viability table into blocks and classify each block's design.

A *block* is one sample x condition x drug pair. Every well of a block is a dose pair (d_a, d_b) in
uM. How wells are named in the tidy table (documented convention):

* a combination well names both drugs: ``drug_a=A, drug_b=B`` with both doses > 0;
* inside a combination block a single-agent well may also name both drugs with one dose 0
  (``drug_a=A, conc_a=2, drug_b=B, conc_b=0``) -- the simplest, recommended form for checkerboards;
* a single-agent well may instead name one drug only: ``drug_a=A, drug_b="", conc_b=0`` (and the
  second drug's single agents then appear as ``drug_a=B, drug_b=""``);
* vehicle wells (``role=vehicle``, or no drug and both doses 0) are the (0, 0) cell of every pair
  of their sample x condition. Viability is % of vehicle, so without such wells the (0, 0) cell is
  100 % by definition (the normalization reference, recorded in Result.meta);
* a well naming the pair in the other order (``drug_a=B, drug_b=A``) has its doses swapped.

Designs (:func:`classify`):

``matrix``
    the combination doses form a full grid with >= 3 doses of each drug (checkerboard);
``fixed_dose``
    a full grid with at most 2 doses of one drug: a curve of one drug at one or two fixed doses of
    the other (also a single combination well);
``constant_ratio``
    not a grid, but every combination well lies on a ray d_b / d_a = constant with >= 2 wells per
    ray (Chou-Talalay mixtures; several rays allowed).

Anything else (a grid with holes, unpaired points) is "ragged": :func:`classify` raises an
AnalysisError naming the block and the missing dose pairs.

One bad block never stops a batch (issue 9): :func:`split_blocks` returns it as a Block whose
``problem`` says what is wrong (ragged, no single agents, a duplicated well, a concentration that is
empty / not a number / infinite / negative / above ``MAX_CONC_UM``); it becomes a flagged row.
A well whose viability is empty, not a number or not finite is left out of its block (a note in
the block's message). A drug combined with itself (a *sham* block, the Loewe / CI null case) is
scored like any other pair: wells naming it in drug_a are its first axis, in drug_b its second.
Only whole-input problems (a missing column, a column that is mostly text, no combination wells
at all, a response scale that does not match in most blocks) raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tallrx.errors import AnalysisError, SchemaError, did_you_mean
from tallrx.schema import TABLES

__all__ = [
    "Block",
    "BlockDesign",
    "classify",
    "split_blocks",
    "check_response_scale",
    "RATIO_RTOL",
    "MATRIX_MIN_DOSES",
    "MAX_CONC_UM",
]

RATIO_RTOL = 0.02  # two combination wells share a ray when their ratios d_b/d_a differ < 2 %
MATRIX_MIN_DOSES = 3  # doses > 0 of each drug for a "matrix" (else "fixed_dose")
MAX_CONC_UM = 1e6  # 1 M: a larger concentration (uM) is a typo or a unit error, never a dose
MAX_ABS_VIABILITY = 1e4  # % of vehicle: a larger |viability| is a broken reading (left out)
MIN_REFERENCE_VIABILITY = 50.0  # % : untreated / lowest-dose wells below this are off-scale
REQUIRED = ("sample", "drug_a", "conc_a", "drug_b", "conc_b", "viability")
NON_CONDITION = {
    *TABLES["viability"].required,
    *TABLES["viability"].optional,
    "source",
    "unit",
    "conc_a_unit",
    "conc_b_unit",
}


@dataclass(frozen=True, eq=False)
class BlockDesign:
    """The dose layout of one block (doses in uM); arrays are per well (n_w) or per cell (n_c).

    A *cell* is a distinct dose pair; its wells are replicates.
    """

    kind: str
    d1: np.ndarray  # (n_w,) dose of drug a in each well
    d2: np.ndarray  # (n_w,) dose of drug b in each well
    cell: np.ndarray  # (n_w,) cell index of each well
    cd1: np.ndarray  # (n_c,) cell doses
    cd2: np.ndarray
    sa_a: np.ndarray  # (n_c,) index of the cell (cd1, 0), -1 if not tested
    sa_b: np.ndarray  # (n_c,) index of the cell (0, cd2), -1 if not tested
    zero: int  # index of the (0, 0) cell or -1
    ray: np.ndarray  # (n_c,) ray index of combination cells (-1: none / single agent)
    ratios: np.ndarray  # (n_rays,) d_b / d_a of each ray
    levels_a: np.ndarray  # sorted doses > 0 of drug a among combination cells
    levels_b: np.ndarray

    @property
    def combo(self) -> np.ndarray:
        """Boolean (n_c,): cells where both doses are > 0."""
        return (self.cd1 > 0) & (self.cd2 > 0)

    @property
    def n_wells(self) -> int:
        return len(self.d1)

    @property
    def n_cells(self) -> int:
        return len(self.cd1)

    def signature(self) -> bytes:
        """Bytes identifying the layout: blocks with equal signatures can be scored in one batch."""
        return self.kind.encode() + self.d1.tobytes() + self.d2.tobytes()


@dataclass
class Block:
    """One sample x condition x drug pair: its keys, design and per-well viability (%; NaN = excluded)."""

    keys: dict
    drug_a: str
    drug_b: str
    design: BlockDesign | None  # None when the block cannot be scored (``problem`` says why)
    viability: np.ndarray
    rows: np.ndarray  # input row numbers (1-based, for messages)
    has_zero_wells: bool = True
    notes: list[str] = field(default_factory=list)  # data notes for the message column
    problem: str = ""  # why the block is not scored ("" = scorable)
    n_left_out: int = 0  # wells left out for an unusable viability (explained in ``notes``)

    @property
    def sham(self) -> bool:
        """A drug combined with itself (the Loewe / CI null case)."""
        return self.drug_a == self.drug_b

    @property
    def label(self) -> str:
        keys = ", ".join(f"{k}={v}" for k, v in self.keys.items())
        return f"{keys}, {self.drug_a} + {self.drug_b}"


def _rays(cd1: np.ndarray, cd2: np.ndarray, combo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group combination cells by ratio d2/d1 (relative tolerance RATIO_RTOL)."""
    ray = np.full(len(cd1), -1)
    idx = np.flatnonzero(combo)
    if len(idx) == 0:
        return ray, np.zeros(0)
    logr = np.log(cd2[idx] / cd1[idx])
    order = np.argsort(logr, kind="stable")
    gaps = np.diff(logr[order]) > np.log1p(RATIO_RTOL)
    group = np.concatenate([[0], np.cumsum(gaps)])
    ray[idx[order]] = group
    ratios = np.exp(np.bincount(group, weights=logr[order]) / np.bincount(group))
    return ray, ratios


def classify(d1, d2, *, label: str = "block") -> BlockDesign:
    """Classify the design of wells with doses ``d1``, ``d2`` (uM) and index their cells.

    >>> d = classify([0, 1, 2, 0, 1, 2, 0, 1, 2], [0, 0, 0, 5, 5, 5, 10, 10, 10])
    >>> d.kind, d.n_cells
    ('fixed_dose', 9)
    >>> classify([1, 2, 4, 0, 0, 0, 1, 2, 4], [0, 0, 0, 3, 6, 12, 3, 6, 12]).kind
    'constant_ratio'
    """
    d1 = np.asarray(d1, dtype=float)
    d2 = np.asarray(d2, dtype=float)
    # distinct dose pairs in (d1, d2) order: complex numbers sort by real, then imaginary part
    pairs, cell = np.unique(d1 + 1j * d2, return_inverse=True)
    cell = cell.reshape(-1)
    cd1, cd2 = pairs.real.copy(), pairs.imag.copy()
    combo = (cd1 > 0) & (cd2 > 0)
    if not combo.any():
        raise AnalysisError(
            f"{label}: no well combines both drugs (every well has one dose 0); "
            "synergy needs combination wells with conc_a > 0 and conc_b > 0"
        )
    lev_a = np.unique(cd1[combo])
    lev_b = np.unique(cd2[combo])
    n_combo = int(combo.sum())
    ray, ratios = _rays(cd1, cd2, combo)
    if n_combo == len(lev_a) * len(lev_b):
        kind = "matrix" if min(len(lev_a), len(lev_b)) >= MATRIX_MIN_DOSES else "fixed_dose"
    elif np.bincount(ray[combo]).min() >= 2:
        kind = "constant_ratio"
    else:
        have = {(a, b) for a, b in zip(cd1[combo], cd2[combo], strict=True)}
        missing = [(a, b) for a in lev_a for b in lev_b if (a, b) not in have]
        shown = ", ".join(f"({a:g}, {b:g})" for a, b in missing[:4])
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        raise AnalysisError(
            f"{label}: ragged dose pairs: the {n_combo} combination doses form neither a full "
            f"grid ({len(lev_a)} x {len(lev_b)} doses; missing (conc_a, conc_b) uM: {shown}{more}) "
            "nor constant-ratio series (>= 2 wells per ratio); add the missing wells (mark "
            "failed ones exclude=True instead of deleting them) or split the block"
        )
    lookup = {(a, b): i for i, (a, b) in enumerate(zip(cd1, cd2, strict=True))}
    sa_a = np.array([lookup.get((a, 0.0), -1) for a in cd1])
    sa_b = np.array([lookup.get((0.0, b), -1) for b in cd2])
    return BlockDesign(
        kind=kind,
        d1=d1,
        d2=d2,
        cell=cell,
        cd1=cd1,
        cd2=cd2,
        sa_a=sa_a,
        sa_b=sa_b,
        zero=lookup.get((0.0, 0.0), -1),
        ray=ray,
        ratios=ratios,
        levels_a=lev_a,
        levels_b=lev_b,
    )


BLANK_NAMES = ("", "nan", "none", "vehicle", "dmso", "-")


def _text(s: pd.Series) -> np.ndarray:
    """Stripped text of a column (NaN -> ""), computed once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    clean = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return clean[codes]  # code -1 (NaN) picks the trailing ""


def _text_blank(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``_text`` of a drug column and whether each entry names no drug (``BLANK_NAMES``)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    clean = [str(u).strip() for u in uniques] + [""]
    blank = np.array([c.lower() in BLANK_NAMES for c in clean])
    return np.array(clean, dtype=object)[codes], blank[codes]


def _condition_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in NON_CONDITION]


def _numbers(df: pd.DataFrame, col: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Column ``col`` as floats (NaN where empty or not a number) and where it holds text that is
    not a number. A column that is mostly text is a whole-input error."""
    column = df[col]
    if column.dtype.kind in "iuf":  # numpy numbers: nothing to parse
        num = column.to_numpy(dtype=float, na_value=np.nan)
        return num, np.zeros(len(num), bool)
    num = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(num) & column.notna().to_numpy()
    if bad.any():
        text = np.char.lower(_text(column).astype(str))
        filled = (text != "") & (text != "nan")
        bad &= filled
        if bad.sum() * 2 > filled.sum():
            row = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"{where}: column '{col}' must be numeric but most values are text; row "
                f"{row + 1} holds {column.iloc[row]!r}"
            )
    return num, bad


def _check_columns(df: pd.DataFrame, where: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Check the required columns; returns conc_a, conc_b, viability as (float array with NaN where
    empty or not a number, rows holding text that is not a number)."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{where}: a synergy input needs column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, df.columns))}).{did_you_mean(missing[0], df.columns)}"
        )
    return {col: _numbers(df, col, where) for col in ("conc_a", "conc_b", "viability")}


def _conc_problems(
    df: pd.DataFrame, col: str, num: np.ndarray, text: np.ndarray, named: np.ndarray
) -> np.ndarray:
    """Per row: why concentration ``col`` (uM) cannot be used ("" = fine). Empty is fine where
    the row names no drug on that side (a single agent or vehicle well)."""
    bad = text | (np.isnan(num) & named) | np.isinf(num) | (num < 0) | (num > MAX_CONC_UM)
    out = np.full(len(num), "", dtype=object)
    for r in np.flatnonzero(bad):
        v = num[r]
        if text[r]:
            why = f"{col} = {df[col].iloc[r]!r} is not a number"
        elif np.isnan(v):
            why = f"{col} is empty (NaN) for a named drug"
        elif np.isinf(v):
            why = f"{col} = {v:g} is not a finite concentration"
        elif v < 0:
            why = f"negative concentration {col} = {v:g}; concentrations are uM >= 0"
        else:
            why = f"{col} = {v:g} uM is above {MAX_CONC_UM:g} uM (1 M): a typo or a unit error"
        out[r] = f"row {r + 1}: {why}"
    return out


def _viability_problems(df: pd.DataFrame, num: np.ndarray, text: np.ndarray, used: np.ndarray):
    """Per row: why a used well's viability (%) cannot be used ("" = fine); such wells are left
    out of their block."""
    bad = used & (text | ~np.isfinite(num) | (np.abs(num) > MAX_ABS_VIABILITY))
    out = np.full(len(num), "", dtype=object)
    for r in np.flatnonzero(bad):
        v = num[r]
        if text[r]:
            out[r] = f"{df['viability'].iloc[r]!r} (not a number)"
        elif np.isnan(v):
            out[r] = "empty (NaN)"
        else:
            out[r] = f"{v:g} (not a plausible % viability)"
    return out


def _orient(g: dict, pa: str, pb: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Doses (d1, d2) of pair (pa, pb) for the wells of one group and which wells belong to it.

    A sham pair (pa == pb): wells naming the drug in drug_a feed its first axis, in drug_b its
    second (a single agent named in drug_a only is on the first axis)."""
    ga, gb, gba, gbb, gboth, gca, gcb = (
        g[k] for k in ("da", "db", "blank_a", "blank_b", "both", "ca", "cb")
    )
    fwd = gboth & (ga == pa) & (gb == pb)
    rev = gboth & (ga == pb) & (gb == pa) & (pa != pb)
    alone_a = ~gba & gbb & (ga == pa)
    alone_a2 = gba & ~gbb & (gb == pa) & (pa != pb)
    alone_b = ~gba & gbb & (ga == pb) & (pa != pb)
    alone_b2 = gba & ~gbb & (gb == pb)
    # doses as written (drug a's column first) unless the pair is reversed: one np.where each
    d1 = np.where(fwd | alone_a, gca, np.where(rev | alone_a2, gcb, 0.0))
    d2 = np.where(fwd | alone_b2, gcb, np.where(rev | alone_b, gca, 0.0))
    take = fwd | rev | alone_a | alone_b | alone_a2 | alone_b2 | g["vehicle"]
    return d1, d2, take


def split_blocks(
    df: pd.DataFrame, *, a: str | None = None, b: str | None = None, where: str = "table"
) -> list[Block]:
    """Split a tidy viability table into combination blocks (one per sample x condition x pair).

    ``a``/``b`` select (and orient) one drug pair; by default every pair that occurs in a
    combination well is scored, oriented as in its first combination row. A block that cannot be
    scored is returned with ``problem`` set (and ``design`` None); see the module docstring.
    """
    num = _check_columns(df, where)
    conds = _condition_columns(df)
    keys_cols = ["sample", *conds]
    (da, blank_a), (db, blank_b) = _text_blank(df["drug_a"]), _text_blank(df["drug_b"])
    conc_problem = _conc_problems(df, "conc_a", *num["conc_a"], ~blank_a)
    conc_problem_b = _conc_problems(df, "conc_b", *num["conc_b"], ~blank_b)
    conc_problem = np.where(conc_problem == "", conc_problem_b, conc_problem)
    ca, cb = (
        np.nan_to_num(num[c][0], nan=0.0, posinf=0.0, neginf=0.0) for c in ("conc_a", "conc_b")
    )
    via = num["viability"][0]
    excl = np.zeros(len(df), bool)
    if "exclude" in df.columns and df["exclude"].dtype == np.bool_:
        excl = df["exclude"].to_numpy(dtype=bool)
    elif "exclude" in df.columns:
        excl = np.isin(
            np.char.lower(_text(df["exclude"]).astype(str)), ["true", "1", "1.0", "yes", "y"]
        )
    role = (
        np.char.lower(_text(df["role"]).astype(str))
        if "role" in df.columns
        else np.full(len(df), "", dtype="<U1")
    )
    # medium-only wells are never used; an unusable viability leaves its well out (noted)
    via_problem = _viability_problems(df, via, num["viability"][1], ~excl & (role != "blank"))
    vehicle = blank_a & blank_b & (ca == 0) & (cb == 0)
    if "role" in df.columns:  # blank (medium-only) wells are never part of a block
        vehicle = (vehicle | (role == "vehicle")) & (role != "blank")
        keep = role != "blank"
        blank_a, blank_b = blank_a | ~keep, blank_b | ~keep
    both = ~blank_a & ~blank_b
    drugs = sorted(set(da[~blank_a]) | set(db[~blank_b]))
    for name, flag in (("--a", a), ("--b", b)):
        if flag is not None and flag not in drugs:
            raise AnalysisError(
                f"{where}: drug {flag!r} ({name}) does not occur in the table "
                f"(drugs: {', '.join(drugs)}).{did_you_mean(flag, drugs)}"
            )
    if (a is None) != (b is None):
        raise AnalysisError("give both --a and --b (the two drugs of the pair) or neither")
    if not both.any():
        raise AnalysisError(
            f"{where}: every well names one drug only ({', '.join(drugs) or 'none'}); synergy "
            "needs combination wells that name both drugs (drug_a and drug_b with conc_a and "
            "conc_b in uM)"
        )
    pairs: list[tuple[str, str]] = []
    seen: set[frozenset] = set()
    for x, y in zip(da[both], db[both], strict=True):
        key = frozenset((x, y))
        if key not in seen:
            seen.add(key)
            pairs.append((x, y))
    if a is not None:
        if frozenset((a, b)) not in seen:
            raise AnalysisError(
                f"{where}: no well combines {a!r} with {b!r}; pairs present: "
                + ", ".join(f"{x}+{y}" for x, y in pairs)
            )
        pairs = [(a, b)]
    grouped = df.groupby(keys_cols, sort=False, dropna=False).indices
    plate_well = replicate = None
    if {"plate", "well"} <= set(df.columns):
        plate_well = (
            df["plate"].astype("string").fillna("") + "/" + df["well"].astype("string").fillna("")
        ).to_numpy(dtype=object)
    elif "replicate" in df.columns:
        rep_col = df["replicate"]
        if rep_col.dtype.kind in "iufb":  # numbers: the same groups as their text, NaN one group
            replicate = pd.factorize(rep_col.to_numpy(), use_na_sentinel=True)[0].astype(float)
        else:
            replicate = pd.factorize(rep_col.astype("string").fillna(""))[0].astype(float)
    key_values = [df[c].to_numpy(dtype=object) for c in keys_cols]
    cols = {"da": da, "db": db, "blank_a": blank_a, "blank_b": blank_b, "both": both}
    cols.update(ca=ca, cb=cb, vehicle=vehicle)
    any_conc_problem = bool((conc_problem != "").any())
    any_via_problem = bool((via_problem != "").any())
    designs: dict[bytes, BlockDesign | str] = {}  # blocks with the same layout share one design
    blocks: list[Block] = []
    for g_rows in grouped.values():
        g_rows = np.sort(np.asarray(g_rows))
        keys = {c: vals[g_rows[0]] for c, vals in zip(keys_cols, key_values, strict=True)}
        g = {k: v[g_rows] for k, v in cols.items()}
        if a is None and len(pairs) == 1:  # every combination well is of this one pair
            present = set(pairs) if g["both"].any() else set()
        else:  # the pairs combined in this group (each pair's masks cost time)
            present = set(zip(g["da"][g["both"]], g["db"][g["both"]], strict=True))
        for pa, pb in pairs:
            if (pa, pb) not in present and (pb, pa) not in present:
                continue
            d1, d2, take = _orient(g, pa, pb)
            rows = g_rows[take]
            d1, d2 = d1[take], d2[take]
            v = np.where(excl[rows], np.nan, via[rows])
            blk = Block(keys=keys, drug_a=pa, drug_b=pb, design=None, viability=v, rows=rows + 1)
            blocks.append(blk)
            if any_conc_problem and (conc_problem[rows] != "").any():
                bad = rows[conc_problem[rows] != ""]
                more = f" (and {len(bad) - 1} more row(s))" if len(bad) > 1 else ""
                blk.problem = (
                    f"{conc_problem[bad[0]]}{more}; block not scored: fix the value or drop "
                    "the well"
                )
                continue
            if any_via_problem and (via_problem[rows] != "").any():
                bad = np.flatnonzero(via_problem[rows] != "")
                v[bad] = np.nan
                blk.n_left_out = len(bad)
                shown = ", ".join(f"row {r + 1} {via_problem[r]}" for r in rows[bad[:3]])
                more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
                blk.notes.append(f"{len(bad)} well(s) left out, viability: {shown}{more}")
            rep = replicate[rows] if replicate is not None else np.zeros(0)
            sig = d1.tobytes() + d2.tobytes() + rep.tobytes()
            design = designs.get(sig)
            if design is not None and plate_well is None:
                _set_design(blk, design)
                continue
            label = f"{where}: " + ", ".join(f"{k}={v}" for k, v in keys.items()) + f", {pa} + {pb}"
            try:
                if plate_well is not None:
                    _check_duplicates(plate_well[rows], rows, d1, d2, label, "well")
                if design is None:
                    if replicate is not None:
                        ident = np.stack([d1, d2, rep], axis=1)
                        _check_duplicates(ident, rows, d1, d2, label, "dose pair and replicate")
                    design = _checked_design(d1, d2, pa, pb, label)
            except AnalysisError as exc:
                design = str(exc).removeprefix(label + ": ")
            if plate_well is None:
                designs[sig] = design
            _set_design(blk, design)
    return blocks


def _set_design(blk: Block, design: BlockDesign | str) -> None:
    """Give ``blk`` its design, or its problem when the design check failed (a message)."""
    if isinstance(design, str):
        blk.problem = f"{design}; block not scored"
    else:
        blk.design = design
        blk.has_zero_wells = bool(design.zero >= 0)


def _checked_design(d1, d2, pa: str, pb: str, label: str) -> BlockDesign:
    design = classify(d1, d2, label=label)
    for drug, sa in ((pa, design.cd2 == 0), (pb, design.cd1 == 0)):
        tested = sa & ((design.cd1 > 0) | (design.cd2 > 0))
        if not tested.any():
            raise AnalysisError(
                f"{label}: no single-agent wells of {drug!r}; Bliss, HSA, Loewe, ZIP and "
                f"the CI all need {drug} alone at >= 1 dose (rows with the other dose 0, "
                "or drug_b empty)"
            )
    return design


def _check_duplicates(ident: np.ndarray, rows: np.ndarray, d1, d2, label: str, what: str) -> None:
    """The same physical well (plate/well) or the same (dose pair, replicate) twice is an error."""
    _, first, counts = np.unique(
        ident, axis=0 if ident.ndim == 2 else None, return_index=True, return_counts=True
    )
    if (counts > 1).any():
        dupkey = ident[first[np.argmax(counts > 1)]]
        same = (ident == dupkey).all(axis=1) if ident.ndim == 2 else ident == dupkey
        dup = np.flatnonzero(same)[:2]
        r = rows[dup] + 1
        raise AnalysisError(
            f"{label}: duplicate {what}: rows {r[0]} and {r[1]} are the same (conc_a="
            f"{d1[dup[0]]:g}, conc_b={d2[dup[0]]:g} uM); give replicates distinct 'replicate' "
            "numbers or remove the repeated rows"
        )


def _reference_wells(blk: Block) -> np.ndarray:
    """Finite viability (%) of a block's least-treated wells: the (0, 0) cell, else the lowest
    dose of each drug alone."""
    des = blk.design
    if des.zero >= 0:
        ref = blk.viability[des.cell == des.zero]
    else:
        low = []
        for sa in ((des.cd2 == 0) & (des.cd1 > 0), (des.cd1 == 0) & (des.cd2 > 0)):
            cells = np.flatnonzero(sa)
            dd = np.where(sa, des.cd1 + des.cd2, np.inf)
            low.append(int(cells[np.argmin(dd[cells])]))
        ref = blk.viability[np.isin(des.cell, low)]
    return ref[np.isfinite(ref)]


def _scale_problem(blk: Block, response: str) -> tuple[str, str] | None:
    """(kind, message) when a block does not look like % viability (100 = untreated), else None.

    kind "fraction": every response within 0-1.5; kind "scale": the untreated / lowest-dose wells
    have a median below MIN_REFERENCE_VIABILITY (inhibition, a wrong scale or a failed plate)."""
    ref = _reference_wells(blk)
    if len(ref) == 0:
        return None
    v = blk.viability
    top = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 0.0
    if top <= 1.5:
        return "fraction", (
            f"responses are all within 0-1.5 (max {top:.3g}); they look like fractions, but "
            "tallrx expects percentages; multiply them by 100"
        )
    med = float(np.median(ref))
    if med >= MIN_REFERENCE_VIABILITY:
        return None
    shown = med if response == "viability" else 100.0 - med
    what = "untreated (0, 0)" if blk.design.zero >= 0 else "lowest-dose"
    return "scale", (
        f"the {what} wells read a median {shown:.3g} % (expected about "
        f"{'100' if response == 'viability' else '0'} % for --response {response})"
    )


def check_response_scale(blocks: list[Block], response: str = "viability") -> dict[int, str]:
    """Blocks whose values do not look like % viability (100 = untreated) -> {index: problem}.

    The check uses each scorable block's least-treated wells (the (0, 0) cell, else the lowest dose
    of each drug alone): their median must reach 50 %. When that fails in most blocks (or in every
    block) the declared ``response`` is wrong for the input -- inhibition (0 = untreated) or a 0-1
    fraction -- and an AnalysisError says so; when it fails in a minority of blocks those blocks are
    off-scale (a failed plate) and are returned, to become flagged rows.
    """
    found = {}
    for i, blk in enumerate(blocks):
        if blk.design is not None:
            p = _scale_problem(blk, response)
            if p is not None:
                found[i] = p
    n = sum(b.design is not None for b in blocks)
    if found and 2 * len(found) >= n:
        i, (kind, msg) = next(iter(found.items()))
        label = blocks[i].label
        if kind == "fraction":
            raise AnalysisError(f"{label}: {msg}")
        other = "inhibition" if response == "viability" else "viability"
        raise AnalysisError(
            f"{label}: response scale does not match --response {response} in "
            f"{len(found)} of {n} block(s): {msg}; pass --response {other} if the file "
            f"holds {other}"
        )
    return {
        i: f"off-scale block (failed plate?): {msg}; block not scored"
        for i, (_, msg) in found.items()
    }
