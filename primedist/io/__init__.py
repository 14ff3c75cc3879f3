"""File formats in and out: Excel/CSV readers and writers (no Qt, no database)."""
