"""tallrx.model"""
