"""Leases on scheduler jobs: with several PCs on one database, a job runs on one at a time."""

from __future__ import annotations

from datetime import datetime

from primedist.domain.base import Field, SQLModel


class JobLock(SQLModel, table=True):
    """Who runs (or last ran) a job, and until when the lease holds.

    Times come from the database server's clock on PostgreSQL (PCs' clocks may differ).
    A holder that crashes keeps the job only until `expires_at`; a release sets
    `expires_at` to now and keeps the row, so the table shows who ran each job last.
    """

    __tablename__ = "job_locks"

    name: str = Field(max_length=100, primary_key=True)
    holder: str = Field(max_length=120)
    acquired_at: datetime
    expires_at: datetime
