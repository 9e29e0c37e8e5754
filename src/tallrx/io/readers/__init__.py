"""One parser module per plate-reader format family (see tallrx.io.plate_readers.FORMATS)."""
