"""tallrx.web: the local web workbench behind ``tallrx serve`` (Starlette + Jinja2 pages, a JSON
API, runs executed by the CLI itself in a queue). Public names load on first use."""

from __future__ import annotations

from tallrx._lazy import lazy_exports

_NAMES = {"create_app": ".app", "Config": ".app", "RunQueue": ".runs", "safe_name": ".runs"}
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
__all__ = list(_NAMES)
