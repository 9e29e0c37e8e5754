"""Form fields -> the CLI's own options, read from the typer command itself (one source).

A field is named like the option without its dashes (``window``, ``n_boot`` or ``n-boot``); a flag
takes ``true``/``false`` (``on``/``off``, ``1``/``0``); an option of N values takes them separated
by commas or spaces (``window=0.1,10``). Output, store and global options are the server's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tallrx.errors import InputError

#: options a form may not set: the server chooses the output folder and the store
RESERVED = frozenset({"out", "db", "debug", "quiet", "help", "table_format"})
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no", ""}


def command_options(command: str) -> dict[str, object]:
    """``{option name: click option}`` of ``tallrx COMMAND`` (server-owned options left out;
    matched by ``param_type_name``, as typer may vendor its own click)."""
    from typer.main import get_command

    from tallrx.cli import app

    group = get_command(app)
    cmd = group.commands[command]  # type: ignore[attr-defined]
    return {p.name: p for p in cmd.params
            if p.param_type_name == "option" and p.name not in RESERVED}


def _flag_name(opts: Iterable[str]) -> str:
    return max((o for o in opts if o.startswith("--")), key=len)


def to_argv(command: str, fields: Iterable[tuple[str, str]]) -> list[str]:
    """The CLI arguments for the form ``fields`` (name, value) of ``command``; an unknown name
    or an empty required value is an :class:`InputError` naming the command's options."""
    known = command_options(command)
    argv: list[str] = []
    for raw_name, value in fields:
        name = raw_name.strip().lower().replace("-", "_")
        value = str(value).strip()
        opt = known.get(name)
        if opt is None:
            names = ", ".join(sorted(known))
            raise InputError(f"field {raw_name!r}: not an option of 'tallrx {command}'; "
                             f"its options are: {names}")
        if opt.is_flag:  # type: ignore[attr-defined]
            low = value.lower()
            if low not in _TRUE | _FALSE:
                raise InputError(f"field {raw_name!r}: expected true or false, got {value!r}")
            if low in _TRUE:
                argv.append(_flag_name(opt.opts))  # type: ignore[attr-defined]
            elif opt.secondary_opts:  # type: ignore[attr-defined]
                argv.append(_flag_name(opt.secondary_opts))  # type: ignore[attr-defined]
            continue
        if value == "":
            continue  # an empty form box keeps the CLI's default
        parts = [p for p in re.split(r"[,\s]+", value) if p] if opt.nargs > 1 else [value]  # type: ignore[attr-defined]
        if len(parts) != max(1, opt.nargs):  # type: ignore[attr-defined]
            raise InputError(f"field {raw_name!r}: expected {opt.nargs} values separated by "  # type: ignore[attr-defined]
                             f"commas, got {value!r}")
        if any(p.startswith("--") for p in parts):
            raise InputError(f"field {raw_name!r}: a value may not start with '--'")
        flag = _flag_name(opt.opts)  # type: ignore[attr-defined]
        argv += [f"{flag}={parts[0]}"] if len(parts) == 1 else [flag, *parts]
    return argv
