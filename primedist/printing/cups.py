"""A CUPS queue's state (accepting jobs? stopped?) read through libcups with ctypes.

Qt prints "successfully" to a queue that is paused or rejects jobs: nothing comes out and
nothing says why. So before a job is sent, the queue's `printer-state` and
`printer-is-accepting-jobs` are checked here. Where libcups is not there (Windows), there
is nothing to check and `queue_state` returns None.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from functools import lru_cache

#: IPP printer-state values.
IDLE, PROCESSING, STOPPED = 3, 4, 5


class _Option(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_char_p)]


class _Dest(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("instance", ctypes.c_char_p),
        ("is_default", ctypes.c_int),
        ("num_options", ctypes.c_int),
        ("options", ctypes.POINTER(_Option)),
    ]


@dataclass(frozen=True)
class QueueState:
    accepting: bool
    state: int
    message: str

    @property
    def stopped(self) -> bool:
        return self.state == STOPPED


@lru_cache(maxsize=1)
def _libcups() -> ctypes.CDLL | None:
    path = ctypes.util.find_library("cups")
    if not path:
        return None
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    lib.cupsGetNamedDest.restype = ctypes.POINTER(_Dest)
    lib.cupsGetNamedDest.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.cupsFreeDests.argtypes = [ctypes.c_int, ctypes.POINTER(_Dest)]
    return lib


def queue_state(name: str) -> QueueState | None:
    """The queue's state, or None when it cannot be known (no libcups, no such queue)."""
    lib = _libcups()
    if lib is None:
        return None
    dest = lib.cupsGetNamedDest(None, name.encode(), None)
    if not dest:
        return None
    try:
        d = dest.contents
        options = {
            (d.options[i].name or b"").decode(errors="replace"): (d.options[i].value or b"").decode(
                errors="replace"
            )
            for i in range(d.num_options)
        }
    finally:
        lib.cupsFreeDests(1, dest)
    return QueueState(
        accepting=options.get("printer-is-accepting-jobs", "true").lower() != "false",
        state=int(options.get("printer-state", IDLE) or IDLE),
        message=options.get("printer-state-message", ""),
    )
