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

The parts: :mod:`._columns` reads the well columns (numbers, drug names, per-row problems),
:mod:`.doses` classifies one block's dose layout (:func:`classify`, :class:`BlockDesign`), and
this module splits the table into blocks (:func:`split_blocks`) and checks their response scale
(:func:`check_response_scale`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tallrx.analysis.synergy._columns import (
    MAX_CONC_UM,
    REQUIRED,
    _check_columns,
    _conc_problems,
    _condition_columns,
    _exclude_and_role,
    _orient,
    _text_blank,
    _viability_problems,
)
from tallrx.analysis.synergy.doses import MATRIX_MIN_DOSES, RATIO_RTOL, BlockDesign, classify
from tallrx.errors import AnalysisError, did_you_mean

__all__ = [
    "Block",
    "BlockDesign",
    "classify",
    "split_blocks",
    "check_response_scale",
    "RATIO_RTOL",
    "MATRIX_MIN_DOSES",
    "MAX_CONC_UM",
    "REQUIRED",
]

MIN_REFERENCE_VIABILITY = 50.0  # % : untreated / lowest-dose wells below this are off-scale


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


def split_blocks(
    df: pd.DataFrame, *, a: str | None = None, b: str | None = None, where: str = "table"
) -> list[Block]:
    """Split a tidy viability table into combination blocks (one per sample x condition x pair).

    A block that cannot be scored is returned with ``problem`` set (and ``design`` None); see
    the module docstring.

    Parameters
    ----------
    df
        The tidy viability table (sample, drug_a, conc_a, drug_b, conc_b in uM, viability in %
        [+ condition columns, role, exclude, plate, well, replicate]).
    a, b
        Select (and orient) one drug pair; by default every pair that occurs in a combination
        well is scored, oriented as in its first combination row.
    where
        The table's name for error messages.

    Returns
    -------
    list of Block
        One per sample x condition x drug pair, in table order: ``keys`` (sample and condition
        values), ``drug_a``, ``drug_b``, ``design`` (:class:`BlockDesign` or None),
        ``viability`` (% per well, NaN = excluded), ``rows`` (1-based input rows), ``notes``
        and ``problem``.
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
    excl, role = _exclude_and_role(df)
    # medium-only wells are never used; an unusable viability leaves its well out (noted)
    via_problem = _viability_problems(df, via, num["viability"][1], ~excl & (role != "blank"))
    vehicle = blank_a & blank_b & (ca == 0) & (cb == 0)
    if "role" in df.columns:  # blank (medium-only) wells are never part of a block
        vehicle = (vehicle | (role == "vehicle")) & (role != "blank")
        keep = role != "blank"
        blank_a, blank_b = blank_a | ~keep, blank_b | ~keep
    both = ~blank_a & ~blank_b
    pairs = _drug_pairs(da, db, blank_a, blank_b, a, b, where)
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


def _drug_pairs(
    da: np.ndarray,
    db: np.ndarray,
    blank_a: np.ndarray,
    blank_b: np.ndarray,
    a: str | None,
    b: str | None,
    where: str,
) -> list[tuple[str, str]]:
    """The drug pairs to score, oriented as in their first combination row (or as ``a``, ``b``)."""
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
    return pairs


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
    """Blocks whose values do not look like % viability (100 = untreated).

    The check uses each scorable block's least-treated wells (the (0, 0) cell, else the lowest dose
    of each drug alone): their median must reach 50 %. When that fails in most blocks (or in every
    block) the declared ``response`` is wrong for the input -- inhibition (0 = untreated) or a 0-1
    fraction -- and an AnalysisError says so; when it fails in a minority of blocks those blocks are
    off-scale (a failed plate) and are returned, to become flagged rows.

    Parameters
    ----------
    blocks
        The blocks of :func:`split_blocks`.
    response
        The declared scale: ``"viability"`` (100 = untreated) or ``"inhibition"`` (0).

    Returns
    -------
    dict
        Index into ``blocks`` -> the problem message of each off-scale block.
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
