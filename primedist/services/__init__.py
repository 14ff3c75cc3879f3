"""Use-cases: each owns its transaction, checks permission and writes the audit row."""
