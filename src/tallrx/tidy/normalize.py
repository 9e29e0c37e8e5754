"""Plate signal -> % viability: blank subtraction, then division by the mean vehicle signal.

For every well ``w`` of plate ``p``::

    blank_p        = mean signal of the plate's non-excluded blank wells   (none -> no subtraction)
    vehicle_g      = mean of (signal - blank_p) over the non-excluded vehicle wells of the
                     well's reference group g
    viability_w    = 100 * (signal_w - blank_p) / vehicle_g                 (% of vehicle)

The reference group is, by default (``reference="own"``), the vehicle wells of the same plate,
sample and condition values. With ``reference_condition={"il7": 0}`` it is the vehicle wells of the
same plate and sample under that condition (other conditions unchanged), so +IL7 wells are expressed
as % of the -IL7 vehicle ("IL7-enhanced viability"; their AUC can exceed 400). When the reference
condition was plated on a different plate (one plate per condition), the same sample's reference
vehicle wells on the other plate(s) are used; the ``reference`` column then says "(other plates)".

Hand-worked example (plate P1, sample S1; blank wells 10 and 14, vehicle wells 110 and 130,
one treated well 72): blank = 12, vehicle = mean(98, 118) = 108, viability = 100 * 60 / 108
= 55.56 %.

>>> import pandas as pd
>>> wells = pd.DataFrame({
...     "plate": "P1", "well": ["A01", "A02", "B01", "B02", "C01"], "sample": "S1",
...     "drug_a": ["", "", "", "", "prednisolone"], "conc_a": [0, 0, 0, 0, 10.0],
...     "drug_b": "", "conc_b": 0.0,
...     "role": ["blank", "blank", "vehicle", "vehicle", "treated"],
...     "signal": [10.0, 14.0, 110.0, 130.0, 72.0], "replicate": 1})
>>> v = normalize_viability(wells)
>>> round(float(v.loc[4, "viability"]), 2), float(v.loc[4, "blank_signal"])
(55.56, 12.0)

Viability above 100 % is kept (never clipped). Wells below the blank get a negative viability,
which is kept as measured and not excluded: clipping dead wells at 0 would bias their mean (and
the AUC) upwards; :func:`tallrx.tidy.qc.plate_qc` counts them per plate (``n_below_blank``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tallrx.errors import AnalysisError, DegenerateDataWarning, did_you_mean
from tallrx.schema import validate
from tallrx.tidy._wells import (
    NORMALIZATION_COLUMNS,
    describe_group,
    flag,
    format_value,
    group_columns,
    prepare_wells,
)

__all__ = ["normalize_viability", "REFERENCES", "BLANK_MODES", "parse_reference"]

REFERENCES = ("own", "condition")
MISSING_VEHICLE = ("error", "flag")
NO_VEHICLE = "no usable vehicle wells"
BLANK_MODES = ("plate", "none")
OTHER_PLATES = " (other plates)"


def normalize_viability(
    wells: pd.DataFrame,
    *,
    reference: str = "own",
    reference_condition: Mapping[str, object] | None = None,
    blank: str = "plate",
    conditions: Sequence[str] | None = None,
    missing_vehicle: str = "error",
) -> pd.DataFrame:
    """Turn a ``wells`` table into a ``viability`` table (% of the reference vehicle wells).

    Parameters
    ----------
    wells : pandas.DataFrame
        The ``wells`` table (signal in instrument units; a ``viability`` table is accepted too
        and re-normalized, e.g. after QC excluded vehicle wells).
    reference : {"own", "condition"}
        "own": each condition's own vehicle wells; "condition" needs ``reference_condition``
        (giving ``reference_condition`` alone implies it).
    reference_condition : mapping, optional
        Condition values of the reference vehicle, e.g. ``{"il7": 0}``.
    blank : {"plate", "none"}
        "plate": subtract the mean of the plate's non-excluded blank wells (a plate without blank
        wells is not blank-subtracted and gets ``blank_signal`` NaN); "none": no subtraction.
    conditions : sequence of str, optional
        Condition columns defining groups (default: every column the schema does not know,
        e.g. ``il7``, ``dox``).
    missing_vehicle : {"error", "flag"}
        "error": raise (below); "flag": wells of a group without usable reference vehicle wells
        (a failed plate) are excluded with the reason "no usable vehicle wells ..." and get
        viability NaN, so one bad plate does not stop a screen; it still raises when no group
        at all has vehicle wells.

    Returns
    -------
    pandas.DataFrame
        The ``viability`` table (:data:`tallrx.schema.TABLES` ``["viability"]``), one row per
        input well, same order: the input columns (plate, well, sample, drug_a, conc_a, drug_b,
        conc_b, role, signal, replicate and the conditions) plus

        - ``viability``: % of the reference vehicle, 100 (signal - blank) / vehicle;
        - ``exclude`` (bool), ``exclude_reason`` (str): excluded wells stay in the table with
          their reason and get a viability too; they are never used as blank or vehicle;
        - ``reference``: "own" or e.g. "il7=0" ("(other plates)" appended when the reference
          vehicle was on another plate);
        - ``blank_signal``: the subtracted blank mean (instrument units; NaN: none);
        - ``vehicle_signal``: blank-subtracted mean of the reference vehicle wells;
        - ``n_vehicle``: vehicle wells in that mean.

    Raises
    ------
    tallrx.errors.AnalysisError
        When treated or vehicle wells have no non-excluded reference vehicle wells (naming
        plate, sample and condition values).
    """
    df = prepare_wells(wells, where="wells")
    df = df.drop(columns=[c for c in NORMALIZATION_COLUMNS if c in df.columns])
    conds = group_columns(df, conditions, where="wells")
    ref = _check_reference(df, reference, reference_condition, conds)
    if blank not in BLANK_MODES:
        raise AnalysisError(
            f"blank={blank!r} is not a blank mode; expected one of "
            f"{', '.join(BLANK_MODES)}.{did_you_mean(str(blank), BLANK_MODES)}"
        )

    blank_signal = _plate_blank(df) if blank == "plate" else pd.Series(np.nan, index=df.index)
    corrected = df["signal"] - blank_signal.fillna(0.0)
    keys = ["plate", "sample", *conds]
    veh_mean, veh_n, ref_label = _reference_vehicle(df, corrected, keys, ref)
    if missing_vehicle not in MISSING_VEHICLE:
        raise AnalysisError(
            f"missing_vehicle={missing_vehicle!r}; expected one of {', '.join(MISSING_VEHICLE)}"
        )
    if missing_vehicle == "flag" and (veh_n > 0).any():
        _flag_missing_vehicle(df, keys, veh_n, ref)
    _require_vehicle(df, keys, veh_n, ref)

    bad_vehicle = np.isfinite(veh_mean) & (veh_mean <= 0)
    if bad_vehicle.any():
        first = int(np.flatnonzero(bad_vehicle)[0])
        warnings.warn(
            f"{describe_group(keys, df.loc[first, keys])}: mean vehicle signal after blank "
            f"subtraction is {veh_mean[first]:.4g} (<= 0); its wells are excluded. Check that "
            "blank and vehicle roles are not swapped in the layout.",
            DegenerateDataWarning,
            stacklevel=2,
        )
        flag(df, bad_vehicle, "vehicle signal not above blank")
        veh_mean = np.where(bad_vehicle, np.nan, veh_mean)

    with np.errstate(divide="ignore", invalid="ignore"):
        df["viability"] = 100.0 * corrected.to_numpy() / veh_mean
    df["reference"] = pd.array(ref_label, dtype="str")
    df["blank_signal"] = blank_signal.to_numpy()
    df["vehicle_signal"] = veh_mean
    df["n_vehicle"] = veh_n.astype(int)
    order = [
        c for c in df.columns if c not in ("exclude", "exclude_reason", *NORMALIZATION_COLUMNS)
    ]
    df = df[[*order, "viability", "exclude", "exclude_reason", *NORMALIZATION_COLUMNS[1:]]]
    return validate(df, "viability", where="normalized viability")


def _check_reference(df, reference, reference_condition, conds) -> dict | None:
    """Validate ``reference``/``reference_condition``; return {column: typed value} or None."""
    if reference not in REFERENCES:
        raise AnalysisError(
            f"reference={reference!r} is not a reference; expected one of "
            f"{', '.join(REFERENCES)}.{did_you_mean(str(reference), REFERENCES)}"
        )
    if reference_condition is None:
        if reference == "condition":
            raise AnalysisError(
                "reference='condition' needs reference_condition, e.g. "
                "reference_condition={'il7': 0} to normalize to the -IL7 vehicle"
            )
        return None
    if not isinstance(reference_condition, Mapping) or not reference_condition:
        raise AnalysisError(
            f"reference_condition must be a dict such as {{'il7': 0}}, got {reference_condition!r}"
        )
    out = {}
    for col, value in reference_condition.items():
        if col not in conds:
            raise AnalysisError(
                f"reference_condition names column '{col}', which is not a condition column of "
                f"the wells table (conditions: {', '.join(conds) or 'none'})."
                f"{did_you_mean(col, conds)}"
            )
        typed = _typed(df[col], value)
        present = df[col].dropna().unique()
        if not (df[col] == typed).any():
            raise AnalysisError(
                f"reference_condition {col}={format_value(value)}: no wells have this value "
                f"(values present: {', '.join(sorted(map(format_value, present)))})"
            )
        out[col] = typed
    return out


def _typed(col: pd.Series, value):
    """``value`` converted to the kind of ``col`` (so 0, '0' and 0.0 match a numeric il7 column)."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise AnalysisError(
                f"reference_condition {col.name}={value!r}: column '{col.name}' is "
                "numeric; give a number"
            ) from None
    if pd.api.types.is_bool_dtype(col):
        return str(value).strip().lower() in ("true", "1", "yes")
    return str(value)


