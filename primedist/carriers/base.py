"""What every carrier client (GHN, J&T Express) speaks, and the HTTP loop they share.

A carrier client is bound to one account (credentials, API host). It hands back
carrier-agnostic values: services and fee quotes, the created shipment, its state (the
carrier's raw status mapped to a canonical code, see `CANONICAL_STATUSES`), the label
document, and the address master data. Errors are the connector error classes
(`primedist.connectors.base`): AuthError (bad token / account), TransientError /
RateLimited (retry later), RemoteRejected (a clear refusal: wrong address, too heavy).

Creating a shipment sends our client order code: a retry of a create that timed out, or
that was answered without saying what the carrier did (`UnclearAnswer`), is never sent
blindly, the outbox first asks `detail_by_client_code` whether it got through.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import httpx

from primedist.connectors.base import (
    AuthError,
    ConnectorError,
    NotSupported,
    RateLimited,
    RemoteRejected,
    TransientError,
)
from primedist.connectors.http import send_with_retries, unreachable
from primedist.core.messages import Message, msg

__all__ = [
    "AuthError",
    "Carrier",
    "CarrierError",
    "ConnectorError",
    "NotSupported",
    "RateLimited",
    "RemoteRejected",
    "TransientError",
    "UnclearAnswer",
]

#: Any error a carrier call raises (the connectors' hierarchy).
CarrierError = ConnectorError


class UnclearAnswer(ConnectorError):
    """A call that changes something was answered without saying what the carrier did (a
    create without its order code, no JSON): it may have acted, so it is neither a refusal
    nor safe to send again before asking the carrier what it has."""


#: Parcel limits GHN's SDKs state (checked before a call, with the field named). The specs
#: give none for J&T Express: the same ones are checked for it.
MAX_WEIGHT_G = 30_000
MAX_SIDE_CM = 150
MAX_COD = 10_000_000
MAX_INSURANCE = 5_000_000


class RequiredNote(StrEnum):
    """What the recipient may do before paying (GHN's `required_note`)."""

    #: Let them try the goods on.
    TRY = "CHOTHUHANG"
    #: Let them look, not try.
    VIEW = "CHOXEMHANGKHONGTHU"
    #: No viewing.
    NO_VIEW = "KHONGCHOXEMHANG"


#: Canonical shipment statuses (GHN's codes; J&T's scans are mapped onto them).
CANONICAL_STATUSES: tuple[str, ...] = (
    "ready_to_pick", "picking", "money_collect_picking", "picked", "storing",
    "transporting", "sorting", "delivering", "money_collect_delivering", "delivered",
    "delivery_fail", "waiting_to_return", "return", "return_transporting",
    "return_sorting", "returning", "return_fail", "returned", "cancel", "exception",
    "lost", "damage",
)  # fmt: skip
#: A shipment in one of these will not move any more.
FINAL_STATUSES = frozenset({"delivered", "returned", "cancel", "lost", "damage"})


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Place:
    """One row of the address master data (province, district or ward)."""

    code: str
    name: str
    #: The province of a district, the district of a ward ("" for a province).
    parent: str = ""
    #: Other spellings the carrier accepts ("Q.1", "TP HCM"), for search.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceOption:
    """A delivery service the carrier offers between two districts."""

    service_id: int
    service_type_id: int
    name: str


@dataclass(frozen=True)
class Parcel:
    """What is shipped: weight (g), size (cm), money to collect and to insure (đồng)."""

    weight_g: int
    length_cm: int = 10
    width_cm: int = 10
    height_cm: int = 10
    cod_amount: int = 0
    insurance_value: int = 0

    def problems(self) -> dict[str, Message]:
        """{field: what is wrong, naming the limit and the value}; empty when the parcel
        is acceptable. Any value past a limit is refused, however large (never cut to the
        limit: the label and the money collected would not match the goods)."""
        out: dict[str, Message] = {}
        if not 1 <= self.weight_g <= MAX_WEIGHT_G:
            out["weight_g"] = msg("The weight must be 1-{most} g (got {weight}).",
                                  most=MAX_WEIGHT_G, weight=self.weight_g)  # fmt: skip
        sides = (self.length_cm, self.width_cm, self.height_cm)
        for name, value in zip(("length_cm", "width_cm", "height_cm"), sides, strict=True):
            if not 1 <= value <= MAX_SIDE_CM:
                out[name] = msg("Each side must be 1-{most} cm (got {length} × {width} × "
                                "{height}).", most=MAX_SIDE_CM, length=sides[0],
                                width=sides[1], height=sides[2])  # fmt: skip
        if not 0 <= self.cod_amount <= MAX_COD:
            out["cod_amount"] = msg("The COD amount must be 0-{most} đ (got {amount} đ).",
                                    most=MAX_COD, amount=self.cod_amount)  # fmt: skip
        if not 0 <= self.insurance_value <= MAX_INSURANCE:
            out["insurance_value"] = msg(
                "The insurance value must be 0-{most} đ (got {amount} đ).",
                most=MAX_INSURANCE, amount=self.insurance_value,
            )  # fmt: skip
        return out


@dataclass(frozen=True)
class Address:
    """A sender or recipient: GHN wants the district id and ward code."""

    name: str
    phone: str
    address: str
    ward_code: str
    district_id: int
    ward_name: str = ""
    district_name: str = ""
    province_name: str = ""


@dataclass(frozen=True)
class ShipmentRequest:
    """A shipment to create; `client_order_code` makes the create idempotent."""

    client_order_code: str
    to: Address
    parcel: Parcel
    service_id: int | None
    service_type_id: int | None = None
    required_note: RequiredNote = RequiredNote.VIEW
    #: 1 = the shop pays the fee, 2 = the recipient pays it.
    payment_type_id: int = 1
    content: str = ""
    note: str = ""
    items: tuple[dict[str, Any], ...] = ()
    #: The sender (None = the shop address registered with the carrier account).
    sender: Address | None = None


@dataclass(frozen=True)
class FeeQuote:
    total: int
    #: The carrier's parts (main_service, insurance, …), đồng.
    parts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedShipment:
    carrier_order_code: str
    total_fee: int
    expected_delivery: datetime | None = None
    sort_code: str | None = None


@dataclass(frozen=True)
class ShipmentState:
    """A shipment as the carrier shows it now."""

    carrier_order_code: str
    client_order_code: str | None
    #: Canonical status (one of CANONICAL_STATUSES, or the raw one if unknown).
    status: str
    raw_status: str
    updated_at: datetime | None = None
    cod_amount: int | None = None
    total_fee: int | None = None


@dataclass(frozen=True)
class LabelDocument:
    """The label the carrier renders: PDF, or HTML for GHN's print page."""

    content: bytes
    media_type: str

    @property
    def suffix(self) -> str:
        return ".pdf" if "pdf" in self.media_type else ".html"


# --------------------------------------------------------------------------- the interface


@runtime_checkable
class Carrier(Protocol):
    """One carrier account's API. Every method raises only ConnectorError subclasses."""

    #: "ghn" | "jnt"
    code: str

    def check_account(self) -> str:
        """A cheap authenticated call proving the credentials work; returns a
        description of the account (e.g. the GHN shop's name)."""
        ...

    def provinces(self) -> list[Place]: ...

    def districts(self, province_code: str) -> list[Place]: ...

    def wards(self, district_code: str) -> list[Place]: ...

    def services(self, from_district: int | None, to_district: int) -> list[ServiceOption]: ...

    def fee(self, request: ShipmentRequest) -> FeeQuote: ...

    def create(self, request: ShipmentRequest) -> CreatedShipment:
        """Create the shipment (never retried after a timeout: ask first)."""
        ...

    def detail_by_client_code(self, client_order_code: str) -> ShipmentState | None:
        """The shipment created with our code, or None if the carrier has none."""
        ...

    def detail(self, carrier_order_code: str) -> ShipmentState | None: ...

    def cancel(self, carrier_order_code: str, client_order_code: str) -> None: ...

    def label(self, carrier_order_code: str) -> LabelDocument: ...

    def close(self) -> None: ...


# --------------------------------------------------------------------------- HTTP loop


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 20.0
    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 20.0


class HttpCarrier:
    """The shared part of the clients: one httpx client, retries with backoff and full
    jitter on transient errors (never for state-changing calls that may have acted)."""

    name = "carrier"

    def __init__(
        self,
        base_url: str,
        settings: HttpSettings | None = None,
        *,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = httpx.Client(
            timeout=self.settings.timeout,
            transport=transport,
            headers={"User-Agent": "primedist", "Accept": "application/json", **(headers or {})},
        )

    def close(self) -> None:
        self._http.close()

    def _with_retries(self, send: Callable[[], Any], *, action: bool = False) -> Any:
        """Run `send` again on passing failures; an `action` is retried only when the
        carrier certainly did not act (rate limited)."""
        return send_with_retries(
            send, attempts=self.settings.max_attempts, backoff_base=self.settings.backoff_base,
            backoff_max=self.settings.backoff_max, sleep=self._sleep, rng=self._rng,
            retry_on=_only_rate_limits if action else None,
        )  # fmt: skip

    def _request(self, method: str, url: str, path: str, **kwargs: Any) -> httpx.Response:
        """The HTTP exchange; network trouble becomes TransientError (retryable)."""
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise unreachable(exc, platform=self.name, host=self.base_url,
                              timeout=self.settings.timeout, path=path) from None  # fmt: skip

    def _http_status_error(self, resp: httpx.Response, path: str) -> ConnectorError | None:
        """The error an HTTP status alone says (None: look at the envelope)."""
        status = resp.status_code
        if status == 429:
            retry = resp.headers.get("Retry-After")
            return RateLimited(
                f"{self.name}: too many requests ({path}).",
                retry_after=float(retry) if retry and retry.replace(".", "", 1).isdigit() else None,
            )
        if status >= 500:
            return TransientError(f"{self.name} answered HTTP {status} ({path}).")
        if status in (401, 403):
            return AuthError(f"{self.name} refused the account's credentials ({path}).")
        return None


def _only_rate_limits(exc: TransientError) -> bool:
    """A state-changing call may have acted unless the carrier refused it as too many."""
    return isinstance(exc, RateLimited)


def as_int(value: object, what: str, carrier: str) -> int:
    """A number from an answer, or a ConnectorError naming the field."""
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise ConnectorError(f"{carrier}'s answer has no valid {what} ({value!r}).") from None


def places(rows: Sequence[dict[str, Any]], code: str, name: str, parent: str | None,
           aliases: str | None, carrier: str) -> list[Place]:  # fmt: skip
    """Master-data rows → Places (rows without a code or name are named in the error)."""
    out = []
    for row in rows:
        if not isinstance(row, dict) or row.get(code) in (None, "") or not row.get(name):
            raise ConnectorError(f"{carrier}'s address list has a row without {code}/{name}.")
        extra = row.get(aliases) if aliases else None
        out.append(
            Place(
                code=str(row[code]),
                name=str(row[name]).strip(),
                parent=str(row.get(parent) or "") if parent else "",
                aliases=tuple(str(a) for a in extra) if isinstance(extra, list) else (),
            )
        )
    return out
