"""The Sync panel (waiting/failed marketplace actions, each shop's sync log) and the
status bar's sync indicator."""