def _plate_blank(df: pd.DataFrame) -> pd.Series:
    """Mean signal of each plate's non-excluded blank wells, aligned to the rows (NaN if none)."""
    usable = (df["role"] == "blank") & ~df["exclude"] & df["signal"].notna()
    means = df.loc[usable].groupby("plate", sort=False)["signal"].mean()
    return df["plate"].map(means).astype("float64")


def _vehicle_lookup(lookup, df, corrected, usable, keys):
    """Mean and count of the blank-subtracted vehicle signal of the group ``lookup`` names."""
    veh = (
        df.loc[usable, keys]
        .assign(_v=corrected[usable])
        .groupby(keys, dropna=False, sort=False)["_v"]
        .agg(["mean", "size"])
        .reset_index()
    )
    got = lookup[keys].merge(veh, on=keys, how="left")
    return got["mean"].to_numpy(dtype=float), got["size"].fillna(0).to_numpy()


def _reference_vehicle(df, corrected, keys, ref):
    """Per-well mean and count of the blank-subtracted reference vehicle signal, and the label."""
    usable = (df["role"] == "vehicle") & ~df["exclude"] & corrected.notna()
    lookup = df[keys].copy()
    for col, value in (ref or {}).items():
        lookup[col] = value
    mean, n = _vehicle_lookup(lookup, df, corrected, usable, keys)
    if ref is None:
        return mean, n, np.full(len(df), "own", dtype=object)
    label = "; ".join(f"{c}={format_value(v)}" for c, v in ref.items())
    labels = np.full(len(df), label, dtype=object)
    # reference condition plated elsewhere: pool the sample's reference vehicle wells on all plates
    missing = n == 0
    if missing.any():
        alt_mean, alt_n = _vehicle_lookup(lookup, df, corrected, usable, keys[1:])
        use = missing & (alt_n > 0)
        mean = np.where(use, alt_mean, mean)
        n = np.where(use, alt_n, n)
        labels[use] = label + OTHER_PLATES
    return mean, n, labels


