"""One exception tree; every error carries a message fit to show the user.

Layers below the UI raise these; the UI shows `user_message` and the CLI prints it on one
line. Anything else that escapes is a bug and goes to the crash dialog / log.
"""

from __future__ import annotations


class PrimedistError(Exception):
    """Base of every expected, user-facing error."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.user_message = message
        self.detail = detail


class ValidationError(PrimedistError):
    """Bad input: names the row and column when it comes from a file."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        text = f"{', '.join(where)}: {message}" if where else message
        super().__init__(text)
        self.reason = message  # without the place (the UI says the place in its words)
        self.field = field
        self.row = row
        self.column = column


class AuthenticationError(PrimedistError):
    """Login failed; never says whether the email exists."""


class PermissionDenied(PrimedistError):
    """The signed-in user may not do this (checked in the services)."""


class NotFound(PrimedistError):
    """A record asked for does not exist."""


class Conflict(PrimedistError):
    """The change clashes with existing data (duplicate email, SKU, ...)."""


class Busy(PrimedistError):
    """Another connection held the database's write lock past the busy timeout (or
    committed between this unit's reads and its first write): nothing of the unit was
    saved; trying again succeeds."""


class SetupRequired(PrimedistError):
    """The database has no shop/owner yet: run the first-run setup."""


class StoreError(PrimedistError):
    """The database cannot be opened, migrated, backed up or restored."""


class Cancelled(PrimedistError):
    """A long job was cancelled by the user."""

    def __init__(self, message: str = "Cancelled") -> None:
        super().__init__(message)
