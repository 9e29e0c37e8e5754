"""Generate NumPy code from the reaction table: right-hand side, analytic Jacobian, sparse LU.

All generated functions work on a single state ``y`` of shape ``(n,)`` or on a batch of wells
``(n, W)`` (every well its own parameter values): each line is one vectorized NumPy operation, so
the cost per line is paid once per batch, not once per well.

* ``prep(P)``: parameter-only rules (drug inhibition factors, turnover rates, ...) from the
  parameter list ``P`` (floats or ``(W,)`` arrays), computed once per condition.
* ``rhs(y, P, Q)``: d y / d t. Bases of non-integer powers that involve a state are clamped at
  zero (``np.maximum(x, 0.0)**n``, see :func:`._expr.guard_powers`), in the Jacobian too, so a
  trial step that takes a state a hair below zero gives finite rates instead of NaN.
* ``jac(y, P, Q)``: the structurally non-zero Jacobian entries, in the order of ``pattern``.
* ``factor(G)`` / ``solve(G, b)``: LU without pivoting of ``G = c*I - J`` over a fixed sparsity
  pattern (diagonal pivots, minimum-degree order, fill included), as straight-line code. ``G``
  has one row per stored entry (``slots``); ``factor`` overwrites it with L and U (the diagonal
  holds the reciprocal pivots).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import FunctionType

import numpy as np

from tallrx.model.network import _expr as ex
from tallrx.model.network._table import Network


@dataclass
class Compiled:
    """Generated functions and the index maps they rely on."""

    n: int
    prep: FunctionType
    rhs: FunctionType
    jac: FunctionType
    neg_jac_into: FunctionType  # neg_jac_into(G, y, P, Q): G's slots <- -J (fill zeroed)
    factor: FunctionType
    solve: FunctionType
    pattern: list[tuple[int, int]]  # Jacobian non-zeros (row, col), order of jac() output
    n_slots: int  # stored entries of G including fill
    jac_slots: np.ndarray  # slot of each Jacobian entry
    diag_slots: np.ndarray  # slot of each diagonal entry (species order)
    slot_rows: np.ndarray  # species row of each slot (for a dense copy of G)
    slot_cols: np.ndarray  # species column of each slot
    source: str  # the generated code (for inspection)

    def dense_jacobian(self, y, P, Q) -> np.ndarray:
        """Full (n, n) Jacobian of one state (used by the SciPy reference engine)."""
        vals = self.jac(y, P, Q)
        out = np.zeros((self.n, self.n))
        for k, (i, j) in enumerate(self.pattern):
            out[i, j] += vals[k]
        return out


def _v(name: str) -> str:
    return "v_" + name


def _bind(names, source: str, index: dict[str, int]) -> list[str]:
    return [f"    {_v(nm)} = {source}[{index[nm]}]" for nm in sorted(names, key=index.get)]


def generate(net: Network) -> Compiled:
    """Build the generated module for ``net``."""
    species = net.species_names
    sidx = net.species_index
    pidx = net.parameter_index
    prules = net.parameter_rules
    qidx = {name: i for i, name in enumerate(prules)}
    py = lambda e: ex.to_python(e, _v)  # noqa: E731
    states = set(species)
    guard = lambda e: ex.guard_powers(e, states)  # noqa: E731  (no NaN below zero)

    lines: list[str] = []
    # ---- prep: parameter rules
    used = set()
    for name in prules:
        used |= ex.symbols(net.rule_exprs[name]) & set(pidx)
    lines.append("def prep(P):")
    lines += _bind(used, "P", pidx)
    for name in prules:
        lines.append(f"    {_v(name)} = {py(net.rule_exprs[name])}")
    lines.append(f"    return [{', '.join(_v(n) for n in prules)}]")
    lines.append("")

    # ---- rhs
    rates = [net.rate_exprs[j] for j in range(len(net.reactions))]
    names_rhs = set()
    for e in rates:
        names_rhs |= ex.symbols(e)
    for name in net.state_rules:
        names_rhs |= ex.symbols(net.rule_exprs[name])
    lines.append("def rhs(y, P, Q):")
    lines += _bind(names_rhs & set(pidx), "P", pidx)
    lines += _bind(names_rhs & set(qidx), "Q", qidx)
    lines += _bind(names_rhs & set(sidx), "y", sidx)
    for name in net.state_rules:
        lines.append(f"    {_v(name)} = {py(guard(net.rule_exprs[name]))}")
    for j, e in enumerate(rates):
        lines.append(f"    r{j} = {py(guard(e))}")
    lines.append("    dy = np.empty_like(y)")
    S = net.stoichiometry
    for i in range(len(species)):
        terms = []
        for j in np.flatnonzero(S[i]):
            c = S[i, j]
            terms.append(
                ("+ " if c > 0 else "- ") + (f"{abs(c):g}*" if abs(c) != 1 else "") + f"r{j}"
            )
        expr = " ".join(terms).lstrip("+ ") if terms else "0.0"
        if expr.startswith("- "):
            expr = "-" + expr[2:]
        lines.append(f"    dy[{i}] = {expr}")
    lines.append("    return dy")
    lines.append("")

    # ---- analytic Jacobian: J[i,k] = sum_j S[i,j] * d r_j / d y_k
    entries: dict[tuple[int, int], list[ex.Expr]] = {}
    for j in range(len(net.reactions)):
        e = guard(net.expanded_rate(j))
        for sname in ex.symbols(e) & set(sidx):
            d = ex.diff(e, sname)
            if d == ex.ZERO:
                continue
            k = sidx[sname]
            for i in np.flatnonzero(S[:, j]):
                entries.setdefault((int(i), k), []).append(ex.mul(ex.Num(S[i, j]), d))
    pattern = sorted(entries)
    names_jac = set()
    for terms in entries.values():
        for t in terms:
            names_jac |= ex.symbols(t)
    lines.append("def jac(y, P, Q):")
    lines += _bind(names_jac & set(pidx), "P", pidx)
    lines += _bind(names_jac & set(qidx), "Q", qidx)
    lines += _bind(names_jac & set(sidx), "y", sidx)
    lines.append(f"    out = np.empty(({len(pattern)},) + np.shape(y)[1:])")
    for k, key in enumerate(pattern):
        lines.append(f"    out[{k}] = {py(ex.add(*entries[key]))}")
    lines.append("    return out")
    lines.append("")

    # ---- sparse LU of G = c I - J with a minimum-degree order
    n = len(species)
    struct = np.zeros((n, n), dtype=bool)
    for i, k in pattern:
        struct[i, k] = True
    struct[np.arange(n), np.arange(n)] = True
    order = _min_degree(struct | struct.T)
    A = struct[np.ix_(order, order)].copy()  # permuted pattern; symbolic LU adds fill
    for k in range(n):
        rows = np.flatnonzero(A[k + 1 :, k]) + k + 1
        cols = np.flatnonzero(A[k, k + 1 :]) + k + 1
        A[np.ix_(rows, cols)] = True
    slot = -np.ones((n, n), dtype=int)
    nz = np.argwhere(A)
    slot[nz[:, 0], nz[:, 1]] = np.arange(len(nz))
    pos = np.empty(n, dtype=int)
    pos[order] = np.arange(n)  # species index -> permuted position
    jac_slots = np.array([slot[pos[i], pos[k]] for i, k in pattern], dtype=int)
    diag_slots = np.array([slot[pos[i], pos[i]] for i in range(n)], dtype=int)

    lines += _lu_code(A, slot, order)
    lines.append("")
    # ---- jacobian written straight into the LU storage as -J (fill entries zeroed)
    fill = sorted(set(range(len(nz))) - set(jac_slots.tolist()))
    lines.append("def neg_jac_into(G, y, P, Q):")
    lines += _bind(names_jac & set(pidx), "P", pidx)
    lines += _bind(names_jac & set(qidx), "Q", qidx)
    lines += _bind(names_jac & set(sidx), "y", sidx)
    if fill:
        lines.append(f"    G[{fill}] = 0.0")
    for k, key in enumerate(pattern):
        lines.append(f"    G[{jac_slots[k]}] = {py(ex.mul(ex.Num(-1.0), ex.add(*entries[key])))}")
    lines.append("    return G")
    source = "\n".join(lines) + "\n"
    namespace: dict = {"np": np}
    exec(compile(source, "<tallrx.model generated>", "exec"), namespace)  # noqa: S102
    return Compiled(
        n=n,
        prep=namespace["prep"],
        rhs=namespace["rhs"],
        jac=namespace["jac"],
        neg_jac_into=namespace["neg_jac_into"],
        factor=namespace["factor"],
        solve=namespace["solve"],
        pattern=pattern,
        n_slots=len(nz),
        jac_slots=jac_slots,
        diag_slots=diag_slots,
        slot_rows=np.asarray(order)[nz[:, 0]],
        slot_cols=np.asarray(order)[nz[:, 1]],
        source=source,
    )


def _min_degree(sym: np.ndarray) -> list[int]:
    """Greedy minimum-degree elimination order of a symmetric sparsity pattern."""
    n = len(sym)
    adj = [set(np.flatnonzero(sym[i])) - {i} for i in range(n)]
    left = set(range(n))
    order = []
    while left:
        v = min(left, key=lambda i: (len(adj[i]), i))
        nbrs = adj[v]
        for a in nbrs:
            adj[a] |= nbrs - {a}
            adj[a].discard(v)
        left.remove(v)
        order.append(v)
    return order


def _lu_code(A: np.ndarray, slot: np.ndarray, order: list[int]) -> list[str]:
    """Straight-line code of ``factor(G)`` and ``solve(G, b)`` for the filled pattern ``A``.

    One NumPy operation per stored entry: for the batch sizes used here (a few thousand wells)
    this beats gathering entries with fancy indexing, which copies them.
    """
    n = len(A)
    lines = ["def factor(G):"]
    for k in range(n):
        d = slot[k, k]
        lines.append(f"    G[{d}] = 1.0 / G[{d}]")
        rows = np.flatnonzero(A[k + 1 :, k]) + k + 1
        cols = np.flatnonzero(A[k, k + 1 :]) + k + 1
        for i in rows:
            lines.append(f"    G[{slot[i, k]}] *= G[{d}]")
            for j in cols:
                lines.append(f"    G[{slot[i, j]}] -= G[{slot[i, k]}] * G[{slot[k, j]}]")
    lines += ["    return G", "", "def solve(G, b):", f"    x = b[{list(map(int, order))}]"]
    for i in range(n):  # forward substitution, L has a unit diagonal
        for k in np.flatnonzero(A[i, :i]):
            lines.append(f"    x[{i}] -= G[{slot[i, k]}] * x[{k}]")
    for i in range(n - 1, -1, -1):  # backward substitution; the diagonal holds 1/pivot
        for j in np.flatnonzero(A[i, i + 1 :]) + i + 1:
            lines.append(f"    x[{i}] -= G[{slot[i, j]}] * x[{j}]")
        lines.append(f"    x[{i}] *= G[{slot[i, i]}]")
    lines += [
        "    out = np.empty_like(x)",
        f"    out[{list(map(int, order))}] = x",
        "    return out",
    ]
    return lines
