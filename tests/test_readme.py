"""The README's first code block holds exactly the two commands; .ci/run runs the second."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _first_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    assert block, "README.md has no fenced code block"
    return [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]


def test_first_block_has_exactly_two_commands():
    lines = _first_block()
    assert len(lines) == 2
    assert "tallrx " in lines[0] and "pytest" in lines[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _first_block()[1] in ci
