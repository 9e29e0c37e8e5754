"""Decimal commas and thousands separators in co-IP / blot / qPCR tables (issue 10, io point 3).

Before the fix every comma was stripped, so a European '1,5' read as 15. The convention is now
decided per column from all its values (and a ';' delimiter); a value that still reads two ways
is an error naming the file, column, value and the fix. Expected numbers are worked by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError
from tallrx.io.assays._tables import to_number
from tallrx.io.assays.blots import read_bands
from tallrx.io.assays.maxquant import read_coip_table


def _num(cells, delimiter=None):
    return to_number(pd.Series(cells, dtype=object), where="t.csv", column="x",
                     delimiter=delimiter).tolist()


@pytest.mark.parametrize(
    "cells,delimiter,expected",
    [
        (["1,5", "2,25"], ";", [1.5, 2.25]),  # European export
        (["1,5", "2,25"], None, [1.5, 2.25]),  # '1,5' cannot be a thousands separator
        (["0,125"], ",", [0.125]),  # a leading 0 never opens a thousands group
        (["1,234,567", "12"], None, [1234567.0, 12.0]),
        (["5,720.5", "3"], None, [5720.5, 3.0]),
        (["1,234", "0.5"], None, [1234.0, 0.5]),  # '0.5' shows the decimal mark is '.'
        (["1,234", "0,5"], None, [1.234, 0.5]),  # '0,5' shows the decimal mark is ','
        (["1,234"], ";", [1.234]),  # ';' delimiter: a decimal-comma locale
        (["1.234,5", "2,5"], None, [1234.5, 2.5]),  # '.' thousands, ',' decimals
        (["1.234", "2,5"], None, [1234.0, 2.5]),  # in a decimal-comma column '.' groups
        (["1,5E+07", "2,25e6"], None, [1.5e7, 2.25e6]),  # Perseus / Excel, German locale
        (["-1,5", "+2,5"], ";", [-1.5, 2.5]),
        (["1.234", "12.5"], None, [1.234, 12.5]),  # no comma anywhere: plain numbers
        (["1,234,567", "0,5"], None, [1234567.0, 0.5]),  # each reads one way only
    ],
)
def test_number_conventions(cells, delimiter, expected):
    assert _num(cells, delimiter) == pytest.approx(expected)


def test_missing_words_stay_nan():
    out = _num(["5,720.5", "n/a", "", None])
    assert out[0] == 5720.5 and np.isnan(out[1:]).all()


@pytest.mark.parametrize(
    "cells,delimiter,message",
    [
        # '1,234' is 1.234 (decimal comma) or 1234 (thousands): nothing else in the column says
        (["1,234", "7"], None, r"t\.csv row 2: column 'x' holds '1,234'.*1\.234.*1234"),
        (["12", "1,234"], "\t", r"t\.csv row 3: column 'x' holds '1,234'"),
        # the column mixes a decimal comma and a decimal point: '1,234' cannot be settled
        (["1,5", "0.5", "1,234"], None, r"t\.csv row 4: column 'x' holds '1,234'.*'1,5'.*'0.5'"),
        # in a ';' table without a decimal comma, '1.234' may be 1234 (a thousands dot)
        (["1.234", "7"], ";", r"t\.csv row 2: column 'x' holds '1\.234'"),
        (["1,2,3"], None, r"t\.csv row 2: column 'x' holds '1,2,3'; expected a number"),
    ],
)
def test_ambiguous_values_are_errors_naming_file_column_value_and_fix(cells, delimiter, message):
    with pytest.raises(InputError, match=message) as err:
        _num(cells, delimiter)
    if "1,2,3" not in cells:
        assert "decimal point" in str(err.value)  # the fix: plain numbers with a decimal point


@pytest.mark.parametrize(
    "reader,column,text,expected",
    [
        # a semicolon-delimited export (German Excel): 1,5 and 2,25 (the old reader: 15 and 225)
        (read_bands, "intensity",
         "blot;lane;sample;target;intensity\nB1;1;a;pERK;1,5\nB1;2;b;pERK;2,25\n", [1.5, 2.25]),
        (read_coip_table, "ibaq", "sample;protein;ibaq\nIP1;NR3C1;1,5E+07\nIP1;BIM;1,234\n",
         [1.5e7, 1.234]),
        (read_coip_table, "ibaq",
         'sample,protein,ibaq\nIP1,NR3C1,"15,000,000"\nIP1,BIM,"1,234"\n', [15_000_000.0, 1234.0]),
    ],
)
def test_european_and_english_tables(tmp_path, reader, column, text, expected):
    p = tmp_path / "table.csv"
    p.write_text(text)
    assert reader(p)[column].tolist() == pytest.approx(expected)


def test_an_ambiguous_comma_table_is_an_error_naming_the_file(tmp_path):
    p = tmp_path / "bands.tsv"
    p.write_text("blot\tlane\tsample\ttarget\tintensity\nB1\t1\ta\tpERK\t1,234\nB1\t2\tb\tpERK\t7\n")
    with pytest.raises(InputError, match=r"bands\.tsv row 2: column 'intensity' holds '1,234'"):
        read_bands(p)


def test_plate_layouts_read_decimal_commas_the_same_way(tmp_path):
    """A German layout: 0,5 uM prednisolone is 0.5 uM; in a tab layout '1,234' nM is refused at
    its line and well (1.234 nM and 1234 nM differ a thousandfold)."""
    from tallrx.io import read_layout

    eu = tmp_path / "layout.csv"
    eu.write_text("well;drug;conc;unit\nA1;prednisolone;0,5;uM\nA2;DMSO;0;uM\n")
    assert read_layout(eu)["conc_a"].tolist() == [0.5, 0.0]
    tab = tmp_path / "layout.tsv"
    tab.write_text("well\tdrug\tconc\tunit\nA1\tprednisolone\t1,234\tnM\nA2\tDMSO\t0\tuM\n")
    with pytest.raises(InputError, match=r"layout\.tsv line 2 \(well A1\): column 'conc' holds"):
        read_layout(tab)


def test_condition_columns_read_decimal_commas_too(tmp_path):
    """IL7 '25,0' ng/ml in a ';' layout is the number 25 (as text, the IL7 pairs were not found and
    the strata came out empty); a text condition stays text; '1,5' mM in a qPCR table is 1.5."""
    from tallrx.io import read_layout
    from tallrx.io.assays.qpcr import read_qpcr_table

    eu = tmp_path / "layout.csv"
    eu.write_text("well;drug;conc;unit;il7;medium\nA1;prednisolone;0,5;uM;25,0;RPMI\n"
                  "A2;DMSO;0;uM;0,0;RPMI\nA3;DMSO;0;uM;;RPMI\n")
    layout = read_layout(eu)
    assert layout["il7"].tolist()[:2] == [25.0, 0.0] and np.isnan(layout["il7"].iloc[2])
    assert layout["medium"].tolist() == ["RPMI"] * 3
    q = tmp_path / "q.csv"
    q.write_text("sample;target;ct;glucose\ns;BIM;20,5;1,5\ns;GAPDH;18,25;1,5\n")
    table = read_qpcr_table(q)
    assert table["ct"].tolist() == [20.5, 18.25] and table["glucose"].tolist() == [1.5, 1.5]


@pytest.mark.parametrize(
    "name,text,expected",
    [
        ("eu.csv", "well;signal\nA1;0,5\nA2;1,25\n", [0.5, 1.25]),
        # English luminescence counts: before, '12,345' read as 12.345 (one comma = decimal)
        ("en.csv", 'well,signal\nA1,"12,345"\nA2,"1,234,567"\n', [12345.0, 1234567.0]),
    ],
)
def test_plate_reader_signals_decide_the_decimal_mark_per_read(tmp_path, name, text, expected):
    from tallrx.io import read_plate_file

    p = tmp_path / name
    p.write_text(text)
    assert read_plate_file(p)["signal"].tolist() == expected


def test_an_unsettled_plate_signal_is_an_error_naming_plate_and_well(tmp_path):
    from tallrx.io import read_plate_file

    p = tmp_path / "p1.tsv"
    p.write_text("well\tsignal\nA1\t12,345\nA2\t7\n")
    with pytest.raises(InputError, match=r"p1\.tsv: plate 'p1' well A1: column 'signal' holds"):
        read_plate_file(p)
