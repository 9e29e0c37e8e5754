"""A tiny expression algebra for rate laws: parse, simplify, differentiate, print.

Rate laws in the reaction table are plain arithmetic strings over species, parameters and rule
names (``+ - * / **``, numbers, names; no function calls). This module turns them into trees
that can be differentiated exactly (the batched solver's analytic Jacobian) and printed as
NumPy code or as Antimony/SBML infix, so every engine is generated from the same text.

>>> e = parse("k * A * B - kd * C")
>>> to_python(diff(e, "A"))
'k*B'
>>> to_antimony(parse("x**2 / (K**2 + x**2)"))
'x^2/(K^2 + x^2)'
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import reduce

from tallrx.errors import InternalError

__all__ = [
    "Expr",
    "Num",
    "Sym",
    "parse",
    "diff",
    "symbols",
    "substitute",
    "to_python",
    "to_antimony",
    "add",
    "mul",
    "power",
    "Pos",
    "guard_powers",
]


class Expr:
    """Base class of expression nodes (immutable, hashable)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Num(Expr):
    value: float


@dataclass(frozen=True, slots=True)
class Sym(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Add(Expr):
    terms: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Mul(Expr):
    factors: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Pow(Expr):
    base: Expr
    exp: Expr


@dataclass(frozen=True, slots=True)
class Pos(Expr):
    """``max(arg, 0)``: the non-negative part of a state (see :func:`guard_powers`)."""

    arg: Expr


ZERO, ONE = Num(0.0), Num(1.0)


def _is_integer(e: Expr) -> bool:
    return isinstance(e, Num) and float(e.value).is_integer()


def guard_powers(e: Expr, names: set[str]) -> Expr:
    """Wrap in :class:`Pos` every base of a non-integer power that uses one of ``names``.

    States are non-negative in exact arithmetic, but a stiff solver's trial step can take one a
    hair below zero, where ``x ** 3.3`` is NaN and the step size collapses. With the base
    clamped at zero the rate law is unchanged on the non-negative states (where the solution
    lives) and finite everywhere. Integer powers (``x**2``) and divisions need no guard.

    >>> to_python(guard_powers(parse("E**n/(K**n + E**n) + E**2"), {"E"}))
    'np.maximum(E, 0.0)**n/(K**n + np.maximum(E, 0.0)**n) + (E*E)'
    """
    if isinstance(e, (Num, Sym)):
        return e
    if isinstance(e, Pos):
        return Pos(guard_powers(e.arg, names))
    if isinstance(e, Add):
        return add(*(guard_powers(t, names) for t in e.terms))
    if isinstance(e, Mul):
        return mul(*(guard_powers(f, names) for f in e.factors))
    base, exp = guard_powers(e.base, names), guard_powers(e.exp, names)
    if not _is_integer(exp) and symbols(base) & names and not isinstance(base, Pos):
        base = Pos(base)
    return power(base, exp)


def add(*terms: Expr) -> Expr:
    """Sum with flattening and constant folding."""
    flat: list[Expr] = []
    const = 0.0
    for t in terms:
        for u in t.terms if isinstance(t, Add) else (t,):
            if isinstance(u, Num):
                const += u.value
            else:
                flat.append(u)
    if const != 0.0:
        flat.insert(0, Num(const))
    if not flat:
        return ZERO
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def mul(*factors: Expr) -> Expr:
    """Product with flattening, constant folding and zero/one elimination."""
    flat: list[Expr] = []
    const = 1.0
    for f in factors:
        for u in f.factors if isinstance(f, Mul) else (f,):
            if isinstance(u, Num):
                const *= u.value
            else:
                flat.append(u)
    if const == 0.0:
        return ZERO
    if const != 1.0:
        flat.insert(0, Num(const))
    if not flat:
        return ONE
    return flat[0] if len(flat) == 1 else Mul(tuple(flat))


def power(base: Expr, exp: Expr) -> Expr:
    """``base ** exp`` with trivial cases folded."""
    if isinstance(exp, Num):
        if exp.value == 0.0:
            return ONE
        if exp.value == 1.0:
            return base
        if isinstance(base, Num):
            return Num(base.value**exp.value)
        if isinstance(base, Pow) and isinstance(base.exp, Num):
            return power(base.base, Num(base.exp.value * exp.value))
    return Pow(base, exp)


def neg(e: Expr) -> Expr:
    return mul(Num(-1.0), e)


def div(a: Expr, b: Expr) -> Expr:
    return mul(a, power(b, Num(-1.0)))


_BINOPS = {
    ast.Add: lambda a, b: add(a, b),
    ast.Sub: lambda a, b: add(a, neg(b)),
    ast.Mult: lambda a, b: mul(a, b),
    ast.Div: div,
    ast.Pow: power,
}


def parse(text: str) -> Expr:
    """Parse an arithmetic rate-law string; anything else is an InternalError (rate laws come from the built-in table: a bug)."""
    try:
        tree = ast.parse(str(text), mode="eval").body
    except SyntaxError as exc:
        raise InternalError(f"rate law {text!r} is not valid arithmetic: {exc.msg}") from None
    return _convert(tree, text)


def _convert(node: ast.AST, text: str) -> Expr:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_convert(node.left, text), _convert(node.right, text))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _convert(node.operand, text)
        return neg(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Name):
        return Sym(node.id)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return Num(float(node.value))
    raise InternalError(
        f"rate law {text!r}: only + - * / ** numbers and names are allowed, "
        f"found {ast.unparse(node)!r}"
    )


