"""Calibration of the shared model parameters against the paper's cited targets (issue 15).

Work in progress: :mod:`.targets` (the cited target table and its likelihoods) is in place; the
SMC sampler and the ``tallrx model calibrate`` command are not built yet.
"""
