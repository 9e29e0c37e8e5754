"""What every claim shares: the :class:`Verdict` it returns, the :class:`Claim` record and the
small number helpers its summary uses. The claims themselves live by figure (``fig1`` ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tallrx._result import json_safe
from tallrx.reproduce._tables import is_on, line_of, mean_by, ratio

__all__ = ["Claim", "Verdict", "not_run"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim: ``held`` (None = not run), evidence and a one-line summary."""

    held: bool | None
    evidence: Mapping = field(default_factory=dict)
    summary: str = ""

    @property
    def status(self) -> str:
        return "not run" if self.held is None else ("held" if self.held else "not held")


def not_run(reason: str) -> Verdict:
    """A verdict for a claim whose experiment could not run (never a faked result)."""
    return Verdict(None, {"reason": reason}, f"not run: {reason}")


@dataclass(frozen=True)
class Claim:
    """One claim: id, paper figure, the paper's statement and the pre-registered rule."""

    id: int
    figure: str
    statement: str
    rule: str
    inputs: tuple[str, ...]
    evaluate: Callable[..., Verdict] = field(repr=False, compare=False)

    def record(self, verdict: Verdict) -> dict:
        """The claims.json entry: id, figure, statement, rule, status, held, summary, evidence."""
        return json_safe(
            {
                "id": self.id,
                "figure": self.figure,
                "statement": self.statement,
                "rule": self.rule,
                "status": verdict.status,
                "held": verdict.held,
                "summary": verdict.summary,
                "evidence": dict(verdict.evidence),
            }
        )


def _finite(x: float) -> bool:
    return x is not None and math.isfinite(x)


def _fmt(x: float, spec: str = ".2f") -> str:
    return format(x, spec) if _finite(x) else "NA"


def _dox_fold(df: pd.DataFrame, value: str, lines: list[str]) -> dict[str, dict]:
    """Per line: mean ``value`` without and with doxycycline and their ratio."""
    d = df.assign(_line=line_of(df), _dox=is_on(df["dox"]) if "dox" in df else False)
    means = mean_by(d, ["_line", "_dox"], value)
    out = {}
    for g in lines:
        off = float(means.get((g, False), np.nan))
        on = float(means.get((g, True), np.nan))
        out[g] = {"without_dox": off, "with_dox": on, "fold": ratio(on, off)}
    return out


def _count(parts: Mapping[str, Mapping]) -> int:
    """How many evidence entries came out as expected."""
    return sum(bool(v.get("as_expected")) for v in parts.values())
