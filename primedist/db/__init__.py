"""Engine, migrations, search tables, backup/restore."""
