"""The rate-law algebra: printing and differentiation checked against Python's own arithmetic
and central finite differences (independent of the code under test)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tallrx.errors import InternalError
from tallrx.model.network import _expr as ex

CASES = [
    "k * A * B - kd * C",
    "x**2 / (K**2 + x**2)",
    "-a/(b*c) + d",
    "1/(1 + (u/K)**h)",
    "a - (b - c)",
    "-(a+b)*c",
    "a/b/c",
    "(a*b)**2",
    "2**-1*x",
    "k*(1 - J)*D - J",
    "a - -b",
    "a/(b+c)**2",
    "x**-2",
    "(a-b)**3/c",
    "kon*(B*A - Kd*C)",
]


@pytest.mark.parametrize("text", CASES)
def test_printers_evaluate_like_python(text):
    rng = np.random.default_rng(len(text))
    e = ex.parse(text)
    env = {n: float(rng.uniform(0.5, 2.0)) for n in ex.symbols(e)}
    expected = eval(text, {}, dict(env))  # noqa: S307 - the reference is Python itself
    assert math.isclose(eval(ex.to_python(e), {}, dict(env)), expected, rel_tol=1e-12)
    antimony = ex.to_antimony(e).replace("^", "**")
    assert math.isclose(eval(antimony, {}, dict(env)), expected, rel_tol=1e-12)


@pytest.mark.parametrize("text", CASES)
def test_derivatives_match_central_differences(text):
    rng = np.random.default_rng(7)
    e = ex.parse(text)
    env = {n: float(rng.uniform(0.5, 2.0)) for n in ex.symbols(e)}
    for var in sorted(ex.symbols(e) - {"h"}):  # h is an exponent (not differentiable here)
        step = 1e-6
        hi, lo = dict(env), dict(env)
        hi[var] += step
        lo[var] -= step
        fd = (eval(text, {}, hi) - eval(text, {}, lo)) / (2 * step)  # noqa: S307
        got = eval(ex.to_python(ex.diff(e, var)), {}, dict(env))  # noqa: S307
        assert got == pytest.approx(fd, rel=1e-6, abs=1e-8), (text, var)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.1, 10), st.floats(0.1, 10), st.floats(0.1, 10))
def test_simplification_keeps_values(a, b, c):
    e = ex.parse("(a*1 + 0*b)*(c/c)**1 + b - b")
    assert eval(ex.to_python(e), {}, {"a": a, "b": b, "c": c}) == pytest.approx(a)  # noqa: S307


@pytest.mark.parametrize("bad", ["exp(x)", "x if y else z", "a[1]", "x +", "'s'"])
def test_unsupported_syntax_is_a_user_error(bad):
    with pytest.raises(InternalError, match="rate law"):
        ex.parse(bad)


def test_state_dependent_exponent_is_rejected():
    with pytest.raises(InternalError, match="exponent"):
        ex.diff(ex.parse("x**y"), "y")
