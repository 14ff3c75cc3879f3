"""A carrier for the demo: a GHN account named "Demo" served by the local carrier sandbox.

`primedist --demo` calls `start_demo_carrier` beside the demo's marketplace sync: it starts
the GHN/J&T sandbox on 127.0.0.1 (a free port) and points the demo's GHN account at it,
adding the account (checked over HTTP like any other) at the first start. So a new user can
quote a fee, create a shipment, print its label and watch it travel — the sandbox moves a
parcel one step (picking → picked → transporting → delivering → delivered) per `PACE`, and
Update tracking or the scheduler's tracking job reads it — without a GHN contract.

The sandbox keeps its shipments in memory: each start serves again the open shipments of
the demo account (their codes and last known status), so tracking goes on after a restart.
An account the user removed stays removed (the choice is kept in app_settings).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import col, select

from primedist.carriers.base import FINAL_STATUSES
from primedist.domain.carrier import CarrierAccount, Shipment
from primedist.domain.enums import CarrierCode, Module
from primedist.domain.geo import PROVINCES_2025
from primedist.sandbox.carriers import (
    DEMO_GHN_SHOP_ID,
    DEMO_GHN_TOKEN,
    MASTER_DATA,
    CarrierSandbox,
    MasterData,
)
from primedist.services import shipping
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import SYSTEM, ServiceContext
from primedist.services.demo_names import WARD_NAMES

log = logging.getLogger(__name__)

#: app_settings key: true once the demo's GHN account was added (so a removal is kept).
ACCOUNT_KEY = "demo.carrier_account"
ACCOUNT_NAME = "Demo"
#: Seconds per step of a demo parcel: ready to pick → delivered in five minutes.
PACE = 60.0


@dataclass
class DemoCarrier:
    """The running carrier sandbox and the account it serves; `stop()` on exit."""

    sandbox: CarrierSandbox
    account_id: int
    #: The GHN API host the account points at.
    url: str

    def stop(self) -> None:
        self.sandbox.stop()


def start_demo_carrier(ctx: ServiceContext, *, pace: float = PACE) -> DemoCarrier | None:
    """Start the carrier sandbox and point the demo's GHN account at it (added at the first
    start); None when the user removed that account. On any failure the sandbox is
    stopped again and the error raised. Its audit rows (the account added at the first
    start) are the System's: the demo's own set-up, not the owner's."""
    ctx.require(Module.SETTINGS)
    ctx = ctx.with_actor(SYSTEM)
    sandbox = CarrierSandbox(clock=ctx.clock, pace=pace, master_data=demo_master_data())
    sandbox.start()
    url = sandbox.ghn_url
    try:
        account_id = _link_account(ctx, url)
        if account_id is None:
            sandbox.stop()
            return None
        _restore_shipments(ctx, sandbox, account_id)
    except BaseException:
        sandbox.stop()
        raise
    return DemoCarrier(sandbox, account_id, url)


def demo_master_data() -> MasterData:
    """GHN's address lists for the demo: the sandbox's own, and in each of the 34
    provinces one area holding every ward name of the demo's addresses ("Phường …",
    "Xã …"), so the shipment form finds a demo order's address (province and ward, 2025
    style) by itself."""
    wards = [f"{kind} {name}" for kind in ("Phường", "Xã") for name in WARD_NAMES]
    known = {name: (pid, districts) for pid, name, districts in MASTER_DATA}
    out = []
    for i, province in enumerate(PROVINCES_2025):
        name = province.name.removeprefix("TP. ")
        pid, districts = known.get(name, (300 + i, ()))
        area = (5000 + i, f"Khu vực {name}",
                tuple((f"DM{i:02d}{j:03d}", ward) for j, ward in enumerate(wards)))  # fmt: skip
        out.append((pid, name, (*districts, area)))
    return tuple(out)


def _link_account(ctx: ServiceContext, url: str) -> int | None:
    """The demo account's id, now pointing at `url`; added at the first start."""
    with ctx.uow() as session:
        account = session.exec(
            select(CarrierAccount).where(CarrierAccount.name == ACCOUNT_NAME)
            .order_by(col(CarrierAccount.id))
        ).first()  # fmt: skip
        added_before = bool(get_setting(session, ACCOUNT_KEY))
        if account is None and added_before or account is not None and account.status == "removed":
            return None  # the user removed it: their choice is kept
        if account is not None:
            account.api_host = url  # the sandbox's port differs at every start
            session.add(account)
            if not added_before:  # (an add whose setting was not written)
                put_setting(ctx, session, ACCOUNT_KEY, True)
            return account.id
    view = shipping.add_ghn_account(ctx, ACCOUNT_NAME, DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID, url)
    with ctx.uow() as session:
        put_setting(ctx, session, ACCOUNT_KEY, True)
    log.info("demo carrier account %s added", view.id)
    return view.id


def _restore_shipments(ctx: ServiceContext, sandbox: CarrierSandbox, account_id: int) -> None:
    """The account's shipments still travelling, served again by the new sandbox."""
    with ctx.uow() as session:
        rows = session.exec(
            select(Shipment.carrier_order_code, Shipment.client_order_code, Shipment.status)
            .where(Shipment.carrier_account_id == account_id,
                   col(Shipment.carrier_order_code).is_not(None),
                   col(Shipment.status).not_in([*FINAL_STATUSES, *shipping.DEAD]))
        ).all()  # fmt: skip
    for code, client, status in rows:
        sandbox.restore(CarrierCode.GHN, str(code), client, status)
