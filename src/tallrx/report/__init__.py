"""tallrx.report"""
