"""The sandbox marketplace's orders: a deterministic timeline plus lazily built details.

N orders are spread over a date range from a seed. Each order follows a status path
(ready to ship → processed → shipped → delivered → completed, or a cancellation, a
return...) with random delays, so what an order looks like depends on the sandbox's
clock: as time passes, orders move and their update time advances, and an update sync
has work. The whole timeline is a few numpy arrays (100,000 orders take well under a
second); the details of an order (buyer, address, lines, money) are built from
(seed, order index) only when asked for.

Seller actions (arrange shipment, cancel) replace an order's remaining path; those
orders are kept in a small override table consulted before the arrays.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from primedist.core.text import fold
from primedist.domain.geo import PROVINCES_2025
from primedist.services import demo_names as words

Arr = npt.NDArray[np.int64]

#: Bits of the event key kept for the order index (event key = time << bits | index).
INDEX_BITS = 21
MAX_ORDERS = (1 << INDEX_BITS) - 1
NEVER = np.iinfo(np.int64).max >> 1
HOUR = 3600

#: Status paths: (weight, steps); each step (status, min hours, max hours after the last).
PATHS: tuple[tuple[float, tuple[tuple[str, float, float], ...]], ...] = (
    (50, (("READY_TO_SHIP", 0, 0), ("PROCESSED", 1, 24), ("SHIPPED", 4, 36),
          ("TO_CONFIRM_RECEIVE", 24, 96), ("COMPLETED", 24, 168))),
    (18, (("UNPAID", 0, 0), ("READY_TO_SHIP", 0.05, 2), ("PROCESSED", 1, 24),
          ("SHIPPED", 4, 36), ("TO_CONFIRM_RECEIVE", 24, 96), ("COMPLETED", 24, 168))),
    (6, (("UNPAID", 0, 0), ("CANCELLED", 1, 48))),
    (6, (("READY_TO_SHIP", 0, 0), ("IN_CANCEL", 0.5, 12), ("CANCELLED", 1, 24))),
    (5, (("READY_TO_SHIP", 0, 0), ("PROCESSED", 1, 24), ("SHIPPED", 4, 36),
         ("TO_CONFIRM_RECEIVE", 24, 96), ("TO_RETURN", 24, 72))),
    (4, (("READY_TO_SHIP", 0, 0), ("PROCESSED", 1, 24), ("RETRY_SHIP", 12, 48),
         ("SHIPPED", 4, 36), ("COMPLETED", 48, 200))),
    (4, (("READY_TO_SHIP", 0, 0), ("PROCESSED", 1, 24), ("SHIPPED", 4, 36),
         ("CANCELLED", 48, 120))),
    (7, (("READY_TO_SHIP", 0, 0), ("PROCESSED", 48, 200), ("SHIPPED", 4, 36),
         ("COMPLETED", 72, 240))),
)  # fmt: skip
MAX_STEPS = max(len(steps) for _, steps in PATHS)
STATUSES: tuple[str, ...] = tuple(sorted({s for _, steps in PATHS for s, _, _ in steps}))
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}

CARRIERS = ("SPX Express", "Giao Hàng Nhanh", "J&T Express", "Ninja Van", "GHTK")
PAYMENTS_PREPAID = ("ShopeePay", "Credit Card/Debit Card", "Bank Transfer")
SN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUVWXY"  # 32 symbols, no I/O/S/Z look-alikes
_SN_BITS = 40
_SN_MUL = 0x9E3779B97F & ((1 << _SN_BITS) - 1) | 1
_SN_INV = pow(_SN_MUL, -1, 1 << _SN_BITS)
_SN_OFFSET = 0x3A5F1C9B27
_LOCAL = timedelta(hours=7)  # order numbers carry the Vietnamese date


@dataclass(frozen=True)
class CatalogueModel:
    """One sellable model of a sandbox listing (model_id 0: the item has no variants)."""

    item_id: int
    model_id: int
    item_name: str
    item_sku: str
    model_name: str
    model_sku: str
    price: int


def default_catalogue(seed: int = 1) -> tuple[CatalogueModel, ...]:
    """A believable Vietnamese catalogue from the demo's product templates."""
    rng = random.Random(seed)
    models: list[CatalogueModel] = []
    for k, tpl in enumerate(words.CATALOGUE):
        item_id, item_sku = 800_000 + k * 7, f"SB{k + 1:03d}"
        first: list[tuple[str, str]] = []
        if tpl.first == "color":
            first = [(c.name, c.code) for c in rng.sample(words.COLORS, 3)]
        elif tpl.first == "lip":
            first = [(c.name, c.code) for c in rng.sample(words.LIP_SHADES, 3)]
        second = list(words.OPTION_SETS[tpl.second][1][:3]) if tpl.second else []
        base = rng.randrange(tpl.low_k, tpl.high_k + 1) * 1000
        Opt = tuple[str, str] | None
        firsts: list[Opt] = list(first) or [None]
        seconds: list[Opt] = list(second) or [None]
        combos = [(a, b) for a in firsts for b in seconds]
        for j, (a, b) in enumerate(combos):
            parts = [p for p in (a, b) if p is not None]
            if not parts:
                models.append(CatalogueModel(item_id, 0, tpl.name, item_sku, "", item_sku, base))
                continue
            models.append(CatalogueModel(
                item_id, item_id * 100 + j + 1, tpl.name, item_sku,
                ",".join(label for label, _ in parts),
                "-".join([item_sku, *(code for _, code in parts)]),
                base + (j % 3) * 10_000 if b is not None and j % 3 == 2 else base,
            ))  # fmt: skip
    return tuple(models)


