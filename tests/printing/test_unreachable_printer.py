"""A CUPS queue whose network printer cannot be reached (nothing listens at its address):
CUPS takes the first job and keeps trying; the next print says the printer cannot be
reached and how many jobs wait for it, instead of "printed" with one more job queued.
And jobs sent long ago still not printed stop the next one too (not this run's own)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from primedist.printing import cups as libcups
from primedist.printing.errors import PrinterOffline
from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.ui.printing import render
from primedist.ui.printing.jobs import print_orders

QUEUE = "PRIMEDIST_UNREACHABLE"


@pytest.fixture
def unreachable(cups) -> Iterator[str]:
    """A raw queue to a port of 127.0.0.1 nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: connections are refused
    subprocess.run(["lpadmin", "-p", QUEUE, "-v", f"socket://127.0.0.1:{port}", "-E"],
                   check=True, capture_output=True)  # fmt: skip
    yield QUEUE
    subprocess.run(["cancel", "-a", QUEUE], capture_output=True)
    subprocess.run(["lpadmin", "-x", QUEUE], capture_output=True)


def test_the_second_print_says_the_printer_cannot_be_reached(qapp, unreachable, shop_ctx,
                                                             sample_order):  # fmt: skip
    target = PrintTarget(TargetKind.SYSTEM, name=unreachable)
    # Nothing is known yet: CUPS takes the job and tries to send it.
    print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT, target=target)
    end = time.monotonic() + 20
    while not (state := libcups.queue_state(unreachable)) or not state.unreachable:
        assert time.monotonic() < end, state
        time.sleep(0.1)
    with pytest.raises(PrinterOffline) as err:
        print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT, target=target)
    assert err.value.user_message == (
        f"The printer '{unreachable}' cannot be reached. Check that it is switched on and "
        "connected (cable or Wi-Fi), then try again. 1 earlier print job is still waiting "
        "and prints once the printer is back."
    )
    assert err.value.detail  # CUPS's own words, for the details
    # Nothing more was queued behind the first job.
    queued = subprocess.run(["lpstat", "-o", unreachable], capture_output=True, text=True)
    assert len(queued.stdout.splitlines()) == 1


def waiting_queue(monkeypatch, *sent_ago: float, state: int = libcups.PROCESSING,
                  reasons: tuple[str, ...] = ("media-empty-error",)) -> None:  # fmt: skip
    now = time.time()
    queue = libcups.QueueState(accepting=True, state=state, message="", reasons=reasons,
                               waiting=tuple(now - s for s in sent_ago))  # fmt: skip
    monkeypatch.setattr(render, "available_printers", lambda: ["Quay"])
    monkeypatch.setattr(libcups, "queue_state", lambda _name: queue)


def test_jobs_waiting_for_over_a_minute_stop_the_next(qapp, monkeypatch):
    waiting_queue(monkeypatch, 300, 90, 5)
    with pytest.raises(PrinterOffline) as err:
        render.check_printer("Quay")
    assert err.value.user_message == (
        "The printer 'Quay' has not printed what was sent to it over a minute ago. Check "
        "that it is switched on, connected and has paper, then try again. 2 earlier print "
        "jobs are still waiting and print once the printer is back."
    )
    waiting_queue(monkeypatch, 20, 5)  # printing along
    render.check_printer("Quay")
    # A long job printing with nothing wrong said (150 invoices on a laser) is no stuck
    # printer: the next job waits its turn.
    waiting_queue(monkeypatch, 300, 90, 5, reasons=("none",))
    render.check_printer("Quay")
    waiting_queue(monkeypatch, 300, 90, 5, state=libcups.IDLE, reasons=())  # jobs held
    with pytest.raises(PrinterOffline):
        render.check_printer("Quay")
    # One job per order: the run's own jobs (sent since it began) are not old ones.
    waiting_queue(monkeypatch, 90, 70)
    render.check_printer("Quay", since=time.time() - 80)


def test_a_stale_message_on_an_idle_queue_does_not_stop_printing(qapp, monkeypatch):
    """A failed job's last words stay on a queue that has nothing left to print."""
    queue = libcups.QueueState(
        accepting=True, state=libcups.IDLE, message="",
        backend_message="The printer may not exist or is unavailable at this time.",
    )  # fmt: skip
    monkeypatch.setattr(render, "available_printers", lambda: ["Quay"])
    monkeypatch.setattr(libcups, "queue_state", lambda _name: queue)
    render.check_printer("Quay")
    offline = replace(queue, state=libcups.PROCESSING, reasons=("offline-report",))
    monkeypatch.setattr(libcups, "queue_state", lambda _name: offline)
    with pytest.raises(PrinterOffline, match="cannot be reached"):
        render.check_printer("Quay")
