"""tallrx.io"""
