"""tallrx.tidy: tidy -> tidy steps on well tables (signal -> % viability, plate QC -> exclude)."""

from tallrx.tidy.normalize import normalize_viability
from tallrx.tidy.qc import QCThresholds, plate_qc

__all__ = ["normalize_viability", "plate_qc", "QCThresholds"]
