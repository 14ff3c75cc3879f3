"""Pure-Python helpers shared by every layer (no DB, no Qt)."""
