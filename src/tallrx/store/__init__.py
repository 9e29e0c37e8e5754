"""tallrx.store"""
