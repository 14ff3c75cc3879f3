"""This PC's name, as the shop's other PCs see it: job leases name their holder by it
(`jobs.lease`), and every audit row names the PC it was written on (`audit_events.pc`), so
an open detail can say which PC changed its record and the audit log which PC did what."""

from __future__ import annotations

import socket

#: The host name, cut to the 80 characters the columns that keep it hold.
HOST = socket.gethostname()[:80]


def this_pc() -> str:
    """This PC's name (read at each call: tests stand in another PC's)."""
    return HOST
