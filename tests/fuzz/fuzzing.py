"""The fuzz harness: run ``tallrx ARGS`` in-process and check the bad-input contract.

Contract (issue 9): every input ends in exit 0 with sane output, or exit 2 with one clear line
``tallrx: error: ...`` naming what was wrong and nothing written; never a traceback, never exit 1.

Mutations work on real files' bytes (see tests/data/README.md for where the files came from):
:func:`mutated` is a hypothesis strategy of damaged copies of a file (truncated mid-line, a cell
deleted, columns swapped, wrong delimiter, UTF-16/BOM, binary noise, an Excel file renamed,
NaN / inf / 1e308 / negative / text numbers, duplicated rows, unicode names, empty, header-only).

The number of examples per test is bounded for CI (profile ``ci``); ``pytest -m fuzz`` loads the
``campaign`` profile (many more examples), see tests/fuzz/conftest.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tallrx.cli import main

#: hypothesis settings of every fuzz test: ``@FUZZ`` (a few dozen examples each in CI, 1,000 in a
#: campaign: ``pytest -m fuzz``)
CAMPAIGN = os.environ.get("TALLRX_FUZZ") == "campaign"
FUZZ = settings(
    max_examples=1000 if CAMPAIGN else 25,
    deadline=None,
    derandomize=not CAMPAIGN,
    suppress_health_check=list(HealthCheck),
)


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def invoke(args: list) -> Outcome:
    """``tallrx ARGS`` in-process -> exit code, stdout, stderr (no fixtures: hypothesis-safe)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Outcome(code, out.getvalue(), err.getvalue())


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to show that a failed run wrote nothing)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def check_contract(args: list, folder: Path) -> Outcome:
    """Run ``tallrx ARGS`` (all files under ``folder``) and assert the bad-input contract:
    exit 0, or exit 2 with one ``tallrx: error:`` line and ``folder`` unchanged; inputs never
    changed; never a traceback or exit 1."""
    before = snapshot(folder)
    res = invoke(args)
    text = res.err + res.out
    assert "Traceback" not in text, text
    assert res.code in (0, 2), f"exit {res.code} for tallrx {' '.join(map(str, args))}:\n{res.err}"
    after = snapshot(folder)
    changed = [k for k in before if after.get(k) != before[k]]
    assert not changed, f"inputs changed or removed: {changed}"
    if res.code == 2:
        errors = [ln for ln in res.err.splitlines() if ln.startswith("tallrx: error:")]
        assert len(errors) == 1, res.err
        assert len(errors[0]) > len("tallrx: error: ") + 10, res.err
        assert set(after) == set(before), f"a failed run wrote {set(after) - set(before)}"
    return res


# --------------------------------------------------------------------------- mutations

BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e308", "1e400", "-5", "0", "-1e-300", "abc", "", " ", "1,5"]
UNICODE = ["Ünïcødé", "пред", "药物", "name with space", "a\tb", '"q"', "é" * 50]


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def _cells(text: str) -> list[list[str]]:
    delim = "\t" if text.count("\t") > text.count(",") else ","
    return [ln.split(delim) for ln in text.splitlines()], delim


def _join(rows, delim) -> str:
    return "\n".join(delim.join(r) for r in rows) + "\n"


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """A damaged copy of the file ``data`` (bytes): one or two of the mutations listed above."""
    text = data.decode("utf-8", errors="replace")
    kinds = st.sampled_from(
        [
            "truncate", "delete_cell", "swap_columns", "delimiter", "utf16", "bom", "binary",
            "xlsx", "number", "duplicate_row", "unicode", "empty", "header_only", "long_field",
            "drop_column", "crlf", "blank_lines",
        ]
    )
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(kinds)
        rows, delim = _cells(text)
        if kind == "truncate":
            text = text[: draw(st.integers(0, max(len(text) - 1, 0)))]
        elif kind == "delete_cell" and rows:
            r = draw(st.integers(0, len(rows) - 1))
            if rows[r]:
                del rows[r][draw(st.integers(0, len(rows[r]) - 1))]
            text = _join(rows, delim)
        elif kind == "swap_columns" and rows and len(rows[0]) > 1:
            i, j = draw(st.integers(0, len(rows[0]) - 1)), draw(st.integers(0, len(rows[0]) - 1))
            for row in rows:
                if max(i, j) < len(row):
                    row[i], row[j] = row[j], row[i]
            text = _join(rows, delim)
        elif kind == "delimiter":
            text = text.replace(delim, draw(st.sampled_from([";", "\t", "|", " "])))
        elif kind == "utf16":
            return text.encode("utf-16")
        elif kind == "bom":
            return b"\xef\xbb\xbf" + text.encode("utf-8")
        elif kind == "binary":
            return draw(st.binary(min_size=1, max_size=2000))
        elif kind == "xlsx":
            return _xlsx_bytes()
        elif kind == "number" and len(rows) > 1:
            cells = [(r, c) for r in range(1, len(rows)) for c in range(len(rows[r]))
                     if re.fullmatch(r"\s*-?[\d.]+(e-?\d+)?\s*", rows[r][c] or "x")]
            if cells:
                for _k in range(draw(st.integers(1, 3))):
                    r, c = draw(st.sampled_from(cells))
                    rows[r][c] = draw(st.sampled_from(BAD_NUMBERS))
                text = _join(rows, delim)
        elif kind == "duplicate_row" and len(rows) > 1:
            r = draw(st.integers(1, len(rows) - 1))
            rows.insert(r, list(rows[r]))
            text = _join(rows, delim)
        elif kind == "unicode" and len(rows) > 1:
            cells = [(r, c) for r in range(1, len(rows)) for c in range(len(rows[r]))
                     if re.search(r"[A-Za-z]", rows[r][c])]
            if cells:
                r, c = draw(st.sampled_from(cells))
                rows[r][c] = draw(st.sampled_from(UNICODE))
                text = _join(rows, delim)
        elif kind == "empty":
            return b""
        elif kind == "header_only":
            text = text.splitlines()[0] + "\n" if text.strip() else ""
        elif kind == "long_field" and len(rows) > 1:
            rows[1][0] = "x" * 200_000
            text = _join(rows, delim)
        elif kind == "drop_column" and rows and len(rows[0]) > 1:
            c = draw(st.integers(0, len(rows[0]) - 1))
            text = _join([[v for k, v in enumerate(r) if k != c] for r in rows], delim)
        elif kind == "crlf":
            text = text.replace("\n", "\r\n")
        elif kind == "blank_lines":
            text = text.replace("\n", "\n\n", 3)
    return text.encode("utf-8")
