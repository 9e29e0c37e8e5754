"""One module per schema revision; each builds its tables with :func:`tallrx.store._schema.build`."""
