"""Home's activity feed in the UI's language, from each event's stored figures
(services/activity.py names the keys per kind). An event without them (older rows) shows
its stored English sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QCoreApplication

from primedist.core.clock import format_datetime
from primedist.core.messages import restored
from primedist.core.money import format_number
from primedist.domain.enums import ActivityKind
from primedist.services.backup import posted_failure
from primedist.services.price_schedule import stored_message
from primedist.services.reports import EventRow
from primedist.ui.formatting import short_path
from primedist.ui.i18n import current_language
from primedist.ui.labels import status_word
from primedist.ui.messages import localize

# lupdate extracts translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate


def feed_line(event: EventRow, tz: tzinfo) -> str:
    """One line of the feed: when, the shop (if any), what happened."""
    lang = current_language()
    shop = f"{event.shop}: " if event.shop else ""
    return f"{format_datetime(event.created_at, tz, lang)}  {shop}{describe(event, lang)}"


def describe(event: EventRow, lang: str) -> str:
    """What happened, worded in `lang`; the stored sentence when the figures are missing."""
    wording = _WORDINGS.get(event.kind)
    if wording is None or not event.args:
        return event.message
    try:
        return wording(event.args, lambda n: format_number(int(n), lang))
    except (KeyError, TypeError, ValueError):  # figures of another shape: keep the sentence
        return event.message


Number = Callable[[Any], str]


def _orders_synced(a: dict[str, Any], num: Number) -> str:
    text = translate("ActivityFeed", "{new} new order(s) synced").format(new=num(a["new"]))
    if a.get("updated"):
        text += translate("ActivityFeed", ", {updated} updated").format(updated=num(a["updated"]))
    return text


def _sync_failed(a: dict[str, Any], _num: Number) -> str:
    what = {
        "needs_reauth": translate(
            "ActivityFeed", "Authorisation lost: re-authorise the shop in Settings"
        ),
        "paused": translate("ActivityFeed", "Daily API limit reached, sync paused"),
    }.get(str(a["outcome"]), translate("ActivityFeed", "Sync failed"))
    # A reason in our own words was stored with its message: worded in the reader's language.
    return f"{what}: {localize(restored(a['reason'], a.get('reason_args')))}"


def _low_stock(a: dict[str, Any], num: Number) -> str:
    text = translate("ActivityFeed", "{n} product(s) low on stock")
    return text.format(n=num(a["products"]))


def _ranks_updated(a: dict[str, Any], num: Number) -> str:
    text = translate("ActivityFeed", "Ranks updated: {up} up, {down} down").format(
        up=num(a["up"]), down=num(a["down"])
    )
    if a.get("levels"):
        text += translate("ActivityFeed", ", {n} up a level").format(n=num(a["levels"]))
    return text


def _imported(a: dict[str, Any], num: Number) -> str:
    what = {
        "orders": translate("ActivityFeed", "orders"),
        "customers": translate("ActivityFeed", "customers"),
        "products": translate("ActivityFeed", "products"),
    }[str(a["what"])]
    text = translate(
        "ActivityFeed", "Imported {created} new and {updated} updated {what} from {file}"
    ).format(created=num(a["created"]), updated=num(a["updated"]), what=what, file=a["file"])
    if a.get("rejected"):
        text += translate("ActivityFeed", " ({n} rejected)").format(n=num(a["rejected"]))
    return text


def _info(a: dict[str, Any], num: Number) -> str:
    if a.get("event") == "goods_received":
        return _goods_received(a, num)
    if a.get("event") == "price_schedule":
        return _price_schedule(a, num)
    if a.get("event") != "demo_generated":
        raise KeyError("event")
    return translate(
        "ActivityFeed", "Demo data generated: {orders} orders, {customers} customers"
    ).format(orders=num(a["orders"]), customers=num(a["customers"]))


def _goods_received(a: dict[str, Any], num: Number) -> str:
    if a.get("supplier"):
        text = translate("ActivityFeed", "Goods received from {supplier}: {code}, {lines} "
                         "SKU(s), {units} unit(s)")  # fmt: skip
    else:
        text = translate("ActivityFeed", "Goods received: {code}, {lines} SKU(s), {units} unit(s)")
    return text.format(supplier=a.get("supplier"), code=a["code"], lines=num(a["lines"]),
                       units=num(a["units"]))  # fmt: skip


def _price_schedule(a: dict[str, Any], num: Number) -> str:
    if a["stage"] == "started":
        text = translate("ActivityFeed", "Price change “{name}” started: {count} variants changed")
    elif a["stage"] == "ended" and a.get("kept"):
        text = translate("ActivityFeed", "Price change “{name}” ended: {count} variants have "
                         "their price back, {kept} kept a price set by hand")  # fmt: skip
    elif a["stage"] == "ended":
        text = translate("ActivityFeed", "Price change “{name}” ended: {count} variants have "
                         "their price back")  # fmt: skip
    else:
        text = translate("ActivityFeed", "Price change “{name}” could not start: {why}. No "
                         "price changed.")  # fmt: skip
    return text.format(
        name=a["name"],
        count=num(a.get("count", 0)),
        kept=num(a.get("kept", 0)),
        # Stored in English: read back as the service's message, in the reader's words.
        why=localize(stored_message(str(a.get("why", "")))),
    )


def _backup_failed(a: dict[str, Any], _num: Number) -> str:
    found = posted_failure(a)
    if found is None:
        raise KeyError("reason")  # figures of another shape: the stored sentence
    reason, folder = found
    if not folder:  # posted by an older version, without its folder
        text = translate("ActivityFeed", "The daily backup failed: {reason}")
        return text.format(reason=localize(reason))
    text = translate("ActivityFeed", "The daily backup to the folder “{folder}” failed: {reason}")
    return text.format(folder=short_path(folder), reason=localize(reason))


def _backup_not_copied(a: dict[str, Any], _num: Number) -> str:
    found = posted_failure(a)
    if found is None:
        raise KeyError("reason")
    reason, folder = found
    text = translate("ActivityFeed", "The backup was made, but not copied to the folder "
                     "“{folder}”: {reason}")  # fmt: skip
    return text.format(folder=short_path(folder), reason=localize(reason))


def _shipment(a: dict[str, Any], _num: Number) -> str:
    if a.get("problem") == "token":
        text = translate("ActivityFeed", "{carrier} account {account} can no longer track "
                         "parcels: {reason} Update its token in Settings → Logistics.")  # fmt: skip
        reason = localize(restored(a["reason"], a.get("reason_args")))
        return text.format(carrier=a["carrier"], account=a["account"], reason=reason)
    text = translate("ActivityFeed", "{carrier} parcel {code} of order {order}: {status}")
    return text.format(carrier=a["carrier"], code=a["code"], order=a["order"],
                       status=status_word(str(a["status"])))  # fmt: skip


_WORDINGS: dict[str, Callable[[dict[str, Any], Number], str]] = {
    ActivityKind.ORDERS_SYNCED.value: _orders_synced,
    ActivityKind.SYNC_FAILED.value: _sync_failed,
    ActivityKind.LOW_STOCK.value: _low_stock,
    ActivityKind.RANKS_UPDATED.value: _ranks_updated,
    ActivityKind.IMPORT.value: _imported,
    ActivityKind.INFO.value: _info,
    ActivityKind.SHIPMENT.value: _shipment,
    ActivityKind.BACKUP.value: _backup_failed,
    ActivityKind.BACKUP_COPY.value: _backup_not_copied,
}
