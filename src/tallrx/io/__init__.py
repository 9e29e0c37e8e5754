"""tallrx.io: raw files -> tidy tables (the only code that knows vendor formats and paths)."""

from tallrx.io.layout import read_layout
from tallrx.io.plate_readers import read_plate_file
from tallrx.io.plates import read_plates
from tallrx.io.wells import parse_well, well_name

__all__ = ["parse_well", "read_layout", "read_plate_file", "read_plates", "well_name"]