def order_sn(index: int, created: int) -> str:
    """Shopee-like order number: local yymmdd + 8 symbols encoding the scrambled index."""
    day = (datetime.fromtimestamp(created, UTC) + _LOCAL).strftime("%y%m%d")
    x = (index * _SN_MUL + _SN_OFFSET) & ((1 << _SN_BITS) - 1)
    code = "".join(SN_ALPHABET[(x >> (5 * k)) & 31] for k in reversed(range(8)))
    return day + code


def sn_index(sn: str) -> int | None:
    """The order index of an order number made by `order_sn` (None if it is not one)."""
    if len(sn) != 14 or not sn[:6].isdigit():
        return None
    x = 0
    for ch in sn[6:]:
        pos = SN_ALPHABET.find(ch)
        if pos < 0:
            return None
        x = (x << 5) | pos
    return ((x - _SN_OFFSET) * _SN_INV) & ((1 << _SN_BITS) - 1)


class Timeline:
    """When every order was created and when it changes status (int Unix seconds)."""

    def __init__(self, n: int, start: int, end: int, seed: int) -> None:
        if not 0 <= n <= MAX_ORDERS:
            raise ValueError(f"the sandbox holds at most {MAX_ORDERS} orders")
        if end <= start:
            raise ValueError("the sandbox's order range must end after it starts")
        rng = np.random.default_rng(seed)
        self.n = n
        self.created: Arr = np.sort(rng.integers(start, end, n, dtype=np.int64))
        weights = np.array([w for w, _ in PATHS], dtype=float)
        self.path: Arr = rng.choice(len(PATHS), n, p=weights / weights.sum()).astype(np.int64)
        self.times: Arr = np.full((n, MAX_STEPS), NEVER, dtype=np.int64)
        self.codes = np.full((len(PATHS), MAX_STEPS), -1, dtype=np.int64)
        for p, (_, steps) in enumerate(PATHS):
            rows = np.nonzero(self.path == p)[0]
            lo = np.array([s[1] for s in steps]) * HOUR
            hi = np.array([s[2] for s in steps]) * HOUR
            delays = rng.uniform(lo, hi, (len(rows), len(steps))).astype(np.int64)
            self.times[rows, : len(steps)] = self.created[rows, None] + np.cumsum(delays, axis=1)
            self.codes[p, : len(steps)] = [_STATUS_CODE[s[0]] for s in steps]
        self._index_events()
        # Python lists for the per-order lookups (numpy scalar access is slow).
        self.created_list: list[int] = self.created.tolist()
        self._path_list: list[int] = self.path.tolist()
        self._steps = [[STATUSES[c] for c in row if c >= 0] for row in self.codes.tolist()]
        self.overrides: dict[int, list[tuple[int, str]]] = {}
        self._lock = threading.Lock()

    def _index_events(self) -> None:
        """Flat, sorted events (key = time << INDEX_BITS | order) with the time of the
        same order's next event, so "the latest event by now" is one comparison."""
        order, step = np.nonzero(self.times < NEVER)
        t = self.times[order, step]
        nxt = np.full_like(t, NEVER)
        has_next = step + 1 < MAX_STEPS
        nxt[has_next] = self.times[order[has_next], step[has_next] + 1]
        keys = (t << INDEX_BITS) | order
        sort = np.argsort(keys, kind="stable")
        self.ev_key: Arr = keys[sort]
        self.ev_next: Arr = nxt[sort]
        self.ev_code: Arr = self.codes[self.path[order], step][sort]

    # ------------------------------------------------------------------ states

    def events(self, i: int) -> list[tuple[int, str]]:
        """Order `i`'s whole (time, status) path, including the future."""
        with self._lock:
            override = self.overrides.get(i)
        if override is not None:
            return list(override)
        steps = self._steps[self._path_list[i]]
        return list(zip(self.times[i, : len(steps)].tolist(), steps, strict=True))

    def state(self, i: int, now: int) -> tuple[str, int] | None:
        """(status, update time) of order `i` at `now`; None before it exists."""
        if not 0 <= i < self.n:
            return None
        current = None
        for t, status in self.events(i):
            if t > now:
                break
            current = (status, t)
        return current

    def replace_future(self, i: int, now: int, new: Sequence[tuple[int, str]]) -> None:
        """Keep order `i`'s past, then follow `new` (a seller action happened at `now`)."""
        past = [(t, s) for t, s in self.events(i) if t <= now]
        with self._lock:
            self.overrides[i] = past + sorted(new)

    def existing(self, now: int) -> int:
        """How many orders exist at `now` (the created times are sorted)."""
        return int(np.searchsorted(self.created, now, side="right"))

    # ------------------------------------------------------------------ the list

    def changed(
        self, time_from: int, time_to: int, now: int, after: int, limit: int
    ) -> tuple[list[tuple[int, str]], bool]:
        """(event key, status) of orders whose update time at `now` is in [time_from,
        time_to], by key, after the key `after`; at most `limit`, and whether more follow."""
        top = min(time_to, now)
        if top < time_from:
            return [], False
        with self._lock:
            overridden = dict(self.overrides)
        lo = int(np.searchsorted(self.ev_key, max(time_from << INDEX_BITS, after + 1)))
        hi = int(np.searchsorted(self.ev_key, (top + 1) << INDEX_BITS))
        skip = np.fromiter(overridden, dtype=np.int64, count=len(overridden))
        found: list[tuple[int, str]] = []
        step = max(256, limit * 4)
        while lo < hi and len(found) <= limit:
            end = min(hi, lo + step)
            keys = self.ev_key[lo:end]
            mask = self.ev_next[lo:end] > now
            if len(skip):
                mask &= ~np.isin(keys & MAX_ORDERS, skip)
            codes = self.ev_code[lo:end][mask].tolist()
            found += zip(keys[mask].tolist(), (STATUSES[c] for c in codes), strict=True)
            lo = end
        if overridden:
            found = sorted(found + self._override_keys(overridden, time_from, top, now, after))
        page = found[: limit + 1]
        return page[:limit], len(page) > limit

    @staticmethod
    def _override_keys(
        overrides: dict[int, list[tuple[int, str]]], time_from: int, top: int, now: int,
        after: int,
    ) -> list[tuple[int, str]]:  # fmt: skip
        found = []
        for i, events in overrides.items():
            past = [(t, s) for t, s in events if t <= now]
            if past and time_from <= past[-1][0] <= top:
                key = (past[-1][0] << INDEX_BITS) | i
                if key > after:
                    found.append((key, past[-1][1]))
        return found


