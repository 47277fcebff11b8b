"""The encrypted vault: keys, the SQLCipher engine, the domain model and its services.

Nothing in this package imports Qt.
"""
