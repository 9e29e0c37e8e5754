"""normalize_viability: hand-worked values, reference choice, bad input, invariants."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tidy_plates import dose_plate, make_wells, three_well

from tallrx.errors import AnalysisError, DegenerateDataWarning, SchemaError, TallrxError
from tallrx.schema import condition_columns, validate
from tallrx.tidy.normalize import normalize_viability, parse_reference


def test_three_well_hand_worked():
    # blank = (10 + 14) / 2 = 12; vehicle = ((110-12) + (130-12)) / 2 = 108
    # treated: 100 * (72 - 12) / 108 = 55.5556 %; vehicle wells: 90.74 % and 109.26 %
    v = normalize_viability(three_well())
    validate(v, "viability")
    assert v["viability"].tolist()[2:] == pytest.approx([9800 / 108, 11800 / 108, 6000 / 108])
    assert v["blank_signal"].eq(12.0).all()
    assert v["vehicle_signal"].eq(108.0).all()
    assert v["n_vehicle"].eq(2).all()
    assert (v["reference"] == "own").all()
    assert not v["exclude"].any()
    # blank wells are around 0 %: (10 - 12) / 108 and (14 - 12) / 108
    assert v["viability"].tolist()[:2] == pytest.approx([-200 / 108, 200 / 108])


def test_blank_none_records_no_subtraction():
    v = normalize_viability(three_well(), blank="none")
    assert v["blank_signal"].isna().all()
    assert v.loc[4, "viability"] == pytest.approx(100 * 72 / 120)


def test_plate_without_blanks_is_not_blank_subtracted():
    w = three_well().iloc[2:]
    v = normalize_viability(w)
    assert v["blank_signal"].isna().all()
    assert v["viability"].iloc[-1] == pytest.approx(100 * 72 / 120)


def test_above_100_kept_and_negative_kept_not_excluded():
    w = make_wells(
        [
            {"well": "A01", "role": "blank", "signal": 20.0},
            {"well": "A02", "role": "blank", "signal": 20.0},
            {"well": "B01", "role": "vehicle", "signal": 120.0},
            {"well": "B02", "role": "vehicle", "signal": 120.0},
            {"well": "C01", "role": "treated", "signal": 320.0, "conc_a": 1.0},
            {"well": "C02", "role": "treated", "signal": 15.0, "conc_a": 10.0},
        ]
    )
    v = normalize_viability(w)
    assert v["viability"].tolist()[4:] == pytest.approx([300.0, -5.0])
    assert not v["exclude"].any()


def test_excluded_wells_stay_and_are_not_used():
    w = three_well()
    extra = make_wells(
        [
            {
                "well": "B03",
                "role": "vehicle",
                "signal": 1000.0,
                "exclude": True,
                "exclude_reason": "bubble",
            }
        ]
    )
    w = pd.concat([w.assign(exclude=False, exclude_reason=""), extra], ignore_index=True)
    v = normalize_viability(w)
    assert len(v) == 6
    assert v["vehicle_signal"].eq(108.0).all()  # the 1000 well is not in the vehicle mean
    row = v[v["well"] == "B03"].iloc[0]
    assert bool(row["exclude"]) and row["exclude_reason"] == "bubble"
    assert row["viability"] == pytest.approx(100 * 988 / 108)


def test_exclude_column_as_text_and_numbers():
    w = three_well().assign(exclude=["0", "", "no", "1", "false"])
    v = normalize_viability(w)
    assert v["exclude"].tolist() == [False, False, False, True, False]
    assert v["vehicle_signal"].iloc[0] == pytest.approx(98.0)  # only B01 (110 - 12)
    with pytest.raises(SchemaError, match="column 'exclude' row 2 holds 'maybe'"):
        normalize_viability(three_well().assign(exclude=["0", "maybe", "0", "0", "0"]))


def _il7_plate(same_plate: bool = True) -> pd.DataFrame:
    rows = []
    for il7, veh, treated in ((0, 100.0, 50.0), (25, 180.0, 150.0)):
        plate = "P1" if same_plate or il7 == 0 else "P2"
        rows += [
            {
                "plate": plate,
                "well": f"A0{1 + il7 // 25}",
                "role": "vehicle",
                "signal": veh - 10,
                "il7": il7,
            },
            {
                "plate": plate,
                "well": f"B0{1 + il7 // 25}",
                "role": "vehicle",
                "signal": veh + 10,
                "il7": il7,
            },
            {
                "plate": plate,
                "well": f"C0{1 + il7 // 25}",
                "role": "treated",
                "signal": treated,
                "il7": il7,
                "conc_a": 10.0,
                "drug_a": "prednisolone",
            },
        ]
    return make_wells(rows)


def test_own_reference_each_condition_to_its_vehicle():
    v = normalize_viability(_il7_plate(), blank="none")
    treated = v[v["role"] == "treated"].set_index("il7")["viability"]
    assert treated[0] == pytest.approx(50.0)
    assert treated[25] == pytest.approx(100 * 150 / 180)
    assert condition_columns(v, "viability") == ["il7"]  # bookkeeping columns are not conditions


@pytest.mark.parametrize("same_plate", [True, False])
def test_reference_condition_il7_enhanced(same_plate):
    v = normalize_viability(_il7_plate(same_plate), reference_condition={"il7": 0}, blank="none")
    plus = v[v["il7"] == 25]
    # +IL7 vehicle: 180 / 100 -> 180 %; +IL7 treated 150 / 100 -> 150 % (above 100, kept)
    assert plus.loc[plus["role"] == "vehicle", "viability"].mean() == pytest.approx(180.0)
    assert plus.loc[plus["role"] == "treated", "viability"].iloc[0] == pytest.approx(150.0)
    expect = "il7=0" if same_plate else "il7=0 (other plates)"
    assert (plus["reference"] == expect).all()
    assert (v.loc[v["il7"] == 0, "reference"] == "il7=0").all()
    assert parse_reference(expect, v) == {"il7": 0.0}
    # giving the reference value as text works on a numeric column
    v2 = normalize_viability(
        _il7_plate(same_plate),
        reference="condition",
        reference_condition={"il7": "0"},
        blank="none",
    )
    pd.testing.assert_series_equal(v["viability"], v2["viability"])


def test_missing_vehicle_is_a_user_error_naming_the_group():
    w = _il7_plate()
    w = w[~((w["il7"] == 25) & (w["role"] == "vehicle"))]
    with pytest.raises(AnalysisError) as exc:
        normalize_viability(w)
    msg = str(exc.value)
    assert "plate P1, sample S1, il7=25: no vehicle wells" in msg
    assert "role column" in msg and "reference_condition" in msg
    # the named reference condition fixes it
    v = normalize_viability(w, reference_condition={"il7": 0})
    assert v["viability"].notna().all()


def test_missing_reference_condition_vehicle_error():
    w = _il7_plate()
    w = w[~((w["il7"] == 0) & (w["role"] == "vehicle"))]
    with pytest.raises(AnalysisError, match="no vehicle wells with il7=0 for this sample"):
        normalize_viability(w, reference_condition={"il7": 0})


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"reference": "owm"}, "Did you mean 'own'"),
        ({"reference": "condition"}, "needs reference_condition"),
        ({"reference_condition": {"il8": 0}}, "Did you mean 'il7'"),
        (
            {"reference_condition": {"il7": 5}},
            r"no wells have this value \(values present: 0, 25\)",
        ),
        ({"reference_condition": {"il7": "none"}}, "give a number"),
        ({"blank": "well"}, "not a blank mode"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(TallrxError, match=match):
        normalize_viability(_il7_plate(), **kwargs)


def test_bad_roles_duplicates_and_columns():
    w = three_well()
    with pytest.raises(
        SchemaError,
        match=r"plate P1 well B01 has role 'vehicel'.*Did you mean "
        r"'vehicle'",
    ):
        normalize_viability(w.assign(role=["blank", "blank", "vehicel", "vehicle", "treated"]))
    with pytest.raises(SchemaError, match="plate P1 well A01 appears more than once"):
        normalize_viability(pd.concat([w, w.iloc[[0]]]))
    with pytest.raises(SchemaError, match="needs column"):
        normalize_viability(w.drop(columns="signal"))
    with pytest.raises(SchemaError, match="must be numeric"):
        normalize_viability(w.assign(signal=["1", "2", "x", "4", "5"]))


def test_roles_are_case_insensitive():
    v = normalize_viability(
        three_well().assign(role=["Blank", "BLANK", "Vehicle", "vehicle", "treated"])
    )
    assert v.loc[4, "viability"] == pytest.approx(6000 / 108)


def test_missing_signal_is_excluded_with_reason():
    w = three_well()
    w.loc[4, "signal"] = np.nan
    with pytest.warns(DegenerateDataWarning, match="without a signal"):
        v = normalize_viability(w)
    assert bool(v.loc[4, "exclude"]) and v.loc[4, "exclude_reason"] == "missing signal"


def test_vehicle_below_blank_is_flagged_not_raised():
    w = three_well().assign(signal=[100.0, 100.0, 50.0, 60.0, 40.0])
    with pytest.warns(DegenerateDataWarning, match="roles are not swapped"):
        v = normalize_viability(w)
    assert v.loc[2:, "exclude"].all()
    assert v.loc[2:, "viability"].isna().all()


def test_renormalizing_a_viability_table_is_idempotent():
    v = normalize_viability(dose_plate())
    v2 = normalize_viability(v)
    pd.testing.assert_frame_equal(v, v2)


# ----------------------------------------------------------------------- hypothesis properties
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(1e-3, 1e4), perm_seed=st.integers(0, 10_000))
def test_scale_and_row_order_invariance(seed, scale, perm_seed):
    plate = dose_plate(seed=seed)
    base = normalize_viability(plate).set_index("well")["viability"]
    scaled = normalize_viability(plate.assign(signal=plate["signal"] * scale))
    shuffled = plate.sample(frac=1.0, random_state=perm_seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        perm = normalize_viability(shuffled)
    np.testing.assert_allclose(
        scaled.set_index("well")["viability"][base.index], base, rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        perm.set_index("well")["viability"][base.index], base, rtol=1e-12, atol=1e-9
    )
