"""tallrx.analysis"""
