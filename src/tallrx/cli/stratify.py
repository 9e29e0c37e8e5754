"""CLI commands: stratify (registered on the shared app)."""

from __future__ import annotations

from tallrx.cli._app import app  # noqa: F401
