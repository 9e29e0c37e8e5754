"""Healthy-donor DSS tables: FIMM's wide shape and the long shape read to the same long table."""

from __future__ import annotations

import pytest

from tallrx.errors import InputError
from tallrx.io.assays.dss_controls import read_dss_controls


def test_wide_and_long_tables_agree(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("Donor,Dasatinib,Venetoclax\nHD1,4.5,10\nHD2,6.5,\nHD3,5,12\n")
    long = tmp_path / "long.tsv"
    long.write_text("drug\tdonor\tDSS\nDasatinib\tHD1\t4.5\nDasatinib\tHD2\t6.5\n"
                    "Dasatinib\tHD3\t5\nVenetoclax\tHD1\t10\nVenetoclax\tHD3\t12\n")
    a = read_dss_controls(wide).sort_values(["drug", "donor"]).reset_index(drop=True)
    b = read_dss_controls(long).sort_values(["drug", "donor"]).reset_index(drop=True)
    assert list(a.columns) == ["drug", "donor", "dss"]
    assert a.equals(b)
    assert len(a) == 5  # the empty cell is a missing donor, not a zero


def test_a_non_number_names_row_and_drug(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("donor,Dasatinib\nHD1,4.5\nHD2,high\n")
    with pytest.raises(InputError, match=r"row 3, drug 'Dasatinib'.*'high' is not a number"):
        read_dss_controls(f)


def test_one_column_is_refused(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("donor\nHD1\n")
    with pytest.raises(InputError, match="expected healthy-donor DSS"):
        read_dss_controls(f)
