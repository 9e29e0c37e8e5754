"""tallrx command line: one verb per main job. Exit codes: 0 ok, 2 user error, 1 bug."""

from __future__ import annotations

import sys
import warnings

from tallrx.cli import (  # noqa: F401  (importing registers the commands)
    assays,
    fit,
    model,
    reproduce,
    screen,
    stratify,
    synergy,
)
from tallrx.cli._app import app, err_console
from tallrx.errors import TallrxError

__all__ = ["app", "main"]


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning as one plain line (no source path or code excerpt)."""
    err_console.print(f"tallrx: warning: {message}", markup=False)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a TallrxError becomes one line on stderr and exit code 2."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            app(args=argv, prog_name="tallrx", standalone_mode=False)
    except TallrxError as exc:
        err_console.print(f"tallrx: error: {exc}", markup=False)
        return _exit(2)
    except SystemExit as exc:  # typer/click exits (help, usage errors)
        code = exc.code if isinstance(exc.code, int) else 0
        return _exit(code)
    except Exception as exc:  # click usage errors surface as ClickException subclasses
        import click

        try:  # typer >= 0.29 raises the exceptions of its vendored click copy
            from typer._click import exceptions as vendored
        except ImportError:
            vendored = click.exceptions
        if isinstance(exc, (click.exceptions.ClickException, vendored.ClickException)):
            exc.show()
            return _exit(2)
        if isinstance(exc, (click.exceptions.Abort, vendored.Abort)):
            err_console.print("tallrx: aborted")
            return _exit(1)
        raise
    return _exit(0)


def _exit(code: int) -> int:
    if __name__ == "__main__" or sys.argv and sys.argv[0].endswith("tallrx"):
        sys.exit(code)
    return code
