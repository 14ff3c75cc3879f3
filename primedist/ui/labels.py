"""Display names of enum values and carrier statuses, marked for translation."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from primedist.domain.enums import (
    Channel,
    Gender,
    Module,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    Rank,
    Role,
    ShopStatus,
)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802  (the name lupdate knows)
    """Mark `text` for translation in `context`; returns it unchanged (typed, unlike Qt's)."""
    del context
    return text


ENUM_LABELS: dict[str, str] = {
    # order statuses
    OrderStatus.PENDING: QT_TRANSLATE_NOOP("enum", "Pending"),
    OrderStatus.CONFIRMED: QT_TRANSLATE_NOOP("enum", "Confirmed"),
    OrderStatus.SHIPPING: QT_TRANSLATE_NOOP("enum", "Shipping"),
    OrderStatus.COMPLETED: QT_TRANSLATE_NOOP("enum", "Completed"),
    OrderStatus.CANCELLED: QT_TRANSLATE_NOOP("enum", "Cancelled"),
    OrderStatus.RETURN_REFUND: QT_TRANSLATE_NOOP("enum", "Return/Refund"),
    OrderStatus.RETURNED: QT_TRANSLATE_NOOP("enum", "Returned"),
    # payment methods
    PaymentMethod.COD: QT_TRANSLATE_NOOP("enum", "COD"),
    PaymentMethod.CASH: QT_TRANSLATE_NOOP("enum", "Cash"),
    PaymentMethod.BANK_TRANSFER: QT_TRANSLATE_NOOP("enum", "Bank transfer"),
    PaymentMethod.E_WALLET: QT_TRANSLATE_NOOP("enum", "E-wallet"),
    PaymentMethod.CARD: QT_TRANSLATE_NOOP("enum", "Card"),
    PaymentMethod.OTHER: QT_TRANSLATE_NOOP("enum", "Other"),
    PaymentMethod.ON_ACCOUNT: QT_TRANSLATE_NOOP("enum", "On account"),
    # where an order came from (the audit log's "order created" rows name it)
    OrderSource.MARKETPLACE: QT_TRANSLATE_NOOP("enum", "Marketplace"),
    OrderSource.COUNTER: QT_TRANSLATE_NOOP("enum", "Counter sale"),
    OrderSource.PHONE: QT_TRANSLATE_NOOP("enum", "Phone order"),
    OrderSource.CHAT: QT_TRANSLATE_NOOP("enum", "Chat order"),
    OrderSource.IMPORT: QT_TRANSLATE_NOOP("enum", "Imported"),
    # genders ("other" is PaymentMethod.OTHER's "Other" above)
    Gender.UNKNOWN: QT_TRANSLATE_NOOP("enum", "Not given"),
    Gender.FEMALE: QT_TRANSLATE_NOOP("enum", "Female"),
    Gender.MALE: QT_TRANSLATE_NOOP("enum", "Male"),
    # purchase orders ("cancelled" is the orders' word above)
    "ordered": QT_TRANSLATE_NOOP("enum", "Ordered"),
    "partly_received": QT_TRANSLATE_NOOP("enum", "Partly received"),
    "received": QT_TRANSLATE_NOOP("enum", "Received"),
    "closed": QT_TRANSLATE_NOOP("enum", "Closed"),
    # channels
    Channel.SHOPEE: QT_TRANSLATE_NOOP("enum", "Shopee"),
    Channel.LAZADA: QT_TRANSLATE_NOOP("enum", "Lazada"),
    Channel.TIKI: QT_TRANSLATE_NOOP("enum", "Tiki"),
    Channel.TIKTOK: QT_TRANSLATE_NOOP("enum", "TikTok Shop"),
    Channel.OFFLINE: QT_TRANSLATE_NOOP("enum", "In store"),
    Channel.WEBSTORE: QT_TRANSLATE_NOOP("enum", "Web store"),
    # a shop's link to its marketplace (the audit log's shop.authorize, shop.disconnect)
    ShopStatus.ACTIVE: QT_TRANSLATE_NOOP("enum", "Active"),
    ShopStatus.NOT_LINKED: QT_TRANSLATE_NOOP("enum", "Not linked"),
    ShopStatus.NEEDS_REAUTH: QT_TRANSLATE_NOOP("enum", "Needs re-authorisation"),
    ShopStatus.PAUSED: QT_TRANSLATE_NOOP("enum", "Paused"),
    ShopStatus.DISCONNECTED: QT_TRANSLATE_NOOP("enum", "Disconnected"),
    # ranks
    Rank.DIAMOND: QT_TRANSLATE_NOOP("enum", "Diamond"),
    Rank.GOLD: QT_TRANSLATE_NOOP("enum", "Gold"),
    Rank.SILVER: QT_TRANSLATE_NOOP("enum", "Silver"),
    Rank.COPPER: QT_TRANSLATE_NOOP("enum", "Bronze"),  # stored "copper"
    # roles
    Role.OWNER: QT_TRANSLATE_NOOP("enum", "Owner"),
    Role.MANAGER: QT_TRANSLATE_NOOP("enum", "Manager"),
    Role.STAFF: QT_TRANSLATE_NOOP("enum", "Staff"),
    # modules
    Module.PRODUCTS: QT_TRANSLATE_NOOP("enum", "Products"),
    Module.ORDERS: QT_TRANSLATE_NOOP("enum", "Orders"),
    Module.CUSTOMERS: QT_TRANSLATE_NOOP("enum", "Customers"),
    Module.SETTINGS: QT_TRANSLATE_NOOP("enum", "Settings"),
    Module.ANALYTICS: QT_TRANSLATE_NOOP("enum", "Analytics"),
    # actions waiting in the outbox (services/outbox.py, services/shipping.py)
    "order.confirm": QT_TRANSLATE_NOOP("enum", "Confirm order"),
    "order.cancel": QT_TRANSLATE_NOOP("enum", "Cancel order"),
    "stock.push": QT_TRANSLATE_NOOP("enum", "Update stock"),
    "listing.upsert": QT_TRANSLATE_NOOP("enum", "Update listing"),
    "shipment.create": QT_TRANSLATE_NOOP("enum", "Book shipment"),
    "shipment.cancel": QT_TRANSLATE_NOOP("enum", "Cancel shipment"),
}

# Column headers of the list specs in primedist.queries (context "columns").
COLUMN_LABELS = (
    QT_TRANSLATE_NOOP("columns", "Order ID"),
    QT_TRANSLATE_NOOP("columns", "Shop"),
    QT_TRANSLATE_NOOP("columns", "Channel"),
    QT_TRANSLATE_NOOP("columns", "Items"),
    QT_TRANSLATE_NOOP("columns", "Order value"),
    QT_TRANSLATE_NOOP("columns", "Status"),
    QT_TRANSLATE_NOOP("columns", "Payment"),
    QT_TRANSLATE_NOOP("columns", "Customer"),
    QT_TRANSLATE_NOOP("columns", "Phone"),
    QT_TRANSLATE_NOOP("columns", "Order date"),
    QT_TRANSLATE_NOOP("columns", "Flagged"),
    QT_TRANSLATE_NOOP("columns", "Waiting to be sent"),
    QT_TRANSLATE_NOOP("columns", "Not sent to the marketplace"),
    QT_TRANSLATE_NOOP("columns", "Customer code"),
    QT_TRANSLATE_NOOP("columns", "Name"),
    QT_TRANSLATE_NOOP("columns", "Rank"),
    QT_TRANSLATE_NOOP("columns", "Total spent"),
    QT_TRANSLATE_NOOP("columns", "Total orders"),
    QT_TRANSLATE_NOOP("columns", "Created"),
)


def enum_label(value: object) -> str:
    """The translated display name of an enum value (its raw value if unknown)."""
    if value is None:
        return ""
    key = getattr(value, "value", value)
    source = ENUM_LABELS.get(str(key))
    return QCoreApplication.translate("enum", source) if source else str(key)


#: The carrier's statuses in the reader's language (GHN's own Vietnamese words in vi; J&T's
#: scans are mapped onto the same statuses).
STATUS_WORDS: dict[str, str] = {
    "ready_to_pick": QT_TRANSLATE_NOOP("shipments", "Waiting for pickup"),
    "picking": QT_TRANSLATE_NOOP("shipments", "Being picked up"),
    "money_collect_picking": QT_TRANSLATE_NOOP("shipments", "With the sender"),
    "picked": QT_TRANSLATE_NOOP("shipments", "Picked up"),
    "storing": QT_TRANSLATE_NOOP("shipments", "At the warehouse"),
    "transporting": QT_TRANSLATE_NOOP("shipments", "In transit"),
    "sorting": QT_TRANSLATE_NOOP("shipments", "Being sorted"),
    "delivering": QT_TRANSLATE_NOOP("shipments", "Out for delivery"),
    "money_collect_delivering": QT_TRANSLATE_NOOP("shipments", "With the recipient"),
    "delivered": QT_TRANSLATE_NOOP("shipments", "Delivered"),
    "delivery_fail": QT_TRANSLATE_NOOP("shipments", "Delivery failed"),
    "waiting_to_return": QT_TRANSLATE_NOOP("shipments", "Waiting to redeliver"),
    "return": QT_TRANSLATE_NOOP("shipments", "Returning to the shop"),
    "return_transporting": QT_TRANSLATE_NOOP("shipments", "Return in transit"),
    "return_sorting": QT_TRANSLATE_NOOP("shipments", "Return being sorted"),
    "returning": QT_TRANSLATE_NOOP("shipments", "Being returned"),
    "return_fail": QT_TRANSLATE_NOOP("shipments", "Return failed"),
    "returned": QT_TRANSLATE_NOOP("shipments", "Returned to the shop"),
    "cancel": QT_TRANSLATE_NOOP("shipments", "Cancelled"),
    "exception": QT_TRANSLATE_NOOP("shipments", "Exception"),
    "lost": QT_TRANSLATE_NOOP("shipments", "Lost"),
    "damage": QT_TRANSLATE_NOOP("shipments", "Damaged"),
}


def status_word(status: str) -> str:
    """A carrier status as the reader says it (an unknown one as the carrier wrote it)."""
    word = STATUS_WORDS.get(status)
    return QCoreApplication.translate("shipments", word) if word else status
