"""Tests of the results store (tallrx.store, tallrx db), on SQLite and a real PostgreSQL."""
