"""A CUPS queue's state (accepting jobs? stopped? reachable? jobs waiting?) read through
libcups with ctypes.

Qt prints "successfully" to a queue that is paused or rejects jobs, or whose printer cannot
be reached: nothing comes out, nothing says why, and each job waits behind the last. So
before a job is sent, the queue's `printer-state`, `printer-is-accepting-jobs`,
`printer-state-message` and `printer-state-reasons` and its jobs not printed yet are read
here. Where libcups is not there (Windows), there is nothing to check and `queue_state`
returns None.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from functools import lru_cache

#: IPP printer-state values.
IDLE, PROCESSING, STOPPED = 3, 4, 5
#: IPP job-state values of the jobs not printed yet (a held job waits on purpose).
JOB_PENDING, JOB_PROCESSING, JOB_STOPPED = 3, 5, 6
#: What CUPS's network and USB backends say (printer-state-message, CUPS's own English
#: words) while they keep trying a printer they cannot reach; the start of the message.
UNREACHABLE_MESSAGES = (
    "The printer may not exist or is unavailable at this time.",
    "The printer is unreachable at this time.",
    "The printer is not responding.",
    "The printer is not connected.",
    "Unable to locate printer",
)
#: printer-state-reasons saying the same (with or without -report/-warning/-error).
UNREACHABLE_REASONS = ("offline", "timed-out")


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


class _Job(ctypes.Structure):
    _fields_ = [
        ("id", ctypes.c_int),
        ("dest", ctypes.c_char_p),
        ("title", ctypes.c_char_p),
        ("user", ctypes.c_char_p),
        ("format", ctypes.c_char_p),
        ("state", ctypes.c_int),
        ("size", ctypes.c_int),
        ("priority", ctypes.c_int),
        ("completed_time", ctypes.c_long),
        ("creation_time", ctypes.c_long),
        ("processing_time", ctypes.c_long),
    ]


@dataclass(frozen=True)
class QueueState:
    accepting: bool
    state: int
    #: The message the destination list carries (usually empty).
    message: str
    #: printer-state-message as the printer's backend last set it (read over IPP).
    backend_message: str = ""
    reasons: tuple[str, ...] = ()
    #: When each job not printed yet (waiting or printing) was sent, as a Unix time.
    waiting: tuple[float, ...] = ()

    @property
    def stopped(self) -> bool:
        return self.state == STOPPED

    @property
    def unreachable(self) -> bool:
        """Printing, and the backend says it cannot reach the printer. Only while it
        prints: an idle queue keeps a failed job's last words after it is gone."""
        if self.state != PROCESSING:
            return False
        return self.backend_message.startswith(UNREACHABLE_MESSAGES) or any(
            reason.startswith(UNREACHABLE_REASONS) for reason in self.reasons
        )

    @property
    def busy(self) -> bool:
        """Printing with nothing wrong said (a long job on a laser): the next job waits its
        turn, whatever the time the jobs before it were sent."""
        troubles = [r for r in self.reasons if r != "none"]
        return self.state == PROCESSING and not troubles and not self.unreachable

    def waiting_since(self, before: float) -> int:
        """How many jobs not printed yet were sent before `before` (a Unix time)."""
        return sum(1 for sent in self.waiting if sent < before)


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
    lib.ippNewRequest.restype = ctypes.c_void_p
    lib.ippNewRequest.argtypes = [ctypes.c_int]
    lib.ippAddString.restype = ctypes.c_void_p
    lib.ippAddString.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                 ctypes.c_char_p, ctypes.c_char_p]  # fmt: skip
    lib.cupsDoRequest.restype = ctypes.c_void_p
    lib.cupsDoRequest.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p]
    lib.ippFindAttribute.restype = ctypes.c_void_p
    lib.ippFindAttribute.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.ippGetCount.restype = ctypes.c_int
    lib.ippGetCount.argtypes = [ctypes.c_void_p]
    lib.ippGetString.restype = ctypes.c_char_p
    lib.ippGetString.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.ippDelete.argtypes = [ctypes.c_void_p]
    lib.cupsGetJobs2.restype = ctypes.c_int
    lib.cupsGetJobs2.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.POINTER(_Job)),
                                 ctypes.c_char_p, ctypes.c_int, ctypes.c_int]  # fmt: skip
    lib.cupsFreeJobs.argtypes = [ctypes.c_int, ctypes.POINTER(_Job)]
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
    message, reasons = _printer_status(lib, options.get("printer-uri-supported", ""))
    return QueueState(
        accepting=options.get("printer-is-accepting-jobs", "true").lower() != "false",
        state=int(options.get("printer-state", IDLE) or IDLE),
        message=options.get("printer-state-message", ""),
        backend_message=message,
        reasons=reasons,
        waiting=_waiting(lib, name),
    )


#: IPP: Get-Printer-Attributes, the operation group, the uri value tag, any value tag.
_GET_PRINTER_ATTRIBUTES, _TAG_OPERATION, _TAG_URI, _TAG_ZERO = 0x0B, 0x01, 0x45, 0x00
#: cupsGetJobs2's "jobs not completed".
_WHICHJOBS_ACTIVE = 0


def _printer_status(lib: ctypes.CDLL, uri: str) -> tuple[str, tuple[str, ...]]:
    """printer-state-message and printer-state-reasons (the destination list has no
    message), asked of the scheduler; nothing when it does not answer."""
    if not uri:
        return "", ()
    request = lib.ippNewRequest(_GET_PRINTER_ATTRIBUTES)
    lib.ippAddString(request, _TAG_OPERATION, _TAG_URI, b"printer-uri", None, uri.encode())
    response = lib.cupsDoRequest(None, request, b"/")  # frees the request
    if not response:
        return "", ()
    try:
        message = _strings(lib, response, b"printer-state-message")
        reasons = _strings(lib, response, b"printer-state-reasons")
    finally:
        lib.ippDelete(response)
    return (message[0] if message else ""), tuple(r for r in reasons if r != "none")


def _strings(lib: ctypes.CDLL, response: int, name: bytes) -> list[str]:
    found = lib.ippFindAttribute(response, name, _TAG_ZERO)
    if not found:
        return []
    values = (lib.ippGetString(found, i, None) for i in range(lib.ippGetCount(found)))
    return [(v or b"").decode(errors="replace") for v in values]


def _waiting(lib: ctypes.CDLL, name: str) -> tuple[float, ...]:
    """When each job on the queue not printed yet was sent (any user's)."""
    jobs = ctypes.POINTER(_Job)()
    count = lib.cupsGetJobs2(None, ctypes.byref(jobs), name.encode(), 0, _WHICHJOBS_ACTIVE)
    if count <= 0:
        return ()
    try:
        return tuple(
            float(jobs[i].creation_time)
            for i in range(count)
            if jobs[i].state in (JOB_PENDING, JOB_PROCESSING, JOB_STOPPED)
        )
    finally:
        lib.cupsFreeJobs(count, jobs)
