"""The io package's one text-table reader (tallrx.io._cells): decoding and delimiter sniffing.

Expected values are written by hand from the bytes in each case.
"""

from __future__ import annotations

import pytest

from tallrx.errors import InputError
from tallrx.io._cells import decode, read_text, sniff_delimiter, text_table


@pytest.mark.parametrize(
    "data",
    [
        "well,µM\n".encode(),
        "\ufeffwell,µM\n".encode("utf-8"),
        "well,µM\n".encode("utf-16"),  # with BOM
        "well,µM\n".encode("utf-16-le"),  # no BOM: every high byte NUL
        "well,µM\n".encode("utf-16-be"),
        "well,µM\n".encode("cp1252"),  # legacy Windows export: 0xB5 is not UTF-8
        "well,µM\r\n".encode(),
    ],
)
def test_every_encoding_decodes_to_the_same_text(data):
    assert decode(data, "x.csv") == "well,µM\n"


@pytest.mark.parametrize(
    "data", [b"a\x00b\x00c", b"\x00\x01\x02garbage\x00" * 50, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"]
)
def test_binary_bytes_are_an_error_naming_the_file(data):
    with pytest.raises(InputError, match=r"^x\.csv: is a binary file, not a table$"):
        decode(data, "x.csv", what="a table")


@pytest.mark.parametrize(
    "text,delimiter",
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        # a European export: ';' separates, ',' is the decimal mark (as many commas as semicolons)
        ("dose;viability\n0,5;98,5\n1,5;70,25\n", ";"),
        # metadata lines first (csv.Sniffer cannot tell): the counting rule picks the tab
        ("Software Version\t3.08\nPlate Type\t96 WELL\n\nA1\t0.5\t0.6\t0.7\nB1\t1\n", "\t"),
        ("signal\n1\n2\n", ","),  # one column: comma by default
    ],
)
def test_sniff_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_text_table_keeps_the_delimiter_and_reads_decimal_commas_as_text(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_bytes("dose;viability\n0,5;98,5\n".encode("utf-16"))
    df = text_table(read_text(p, what="a table"), where=str(p), what="a table", dtype=str)
    assert df.attrs["delimiter"] == ";"
    assert df.to_dict("list") == {"dose": ["0,5"], "viability": ["98,5"]}


def test_read_text_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: no such file; expected a table"):
        read_text(tmp_path / "nope.csv", what="a table")
    with pytest.raises(InputError, match=r"is a folder; expected a table"):
        read_text(tmp_path, what="a table")
    with pytest.raises(InputError, match=r"the file is empty; expected a table"):
        text_table("\n\n", where="e.csv", what="a table")
