"""Calibration of the shared model parameters against the paper's cited targets (issue 15).

:mod:`.targets` (cited target table, likelihoods), :mod:`.prior` (log-uniform box prior, optionally
narrowed around the nominal values), :mod:`.observables` (SUPT-1 line targets, cohort shares and
the Fig. 5C combination indices on the batched engine), :mod:`.likelihood`, :mod:`.smc` (tempered
SMC on whole populations), :mod:`.outputs` (posterior.csv, identifiability) and :mod:`.run` (the
two-stage run behind ``tallrx model calibrate``: posterior.csv, targets.csv, ppc.png,
diagnostics.json, identifiability.csv, meta.json); :mod:`.petab` (the targets PEtab can state,
as the PEtab problem of ``tallrx model petab``, which cannot state the cohort and
combination-index targets).
"""
