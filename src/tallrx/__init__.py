"""tallrx: a steroid-resistance research workbench for T-ALL.

Measure (plate screens, dose-response, IL7 stratification, synergy, co-IP, qPCR, blots) and model
(an executable MAPK-ERK -> BIM -> BCL-2 family mechanistic model) meet in one tidy data model.
"""

from tallrx._result import Result, load_result
from tallrx.errors import TallrxError

__version__ = "0.1.0"
__all__ = ["Result", "TallrxError", "load_result", "__version__"]
