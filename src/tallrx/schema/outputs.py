"""Which table every command writes: ``OUTPUTS[command]`` maps a file pattern (relative to the
output folder, :mod:`fnmatch` style, first match wins) to a table kind of
:data:`tallrx.schema.TABLES`; ``OTHER_FILES`` lists the files that are not tables.

``fit``, ``stratify`` and one-well ``simulate`` write one CSV wherever ``-o`` points
(``SINGLE``)."""

from __future__ import annotations

_SCREEN = {
    "wells.csv": "wells",
    "viability.csv": "viability",
    "qc.csv": "qc",
    "curves.csv": "curves",
    "strata.csv": "strata",
    "il7_enhanced_viability.csv": "il7_enhanced_viability",
    "delta_auc_points.csv": "delta_auc_points",
    "delta_auc_regression.csv": "delta_auc_regression",
}
#: tables/<experiment>_<kind>.csv of ``tallrx reproduce``: the longest suffixes first
_REPRODUCE_KINDS = (
    "il7_enhanced_viability", "delta_auc_points", "delta_auc_regression", "resistant_groups",
    "bim_shift", "combinations", "expression", "viability", "binding", "surface", "strata",
    "curves", "wells", "blots", "perk", "qpcr", "coip", "qc",
)

OUTPUTS: dict[str, dict[str, str]] = {
    "screen": _SCREEN,
    "fit": {"curves.csv": "curves"},
    "stratify": {"strata.csv": "strata"},
    "synergy": {
        "combinations.csv": "combinations",
        "surface.csv": "surface",
        "median_effect.csv": "median_effect",
    },
    "coip": {
        "binding.csv": "binding",
        "ratios.csv": "ratios",
        "coip.csv": "coip",
        "enrichment.csv": "enrichment",
    },
    "qpcr": {
        "expression.csv": "expression",
        "replicates.csv": "replicates",
        "flags.csv": "flags",
        "qpcr.csv": "qpcr",
        "efficiency.csv": "efficiency",
    },
    "blot": {
        "bands.csv": "bands",
        "phospho.csv": "phospho",
        "shift.csv": "shift",
        "lanes.csv": "lanes",
        "band_windows.csv": "band_windows",
        "profiles.csv": "profiles",
    },
    "simulate": {
        "wells.csv": "wells",
        "blots.csv": "blots",
        "coip.csv": "coip",
        "qpcr.csv": "qpcr",
        "timecourse.csv": "timecourse",
    },
    "cohort": {"cohort.csv": "cohort", "wells.csv": "wells"},
    "twin": {
        "twin_parameters.csv": "twin_parameters",
        "predicted_surface.csv": "predicted_surface",
        "predicted_calls.csv": "predicted_calls",
    },
    "reproduce": {
        **{f"tables/*_{kind}.csv": kind for kind in _REPRODUCE_KINDS},
        "sensitivity.csv": "sensitivity",
        "sensitivity_runs.csv": "sensitivity_runs",
        "draws.csv": "draws",
        "draws_runs.csv": "draws_runs",
    },
}

#: the one table of a command whose ``-o`` may name a CSV file
SINGLE = {"fit": "curves", "stratify": "strata", "simulate": "timecourse"}

#: files a command writes besides its tables
OTHER_FILES: dict[str, tuple[str, ...]] = {
    "screen": ("meta.json", "report.html", "figures/*.png"),
    "synergy": ("meta.json", "report.html", "figures/*.png"),
    "coip": ("meta.json", "report.html", "figures/*.png"),
    "qpcr": ("meta.json", "report.html", "figures/*.png"),
    "blot": ("meta.json", "report.html", "figures/*.png"),
    "simulate": ("experiment.json",),
    "cohort": ("summary.json",),
    "twin": ("meta.json", "report.html", "figures/*.png"),
    "reproduce": ("claims.json", "meta.json", "report.html", "figures/*.png"),
}
