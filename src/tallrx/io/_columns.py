"""Column-name aliases shared by the layout and long-table readers.

Names are compared after :func:`normalize_name` (lower case, spaces/dashes/dots -> ``_``), so
``Drug 2``, ``drug-2`` and ``DRUG_2`` all match the alias ``drug_2``.
"""

from __future__ import annotations

import difflib
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from tallrx.errors import DegenerateDataWarning, InputError, SchemaError, did_you_mean


def normalize_name(name: object) -> str:
    """Comparable form of a column name: 'Conc. (uM)' -> 'conc_(um)'."""
    text = re.sub(r"[\s\-./]+", "_", str(name).strip().lower())
    return text.strip("_")


def match_columns(
    columns: Iterable[object], aliases: Mapping[str, tuple[str, ...]], where: str
) -> dict[str, object]:
    """Map canonical names to the (first and only) column matching one of their aliases.

    Two columns meaning the same thing (``drug`` and ``compound``) raise a SchemaError.
    """
    found: dict[str, object] = {}
    for column in columns:
        key = normalize_name(column)
        for canonical, names in aliases.items():
            if key in names:
                if canonical in found:
                    raise SchemaError(
                        f"{where}: columns '{found[canonical]}' and '{column}' both give "
                        f"'{canonical}'; keep one of them"
                    )
                found[canonical] = column
                break
    return found


_TRUE = {"1", "1.0", "true", "yes", "y", "x", "excluded", "exclude"}
_FALSE = {"", "0", "0.0", "false", "no", "n", "nan"}


def parse_flag(text: object, where: str) -> bool:
    """Boolean of a flag cell (1/0, true/false, yes/no, x/empty); InputError otherwise."""
    key = str(text).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InputError(
        f"{where}: flag value '{text}' is not understood; use 1/0, true/false or yes/no"
    )


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def misspelled(
    columns: Iterable[object],
    found: Mapping[str, object],
    aliases: Mapping[str, tuple[str, ...]],
    wanted: Iterable[str],
) -> tuple[object, str] | None:
    """(column, alias) when an unmatched column looks like a typo of an alias of a missing
    canonical name in ``wanted`` (1 edit for names up to 5 letters, 2 for longer), else None.

    >>> misspelled(["drgu", "conc"], {"conc_a": "conc"}, {"drug_a": ("drug",)}, ["drug_a"])
    ('drgu', 'drug')
    """
    used = set(found.values())
    options = [
        (alias, c) for c in wanted if c not in found for alias in aliases[c] if len(alias) >= 3
    ]
    for column in columns:
        if column in used:
            continue
        key = normalize_name(column)
        for alias, _ in options:
            if edit_distance(key, alias) <= (1 if len(alias) <= 5 else 2):
                return column, alias
    return None


def close_hint(columns: Iterable[object], options: Iterable[str]) -> str:
    """' Did you mean ...' for the column closest to any of ``options`` (difflib), or ''."""
    names = {normalize_name(c): c for c in columns}
    for option in options:
        close = difflib.get_close_matches(option, list(names), n=1, cutoff=0.6)
        if close:
            return f" Did you mean column '{names[close[0]]}' (rename it to '{option}')?"
    return ""


def check_names_match(
    given: Iterable[str],
    known: Sequence[str],
    *,
    stray: Callable[[int, str], str],
    unmatched: Callable[[list[str]], str],
    also: Iterable[str] = (),
) -> None:
    """Two lists of names (plates, experiments) must pair up: every ``given`` name is ``known``
    and every ``known`` name is given (or in ``also``, names left out on purpose).

    Otherwise an :class:`InputError`: ``stray(position, name)`` at the first given name that is
    not known, or ``unmatched(names)`` for the known names nobody gave, each followed by a
    did-you-mean hint.
    """
    given = list(given)
    for i, name in enumerate(given):
        if name not in known:
            raise InputError(stray(i, name) + did_you_mean(name, known))
    listed = [*given, *also]
    left = [name for name in known if name not in set(listed)]
    if left:
        raise InputError(unmatched(left) + did_you_mean(left[0], listed))


_IO_DIR = str(Path(__file__).resolve().parent)


def warn(message: str) -> None:
    """Issue a DegenerateDataWarning attributed to the first caller outside tallrx.io."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_IO_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, DegenerateDataWarning, stacklevel=level)
