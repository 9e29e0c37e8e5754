"""tallrx command line: one verb per main job.

Exit codes: 0 ok; 2 user error (a :class:`~tallrx.errors.TallrxError` or a usage error: one line
``tallrx: error: ...`` on stderr); 1 bug (one line naming a crash file that holds the traceback;
``--debug`` anywhere on the command line prints the traceback instead); 130 interrupted (Ctrl-C;
outputs are written atomically, so an interrupted command leaves none).
Long work shows rich progress bars on stderr when it is a terminal (see :mod:`tallrx.progress`);
``--quiet`` anywhere on the command line silences them and the status lines (errors and warnings
still print).
Warnings are collected while a command runs and printed once each after it (at most
:data:`MAX_WARNINGS` lines), so they never bury an error line. Every file named on the command line
is registered as an input that no output may replace.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

from tallrx.cli import (  # noqa: F401  (importing registers the commands)
    _app,
    assays,
    db,
    fit,
    model,
    reproduce,
    screen,
    serve,  # light: starlette and uvicorn load only when the command runs
    stratify,
    synergy,
    twin,
)
from tallrx.cli._app import app, err_console
from tallrx.cli._progress import show_progress
from tallrx.errors import TallrxError

__all__ = ["app", "main"]

#: the analysis commands that take ``--db URL`` and record their run in the results store
RECORDED = frozenset(
    {"screen", "fit", "stratify", "synergy", "coip", "qpcr", "blot", "simulate", "cohort",
     "reproduce"}
)
#: warning lines printed after a command; the rest are counted
MAX_WARNINGS = 8


def _is_click(exc: BaseException, name: str) -> bool:
    """True when ``exc`` is click's (or typer's vendored click's) exception class ``name``.

    Matched by class name so the handler needs no click import (typer may vendor its own copy)."""
    return any(cls.__name__ == name for cls in type(exc).__mro__)


def _crash_file(argv: list[str]) -> Path | None:
    """Write the current exception's traceback to a crash file; its path, or None if unwritable."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (
        f"tallrx crash report {stamp}\ncommand: tallrx {' '.join(argv)}\n"
        f"python: {sys.version.split()[0]}\ncwd: {os.getcwd()}\n\n{traceback.format_exc()}"
    )
    try:
        from importlib.metadata import version

        text = f"tallrx version: {version('tallrx')}\n" + text
    except Exception:  # noqa: BLE001 - the crash report must never crash
        pass
    for folder in (Path(tempfile.gettempdir()), Path.cwd()):
        try:
            fd, name = tempfile.mkstemp(prefix=f"tallrx-crash-{stamp}-", suffix=".txt", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def _print_warnings(caught: list, *, failed: bool, debug: bool) -> None:
    """Print collected warnings once each, after the command's own output: the first
    MAX_WARNINGS kinds (all with ``--debug``); after an error only their count (all with
    ``--debug``), so they never bury the error line."""
    seen: dict[str, int] = {}
    for w in caught:
        text = str(w.message)
        seen[text] = seen.get(text, 0) + 1
    if not seen:
        return
    if failed and not debug:
        err_console.print(
            f"tallrx: ({len(seen)} warning(s) before the error; --debug shows them)", markup=False
        )
        return
    shown = list(seen.items()) if debug else list(seen.items())[:MAX_WARNINGS]
    for text, count in shown:
        more = f" ({count}x)" if count > 1 else ""
        err_console.print(f"tallrx: warning: {text}{more}", markup=False)
    if len(seen) > len(shown):
        err_console.print(
            f"tallrx: ... and {len(seen) - len(shown)} more kinds of warning; "
            "--debug shows them all",
            markup=False,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return (or, as the ``tallrx`` script, exit with) its exit code."""
    from tallrx._atomic import check_target, protect, unprotect_all

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("TALLRX_DEBUG", "") not in ("", "0")
    quiet = "--quiet" in args
    args = [a for a in args if a not in ("--debug", "--quiet")]
    outs = _out_values(args)
    _app.ARGV[:] = args
    _app.QUIET[0] = quiet
    protect(a for i, a in enumerate(args) if not a.startswith("-") and not _is_out_value(args, i))
    code, failed = 0, False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            for out in outs:
                check_target(out)
            if args and args[0] in RECORDED:
                _check_store(_option_values(args, "--db"))
            with show_progress(err_console, quiet=quiet):
                rv = app(args=args, prog_name="tallrx", standalone_mode=False)
            if rv == 130:  # typer turns Ctrl-C into the exit code 130 (not an exception)
                raise KeyboardInterrupt
            if isinstance(rv, int) and not isinstance(rv, bool):
                code = rv  # typer.Exit(code) raised by a command
        except TallrxError as exc:
            failed, code = True, 2
            err_console.print(f"tallrx: error: {exc}", markup=False)
        except SystemExit as exc:  # typer/click exits (help, --version)
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except KeyboardInterrupt:
            failed, code = True, 130
            err_console.print("tallrx: interrupted; no output was written", markup=False)
        except Exception as exc:  # noqa: BLE001 - usage errors, then bugs
            failed = True
            if _is_click(exc, "ClickException"):
                code = 2
                err_console.print(f"tallrx: error: {_usage_text(exc)}", markup=False)
            elif _is_click(exc, "Abort"):
                code = 130
                err_console.print("tallrx: aborted; no output was written", markup=False)
            else:
                code = 1
                _report_bug(exc, args, debug)
        finally:
            unprotect_all()
            _app.QUIET[0] = False
    _print_warnings(caught, failed=failed, debug=debug)
    return _exit(code)


def _option_values(args: list[str], *names: str) -> list[str]:
    """The values given to the options ``names`` (``--name VALUE`` or ``--name=VALUE``)."""
    found = []
    for i, a in enumerate(args):
        if a in names and i + 1 < len(args):
            found.append(args[i + 1])
        elif a.startswith("--") and a.split("=", 1)[0] in names and "=" in a:
            found.append(a.split("=", 1)[1])
    return found


def _out_values(args: list[str]) -> list[str]:
    """The values given to ``-o`` / ``--out`` (checked before any work is done)."""
    return _option_values(args, "-o", "--out")


def _check_store(urls: list[str]) -> None:
    """Open the results store a command will record into (``--db`` or $TALLRX_DB) before any
    work, so a bad URL or an unreachable server stops the command before it writes anything."""
    if not urls and not os.environ.get("TALLRX_DB", "").strip():
        return
    from tallrx import store

    for url in urls or [None]:
        with store.open(url):
            pass


def _is_out_value(args: list[str], i: int) -> bool:
    """True when ``args[i]`` is the value of an ``-o`` / ``--out`` option."""
    return i > 0 and args[i - 1] in ("-o", "--out")


def _usage_text(exc: BaseException) -> str:
    """One line for a click usage error: the message plus the command's help hint."""
    msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    msg = " ".join(str(msg).split())
    ctx = getattr(exc, "ctx", None)
    where = f" (see 'tallrx {' '.join(ctx.command_path.split()[1:])} --help')" if ctx else ""
    return f"{msg}{where}".replace("tallrx  --help", "tallrx --help")


def _report_bug(exc: BaseException, args: list[str], debug: bool) -> None:
    """A bug: the traceback (with --debug) or one line naming the crash file."""
    if debug:
        err_console.print(traceback.format_exc(), markup=False)
        err_console.print(f"tallrx: internal error: {type(exc).__name__}: {exc}", markup=False)
        return
    crash = _crash_file(args)
    summary = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    where = f"please report it with the file {crash}" if crash else "rerun with --debug to see it"
    err_console.print(f"tallrx: internal error: {summary}; {where}", markup=False)


def _exit(code: int) -> int:
    if __name__ == "__main__" or sys.argv and sys.argv[0].endswith("tallrx"):
        sys.exit(code)
    return code
