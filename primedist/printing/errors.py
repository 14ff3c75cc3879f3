"""Printing errors: each says which printer and what to do, and may be retried."""

from __future__ import annotations

from primedist.errors import PrimedistError


class PrintError(PrimedistError):
    """A document could not be printed; `printer` names the target."""

    def __init__(self, message: str, *, printer: str = "", detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.printer = printer


class PrinterNotFound(PrintError):
    """The printer name is not one the system knows (never a silent fallback)."""


class PrinterOffline(PrintError):
    """The printer is paused, stopped or unreachable."""


class PrinterRejected(PrintError):
    """The printer (or its queue) refuses new jobs."""


class TemplateError(PrintError):
    """A template cannot be used: bad syntax or an unknown placeholder. No printer problem:
    the screens say the template is broken and where to fix it, with no Retry."""
