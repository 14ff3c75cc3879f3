"""Alembic migrations (run through `primedist.db.store`, no alembic.ini needed)."""
