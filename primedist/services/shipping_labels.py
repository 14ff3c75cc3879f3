"""The carriers' shipping labels of many orders as one PDF (Orders → Print → *Shipping
labels*, Ship…'s *Print labels*): one label after the other, in the order of the list, so
a stack of parcels is one print job or one file, not a job or a file per order.

Each order's label is its newest shipment's with the carrier (fetched once and kept, as
`shipping.label_file` does), and its pages are copied into the document
(`printing.pdf_merge`). An order whose label cannot be had — not shipped with the shop's
carrier, its shipment not with the carrier yet, the carrier not answering, a label that is
not a PDF — is left out with the reason (`LeftOut`); the others are still in.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from primedist.connectors.base import ConnectorError
from primedist.core.messages import Message, msg
from primedist.domain.carrier import Shipment
from primedist.domain.enums import Channel, Module, OrderSource
from primedist.domain.order import Order
from primedist.domain.shop import Shop
from primedist.errors import PrimedistError, StoreError
from primedist.jobs.progress import NullProgress, Progress
from primedist.printing.errors import PrintError
from primedist.printing.pdf_merge import PdfError, PdfMerger
from primedist.services import shipping
from primedist.services.context import ServiceContext

#: Orders one document may hold (a day's parcels fit many times over).
MAX_ORDERS = 2_000
#: Order ids read per query (well under any database's limit on parameters).
_CHUNK = 500


@dataclass(frozen=True)
class LeftOut:
    """An order whose label is not in the document, and why (a message for the user)."""

    order_id: int
    #: The order's number as people know it (its id when the order is gone).
    number: str
    reason: str


@dataclass(frozen=True)
class MergedLabels:
    """What `merged_labels` wrote."""

    #: The PDF written, None when no order had a label (nothing was written).
    path: Path | None
    #: Orders whose label is in it, and its pages (a carrier's label may have several).
    labels: int
    pages: int
    left_out: tuple[LeftOut, ...]


@dataclass(frozen=True)
class _Wanted:
    number: str
    shipment_id: int | None
    reason: Message | None


def merged_labels(ctx: ServiceContext, order_ids: Sequence[int], target: Path, *,
                  factory: shipping.CarrierFactory = shipping.carrier_for,
                  progress: Progress | None = None) -> MergedLabels:  # fmt: skip
    """The labels of `order_ids`, in that order, as one PDF at `target` (written whole
    or not at all); the orders without one are named in `left_out`. A label is fetched
    from the carrier the first time only. Cancel (`progress`) stops between two labels,
    and nothing is written."""
    ctx.require(Module.ORDERS)
    prog: Progress = progress if progress is not None else NullProgress()
    ids = list(dict.fromkeys(order_ids))
    if len(ids) > MAX_ORDERS:
        raise PrintError(msg("At most {limit} orders' labels can be printed at once: select "
                             "fewer.", limit=MAX_ORDERS))  # fmt: skip
    if ctx.settings is None:
        raise StoreError(msg("No data directory: the label has nowhere to go."))
    wanted = _wanted(ctx, ids)
    merger = PdfMerger()
    labels = 0
    left_out: list[LeftOut] = []
    for n, order_id in enumerate(ids):
        prog.check()
        prog.update(n / max(len(ids), 1), f"{n + 1}/{len(ids)}")
        item = wanted[order_id]
        reason = item.reason or _add_label(ctx, merger, item, factory)
        if reason is None:
            labels += 1
        else:
            left_out.append(LeftOut(order_id, item.number, reason))
    prog.check()
    path = _write(target, merger.to_bytes()) if labels else None
    prog.update(1.0)
    return MergedLabels(path, labels, merger.pages, tuple(left_out))


def _wanted(ctx: ServiceContext, ids: list[int]) -> dict[int, _Wanted]:
    """Each order's number and the shipment whose label is printed, or why there is none."""
    found: dict[int, _Wanted] = {}
    with ctx.uow() as session:
        for at in range(0, len(ids), _CHUNK):
            chunk = ids[at : at + _CHUNK]
            orders = session.exec(
                select(Order.id, Order.external_id, Order.source, Shop.channel)
                .join(Shop, col(Shop.id) == Order.shop_id)
                .where(col(Order.id).in_(chunk))
            ).all()  # fmt: skip
            ships: dict[int, list[Shipment]] = {}
            for ship in session.exec(select(Shipment).where(col(Shipment.order_id).in_(chunk))
                                     .order_by(col(Shipment.id).desc())):  # fmt: skip
                ships.setdefault(ship.order_id, []).append(ship)
            for order_id, number, source, channel in orders:
                assert order_id is not None
                found[order_id] = _choose(str(number), source, channel,
                                          ships.get(order_id, []))  # fmt: skip
    for order_id in ids:
        found.setdefault(order_id, _Wanted(str(order_id), None, msg(
            "The order no longer exists.")))  # fmt: skip
    return found


def _choose(number: str, source: str, channel: str, ships: list[Shipment]) -> _Wanted:
    """The newest shipment not cancelled nor failed that the carrier has (newest first)."""
    live = [s for s in ships if s.status not in shipping.DEAD]
    with_code = next((s for s in live if s.carrier_order_code), None)
    if with_code is not None:
        return _Wanted(number, with_code.id, None)
    if live:
        return _Wanted(number, None, msg("Its shipment is not with the carrier yet (waiting to "
                                         "be sent): try again in a moment."))  # fmt: skip
    if Channel(channel).is_marketplace or OrderSource(source) not in shipping.OWN_SOURCES:
        return _Wanted(number, None, msg("It ships with its marketplace's logistics: its label "
                                         "is printed from the marketplace."))  # fmt: skip
    return _Wanted(number, None, msg("It has no shipment with a carrier: ship it first."))


def _add_label(ctx: ServiceContext, merger: PdfMerger, item: _Wanted,
               factory: shipping.CarrierFactory) -> str | None:  # fmt: skip
    """Put the label of `item`'s shipment in the document; None when it is in, else why
    not."""
    assert item.shipment_id is not None
    try:
        path = shipping.label_file(ctx, item.shipment_id, factory=factory)
    except ConnectorError as exc:
        return msg("The carrier did not give its label: {error}", error=exc.user_message)
    except PrimedistError as exc:  # the shipment cancelled meanwhile, the disk full …
        return exc.user_message
    if path.suffix.lower() != ".pdf":
        return msg("The carrier gives this label as a web page, not a PDF: print it from the "
                   "order (Print label).")  # fmt: skip
    try:
        merger.add(path.read_bytes())
    except (OSError, PdfError):
        return msg("The carrier's label is not a PDF the app can read: print it from the "
                   "order (Print label).")  # fmt: skip
    return None


def _write(target: Path, content: bytes) -> Path:
    """`content` at `target`, complete or not at all (written beside, then moved)."""
    # Not mkstemp: its file is private (0600), and a saved PDF is the user's like any other.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with tmp.open("xb") as out:
                out.write(content)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:  # a read-only folder, a full disk, the file open elsewhere
        raise PrintError(
            msg(
                "Could not write {path}: {error}.", path=str(target), error=str(exc.strerror or exc)
            ),
            printer=str(target),
        ) from exc
    return target
