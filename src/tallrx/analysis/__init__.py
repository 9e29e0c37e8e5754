"""tallrx.analysis: tidy tables in, result tables out; pure computation, no files.

``doseresponse/`` (LL.4 fits, AUC, IL7 stratification), ``synergy/`` (CI, Bliss, Loewe, HSA, ZIP
and the calibrated call), ``assays/`` (co-IP binding, RT-qPCR ddCt, western blots).
"""
