"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import pytest

from tallrx.cli import main


@pytest.fixture
def run(capsys):
    """``run(args)``: ``tallrx ARGS`` in-process -> (exit code, stderr text)."""

    def call(args: list) -> tuple[int, str]:
        code = main([str(a) for a in args])
        return code, capsys.readouterr().err

    return call
