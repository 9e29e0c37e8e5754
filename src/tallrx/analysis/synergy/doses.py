"""The dose layout of one combination block: cells, single agents, rays and the design kind.

A *cell* is a distinct dose pair (d_a, d_b) in uM; its wells are replicates. :func:`classify`
indexes the cells and names the design (``matrix``, ``fixed_dose``, ``constant_ratio``; anything
else is ragged and an :class:`~tallrx.errors.AnalysisError`), see
:mod:`tallrx.analysis.synergy.design`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tallrx.errors import AnalysisError

__all__ = ["MATRIX_MIN_DOSES", "RATIO_RTOL", "BlockDesign", "classify"]

RATIO_RTOL = 0.02  # two combination wells share a ray when their ratios d_b/d_a differ < 2 %
MATRIX_MIN_DOSES = 3  # doses > 0 of each drug for a "matrix" (else "fixed_dose")


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

    Parameters
    ----------
    d1, d2
        Dose of drug a and of drug b in each well (uM, 0 = not given).
    label
        The block's name for error messages.

    Returns
    -------
    BlockDesign
        ``kind`` (matrix / fixed_dose / constant_ratio), the per-well cell index and the
        per-cell doses, single-agent partners and rays.

    Raises
    ------
    AnalysisError
        No combination well, or ragged dose pairs (the message lists the missing ones).

    Examples
    --------
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
