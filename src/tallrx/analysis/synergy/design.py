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

Anything else (a grid with holes, unpaired points) is "ragged" and raises an AnalysisError naming
the block and the missing dose pairs.
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
]

RATIO_RTOL = 0.02  # two combination wells share a ray when their ratios d_b/d_a differ < 2 %
MATRIX_MIN_DOSES = 3  # doses > 0 of each drug for a "matrix" (else "fixed_dose")
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
    design: BlockDesign
    viability: np.ndarray
    rows: np.ndarray  # input row numbers (1-based, for messages)
    has_zero_wells: bool = True
    notes: list[str] = field(default_factory=list)

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


def _check_columns(df: pd.DataFrame, where: str) -> dict[str, np.ndarray]:
    """Check the required columns; returns conc_a, conc_b, viability as float arrays (NaN where
    empty)."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{where}: a synergy input needs column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, df.columns))}).{did_you_mean(missing[0], df.columns)}"
        )
    out = {}
    for col in ("conc_a", "conc_b", "viability"):
        column = df[col]
        if column.dtype.kind in "iuf":  # numpy numbers: nothing to parse
            num = column.to_numpy(dtype=float, na_value=np.nan)
        else:
            num = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = np.isnan(num) & df[col].notna().to_numpy()
            if bad.any():
                text = np.char.lower(_text(df[col]).astype(str))
                bad &= (text != "") & (text != "nan")
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise SchemaError(
                    f"{where}: column '{col}' must be numeric; row {row + 1} holds "
                    f"{df[col].iloc[row]!r}"
                )
        if col != "viability" and (num < 0).any():
            row = int(np.flatnonzero(num < 0)[0])
            raise SchemaError(
                f"{where}: row {row + 1}: negative concentration {col}="
                f"{num[row]:g}; concentrations are uM >= 0"
            )
        out[col] = num
    return out


def split_blocks(
    df: pd.DataFrame, *, a: str | None = None, b: str | None = None, where: str = "table"
) -> list[Block]:
    """Split a tidy viability table into combination blocks (one per sample x condition x pair).

    ``a``/``b`` select (and orient) one drug pair; by default every pair that occurs in a
    combination well is scored, oriented as in its first combination row.
    """
    num = _check_columns(df, where)
    conds = _condition_columns(df)
    keys_cols = ["sample", *conds]
    (da, blank_a), (db, blank_b) = _text_blank(df["drug_a"]), _text_blank(df["drug_b"])
    ca, cb = (np.nan_to_num(num[c], nan=0.0) for c in ("conc_a", "conc_b"))
    via = num["viability"]
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
    bad = np.isnan(via) & ~excl & (role != "blank")  # medium-only wells are never used
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"{where}: row {row + 1}: viability is empty/NaN but the well is not "
            "excluded; fill it in or set exclude=True with a reason"
        )
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
        if x == y:
            raise AnalysisError(
                f"{where}: a combination well names {x!r} as both drug_a and "
                "drug_b; a drug combined with itself needs distinct names "
                "(e.g. 'drugX' and 'drugX_2')"
            )
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
    designs: dict[bytes, BlockDesign] = {}  # blocks with the same layout share one design
    blocks: list[Block] = []
    for g_rows in grouped.values():
        g_rows = np.sort(np.asarray(g_rows))
        keys = {c: vals[g_rows[0]] for c, vals in zip(keys_cols, key_values, strict=True)}
        ga, gb, gba, gbb = da[g_rows], db[g_rows], blank_a[g_rows], blank_b[g_rows]
        gboth, gca, gcb = both[g_rows], ca[g_rows], cb[g_rows]
        for pa, pb in pairs:
            fwd = gboth & (ga == pa) & (gb == pb)
            rev = gboth & (ga == pb) & (gb == pa)
            if not (fwd | rev).any():
                continue
            alone_a = ~gba & gbb & (ga == pa)
            alone_b = ~gba & gbb & (ga == pb)
            alone_a2 = gba & ~gbb & (gb == pa)
            alone_b2 = gba & ~gbb & (gb == pb)
            d1 = np.select([fwd, rev, alone_a, alone_a2], [gca, gcb, gca, gcb], 0.0)
            d2 = np.select([fwd, rev, alone_b, alone_b2], [gcb, gca, gca, gcb], 0.0)
            take = fwd | rev | alone_a | alone_b | alone_a2 | alone_b2 | vehicle[g_rows]
            rows = g_rows[take]
            d1, d2 = d1[take], d2[take]
            rep = replicate[rows] if replicate is not None else np.zeros(0)
            sig = d1.tobytes() + d2.tobytes() + rep.tobytes()
            design = designs.get(sig)
            if design is None or plate_well is not None:
                label = (
                    f"{where}: " + ", ".join(f"{k}={v}" for k, v in keys.items()) + f", {pa} + {pb}"
                )
                if plate_well is not None:
                    _check_duplicates(plate_well[rows], rows, d1, d2, label, "well")
                elif replicate is not None:
                    ident = np.stack([d1, d2, rep], axis=1)
                    _check_duplicates(ident, rows, d1, d2, label, "dose pair and replicate")
                design = designs.get(sig) or _checked_design(d1, d2, pa, pb, label)
                designs[sig] = design
            v = np.where(excl[rows], np.nan, via[rows])
            blocks.append(
                Block(
                    keys=keys,
                    drug_a=pa,
                    drug_b=pb,
                    design=design,
                    viability=v,
                    rows=rows + 1,
                    has_zero_wells=bool(design.zero >= 0),
                )
            )
    return blocks


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


def check_response_scale(blocks: list[Block], response: str = "viability") -> None:
    """Raise when the data do not look like % viability (100 = untreated).

    The check uses each block's least-treated wells (the (0, 0) cell, else the lowest dose of each
    drug alone): their median must exceed 50 %. A median below 50 % means the values are
    inhibition (0 = untreated) or a 0-1 fraction, so the declared ``response`` is wrong.
    """
    for blk in blocks:
        des = blk.design
        v = blk.viability
        if des.zero >= 0:
            ref = v[des.cell == des.zero]
        else:
            low = []
            for sa in ((des.cd2 == 0) & (des.cd1 > 0), (des.cd1 == 0) & (des.cd2 > 0)):
                cells = np.flatnonzero(sa)
                dd = np.where(sa, des.cd1 + des.cd2, np.inf)
                low.append(int(cells[np.argmin(dd[cells])]))
            ref = v[np.isin(des.cell, low)]
        ref = ref[np.isfinite(ref)]
        if len(ref) == 0:
            continue
        med = float(np.median(ref))
        shown = med if response == "viability" else 100.0 - med
        top = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 0.0
        if top <= 1.5:
            raise AnalysisError(
                f"{blk.label}: responses are all within 0-1.5 (max {top:.3g}); they look like "
                "fractions, but tallrx expects percentages; multiply them by 100"
            )
        if med < 50:
            other = "inhibition" if response == "viability" else "viability"
            raise AnalysisError(
                f"{blk.label}: response scale does not match --response {response}: the "
                f"untreated / lowest-dose wells have median {shown:.3g} (expected about "
                f"{'100' if response == 'viability' else '0'} for {response}); pass "
                f"--response {other} if the file holds {other}"
            )
