"""Plate screens: layout files + plate-reader exports -> the tidy ``wells`` table.

``layout`` reads the plate map, ``instruments`` detects and parses the plate-reader export (one
parser per vendor family in ``readers/``), ``read`` joins them into one row per used well.
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "read_layout": ".layout",
        "read_plate_file": ".instruments",
        "read_plates": ".read",
    },
)
__all__ = ["read_layout", "read_plate_file", "read_plates"]
