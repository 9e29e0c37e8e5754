"""Condition levels as users type them: '250' matches 250.0, '-' matches '-'."""

from __future__ import annotations


def fmt_level(value: object) -> str:
    """A condition value as text: 250.0 -> '250', '-' -> '-'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def same_level(a: object, b: object) -> bool:
    """True when two condition values mean the same level (as text or as numbers)."""
    if fmt_level(a) == fmt_level(b):
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False
