"""J&T Express over the JMS Open Platform pattern (marketplace-apis.md § 7, confidence low
for Vietnam: no official VN documentation was found; get J&T VN's integration pack and
check the host and the digest variant before going live).

Every call is a form POST with one field `bizContent` (a JSON string) and the headers
`apiAccount`, `timestamp` (ms) and `digest = base64(raw MD5(bizContent + privateKey))`.
Order calls also carry `customerCode` and a business digest inside bizContent. Success
is `code` = 1. Our client order code travels as `txlogisticId`; J&T's tracking number is
the `billCode`. Tracking scans are mapped onto GHN's status codes (`SCAN_STATUS`).

J&T has no address master data or service list here: it takes the address as names
(province, district, ward: `prov`/`city`/`area`), so it needs no GHN lists, and the one
service is "EZ" (standard). No field for what the recipient may do before paying is known
(no VN documentation): it leads the `remark` the courier reads, in Vietnamese
(`BEFORE_PAYING`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from primedist.carriers.base import (
    AuthError,
    ConnectorError,
    CreatedShipment,
    FeeQuote,
    HttpCarrier,
    HttpSettings,
    LabelDocument,
    Place,
    RemoteRejected,
    RequiredNote,
    ServiceOption,
    ShipmentRequest,
    ShipmentState,
)
from primedist.connectors.base import NotSupported
from primedist.core.messages import msg
from primedist.core.security import redact, remember_secret

LIVE_HOST = "https://ylopenapi.jtexpress.vn/webopenplatformapi"
DEMO_HOST = "https://demoopenapi.jtexpress.vn/webopenplatformapi"
ADD_ORDER_PATH = "/api/order/addOrder"
CANCEL_ORDER_PATH = "/api/order/cancelOrder"
GET_ORDERS_PATH = "/api/order/getOrders"
TRACE_PATH = "/api/logistics/trace"
PRINT_PATH = "/api/order/printOrder"
NAME = "J&T Express"
PASSWORD_SALT = "jadada236t2"
VN_TZ = timezone(timedelta(hours=7))
#: The remark's room (J&T cuts or refuses a longer one).
REMARK_MAX = 200

#: What the recipient may do before paying, as the courier reads it (GHN's three choices).
BEFORE_PAYING: dict[RequiredNote, str] = {
    RequiredNote.VIEW: "Cho xem hàng, không cho thử",
    RequiredNote.TRY: "Cho thử hàng",
    RequiredNote.NO_VIEW: "Không cho xem hàng",
}

#: J&T scan types → canonical (GHN) status codes [obs: tenant docs, unconfirmed for VN].
SCAN_STATUS: dict[str, str] = {
    "pickup": "picked",
    "departure": "transporting",
    "arrival": "sorting",
    "delivery": "delivering",
    "signature": "delivered",
    "problematic": "delivery_fail",
    "return": "return",
    "return signature": "returned",
    "cancel": "cancel",
}


def digest(biz_content: str, private_key: str) -> str:
    """The `digest` header: base64 of the raw MD5 of bizContent + privateKey."""
    return base64.b64encode(hashlib.md5((biz_content + private_key).encode()).digest()).decode()


def remark(request: ShipmentRequest) -> str:
    """The courier's remark: what the recipient may do before paying, then the shop's
    note (cut to fit: the viewing rule is never the part cut off)."""
    rule = BEFORE_PAYING[request.required_note]
    note = request.note.strip()
    return f"{rule}. {note}"[:REMARK_MAX] if note else rule


def business_digest(customer_code: str, password: str, private_key: str) -> str:
    """The digest inside bizContent of order calls."""
    cipher = hashlib.md5((password + PASSWORD_SALT).encode()).hexdigest().upper()
    raw = hashlib.md5((customer_code + cipher + private_key).encode()).digest()
    return base64.b64encode(raw).decode()


class JntCarrier(HttpCarrier):
    """The Carrier for a J&T Express account (apiAccount + privateKey, customer code)."""

    code = "jnt"
    name = NAME

    def __init__(
        self,
        api_account: str,
        private_key: str,
        customer_code: str,
        password: str = "",
        api_host: str | None = None,
        settings: HttpSettings | None = None,
        *,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        now_ms: Callable[[], int] | None = None,
    ) -> None:
        remember_secret(private_key)
        if password:
            remember_secret(password)
        self.api_account = api_account
        self._key = private_key
        self.customer_code = customer_code
        self._password = password
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        super().__init__(api_host or LIVE_HOST, settings, rng=rng, transport=transport, **extra)

    # ---------------------------------------------------------------- account

    def check_account(self) -> str:
        """An order lookup for a code nobody uses: only a wrong account/key fails it."""
        self._call(GET_ORDERS_PATH, self._order_biz({"serialNumber": ["PRIMEDIST-CHECK"]}))
        return f"J&T customer {self.customer_code}"

    # ---------------------------------------------------------------- not offered here

    def provinces(self) -> list[Place]:
        raise NotSupported("J&T Express has no address list here: use GHN's (J&T takes names).")

    def districts(self, province_code: str) -> list[Place]:
        del province_code
        return self.provinces()

    def wards(self, district_code: str) -> list[Place]:
        del district_code
        return self.provinces()

    def services(self, from_district: int | None, to_district: int) -> list[ServiceOption]:
        del from_district, to_district  # one service everywhere
        return [ServiceOption(service_id=1, service_type_id=1, name="EZ")]

    def fee(self, request: ShipmentRequest) -> FeeQuote:
        del request
        # Not a failure: the dialog shows it as it is, in place of the fee.
        raise NotSupported(msg("J&T Express gives its fee only when the shipment is created: "
                               "it then shows in the shipments list."))  # fmt: skip

    # ---------------------------------------------------------------- shipments

    def create(self, request: ShipmentRequest) -> CreatedShipment:
        to, parcel = request.to, request.parcel
        biz = self._order_biz({
            "txlogisticId": request.client_order_code,
            "serviceType": "02", "orderType": "1", "expressType": "EZ",
            "payType": "PP_PM" if request.payment_type_id == 1 else "CC_CASH",
            "receiver": {"name": to.name, "mobile": to.phone, "address": to.address,
                         "prov": to.province_name, "city": to.district_name,
                         "area": to.ward_name},
            "weight": f"{parcel.weight_g / 1000:.3f}",
            "length": parcel.length_cm, "width": parcel.width_cm, "height": parcel.height_cm,
            "itemsValue": parcel.cod_amount, "offerFee": parcel.insurance_value,
            "remark": remark(request), "goodsType": "bm000006",
            "items": [{"itemName": i.get("name", ""), "number": i.get("quantity", 1)}
                      for i in request.items] or [{"itemName": request.content[:60] or "Goods",
                                                   "number": 1}],
        })  # fmt: skip
        data = self._call(ADD_ORDER_PATH, biz, action=True)
        bill = data.get("billCode") if isinstance(data, dict) else None
        if not bill:
            raise ConnectorError("J&T created the order but gave no bill code.",
                                 detail=redact(str(data)[:300]))  # fmt: skip
        fee = data.get("sumFreight") or 0
        return CreatedShipment(str(bill), int(float(fee)), None, data.get("sortingCode"))

    def detail_by_client_code(self, client_order_code: str) -> ShipmentState | None:
        data = self._call(GET_ORDERS_PATH, self._order_biz({"serialNumber": [client_order_code]}))
        for row in data if isinstance(data, list) else []:
            if isinstance(row, dict) and row.get("txlogisticId") == client_order_code:
                bill = str(row.get("billCode") or "")
                if not bill:
                    return None
                state = self.detail(bill)
                return state or ShipmentState(bill, client_order_code, "ready_to_pick", "created")
        return None

    def detail(self, carrier_order_code: str) -> ShipmentState | None:
        data = self._call(TRACE_PATH, {"billCodes": carrier_order_code})
        for row in data if isinstance(data, list) else []:
            if not isinstance(row, dict) or row.get("billCode") != carrier_order_code:
                continue
            scans = [d for d in row.get("details") or [] if isinstance(d, dict)]
            if not scans:
                return ShipmentState(carrier_order_code, None, "ready_to_pick", "created")
            # The newest scan; two in the same second (scanTime has no finer grain): the
            # later in the list, as the trace lists them in the order they happened (the
            # J&T spec, ../shared/specs, says nothing about the order).
            _at, _pos, last = max((str(d.get("scanTime") or ""), n, d)
                                  for n, d in enumerate(scans))  # fmt: skip
            raw = str(last.get("scanType") or "")
            status = SCAN_STATUS.get(raw.strip().lower(), raw)
            return ShipmentState(carrier_order_code, None, status, raw, _scan_time(last))
        return None

    def cancel(self, carrier_order_code: str, client_order_code: str) -> None:
        del carrier_order_code  # J&T cancels by our code
        biz = self._order_biz({"txlogisticId": client_order_code, "reason": "Cancelled by shop"})
        self._call(CANCEL_ORDER_PATH, biz, action=True)

    def label(self, carrier_order_code: str) -> LabelDocument:
        data = self._call(PRINT_PATH, self._order_biz({"billCode": carrier_order_code}))
        content = data.get("base64EncodeContent") if isinstance(data, dict) else None
        if not content:
            raise ConnectorError("J&T gave no label for this shipment.")
        try:
            pdf = base64.b64decode(content, validate=True)
        except ValueError:
            raise ConnectorError("J&T's label is not valid base64.") from None
        return LabelDocument(pdf, "application/pdf")

    # ---------------------------------------------------------------- the HTTP call

    def _order_biz(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {"customerCode": self.customer_code,
                "digest": business_digest(self.customer_code, self._password, self._key),
                **fields}  # fmt: skip

    def _call(self, path: str, biz: dict[str, Any], *, action: bool = False) -> Any:
        biz_json = json.dumps(biz, ensure_ascii=False, separators=(",", ":"))
        return self._with_retries(lambda: self._send(path, biz_json), action=action)

    def _send(self, path: str, biz_json: str) -> Any:
        headers = {"apiAccount": self.api_account, "timestamp": str(self._now_ms()),
                   "digest": digest(biz_json, self._key)}  # fmt: skip
        resp = self._request("POST", self.base_url + path, path, data={"bizContent": biz_json},
                             headers=headers)  # fmt: skip
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        error = self._http_status_error(resp, path)
        if not isinstance(payload, dict):
            if error is not None:
                raise error
            raise ConnectorError(f"J&T answered HTTP {resp.status_code} with no JSON ({path}).")
        if str(payload.get("code")) == "1" and error is None:
            return payload.get("data")
        message = str(payload.get("msg") or "error")
        text = f"J&T: {message} ({path})"
        if (
            "digest" in message.lower()
            or "account" in message.lower()
            or str(payload.get("code")) in ("145003050", "145003052")
        ):
            raise AuthError(
                msg(
                    "J&T: {message} ({path}). Check the J&T API account and private key.",
                    message=message,
                    path=path,
                )
            )
        if error is not None:
            raise error
        raise RemoteRejected(text, code=str(payload.get("code")))


def _scan_time(scan: dict[str, Any]) -> datetime | None:
    value = scan.get("scanTime")
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=VN_TZ).astimezone(UTC)
    except ValueError:
        return None
