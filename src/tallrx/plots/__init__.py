"""tallrx.plots"""
