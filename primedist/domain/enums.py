"""Every status, channel and kind the store records, as str enums stored by value."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    SHOPEE = "shopee"
    LAZADA = "lazada"
    TIKI = "tiki"
    TIKTOK = "tiktok"
    OFFLINE = "offline"
    WEBSTORE = "webstore"

    @property
    def is_marketplace(self) -> bool:
        return self not in (Channel.OFFLINE, Channel.WEBSTORE)


#: The stored values of the channels whose listings have marketplace item ids.
MARKETPLACE_CHANNELS = tuple(c.value for c in Channel if c.is_marketplace)


class ShopStatus(StrEnum):
    ACTIVE = "active"
    NOT_LINKED = "not_linked"
    NEEDS_REAUTH = "needs_reauth"
    PAUSED = "paused"
    DISCONNECTED = "disconnected"


class OrderStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    SHIPPING = "shipping"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    RETURN_REFUND = "return_refund"
    RETURNED = "returned"


class OrderSource(StrEnum):
    MARKETPLACE = "marketplace"
    COUNTER = "counter"
    PHONE = "phone"
    CHAT = "chat"
    IMPORT = "import"


class PaymentMethod(StrEnum):
    COD = "cod"
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    E_WALLET = "e_wallet"
    CARD = "card"
    OTHER = "other"
    #: Sold on the customer's account (*ghi nợ*): paid later, what they owe grows.
    ON_ACCOUNT = "on_account"


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"


class Module(StrEnum):
    PRODUCTS = "products"
    ORDERS = "orders"
    CUSTOMERS = "customers"
    SETTINGS = "settings"
    ANALYTICS = "analytics"


class ProductStatus(StrEnum):
    ACTIVE = "active"
    HIDDEN = "hidden"
    ARCHIVED = "archived"


class StockMoveKind(StrEnum):
    STOCK_IN = "stock_in"
    STOCK_OUT = "stock_out"
    ADJUSTMENT = "adjustment"
    STOCKTAKE = "stocktake"
    SALE = "sale"
    RETURN = "return"
    CANCEL_RESTOCK = "cancel_restock"
    #: An open order holds stock (reserved goes up, on-hand stays).
    RESERVE = "reserve"
    #: A cancelled open order lets its reservation go.
    RELEASE = "release"


class StockState(StrEnum):
    """What an order has done to stock so far (decides what a status change does)."""

    #: Stock is not tracked for this order (imported history, demo data).
    NONE = "none"
    #: Open order: its quantities are reserved.
    RESERVED = "reserved"
    #: Shipped/completed: its quantities left the shelf.
    CONSUMED = "consumed"
    #: Cancelled: reservation released or goods restocked.
    RELEASED = "released"


class Gender(StrEnum):
    UNKNOWN = "unknown"
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Rank(StrEnum):
    COPPER = "copper"
    SILVER = "silver"
    GOLD = "gold"
    DIAMOND = "diamond"


class RankBasis(StrEnum):
    EXPENSES = "expenses"
    ORDERS = "orders"


class RankReason(StrEnum):
    """Why a rank changed (`RankHistory.basis`): reached on a basis (`RankBasis`, the
    recompute) or given by hand. A column of its own kind, not a third `RankBasis`: the
    ranking settings choose between the two bases only."""

    EXPENSES = "expenses"
    ORDERS = "orders"
    MANUAL = "manual"


class PointsKind(StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    ADJUST = "adjust"
    REFUND = "refund"
    EXPIRE = "expire"


class DiscountKind(StrEnum):
    AMOUNT = "amount"
    PERCENT = "percent"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CarrierCode(StrEnum):
    GHN = "ghn"
    JNT = "jnt"


class ActivityKind(StrEnum):
    ORDERS_SYNCED = "orders_synced"
    SYNC_FAILED = "sync_failed"
    LOW_STOCK = "low_stock"
    RANKS_UPDATED = "ranks_updated"
    BACKUP = "backup"
    IMPORT = "import"
    INFO = "info"
    #: A parcel of the shop's own shipments needs the owner (lost, damaged, coming back).
    SHIPMENT = "shipment"
    #: The backup was not copied to the second folder (a USB stick not plugged in).
    BACKUP_COPY = "backup_copy"
