"""read_delimited's direct C-parser path (plain UTF-8 text) gives the same table as the general
reader (whole file decoded), and falls back to it for encodings it does not handle."""

from __future__ import annotations

import pandas as pd
import pytest

from tallrx.errors import InputError
from tallrx.io.assays.synergyfinder import _any_table, _plain_utf8_table, read_delimited

ROWS = [("s1", "pred", 0.1 * k, "sel", 0.01 * k, 100.0 - k) for k in range(3000)]
HEADER = "sample,drug_a,conc_a,drug_b,conc_b,viability"


def _write(path, sep=",", newline="\n", encoding="utf-8", last="s1"):
    lines = [HEADER.replace(",", sep)]
    lines += [sep.join(map(str, r)) for r in ROWS[:-1]]
    lines.append(sep.join(map(str, (last, *ROWS[-1][1:]))))
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


@pytest.mark.parametrize("sep,newline", [(",", "\n"), (";", "\r\n"), ("\t", "\n")])
def test_fast_path_equals_general_reader(tmp_path, sep, newline):
    p = _write(tmp_path / "t.csv", sep, newline)
    fast = _plain_utf8_table(p)
    assert fast is not None and fast.attrs["delimiter"] == sep
    pd.testing.assert_frame_equal(fast, _any_table(p))
    assert fast.shape == (3000, 6) and fast.viability.iloc[-1] == 100.0 - 2999


def test_legacy_bytes_past_the_sniffed_head_fall_back(tmp_path):
    """A Windows-1252 'µ' in the last row (beyond the first 64 KiB) is not UTF-8: the general
    reader decodes it."""
    p = _write(tmp_path / "t.csv", encoding="cp1252", last="sµ")
    assert p.stat().st_size > 65_536
    assert _plain_utf8_table(p) is None
    assert read_delimited(p)["sample"].iloc[-1] == "sµ"


@pytest.mark.parametrize(
    "data", [b"\xef\xbb\xbfa,b\n1,2\n", b"a,b\r1,2\r", "a,b\n1,2\n".encode("utf-16")]
)
def test_bom_bare_cr_and_utf16_use_the_general_reader(tmp_path, data):
    p = tmp_path / "t.csv"
    p.write_bytes(data)
    assert _plain_utf8_table(p) is None
    assert list(read_delimited(p).columns) == ["a", "b"]


def test_ragged_text_is_a_one_line_input_error(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2\n1,2,3,4\n")
    with pytest.raises(InputError, match="t.csv"):
        read_delimited(p)
