"""tallrx.tidy"""
