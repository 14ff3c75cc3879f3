"""GHN (Giao Hàng Nhanh) over httpx (reference: shared/specs/marketplace-apis.md § 6).

Auth is a static `Token` header plus `ShopId` on shop calls; answers come in the envelope
`{"code": 200, "message": "Success", "data": …}`. Reads are retried with backoff and
jitter on 429/5xx/timeouts; create and cancel only on 429 (the carrier did not act),
since a timed-out create may have gone through: the outbox looks the shipment up by our
client order code before sending it again.

The label: `v2/a5/gen-token` gives a print token; the print page (`/a5/public-api/
printA5?token=`, on the gateway's origin) is what GHN renders, HTML on the live gateway.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from primedist.carriers.base import (
    Address,
    AuthError,
    ConnectorError,
    CreatedShipment,
    FeeQuote,
    HttpCarrier,
    HttpSettings,
    LabelDocument,
    Place,
    RemoteRejected,
    ServiceOption,
    ShipmentRequest,
    ShipmentState,
    as_int,
    places,
)
from primedist.core.messages import msg
from primedist.core.security import redact, remember_secret

LIVE_HOST = "https://online-gateway.ghn.vn/shiip/public-api"
DEV_HOST = "https://dev-online-gateway.ghn.vn/shiip/public-api"

PROVINCE_PATH = "master-data/province"
DISTRICT_PATH = "master-data/district"
WARD_PATH = "master-data/ward"
SERVICES_PATH = "v2/shipping-order/available-services"
FEE_PATH = "v2/shipping-order/fee"
CREATE_PATH = "v2/shipping-order/create"
DETAIL_PATH = "v2/shipping-order/detail"
DETAIL_BY_CLIENT_PATH = "v2/shipping-order/detail-by-client-code"
CANCEL_PATH = "v2/switch-status/cancel"
PRINT_TOKEN_PATH = "v2/a5/gen-token"
SHOPS_PATH = "v2/shop/all"
PRINT_PAGE = "/a5/public-api/printA5"

NAME = "GHN"
#: Phrases of GHN's "no such order" answers (detail calls): not an error for a lookup.
_NOT_FOUND = ("not found", "không tìm thấy", "khong tim thay", "order_not_found")


class GhnCarrier(HttpCarrier):
    """The Carrier for a GHN account (Token + ShopId)."""

    code = "ghn"
    name = NAME

    def __init__(
        self,
        token: str,
        shop_id: int | str,
        api_host: str | None = None,
        settings: HttpSettings | None = None,
        *,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        remember_secret(token)
        self.shop_id = int(shop_id)
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        headers = {"Token": token, "ShopId": str(self.shop_id)}
        super().__init__(api_host or LIVE_HOST, settings, rng=rng, transport=transport,
                         headers=headers, **extra)  # fmt: skip

    # ---------------------------------------------------------------- account

    def check_account(self) -> str:
        data = self._call(SHOPS_PATH, {"offset": 0, "limit": 200, "client_phone": ""})
        shops = data.get("shops") if isinstance(data, dict) else None
        for shop in shops or []:
            if isinstance(shop, dict) and str(shop.get("_id")) == str(self.shop_id):
                return str(shop.get("name") or f"GHN shop {self.shop_id}")
        raise AuthError(
            msg(
                "The GHN token works but shop {shop} is not one of its shops: check the "
                "ShopId on the GHN account page.",
                shop=str(self.shop_id),
            )
        )

    # ---------------------------------------------------------------- master data

    def provinces(self) -> list[Place]:
        rows = self._rows(self._call(PROVINCE_PATH, {}), PROVINCE_PATH)
        return places(rows, "ProvinceID", "ProvinceName", None, "NameExtension", NAME)

    def districts(self, province_code: str) -> list[Place]:
        data = self._call(DISTRICT_PATH, {"province_id": as_int(province_code, "province", NAME)})
        rows = self._rows(data, DISTRICT_PATH)
        return places(rows, "DistrictID", "DistrictName", "ProvinceID", "NameExtension", NAME)

    def wards(self, district_code: str) -> list[Place]:
        data = self._call(WARD_PATH, {"district_id": as_int(district_code, "district", NAME)})
        rows = self._rows(data, WARD_PATH)
        return places(rows, "WardCode", "WardName", "DistrictID", "NameExtension", NAME)

    # ---------------------------------------------------------------- services and fee

    def services(self, from_district: int | None, to_district: int) -> list[ServiceOption]:
        body: dict[str, Any] = {"shop_id": self.shop_id, "to_district": to_district}
        if from_district:
            body["from_district"] = from_district
        rows = self._rows(self._call(SERVICES_PATH, body), SERVICES_PATH)
        return [
            ServiceOption(
                service_id=as_int(r.get("service_id"), "service_id", NAME),
                service_type_id=as_int(r.get("service_type_id"), "service_type_id", NAME),
                name=str(r.get("short_name") or r.get("service_id")),
            )
            for r in rows
        ]

    def fee(self, request: ShipmentRequest) -> FeeQuote:
        body = {**_parcel_body(request), "to_district_id": request.to.district_id,
                "to_ward_code": request.to.ward_code, **_service_body(request)}  # fmt: skip
        if request.sender is not None:
            body |= {"from_district_id": request.sender.district_id,
                     "from_ward_code": request.sender.ward_code}  # fmt: skip
        data = self._call(FEE_PATH, body)
        if not isinstance(data, dict):
            raise ConnectorError("GHN's fee answer has no data.")
        total = as_int(data.get("total"), "total fee", NAME)
        parts = {k: int(v) for k, v in data.items() if k != "total" and isinstance(v, int)}
        return FeeQuote(total, parts)

    # ---------------------------------------------------------------- shipments

    def create(self, request: ShipmentRequest) -> CreatedShipment:
        body: dict[str, Any] = {
            "client_order_code": request.client_order_code,
            "payment_type_id": request.payment_type_id,
            "required_note": request.required_note.value,
            "note": request.note[:500],
            "content": request.content[:2000],
            **_address_body("to", request.to),
            **_parcel_body(request),
            **_service_body(request),
            "items": list(request.items),
        }
        if request.sender is not None:
            body |= _address_body("from", request.sender)
        data = self._call(CREATE_PATH, body, action=True)
        if not isinstance(data, dict) or not data.get("order_code"):
            raise ConnectorError("GHN created the shipment but gave no order code.",
                                 detail=redact(str(data)[:300]))  # fmt: skip
        return CreatedShipment(
            carrier_order_code=str(data["order_code"]),
            total_fee=as_int(data.get("total_fee", 0), "total_fee", NAME),
            expected_delivery=_time(data.get("expected_delivery_time")),
            sort_code=str(data.get("sort_code") or "") or None,
        )

    def detail_by_client_code(self, client_order_code: str) -> ShipmentState | None:
        return self._detail(DETAIL_BY_CLIENT_PATH, {"client_order_code": client_order_code})

    def detail(self, carrier_order_code: str) -> ShipmentState | None:
        return self._detail(DETAIL_PATH, {"order_code": carrier_order_code})

    def _detail(self, path: str, body: dict[str, Any]) -> ShipmentState | None:
        try:
            data = self._call(path, body)
        except RemoteRejected as exc:
            if any(p in exc.user_message.lower() for p in _NOT_FOUND):
                return None
            raise
        if not isinstance(data, dict) or not data.get("order_code"):
            return None
        raw = str(data.get("status") or "")
        return ShipmentState(
            carrier_order_code=str(data["order_code"]),
            client_order_code=str(data.get("client_order_code") or "") or None,
            status=raw,
            raw_status=raw,
            updated_at=_time(data.get("updated_date")),
            cod_amount=_opt_int(data.get("cod_amount")),
            total_fee=_opt_int(data.get("total_fee")),
        )

    def cancel(self, carrier_order_code: str, client_order_code: str) -> None:
        del client_order_code  # GHN cancels by its own code
        data = self._call(CANCEL_PATH, {"order_codes": [carrier_order_code]}, action=True)
        for row in data if isinstance(data, list) else []:
            if str(row.get("order_code")) == carrier_order_code and row.get("result") is False:
                raise RemoteRejected(
                    f"GHN refused to cancel {carrier_order_code}: {row.get('message') or '?'}"
                )

    def label(self, carrier_order_code: str) -> LabelDocument:
        data = self._call(PRINT_TOKEN_PATH, {"order_codes": [carrier_order_code]})
        token = data.get("token") if isinstance(data, dict) else None
        if not token:
            raise ConnectorError("GHN gave no print token for the label.")
        parts = urlsplit(self.base_url)
        url = f"{parts.scheme}://{parts.netloc}{PRINT_PAGE}"

        def fetch() -> LabelDocument:
            resp = self._request("GET", url, PRINT_PAGE, params={"token": token})
            error = self._http_status_error(resp, PRINT_PAGE)
            if error is not None:
                raise error
            if resp.status_code != 200 or not resp.content:
                raise ConnectorError(f"GHN's label page answered HTTP {resp.status_code}.")
            kind = resp.headers.get("Content-Type", "application/octet-stream").split(";")[0]
            return LabelDocument(resp.content, kind)

        result: LabelDocument = self._with_retries(fetch)
        return result

    # ---------------------------------------------------------------- the HTTP call

    def _call(self, path: str, body: dict[str, Any], *, action: bool = False) -> Any:
        url = f"{self.base_url}/{path}"
        return self._with_retries(lambda: self._send(url, path, body), action=action)

    def _send(self, url: str, path: str, body: dict[str, Any]) -> Any:
        resp = self._request("POST", url, path, json=body)
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            error = self._http_status_error(resp, path)
            if error is not None:
                raise error
            raise ConnectorError(f"GHN answered HTTP {resp.status_code} with no JSON ({path}).",
                                 detail=redact(resp.text[:300]))  # fmt: skip
        code = payload.get("code")
        message = str(payload.get("message") or payload.get("code_message_value") or "")
        if code == 200 and resp.status_code < 400:
            return payload.get("data")
        text = f"GHN: {message or 'error'} ({path})"
        if resp.status_code == 401 or code == 401 or "token" in message.lower():
            raise AuthError(
                msg(
                    "GHN: {message} ({path}). Check the GHN token (GHN account page → Token).",
                    message=message or "error",
                    path=path,
                )
            )
        error = self._http_status_error(resp, path)
        if error is not None and not isinstance(error, AuthError):
            raise error
        raise RemoteRejected(text, code=str(code))

    @staticmethod
    def _rows(data: Any, path: str) -> list[dict[str, Any]]:
        if data is None:
            return []
        if not isinstance(data, list):
            raise ConnectorError(f"GHN's answer to {path} is not a list.")
        return data


def _parcel_body(request: ShipmentRequest) -> dict[str, Any]:
    p = request.parcel
    return {"weight": p.weight_g, "length": p.length_cm, "width": p.width_cm,
            "height": p.height_cm, "cod_amount": p.cod_amount,
            "insurance_value": p.insurance_value}  # fmt: skip


def _service_body(request: ShipmentRequest) -> dict[str, Any]:
    if request.service_id:
        return {"service_id": request.service_id}
    return {"service_type_id": request.service_type_id or 2}


def _address_body(prefix: str, a: Address) -> dict[str, Any]:
    return {f"{prefix}_name": a.name, f"{prefix}_phone": a.phone,
            f"{prefix}_address": a.address, f"{prefix}_ward_code": a.ward_code,
            f"{prefix}_district_id": a.district_id, f"{prefix}_ward_name": a.ward_name,
            f"{prefix}_district_name": a.district_name,
            f"{prefix}_province_name": a.province_name}  # fmt: skip


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _opt_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
