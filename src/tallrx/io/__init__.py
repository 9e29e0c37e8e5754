"""tallrx.io: raw files -> tidy tables (the only code that knows vendor formats and paths).

``plates/`` reads plate screens (layout + plate-reader exports); ``assays/`` reads the bench assays
(RT-qPCR, MaxQuant co-IP, western blots, synergy tables). Well names live in :mod:`tallrx.plate`.
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "read_layout": "tallrx.io.plates.layout",
        "read_plate_file": "tallrx.io.plates.instruments",
        "read_plates": "tallrx.io.plates.read",
        "parse_well": "tallrx.plate",
        "well_name": "tallrx.plate",
    },
)
__all__ = ["parse_well", "read_layout", "read_plate_file", "read_plates", "well_name"]
