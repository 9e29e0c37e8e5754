"""tallrx: a steroid-resistance research workbench for T-ALL.

Measure (plate screens, dose-response, IL7 stratification, synergy, co-IP, qPCR, blots) and model
(an executable MAPK-ERK -> BIM -> BCL-2 family mechanistic model) meet in one tidy data model.

The main API functions are importable from the top level (loaded on first use)::

    import tallrx
    wells = tallrx.read_plates("layout.csv", ["plate1.csv"])
    viability = tallrx.normalize_viability(wells)
    curves = tallrx.fit_dose_response(viability).table
"""

from __future__ import annotations

import importlib

from tallrx import _moved
from tallrx.errors import TallrxError

_moved.install()

__version__ = "0.1.0"

#: public name -> module that defines it (imported lazily, so `import tallrx` stays light)
_API = {
    "Result": "tallrx._result",
    "load_result": "tallrx._result",
    "read_layout": "tallrx.io",
    "read_plates": "tallrx.io",
    "read_plate_file": "tallrx.io",
    "normalize_viability": "tallrx.tidy.normalize",
    "plate_qc": "tallrx.tidy.qc",
    "fit_ll4": "tallrx.analysis.doseresponse.fitting",
    "fit_dose_response": "tallrx.analysis.doseresponse",
    "stratify_il7": "tallrx.analysis.doseresponse.stratify",
    "il7_enhanced_viability": "tallrx.analysis.doseresponse.stratify",
    "delta_auc_regression": "tallrx.analysis.doseresponse.stratify",
    "score_synergy": "tallrx.analysis.synergy",
    "score_binding": "tallrx.analysis.assays.coip",
    "relative_expression": "tallrx.analysis.assays.qpcr",
    "analyze_blots": "tallrx.analysis.assays.blots",
    "simulate": "tallrx.model",
    "simulate_batch": "tallrx.model",
    "run_screen": "tallrx.workflows.screen",
    "analyze_wells": "tallrx.workflows.screen",
}

__all__ = ["Result", "TallrxError", "load_result", "__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'tallrx' has no attribute {name!r}")
