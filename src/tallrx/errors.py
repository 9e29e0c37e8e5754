"""Exception and warning hierarchy of tallrx.

Every user-facing error is a :class:`TallrxError` (also a ``ValueError``) whose message names the
file / row / well, the bad value, what was expected and, where possible, a "did you mean".
The CLI prints such errors on one line and exits with code 2. This module imports nothing from tallrx.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class TallrxError(ValueError):
    """Base class of all user errors (bad input, not a bug)."""


class InputError(TallrxError):
    """An input file or table could not be read or does not have the expected content."""


class SchemaError(TallrxError):
    """A tidy table lacks required columns or holds values of the wrong kind."""


class UnitError(TallrxError):
    """An unknown concentration unit or a conversion that needs a missing molecular weight."""


class AnalysisError(TallrxError):
    """The requested analysis cannot be run on this data (e.g. no vehicle wells in a group)."""


class InternalError(RuntimeError):
    """A broken invariant of tallrx itself (built-in model or table inconsistent): a bug, exit 1.

    Never raise it for anything a user's input can cause; that is a :class:`TallrxError`.
    """


class TallrxWarning(UserWarning):
    """Base class of tallrx warnings."""


class DegenerateDataWarning(TallrxWarning):
    """Data that is analysed but flagged (flat curve, all cells dead, missing control, NaN)."""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest option, or ``""`` when none is close."""
    options = [str(o) for o in options]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        if str(word).lower() in lowered:
            close = [lowered[str(word).lower()]]
    return f" Did you mean '{close[0]}'?" if close else ""
