"""Data classes of the reaction table and the :class:`Network` that checks and indexes it.

The table itself (every species, parameter, rule and reaction) is :data:`tallrx.model.network.NETWORK`;
everything else (Antimony/SBML, the NumPy right-hand side, the analytic Jacobian, ``tallrx model
show``) is generated from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from tallrx.errors import InternalError, TallrxError, did_you_mean
from tallrx.model.network import _expr as ex

KINDS = ("kinetic", "level", "input", "genotype", "context")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Species:
    """A state variable: ``unit`` is nM, fraction (of the protein's total) or relative."""

    name: str
    unit: str
    annotation: str
    initial: float = 0.0


@dataclass(frozen=True)
class Parameter:
    """A constant with value, unit, plausible range (low, high) and source.

    ``source`` is a DOI ("doi:10..."), "paper Fig. N" or "calibrated to Fig. N".
    ``kind``: kinetic / level (cell-specific amounts) / input (set per condition: IL7, dox,
    drug doses) / genotype (set by the transgene) / context (cell type or patient).
    ``status``: input / calibrated / literature / assumed (see :mod:`.parameters`).
    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str
    annotation: str = ""
    kind: str = "kinetic"
    status: str = ""


@dataclass(frozen=True)
class Rule:
    """A named assignment ``name = expr`` (SBML assignment rule)."""

    name: str
    expr: str
    unit: str
    annotation: str


@dataclass(frozen=True)
class Reaction:
    """``equation`` like ``"A + B -> C"``, ``"-> A"`` or ``"A ->"``; ``rate`` in species unit/h."""

    name: str
    equation: str
    rate: str
    annotation: str
    reactants: dict = field(default_factory=dict, compare=False)
    products: dict = field(default_factory=dict, compare=False)


def _side(text: str, where: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for term in filter(None, (t.strip() for t in text.split("+"))):
        m = re.fullmatch(r"(?:(\d+)\s*)?([A-Za-z][A-Za-z0-9_]*)", term)
        if not m:
            raise InternalError(f"reaction {where}: cannot read term {term!r}")
        out[m.group(2)] = out.get(m.group(2), 0) + int(m.group(1) or 1)
    return out


class Network:
    """A checked, indexed reaction network built from the table's tuples."""

    def __init__(self, species, parameters, rules, reactions, observables=()):
        self.species: tuple[Species, ...] = tuple(species)
        self.parameters: tuple[Parameter, ...] = tuple(parameters)
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.observables = tuple(observables)
        rx = []
        for r in reactions:
            if "->" not in r.equation:
                raise InternalError(f"reaction {r.name}: equation {r.equation!r} needs '->'")
            left, right = r.equation.split("->")
            rx.append(
                Reaction(
                    r.name,
                    r.equation,
                    r.rate,
                    r.annotation,
                    _side(left, r.name),
                    _side(right, r.name),
                )
            )
        self.reactions: tuple[Reaction, ...] = tuple(rx)
        self._check()

    # ------------------------------------------------------------------ indexes
    @cached_property
    def species_names(self) -> list[str]:
        return [s.name for s in self.species]

    @cached_property
    def species_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.species_names)}

    @cached_property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @cached_property
    def parameter_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.parameter_names)}

    @cached_property
    def parameter_values(self) -> np.ndarray:
        return np.array([p.value for p in self.parameters], dtype=float)

    @cached_property
    def initial_state(self) -> np.ndarray:
        return np.array([s.initial for s in self.species], dtype=float)

    @cached_property
    def rule_exprs(self) -> dict[str, ex.Expr]:
        return {r.name: ex.parse(r.expr) for r in self.rules}

    @cached_property
    def rate_exprs(self) -> list[ex.Expr]:
        return [ex.parse(r.rate) for r in self.reactions]

    @cached_property
    def stoichiometry(self) -> np.ndarray:
        """(n_species, n_reactions) net stoichiometric matrix."""
        s = np.zeros((len(self.species), len(self.reactions)))
        for j, r in enumerate(self.reactions):
            for name, k in r.reactants.items():
                s[self.species_index[name], j] -= k
            for name, k in r.products.items():
                s[self.species_index[name], j] += k
        return s

    @cached_property
    def state_rules(self) -> list[str]:
        """Rules that depend (directly or through other rules) on a species, in order."""
        species = set(self.species_names)
        dep: list[str] = []
        for r in self.rules:
            used = ex.symbols(self.rule_exprs[r.name])
            if used & species or used & set(dep):
                dep.append(r.name)
        return dep

    @cached_property
    def parameter_rules(self) -> list[str]:
        """Rules that depend on parameters only (evaluated once per condition)."""
        state = set(self.state_rules)
        return [r.name for r in self.rules if r.name not in state]

    def expanded_rate(self, j: int) -> ex.Expr:
        """Rate law of reaction ``j`` with state-dependent rules substituted in."""
        mapping: dict[str, ex.Expr] = {}
        for name in self.state_rules:
            mapping[name] = ex.substitute(self.rule_exprs[name], mapping)
        return ex.substitute(self.rate_exprs[j], mapping)

    def parameter(self, name: str) -> Parameter:
        try:
            return self.parameters[self.parameter_index[name]]
        except KeyError:
            raise TallrxError(
                f"unknown model parameter '{name}'.{did_you_mean(name, self.parameter_names)}"
            ) from None

    # ------------------------------------------------------------------ checks
    def _check(self) -> None:
        names: dict[str, str] = {}
        for kind, items in (
            ("species", self.species),
            ("parameter", self.parameters),
            ("rule", self.rules),
            ("reaction", self.reactions),
        ):
            for it in items:
                if not _NAME.match(it.name):
                    raise InternalError(f"{kind} name {it.name!r} is not an identifier")
                if it.name in names:
                    raise InternalError(
                        f"{kind} '{it.name}' clashes with {names[it.name]} '{it.name}'"
                    )
                names[it.name] = kind
        for p in self.parameters:
            if p.kind not in KINDS:
                raise InternalError(f"parameter {p.name}: kind {p.kind!r} not in {KINDS}")
            if not p.low <= p.value <= p.high:
                raise InternalError(
                    f"parameter {p.name}: value {p.value} outside its plausible "
                    f"range ({p.low}, {p.high})"
                )
        known = set(self.species_names) | set(self.parameter_names)
        for r in self.rules:
            missing = ex.symbols(self.rule_exprs[r.name]) - known
            if missing:
                m = sorted(missing)[0]
                raise InternalError(
                    f"rule {r.name}: unknown name '{m}' (rules may only use "
                    f"species, parameters and earlier rules)."
                    f"{did_you_mean(m, known)}"
                )
            known.add(r.name)
        for r, e in zip(self.reactions, self.rate_exprs, strict=True):
            missing = ex.symbols(e) - known
            if missing:
                m = sorted(missing)[0]
                raise InternalError(
                    f"reaction {r.name}: unknown name '{m}'.{did_you_mean(m, known)}"
                )
            for side in (r.reactants, r.products):
                for s in side:
                    if s not in self.species_index:
                        raise InternalError(
                            f"reaction {r.name}: '{s}' is not a species."
                            f"{did_you_mean(s, self.species_names)}"
                        )

    # ------------------------------------------------------------------ tables
    def species_frame(self) -> pd.DataFrame:
        return _frame(self.species, species="name", unit="unit", initial="initial",
                      annotation="annotation")

    def parameter_frame(self) -> pd.DataFrame:
        return _frame(self.parameters, parameter="name", value="value", unit="unit", low="low",
                      high="high", kind="kind", source="source", annotation="annotation")

    def reaction_frame(self) -> pd.DataFrame:
        return _frame(self.reactions, reaction="name", equation="equation", rate="rate",
                      annotation="annotation")

    def rule_frame(self) -> pd.DataFrame:
        return _frame(self.rules, rule="name", expression="expr", unit="unit",
                      annotation="annotation")


def _frame(items, **columns: str) -> pd.DataFrame:
    """One row per item; ``columns`` maps each output column to the item attribute it shows."""
    return pd.DataFrame(
        [{col: getattr(item, attr) for col, attr in columns.items()} for item in items],
        columns=list(columns),
    )
