"""Import direction (docs/architecture.md): data flows one way; io and model are independent; analysis is pure.

An AST scan of every module, so a forbidden import anywhere (including inside a function) fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tallrx"

# layer rank: a module may import its own layer or lower ones, never a higher one
RANK = {
    "errors": 0,
    "schema": 1, "units": 1, "_result": 1, "_atomic": 1, "plate": 1, "paper": 1, "_lazy": 0,
    "progress": 1, "_csv": 0,
    "_moved": 7,
    "io": 2, "model": 2,
    "analysis": 3, "tidy": 3, "store": 3, "parallel": 3,
    "testing": 4, "reproduce": 4, "workflows": 4, "calibration": 4,
    "plots": 5, "report": 5,
    "cli": 6, "web": 6,
    "__init__": 7, "__main__": 7,
}
FORBIDDEN = {  # same-or-lower rank edges that are still not allowed
    "io": {"model"},
    "model": {"io", "analysis", "tidy"},
    "analysis": {"io", "model"},
    "tidy": {"io", "model"},
}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
    return [(ln, m) for ln, m in out if m == "tallrx" or m.startswith("tallrx.")]


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        yield ".".join(rel.parts), path


@pytest.mark.parametrize("module,path", list(_modules()), ids=lambda x: str(x))
def test_import_direction(module, path):
    here = _layer(module)
    if here.endswith(".py"):
        here = here[:-3]
    assert here in RANK, f"{module}: add its layer to RANK in tests/test_architecture.py"
    for lineno, target in _imports(path):
        there = _layer(target)
        if there == "__init__" or there == here:
            continue
        assert there in RANK, f"{path}:{lineno}: unknown layer {there}"
        assert RANK[there] <= RANK[here], (
            f"{path}:{lineno}: {here} (layer {RANK[here]}) imports {target} (layer {RANK[there]})"
        )
        assert there not in FORBIDDEN.get(here, set()), f"{path}:{lineno}: {here} must not import {there}"


def test_layer_table_catches_a_violation(tmp_path):
    """The checker itself can fail: analysis importing io is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from tallrx.io import plates\n")
    assert _imports(bad) == [(1, "tallrx.io")]
    assert "io" in FORBIDDEN["analysis"]