@dataclass(frozen=True)
class _Buyer:
    user_id: int
    username: str
    name: str
    phone: str
    street: str
    ward: str
    province: str


class OrderFactory:
    """Builds an order's details from (seed, index): the same every time."""

    def __init__(
        self, seed: int, catalogue: Sequence[CatalogueModel], masked_share: float,
        buyers: int,
    ) -> None:  # fmt: skip
        if not catalogue:
            raise ValueError("the sandbox catalogue is empty")
        self.seed = seed
        self.catalogue = tuple(catalogue)
        self.masked_share = masked_share
        self.buyers = max(1, buyers)
        weights = [p.weight for p in PROVINCES_2025]
        self._province_cum = np.cumsum(weights) / sum(weights)
        self._buyers: dict[int, _Buyer] = {}

    def buyer(self, b: int) -> _Buyer:
        found = self._buyers.get(b)
        if found is None:
            found = self._buyers[b] = self._make_buyer(b)
        return found

    def _make_buyer(self, b: int) -> _Buyer:
        rng = random.Random(self.seed * 7_919 + b)
        female = rng.random() < 0.62
        surname = _weighted(rng, _SURNAMES)
        middle = _weighted(rng, _FEMALE_MIDDLE if female else _MALE_MIDDLE)
        given = rng.choice(words.FEMALE_GIVEN if female else words.MALE_GIVEN)
        province = PROVINCES_2025[int(np.searchsorted(self._province_cum, rng.random()))].name
        ward = ("Phường " if rng.random() < 0.7 else "Xã ") + rng.choice(words.WARD_NAMES)
        street = f"Số {rng.randint(1, 299)} {rng.choice(words.STREETS)}"
        phone = "84" + rng.choice("35789") + "".join(rng.choices("0123456789", k=8))
        handle = f"{fold_ascii(given)}{fold_ascii(surname)}{rng.randint(10, 9999)}".lower()
        return _Buyer(30_000_000 + b, handle, f"{surname} {middle} {given}", phone, street,
                      ward, province)  # fmt: skip

    def detail(self, i: int, sn: str, created: int, status: str, updated: int,
               fields: frozenset[str]) -> dict[str, Any]:  # fmt: skip
        """The `get_order_detail` row of order `i` (optional fields only when asked)."""
        rng = random.Random(self.seed * 1_000_003 + i)
        row: dict[str, Any] = {
            "order_sn": sn, "region": "VN", "currency": "VND", "order_status": status,
            "create_time": created, "update_time": updated, "days_to_ship": 2,
            "ship_by_date": created + 2 * 86_400, "booking_sn": "",
            "message_to_seller": rng.choice(words.BUYER_NOTES) if rng.random() < 0.12 else "",
        }  # fmt: skip
        cod = rng.random() < 0.68
        row["cod"] = cod
        items, subtotal = self._items(rng)
        shipping = 0 if rng.random() < 0.3 else rng.randrange(15_000, 38_001, 500)
        voucher = min(subtotal // 2, rng.randrange(5, 51) * 1000) if rng.random() < 0.3 else 0
        buyer = self.buyer(int(self.buyers * rng.random() ** 1.6))
        masked = rng.random() < self.masked_share
        if "item_list" in fields:
            row["item_list"] = items
        if "total_amount" in fields:
            row["total_amount"] = subtotal + shipping - voucher
        if "estimated_shipping_fee" in fields:
            row["estimated_shipping_fee"] = shipping
        if "actual_shipping_fee" in fields:
            row["actual_shipping_fee"] = shipping + rng.randrange(0, 10_001, 500)
        if "buyer_user_id" in fields:
            row["buyer_user_id"] = buyer.user_id
        if "buyer_username" in fields:
            row["buyer_username"] = buyer.username
        if "recipient_address" in fields:
            row["recipient_address"] = _address(buyer, masked)
        if "payment_method" in fields:
            row["payment_method"] = "Cash on Delivery" if cod else rng.choice(PAYMENTS_PREPAID)
        if "pay_time" in fields and not cod and status != "UNPAID":
            row["pay_time"] = created + rng.randrange(30, 1800)
        if "shipping_carrier" in fields:
            row["shipping_carrier"] = rng.choice(CARRIERS)
        if "note" in fields:
            row["note"] = ""
        if status in ("CANCELLED", "IN_CANCEL"):
            if "cancel_reason" in fields:
                row["cancel_reason"] = rng.choice(words.CANCEL_REASONS)
            if "cancel_by" in fields:
                row["cancel_by"] = rng.choice(("buyer", "system", "seller"))
        return row

    def _items(self, rng: random.Random) -> tuple[list[dict[str, Any]], int]:
        r = rng.random()
        count = 1 if r < 0.7 else 2 if r < 0.92 else 3
        items, subtotal = [], 0
        size = len(self.catalogue)
        picks = {int(rng.random() * size) for _ in range(count)}  # (sample() is slow here)
        for m in (self.catalogue[k] for k in sorted(picks)):
            r = rng.random()
            qty = 1 if r < 0.8 else 2 if r < 0.95 else 3
            discounted = m.price
            if rng.random() < 0.4:
                discounted = m.price - m.price * rng.randrange(5, 31) // 100 // 1000 * 1000
            subtotal += discounted * qty
            items.append({
                "item_id": m.item_id, "item_name": m.item_name, "item_sku": m.item_sku,
                "model_id": m.model_id, "model_name": m.model_name, "model_sku": m.model_sku,
                "model_quantity_purchased": qty, "model_original_price": m.price,
                "model_discounted_price": discounted, "weight": 0.3,
            })  # fmt: skip
        return items, subtotal


def _address(buyer: _Buyer, masked: bool) -> dict[str, Any]:
    if masked:
        return {"name": _mask(buyer.name), "phone": f"{buyer.phone[:2]}*******{buyer.phone[-2:]}",
                "town": "", "district": buyer.ward, "city": "", "state": buyer.province,
                "region": "VN", "zipcode": "", "full_address": "******"}  # fmt: skip
    full = f"{buyer.street}, {buyer.ward}, {buyer.province}"
    return {"name": buyer.name, "phone": buyer.phone, "town": "", "district": buyer.ward,
            "city": "", "state": buyer.province, "region": "VN", "zipcode": "",
            "full_address": full}  # fmt: skip


def _mask(name: str) -> str:
    return f"{name[0]}{'*' * max(1, len(name) - 2)}{name[-1]}" if len(name) > 1 else "*"


def _cumulative(pairs: Sequence[tuple[str, float]]) -> tuple[list[str], list[float]]:
    total, cum = 0.0, []
    for _, w in pairs:
        total += w
        cum.append(total)
    return [p for p, _ in pairs], cum


_SURNAMES = _cumulative(words.SURNAMES)
_FEMALE_MIDDLE = _cumulative(words.FEMALE_MIDDLE)
_MALE_MIDDLE = _cumulative(words.MALE_MIDDLE)


def _weighted(rng: random.Random, table: tuple[list[str], list[float]]) -> str:
    return rng.choices(table[0], cum_weights=table[1])[0]


def fold_ascii(text: str) -> str:
    return fold(text).replace(" ", "")
