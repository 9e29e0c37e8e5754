"""`tallrx serve`: the local web workbench (see :mod:`tallrx.web`), under uvicorn."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from tallrx.cli._app import DB_HELP, app, say
from tallrx.errors import InputError


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command("serve")
def serve_command(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP.replace(
        "Record this run", "Record every run"))] = None,
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs "
                                           "--token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    max_upload_mb: Annotated[float, typer.Option(
        "--max-upload-mb", help="Largest request body in MB (bigger uploads get 413).")] = 200.0,
    token: Annotated[str | None, typer.Option(
        help="Access token every request must carry (?token=, Authorization: Bearer, or the "
             "cookie set by ?token=). Required off loopback.")] = None,
    jobs: Annotated[int, typer.Option(help="Runs executed at once; the rest wait queued.")] = 2,
    workdir: Annotated[Path | None, typer.Option(
        help="Folder for uploads and run outputs (default: a new temporary folder).")] = None,
) -> None:
    """Serve the web workbench: upload -> run -> results, runs list, model what-if."""
    import uvicorn

    from tallrx.web.app import Config, create_app

    if not is_loopback(host) and not token:
        raise InputError(f"--host {host}: serving beyond this machine needs --token "
                         "(every request must then carry it)")
    if max_upload_mb <= 0 or jobs < 1:
        raise InputError("--max-upload-mb must be > 0 and --jobs >= 1")
    if db:  # open (and migrate) the store now: a bad URL stops here, not in the first run
        from tallrx import store

        with store.open(db):
            pass
    cfg = Config(db=db, max_upload_mb=max_upload_mb, token=token, jobs=jobs, workdir=workdir,
                 loopback_only=is_loopback(host))
    shown = "localhost" if is_loopback(host) else host
    say(f"tallrx workbench on http://{shown}:{port}/" + ("?token=..." if token else ""))
    uvicorn.run(create_app(cfg), host=host, port=port, log_level="warning")