def _flag_missing_vehicle(df, keys, veh_n, ref) -> None:
    """Exclude (with a reason and one warning) the wells of groups without reference vehicle."""
    lacking = df["role"].isin(["treated", "vehicle"]).to_numpy() & (veh_n == 0)
    lacking &= ~df["exclude"].to_numpy()
    if not lacking.any():
        return
    target = "" if ref is None else " with " + ", ".join(
        f"{c}={format_value(v)}" for c, v in ref.items()
    )
    groups = df.loc[lacking, keys].drop_duplicates()
    names = [describe_group(keys, row) for row in groups.itertuples(index=False)]
    flag(df, lacking, f"{NO_VEHICLE}{target} on its plate (viability not computed)")
    warnings.warn(
        f"{len(names)} group(s) have {NO_VEHICLE}{target} (all missing, excluded or not in the "
        f"layout): {'; '.join(names[:5])}{' ...' if len(names) > 5 else ''}; their "
        f"{int(lacking.sum())} well(s) are excluded and their curves flagged",
        DegenerateDataWarning,
        stacklevel=3,
    )


def _require_vehicle(df, keys, veh_n, ref) -> None:
    """Raise when non-excluded treated or vehicle wells have no reference vehicle wells."""
    needs = df["role"].isin(["treated", "vehicle"]).to_numpy() & ~df["exclude"].to_numpy()
    lacking = needs & (veh_n == 0)
    if not lacking.any():
        return
    sub = df.loc[lacking, keys]
    gid = sub.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    first = sub.iloc[0]
    where = describe_group(keys, first.to_list())
    on_plate = df.loc[df["plate"] == first["plate"], "role"].unique()
    n_groups = int(gid.max()) + 1
    more = f" (and {n_groups - 1} more group(s))" if n_groups > 1 else ""
    n_wells = int((gid == gid[0]).sum())
    if ref is None:
        conds = keys[2:]
        hint = (
            f" or pass reference_condition (e.g. {{'{conds[0]}': 0}}) to normalize to another "
            "condition's vehicle"
            if conds
            else ""
        )
        raise AnalysisError(
            f"{where}: no vehicle wells (role 'vehicle', not excluded) to normalize {n_wells} "
            f"well(s) against{more}. Roles on this plate: {', '.join(sorted(on_plate))}. Check the "
            f"layout's role column{hint}."
        )
    target = ", ".join(f"{c}={format_value(v)}" for c, v in ref.items())
    raise AnalysisError(
        f"{where}: no vehicle wells with {target} for this sample (on plate {first['plate']} or "
        f"any other plate) to normalize {n_wells} well(s) against{more}. Check the layout's role "
        "and condition columns, or use reference='own'."
    )


def parse_reference(label: str, df: pd.DataFrame) -> dict | None:
    """Invert the ``reference`` column of a viability table.

    Parameters
    ----------
    label : str
        A ``reference`` value: "own", "il7=0", "il7=0; dox=1", optionally ending in
        " (other plates)".
    df : pandas.DataFrame
        The table whose columns give each value its type (a numeric column: a float).

    Returns
    -------
    dict or None
        None for "own"; otherwise condition column -> value, e.g. ``{"il7": 0.0}``.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_reference("il7=0 (other plates)", pd.DataFrame({"il7": [0.0, 25.0]}))
    {'il7': 0.0}
    """
    label = str(label).removesuffix(OTHER_PLATES).strip()
    if label == "own":
        return None
    out = {}
    for part in label.split("; "):
        col, _, value = part.partition("=")
        out[col] = _typed(df[col], value) if col in df.columns else value
    return out
