"""Drug-combination synergy: designs, Chou-Talalay CI, Bliss, HSA, Loewe, ZIP and calibrated calls.

Entry point: :func:`score_synergy` (tidy viability table -> Result of kind ``combinations``).
"""

from tallrx.analysis.synergy.api import CONVENTIONS, parse_methods, score_synergy
from tallrx.analysis.synergy.design import classify, split_blocks
from tallrx.analysis.synergy.engine import METHODS, score_batch
from tallrx.analysis.synergy.simulate import simulate_table

__all__ = [
    "score_synergy",
    "parse_methods",
    "CONVENTIONS",
    "METHODS",
    "classify",
    "split_blocks",
    "score_batch",
    "simulate_table",
]
