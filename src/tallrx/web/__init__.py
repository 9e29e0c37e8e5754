"""tallrx.web"""
