"""A local GHN + J&T Express for the demo and the tests (one server on 127.0.0.1).

GHN lives under `/shiip/public-api` (its label page under `/a5/public-api/printA5`),
J&T under `/jnt`. Calls are checked like the carriers do: GHN's `Token`/`ShopId`
headers, J&T's `apiAccount` and body digest. A client order code can be used once: a
second create with it is refused, as GHN refuses it.

Shipments move only when told (`set_status`, or the `advance` control): tests decide
what the carrier "does". With a `pace` (the demo), a shipment also moves one step along
the happy path per `pace` seconds since its last change, worked out whenever it is read
(no timer runs). `restore` serves again the shipments of an earlier run, `master_data`
other address lists. Faults can be injected (`inject`): rate limit, HTTP 500, a timeout
after the call was carried out, a dropped connection, a broken answer, a refused token.
State-changing calls are recorded (`calls`).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from primedist.carriers import ghn, jnt
from primedist.core.clock import Clock, SystemClock
from primedist.sandbox.base import Answer, LocalServer

GHN_PREFIX = "/shiip/public-api/"
JNT_PREFIX = "/jnt"
DEMO_GHN_TOKEN = "ghn-sandbox-token-primedist"
DEMO_GHN_SHOP_ID = 885_001
DEMO_JNT_ACCOUNT = "178337126125932605"
DEMO_JNT_KEY = "0258d71b55fc45e3ad7a7d38ea1b3c33"
DEMO_JNT_CUSTOMER = "084LC012345"
DEMO_JNT_PASSWORD = "sandbox-pass"


def label_pdf(carrier: str, code: str) -> bytes:
    """The sandbox's label of a shipment: one A6 page naming the carrier and the tracking
    code (in Helvetica, readable by pdftotext), so labels printed together can be told
    apart and their order checked."""
    text = "".join(c for c in f"{carrier} {code}" if c.isascii() and c not in "()\\")
    content = f"BT /F1 18 Tf 24 380 Td ({text}) Tj ET".encode()
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 298 420]/Resources<</Font<</F1 4 0 R>>>>"
        b"/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for num, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, xref)  # fmt: skip
    return bytes(out)


#: (province id, name, [(district id, name, [(ward code, name)])]) — a small real-looking map.
_Wards = tuple[tuple[str, str], ...]
#: (province id, name, ((district id, name, ((ward code, name), …)), …)) per province.
MasterData = tuple[tuple[int, str, tuple[tuple[int, str, _Wards], ...]], ...]
MASTER_DATA: MasterData = (
    (201, "Hà Nội", (
        (1484, "Quận Ba Đình", (("1A0101", "Phường Điện Biên"), ("1A0102", "Phường Kim Mã"))),
        (1485, "Quận Hoàn Kiếm", (("1A0201", "Phường Hàng Bạc"), ("1A0202", "Phường Tràng Tiền"))),
    )),
    (202, "Hồ Chí Minh", (
        (1442, "Quận 1", (("20101", "Phường Bến Nghé"), ("20102", "Phường Đa Kao"))),
        (1443, "Quận 3", (("20301", "Phường Võ Thị Sáu"), ("20302", "Phường 9"))),
        (3695, "Thành Phố Thủ Đức", (("90737", "Phường Thảo Điền"), ("90738", "Phường An Khánh"))),
    )),
    (203, "Đà Nẵng", (
        (1526, "Quận Hải Châu", (("40101", "Phường Thạch Thang"), ("40102", "Phường Hải Châu I"))),
    )),
)  # fmt: skip
SERVICES = ({"service_id": 53320, "service_type_id": 2, "short_name": "Hàng nhẹ"},
            {"service_id": 100039, "service_type_id": 5, "short_name": "Hàng nặng"})  # fmt: skip
#: Where `advance` moves a GHN shipment next.
NEXT_STATUS = {"ready_to_pick": "picking", "picking": "picked", "picked": "transporting",
               "transporting": "delivering", "delivering": "delivered"}  # fmt: skip
CANCELLABLE = ("ready_to_pick", "picking", "money_collect_picking")
#: The sequence number in a code this server hands out (GHN `GY000001VN`, J&T `800000000001`).
_CODE_SEQ = re.compile(r"GY(\d{6,})VN|8(\d{11})")


class CarrierFault(StrEnum):
    RATE_LIMIT = "rate_limit"
    HTTP_500 = "http_500"
    #: Carried out, then the answer is held back `delay` seconds (the client times out).
    TIMEOUT = "timeout"
    DROP = "drop"
    #: The answer loses its `data`.
    CORRUPT = "corrupt"
    #: The token / account is refused.
    BAD_TOKEN = "bad_token"


@dataclass
class _Fault:
    kind: CarrierFault
    remaining: int
    path: str | None
    delay: float


@dataclass
class SandboxShipment:
    carrier: str
    order_code: str
    client_order_code: str
    status: str
    body: dict[str, Any]
    total_fee: int
    updated_at: datetime
    history: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass(frozen=True)
class CarrierCall:
    path: str
    body: dict[str, Any]


class CarrierSandbox(LocalServer):
    """`start()` → base URL; `ghn_url` / `jnt_url` are the API hosts to configure."""

    name = "carrier"

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        timeout_delay: float = 2.0,
        pace: float | None = None,
        master_data: MasterData = MASTER_DATA,
    ) -> None:
        self.clock = clock or SystemClock()
        #: The provinces, districts and wards served (GHN's master data).
        self.master_data = master_data
        #: Seconds per step along the happy path (None: only when told).
        self.pace = pace
        self.ghn_token = DEMO_GHN_TOKEN
        self.ghn_shop_id = DEMO_GHN_SHOP_ID
        self.jnt_account = DEMO_JNT_ACCOUNT
        self.jnt_key = DEMO_JNT_KEY
        self.timeout_delay = timeout_delay
        self.shipments: dict[str, SandboxShipment] = {}
        self._by_client: dict[str, str] = {}
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._calls: list[CarrierCall] = []
        self._requests: Counter[str] = Counter()
        self._seq = 0
        self._print_tokens: dict[str, list[str]] = {}

    # ------------------------------------------------------------------ addresses

    @property
    def ghn_url(self) -> str:
        return self.url + GHN_PREFIX.rstrip("/")

    @property
    def jnt_url(self) -> str:
        return self.url + JNT_PREFIX

    # ------------------------------------------------------------------ controls

    def inject(self, kind: CarrierFault | str, *, count: int = 1, path: str | None = None,
               delay: float | None = None) -> None:  # fmt: skip
        """The next `count` calls (to a path ending with `path`, or any) fail with `kind`."""
        with self._lock:
            self._faults.append(_Fault(CarrierFault(kind), count, path,
                                       self.timeout_delay if delay is None else delay))  # fmt: skip

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_status(self, code: str, status: str) -> None:
        """Move a shipment (by carrier order code or client code) to `status`."""
        with self._lock:
            ship = self.shipments.get(code) or self.shipments[self._by_client[code]]
            ship.status = status
            ship.updated_at = self.clock.now()
            ship.history.append((status, ship.updated_at))

    def advance(self, code: str) -> str:
        """One step further along the happy path; returns the new status."""
        ship = self.shipments.get(code) or self.shipments[self._by_client[code]]
        self.set_status(ship.order_code, NEXT_STATUS.get(ship.status, ship.status))
        return self.shipments[ship.order_code].status

    def restore(self, carrier: str, order_code: str, client_order_code: str, status: str) -> None:
        """Serve a shipment this carrier created in an earlier run (its status as last
        read); codes handed out from now on come after its code."""
        now = self.clock.now()
        with self._lock:
            self.shipments[order_code] = SandboxShipment(
                carrier, order_code, client_order_code, status, {}, 0, now, [(status, now)]
            )
            if client_order_code:
                self._by_client[client_order_code] = order_code
            seq = _CODE_SEQ.fullmatch(order_code)
            if seq is not None:
                self._seq = max(self._seq, int(seq.group(1) or seq.group(2)))

    def calls(self, path: str | None = None) -> list[CarrierCall]:
        with self._lock:
            return [c for c in self._calls if path is None or c.path.endswith(path)]

    def request_count(self, path: str) -> int:
        with self._lock:
            return sum(n for p, n in self._requests.items() if p.endswith(path))

    # ------------------------------------------------------------------ request handling

    def handle(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        status, data, kind = self._answer(method, raw_path, headers, body)
        return status, data, {"Content-Type": kind} if kind else {}

    def _answer(self, method: str, raw_path: str, headers: Mapping[str, str],
                body: bytes) -> tuple[int, bytes, str]:  # fmt: skip
        parts = urlsplit(raw_path)
        path = parts.path
        with self._lock:
            self._requests[path] += 1
        fault = self._take_fault(path)
        if fault is not None and fault.kind != CarrierFault.TIMEOUT:
            early = self._fault_answer(fault, path)
            if early is not None:
                return early
        try:
            if path == ghn.PRINT_PAGE and method == "GET":
                return self._ghn_print(parse_qs(parts.query).get("token", [""])[0])
            if path.startswith(GHN_PREFIX):
                status, payload = self._ghn(path[len(GHN_PREFIX) :], headers, body)
            elif path.startswith(JNT_PREFIX):
                status, payload = self._jnt(path[len(JNT_PREFIX) :], headers, body)
            else:
                status, payload = 404, {"code": 404, "message": f"No API {path}"}
        except _ApiError as exc:
            status, payload = exc.status, exc.payload
        if fault is not None and fault.kind == CarrierFault.CORRUPT:
            payload.pop("data", None)
        if fault is not None and fault.kind == CarrierFault.TIMEOUT:
            time.sleep(fault.delay)
        return status, _dumps(payload), "application/json"

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.path is None or path.endswith(fault.path)):
                    fault.remaining -= 1
                    return fault
        return None

    def _fault_answer(self, fault: _Fault, path: str) -> tuple[int, bytes, str] | None:
        jnt_call = path.startswith(JNT_PREFIX)
        if fault.kind == CarrierFault.RATE_LIMIT:
            return 429, _dumps({"code": 429, "message": "Too many requests"}), "application/json"
        if fault.kind == CarrierFault.HTTP_500:
            return 500, b"<html>Internal Server Error</html>", "text/html"
        if fault.kind == CarrierFault.DROP:
            return -1, b"", ""
        if fault.kind == CarrierFault.BAD_TOKEN:
            if jnt_call:
                return (
                    200,
                    _dumps({"code": "145003052", "msg": "digest is wrong"}),
                    "application/json",
                )
            return 401, _dumps({"code": 401, "message": "Token is not valid"}), "application/json"
        return None

    # ------------------------------------------------------------------ GHN

    def _ghn(self, name: str, headers: Mapping[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        if headers.get("token") != self.ghn_token:
            raise _ApiError(401, {"code": 401, "message": "Token is not valid"})
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise _ApiError(400, {"code": 400, "message": "Body is not JSON"}) from None
        shop_scoped = not name.startswith("master-data") and name != ghn.SHOPS_PATH
        if shop_scoped and headers.get("shopid") != str(self.ghn_shop_id):
            raise _ApiError(400, {"code": 400, "message": "ShopId không hợp lệ"})
        handler = {
            ghn.PROVINCE_PATH: self._ghn_provinces, ghn.DISTRICT_PATH: self._ghn_districts,
            ghn.WARD_PATH: self._ghn_wards, ghn.SERVICES_PATH: self._ghn_services,
            ghn.FEE_PATH: self._ghn_fee, ghn.CREATE_PATH: self._ghn_create,
            ghn.DETAIL_PATH: self._ghn_detail, ghn.DETAIL_BY_CLIENT_PATH: self._ghn_detail,
            ghn.CANCEL_PATH: self._ghn_cancel, ghn.PRINT_TOKEN_PATH: self._ghn_print_token,
            ghn.SHOPS_PATH: self._ghn_shops,
        }.get(name)  # fmt: skip
        if handler is None:
            raise _ApiError(404, {"code": 404, "message": f"No GHN API {name}"})
        return 200, {"code": 200, "message": "Success", "data": handler(body)}

    def _ghn_shops(self, _body: dict[str, Any]) -> Any:
        return {"last_offset": 0, "shops": [{"_id": self.ghn_shop_id, "name": "Prime Sandbox"}]}

    def _ghn_provinces(self, _body: dict[str, Any]) -> Any:
        return [{"ProvinceID": p, "ProvinceName": n, "NameExtension": [n, f"TP {n}"]}
                for p, n, _d in self.master_data]  # fmt: skip

    def _ghn_districts(self, body: dict[str, Any]) -> Any:
        return [{"DistrictID": d, "ProvinceID": p, "DistrictName": n}
                for p, _n, ds in self.master_data if p == body.get("province_id")
                for d, n, _w in ds]  # fmt: skip

    def _ghn_wards(self, body: dict[str, Any]) -> Any:
        return [{"WardCode": w, "DistrictID": d, "WardName": n}
                for _p, _pn, ds in self.master_data for d, _dn, ws in ds
                if d == body.get("district_id") for w, n in ws]  # fmt: skip

    def _ghn_services(self, body: dict[str, Any]) -> Any:
        if not self._district_known(body.get("to_district")):
            raise _ApiError(400, {"code": 400, "message": "to_district không hợp lệ"})
        return list(SERVICES)

    def _ghn_fee(self, body: dict[str, Any]) -> Any:
        _check_parcel(body)
        if not self._district_known(body.get("to_district_id")):
            raise _ApiError(400, {"code": 400, "message": "to_district_id không hợp lệ"})
        main = 22_000 + max(0, int(body["weight"]) - 500) // 500 * 2_500
        insurance = int(body.get("insurance_value") or 0) // 200  # 0.5 %
        return {"total": main + insurance, "service_fee": main, "insurance_fee": insurance,
                "pick_station_fee": 0, "coupon_value": 0}  # fmt: skip

    def _ghn_create(self, body: dict[str, Any]) -> Any:
        _check_parcel(body)
        client = str(body.get("client_order_code") or "")
        for key in ("to_name", "to_phone", "to_address", "to_ward_code", "to_district_id"):
            if not body.get(key):
                raise _ApiError(400, {"code": 400, "message": f"{key} is required"})
        if body.get("required_note") not in ("CHOTHUHANG", "CHOXEMHANGKHONGTHU", "KHONGCHOXEMHANG"):
            raise _ApiError(400, {"code": 400, "message": "required_note không hợp lệ"})
        fee = self._ghn_fee({**body, "to_district_id": body["to_district_id"]})["total"]
        with self._lock:
            if client and client in self._by_client:
                raise _ApiError(400, {"code": 400, "message": "Mã đơn hàng của shop đã tồn tại "
                                      "(client_order_code already exists)"})  # fmt: skip
            self._seq += 1
            code = f"GY{self._seq:06d}VN"
            self._record(CarrierCall(ghn.CREATE_PATH, body))
            self._add_shipment("ghn", code, client, body, fee)
        return {"order_code": code, "sort_code": "080-F-01-02", "trans_type": "truck",
                "total_fee": fee, "expected_delivery_time": "2026-12-05T16:59:59Z",
                "fee": {"main_service": fee}}  # fmt: skip

    def _ghn_detail(self, body: dict[str, Any]) -> Any:
        with self._lock:
            code = body.get("order_code") or self._by_client.get(str(body.get("client_order_code")))
            ship = self.shipments.get(str(code)) if code else None
            if ship is None or ship.carrier != "ghn":
                raise _ApiError(400, {"code": 400, "message": "Order not found"})
            self._catch_up(ship)
            return {"order_code": ship.order_code, "client_order_code": ship.client_order_code,
                    "status": ship.status, "updated_date": ship.updated_at.isoformat(),
                    "cod_amount": ship.body.get("cod_amount", 0), "total_fee": ship.total_fee,
                    "log": [{"status": s, "updated_date": t.isoformat()}
                            for s, t in ship.history]}  # fmt: skip

    def _ghn_cancel(self, body: dict[str, Any]) -> Any:
        out = []
        with self._lock:
            self._record(CarrierCall(ghn.CANCEL_PATH, body))
            for code in body.get("order_codes") or []:
                ship = self.shipments.get(str(code))
                if ship is not None:
                    self._catch_up(ship)
                ok = ship is not None and ship.status in CANCELLABLE
                if ship is not None and ok:
                    self._set(ship, "cancel")
                out.append({"order_code": code, "result": ok,
                            "message": "OK" if ok else "Không thể hủy đơn hàng"})  # fmt: skip
        return out

    def _ghn_print_token(self, body: dict[str, Any]) -> Any:
        token = secrets.token_hex(8)
        with self._lock:
            self._print_tokens[token] = [str(c) for c in body.get("order_codes") or []]
        return {"token": token}

    def _ghn_print(self, token: str) -> tuple[int, bytes, str]:
        with self._lock:
            codes = self._print_tokens.get(token)
        if codes is None:
            return 400, b"<html>Token invalid</html>", "text/html"
        return 200, label_pdf("GHN", codes[0] if codes else ""), "application/pdf"

    # ------------------------------------------------------------------ J&T

    def _jnt(self, name: str, headers: Mapping[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        form = parse_qs(raw.decode())
        biz = form.get("bizContent", [""])[0]
        if headers.get("apiaccount") != self.jnt_account:
            return 200, {"code": "145003050", "msg": "apiAccount is wrong"}
        if headers.get("digest") != jnt.digest(biz, self.jnt_key):
            return 200, {"code": "145003052", "msg": "digest is wrong"}
        try:
            body = json.loads(biz)
        except ValueError:
            return 200, {"code": "0", "msg": "bizContent is not JSON"}
        handler = {
            jnt.ADD_ORDER_PATH: self._jnt_add, jnt.GET_ORDERS_PATH: self._jnt_get,
            jnt.TRACE_PATH: self._jnt_trace, jnt.CANCEL_ORDER_PATH: self._jnt_cancel,
            jnt.PRINT_PATH: self._jnt_print,
        }.get(name)  # fmt: skip
        if handler is None:
            return 404, {"code": "0", "msg": f"No J&T API {name}"}
        if name != jnt.TRACE_PATH and body.get("digest") != jnt.business_digest(
            DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, self.jnt_key
        ):
            return 200, {"code": "145003052", "msg": "business digest is wrong"}
        try:
            return 200, {"code": "1", "msg": "success", "data": handler(body)}
        except _ApiError as exc:
            return 200, {"code": "0", "msg": exc.payload.get("message", "error")}

    def _jnt_add(self, body: dict[str, Any]) -> Any:
        client = str(body.get("txlogisticId") or "")
        receiver = body.get("receiver")
        receiver = receiver if isinstance(receiver, dict) else {}
        # J&T places a parcel by names: the province and ward at least (no district in a
        # 2025 address).
        for key in ("name", "mobile", "address", "prov", "area"):
            if not str(receiver.get(key) or "").strip():
                raise _ApiError(200, {"message": f"receiver.{key} is required"})
        with self._lock:
            if client in self._by_client:
                raise _ApiError(200, {"message": "txlogisticId already exists"})
            self._seq += 1
            bill = f"8{self._seq:011d}"
            self._record(CarrierCall(jnt.ADD_ORDER_PATH, body))
            self._add_shipment("jnt", bill, client, body, 25_000)
        return {"billCode": bill, "txlogisticId": client, "sortingCode": "HCM-01",
                "sumFreight": "25000"}  # fmt: skip

    def _jnt_get(self, body: dict[str, Any]) -> Any:
        with self._lock:
            out = []
            for client in body.get("serialNumber") or []:
                code = self._by_client.get(str(client))
                if code is not None:
                    out.append({"txlogisticId": client, "billCode": code})
            return out

    def _jnt_trace(self, body: dict[str, Any]) -> Any:
        scans = {"picked": "Pickup", "transporting": "Departure", "delivering": "Delivery",
                 "delivered": "Signature", "return": "Return", "returned": "Return Signature",
                 "cancel": "Cancel"}  # fmt: skip
        with self._lock:
            ship = self.shipments.get(str(body.get("billCodes")))
            if ship is None:
                return []
            self._catch_up(ship)
            details = [{"scanTime": t.astimezone(jnt.VN_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                        "scanType": scans[s]} for s, t in ship.history if s in scans]  # fmt: skip
            return [{"billCode": ship.order_code, "details": details}]

    def _jnt_cancel(self, body: dict[str, Any]) -> Any:
        with self._lock:
            self._record(CarrierCall(jnt.CANCEL_ORDER_PATH, body))
            code = self._by_client.get(str(body.get("txlogisticId")))
            ship = self.shipments.get(code or "")
            if ship is not None:
                self._catch_up(ship)
            if ship is None or ship.status not in CANCELLABLE:
                raise _ApiError(200, {"message": "order cannot be cancelled"})
            self._set(ship, "cancel")
        return {"txlogisticId": body.get("txlogisticId")}

    def _jnt_print(self, body: dict[str, Any]) -> Any:
        if str(body.get("billCode")) not in self.shipments:
            raise _ApiError(200, {"message": "billCode not found"})
        pdf = label_pdf("J&T", str(body.get("billCode")))
        return {"base64EncodeContent": base64.b64encode(pdf).decode()}

    # ------------------------------------------------------------------ helpers

    def _record(self, call: CarrierCall) -> None:
        self._calls.append(call)  # under the lock

    def _add_shipment(self, carrier: str, code: str, client: str, body: dict[str, Any],
                      fee: int) -> None:  # fmt: skip
        now = self.clock.now()
        ship = SandboxShipment(carrier, code, client, "ready_to_pick", body, fee, now,
                               [("ready_to_pick", now)])  # fmt: skip
        self.shipments[code] = ship
        if client:
            self._by_client[client] = code

    def _district_known(self, value: object) -> bool:
        return any(d == value for _p, _n, ds in self.master_data for d, _dn, _w in ds)

    def _catch_up(self, ship: SandboxShipment) -> None:
        """With a pace: the steps due since the shipment last changed (under the lock)."""
        if self.pace is None:
            return
        step = timedelta(seconds=self.pace)
        now = self.clock.now()
        while ship.status in NEXT_STATUS and ship.updated_at + step <= now:
            ship.updated_at += step
            ship.status = NEXT_STATUS[ship.status]
            ship.history.append((ship.status, ship.updated_at))

    def _set(self, ship: SandboxShipment, status: str) -> None:
        ship.status = status
        ship.updated_at = self.clock.now()
        ship.history.append((status, ship.updated_at))


class _ApiError(Exception):
    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("message"))
        self.status, self.payload = status, payload


def _check_parcel(body: dict[str, Any]) -> None:
    weight = body.get("weight")
    if not isinstance(weight, int) or not 1 <= weight <= 30_000:
        raise _ApiError(400, {"code": 400, "message": "weight phải từ 1 đến 30000"})
    if int(body.get("cod_amount") or 0) > 10_000_000:
        raise _ApiError(400, {"code": 400, "message": "cod_amount tối đa 10.000.000"})


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