def symbols(e: Expr) -> set[str]:
    """Names used in ``e``."""
    if isinstance(e, Sym):
        return {e.name}
    if isinstance(e, Num):
        return set()
    if isinstance(e, Add):
        return set().union(*(symbols(t) for t in e.terms))
    if isinstance(e, Mul):
        return set().union(*(symbols(f) for f in e.factors))
    if isinstance(e, Pos):
        return symbols(e.arg)
    return symbols(e.base) | symbols(e.exp)


def substitute(e: Expr, mapping: dict[str, Expr]) -> Expr:
    """Replace names by expressions (rebuilt with simplification)."""
    if isinstance(e, Sym):
        return mapping.get(e.name, e)
    if isinstance(e, Num):
        return e
    if isinstance(e, Add):
        return add(*(substitute(t, mapping) for t in e.terms))
    if isinstance(e, Mul):
        return mul(*(substitute(f, mapping) for f in e.factors))
    if isinstance(e, Pos):
        return Pos(substitute(e.arg, mapping))
    return power(substitute(e.base, mapping), substitute(e.exp, mapping))


def diff(e: Expr, var: str) -> Expr:
    """Exact derivative d e / d var."""
    if isinstance(e, Num):
        return ZERO
    if isinstance(e, Sym):
        return ONE if e.name == var else ZERO
    if var not in symbols(e):
        return ZERO
    if isinstance(e, Pos):  # the derivative on the non-negative side (where states live); a
        return diff(e.arg, var)  # guarded power x^n (n > 1) is flat at x <= 0 all the same
    if isinstance(e, Add):
        return add(*(diff(t, var) for t in e.terms))
    if isinstance(e, Mul):
        parts = []
        for i, f in enumerate(e.factors):
            d = diff(f, var)
            if d != ZERO:
                parts.append(mul(*e.factors[:i], d, *e.factors[i + 1 :]))
        return add(*parts)
    base, exp = e.base, e.exp
    if var in symbols(exp):
        raise InternalError("exponents that depend on a state variable are not supported")
    # d(b^n) = n * b^(n-1) * db
    return mul(exp, power(base, add(exp, Num(-1.0))), diff(base, var))


# ----------------------------------------------------------------------------------- printing
def _num(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _printer(pow_op: str, expand_small_powers: bool, name=lambda s: s):
    def p(e: Expr, prec: int = 0) -> str:
        if isinstance(e, Num):
            s = _num(e.value)
            return f"({s})" if e.value < 0 and prec > 0 else s
        if isinstance(e, Sym):
            return name(e.name)
        if isinstance(e, Pos):
            x = p(e.arg, 0)
            return f"np.maximum({x}, 0.0)" if pow_op == "**" else f"max({x}, 0)"
        if isinstance(e, Add):
            terms = list(e.terms)
            if isinstance(terms[0], Num) and terms[0].value < 0:
                terms.append(terms.pop(0))
            out = p(terms[0], 1)
            for t in terms[1:]:
                c, rest = _split_sign(t)
                if c < 0:
                    out += " - " + p(rest, 2)
                else:
                    out += " + " + p(t, 1)
            s = out
            return f"({s})" if prec > 1 else s
        if isinstance(e, Mul):
            num, den = [], []
            for f in e.factors:
                if isinstance(f, Pow) and isinstance(f.exp, Num) and f.exp.value < 0:
                    den.append(power(f.base, Num(-f.exp.value)))
                else:
                    num.append(f)
            lead = ""
            if num and isinstance(num[0], Num) and num[0].value == -1.0:
                lead, num = "-", num[1:]
            top = "*".join(p(f, 3) for f in num) if num else "1"
            s = lead + top
            if den:
                bottom = "*".join(p(f, 3) for f in den)
                s += "/" + (f"({bottom})" if len(den) > 1 else p(den[0], 4))
            return f"({s})" if prec > 2 or (lead and prec > 0) else s
        base, exp = e.base, e.exp
        if isinstance(exp, Num) and exp.value < 0:
            return p(Mul((ONE, e)), prec)
        if expand_small_powers and isinstance(exp, Num) and exp.value in (2.0, 3.0, 4.0):
            b = p(base, 3)
            return "(" + "*".join([b] * int(exp.value)) + ")"
        s = f"{p(base, 5)}{pow_op}{p(exp, 5)}"
        return f"({s})" if prec > 3 else s

    return p


def _split_sign(t: Expr) -> tuple[float, Expr]:
    if isinstance(t, Num):
        return (t.value, Num(-t.value)) if t.value < 0 else (1.0, t)
    if isinstance(t, Mul) and isinstance(t.factors[0], Num) and t.factors[0].value < 0:
        return -1.0, mul(Num(-t.factors[0].value), *t.factors[1:])
    return 1.0, t


def to_python(e: Expr, name=lambda s: s) -> str:
    """NumPy-friendly Python source (small integer powers expanded to products)."""
    return _printer("**", True, name)(e)


def to_antimony(e: Expr) -> str:
    """Antimony / SBML L3 infix (``^`` for powers)."""
    return _printer("^", False)(e)


def count_ops(e: Expr) -> int:
    """Rough number of arithmetic operations (for code-size reports)."""
    if isinstance(e, (Num, Sym)):
        return 0
    if isinstance(e, Add):
        return len(e.terms) - 1 + sum(count_ops(t) for t in e.terms)
    if isinstance(e, Mul):
        return len(e.factors) - 1 + sum(count_ops(f) for f in e.factors)
    if isinstance(e, Pos):
        return 1 + count_ops(e.arg)
    return 1 + count_ops(e.base) + count_ops(e.exp)


def product(items) -> Expr:
    return reduce(lambda a, b: mul(a, b), items, ONE)
