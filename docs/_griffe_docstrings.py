"""Griffe extension for the API pages: numpydoc docstrings written for the terminal read well in HTML.

* A bare doctest (``>>>`` lines outside an ``Examples`` section) becomes a fenced ``pycon`` block,
  so ``x[0]`` in it is not read as a Markdown reference link.
* Sphinx roles (``:func:`~tallrx.io.read_plates```) become code spans naming the object.

It changes only what the site shows, never the source or the doctests.
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([\w.]+)`")
_DASHES = re.compile(r"^\s*-{3,}\s*$")


def _role(match: re.Match) -> str:
    tilde, path = match.groups()
    return f"`{path.rsplit('.', 1)[-1] if tilde else path}`"


def fence_doctests(text: str) -> str:
    """Fence runs of ``>>>`` lines (and their output) that are not in an Examples section."""
    lines, out, i, in_examples, in_fence = text.splitlines(), [], 0, False, False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not in_fence and _DASHES.match(nxt) and line.strip():
            in_examples = line.strip().lower() in ("examples", "example")
        if not in_fence and not in_examples and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            out += ["", "```pycon", *block, "```", ""]  # at column 0: never an indented code block
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class DocstringsForHTML(griffe.Extension):
    """Rewrite docstrings once the object tree is built (see the module docstring)."""

    def on_object(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(_role, fence_doctests(obj.docstring.value))
