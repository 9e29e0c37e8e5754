"""Documented, seeded generators of synthetic data with known ground truth (for examples and tests)."""

from tallrx.testing.screen import SCREEN_DRUGS, SyntheticScreen, make_pdx_screen, write_pdx_screen

__all__ = ["SCREEN_DRUGS", "SyntheticScreen", "make_pdx_screen", "write_pdx_screen"]
