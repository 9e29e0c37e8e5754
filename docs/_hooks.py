"""MkDocs hook: API pages list public names; the defining module is found at build time.

A page line ``<!-- api: tallrx.io -->`` becomes one mkdocstrings block per name in the package's
``__all__`` (or ``tallrx._API`` for the top level), pointing at the module that defines the name
today. Packages export names lazily (PEP 562), which static analysis cannot follow, and modules
move inside packages: resolving here keeps the reference pages right after a move, and a name that
no longer resolves fails the strict build.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

_MARK = re.compile(r"^<!-- api: ([\w.]+)(?: skip=([\w,]+))? -->$", re.M)


def _names(package: str) -> list[str]:
    mod = importlib.import_module(package)
    if package == "tallrx":
        return list(dict.fromkeys(["Result", "load_result", "TallrxError", *mod._API]))
    return list(mod.__all__)


def _defining_module(package: str, name: str, obj: object) -> str:
    """The module under ``package`` whose source assigns ``name`` (for constants and instances)."""
    holders = [m for m in list(sys.modules.values())
               if getattr(m, "__name__", "").startswith(package) and vars(m).get(name) is obj]
    assigns = re.compile(rf"^{re.escape(name)}\s*[:=]", re.M)
    for mod in holders:
        path = getattr(mod, "__file__", None)
        if path and assigns.search(Path(path).read_text(encoding="utf-8")):
            return mod.__name__
    return package


def _target(package: str, name: str) -> str:
    """``module.name`` where ``name`` is defined today."""
    try:
        obj = getattr(importlib.import_module(package), name)
    except AttributeError as exc:  # a lazy export whose module moved without updating the table
        raise PluginError(f"API page: {package}.{name} does not resolve: {exc}") from exc
    module = getattr(obj, "__module__", None)
    if isinstance(module, str) and module.startswith("tallrx") and hasattr(obj, "__qualname__"):
        return f"{module}.{obj.__qualname__}"
    return f"{_defining_module(package, name, obj)}.{name}"


def _block(match: re.Match) -> str:
    package, skip = match.group(1), set((match.group(2) or "").split(","))
    out = []
    for name in _names(package):
        if name in skip:
            continue
        public = f"{package}.{name}"
        out.append(f"::: {_target(package, name)}\n    options:\n      heading: \"{public}\"\n"
                   f"      toc_label: \"{name}\"\n")
    return "\n".join(out)


def on_page_markdown(markdown: str, page, config, **_) -> str:
    """Expand every ``<!-- api: PACKAGE -->`` line; the Contributing page is CONTRIBUTING.md."""
    if page.file.src_uri == "contributing.md":  # one source: the repository's CONTRIBUTING.md
        root = Path(config.config_file_path).parent
        markdown = (root / "CONTRIBUTING.md").read_text(encoding="utf-8").replace("](docs/", "](")
    return _MARK.sub(_block, markdown)
