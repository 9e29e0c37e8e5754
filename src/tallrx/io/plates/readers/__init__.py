"""One parser module per plate-reader format family (see tallrx.io.plates.instruments.FORMATS)."""
