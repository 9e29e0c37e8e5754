"""tallrx.tidy: tidy -> tidy steps on well tables (signal -> % viability, plate QC -> exclude)."""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "normalize_viability": ".normalize",
        "plate_qc": ".qc",
        "QCThresholds": ".qc",
    },
)
__all__ = ["normalize_viability", "plate_qc", "QCThresholds"]
