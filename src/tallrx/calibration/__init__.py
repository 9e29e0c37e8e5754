"""Calibration of the shared model parameters against the paper's cited targets (issue 15).

Built: :mod:`.targets` (cited target table, likelihoods), :mod:`.prior` (log-uniform box prior),
:mod:`.observables` (SUPT-1 line targets on the batched engine), :mod:`.likelihood`,
:mod:`.smc` (tempered SMC on whole populations), :mod:`.outputs` (posterior.csv,
identifiability). Not built yet: cohort-level observables (Fig. 1D-E, 5), the run driver with
diagnostics.json / targets.csv / ppc.png / meta.json and the ``tallrx model calibrate`` command.
"""
