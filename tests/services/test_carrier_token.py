# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""A carrier account's token regenerated (GHN) or key changed (J&T): the new one is entered
on the same account, so its parcels on the way are tracked again; removing an account
with parcels on the way is refused; the tracking job puts a refused token on Home once.
Through the carrier sandbox on 127.0.0.1 and a real migrated database."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from primedist.domain.enums import Module, OrderStatus, Role
from primedist.errors import Conflict, PermissionDenied, ValidationError
from primedist.jobs import shipping as jobs
from primedist.sandbox.carriers import (
    DEMO_GHN_SHOP_ID,
    DEMO_JNT_ACCOUNT,
    DEMO_JNT_CUSTOMER,
    DEMO_JNT_KEY,
    DEMO_JNT_PASSWORD,
)
from primedist.services import shipping as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.reports import events
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    fast_factory,
    ghn_id,
    order_row,
    sandbox,
    shipped,
)

NEW_TOKEN = "ghn-regenerated-token"


def credentials_enc(engine: sa.Engine, account_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT credentials_enc FROM carrier_accounts WHERE id = :a"),
                            {"a": account_id}).scalar_one()  # fmt: skip


def token_events(ctx: ServiceContext) -> list[dict]:
    return [e.args for e in events(ctx) if e.args.get("problem") == "token"]


def test_a_regenerated_ghn_token_is_entered_and_tracking_resumes(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    sandbox.ghn_token = NEW_TOKEN  # the owner regenerated the token on GHN
    report = svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert report.checked == 0 and list(report.refused) == [ghn_id]
    stored = credentials_enc(engine, ghn_id)

    with pytest.raises(ValidationError, match="refused these credentials") as bad:
        svc.update_account_credentials(owner_ctx, ghn_id,
                                       {"token": "typo", "shop_id": DEMO_GHN_SHOP_ID})  # fmt: skip
    assert bad.value.field == "token"
    assert credentials_enc(engine, ghn_id) == stored  # a refusal changes nothing

    new = {"token": NEW_TOKEN, "shop_id": DEMO_GHN_SHOP_ID}
    view = svc.update_account_credentials(owner_ctx, ghn_id, new)
    assert (view.id, view.name, view.status, view.shipments) == (ghn_id, "GHN main", "active", 1)
    assert NEW_TOKEN not in credentials_enc(engine, ghn_id)  # encrypted, as when added
    assert view.api_host == sandbox.ghn_url  # kept: no host given

    sandbox.set_status(code, "delivered")
    report = svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert report.errors == [] and report.tracked == {ghn_id}
    assert order_row(engine, order_id).status == OrderStatus.COMPLETED

    with engine.connect() as conn:
        audit = conn.execute(sa.text(
            "SELECT summary, before_json, after_json FROM audit_events "
            "WHERE action = 'carrier.update'")).one()  # fmt: skip
    assert "GHN main" in audit.summary
    assert NEW_TOKEN not in json.dumps(tuple(audit))  # no secret in the log


def test_the_update_form_starts_from_what_is_not_secret(owner_ctx, sandbox, ghn_id):
    fields = svc.account_fields(owner_ctx, ghn_id)
    assert (fields.name, fields.carrier, fields.api_host) == ("GHN main", "ghn", sandbox.ghn_url)
    assert fields.known == {"shop_id": str(DEMO_GHN_SHOP_ID)}  # no token


def test_a_new_jnt_key_is_checked_and_saved(owner_ctx, sandbox):
    account = svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY,
                                  DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD,
                                  sandbox.jnt_url)  # fmt: skip
    sandbox.jnt_key = "jnt-new-private-key"
    with pytest.raises(svc.AuthError):
        svc.carrier_for(owner_ctx, account.id).check_account()
    fields = {"api_account": DEMO_JNT_ACCOUNT, "customer_code": DEMO_JNT_CUSTOMER,
              "password": DEMO_JNT_PASSWORD}  # fmt: skip
    with pytest.raises(ValidationError, match="refused"):
        svc.update_account_credentials(owner_ctx, account.id,
                                       {**fields, "private_key": DEMO_JNT_KEY})  # fmt: skip
    svc.update_account_credentials(owner_ctx, account.id,
                                   {**fields, "private_key": "jnt-new-private-key"},
                                   name="J&T Quận 1")  # fmt: skip
    assert svc.carrier_for(owner_ctx, account.id).check_account()
    assert [a.name for a in svc.list_accounts(owner_ctx)] == ["J&T Quận 1"]


def test_updating_needs_the_settings_module(owner_ctx, sandbox, ghn_id):
    lan = owner_ctx.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                                     modules=frozenset({Module.ORDERS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        svc.update_account_credentials(lan, ghn_id, {"token": NEW_TOKEN, "shop_id": "1"})
    with pytest.raises(PermissionDenied):
        svc.account_fields(lan, ghn_id)


def test_removing_an_account_with_parcels_on_the_way_is_refused(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    with pytest.raises(Conflict, match="1 shipment.s. on the way.*update the account's token"):
        svc.remove_account(owner_ctx, ghn_id)
    assert [a.status for a in svc.list_accounts(owner_ctx)] == ["active"]
    assert svc.carrier_for(owner_ctx, ghn_id).check_account()  # credentials kept
    sandbox.set_status(code, "delivered")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert order_row(engine, order_id).status == OrderStatus.COMPLETED
    svc.remove_account(owner_ctx, ghn_id)  # all delivered: it may go
    assert svc.list_accounts(owner_ctx) == []
    with pytest.raises(Conflict, match="was removed"):
        svc.update_account_credentials(owner_ctx, ghn_id, {"token": NEW_TOKEN, "shop_id": "1"})


def test_a_refused_token_reaches_home_once_until_tracking_works(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    _order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    jobs.poll(owner_ctx, fast_factory)
    assert token_events(owner_ctx) == []  # tracking works: nothing to say
    sandbox.ghn_token = NEW_TOKEN
    jobs.poll(owner_ctx, fast_factory)
    jobs.poll(owner_ctx, fast_factory)  # every 15 minutes: still one event
    [event] = [e for e in events(owner_ctx) if e.args.get("problem") == "token"]
    assert event.kind == "shipment"
    assert (event.args["account_id"], event.args["account"], event.args["carrier"]) == (
        ghn_id, "GHN main", "GHN")  # fmt: skip
    assert "Token is not valid" in event.args["reason"]
    assert event.message.startswith("GHN account GHN main can no longer track parcels: ")
    assert event.message.endswith("Update its token in Settings → Logistics.")

    sandbox.ghn_token = "ghn-sandbox-token-primedist"  # the old one works again
    sandbox.set_status(code, "delivering")
    jobs.poll(owner_ctx, fast_factory)  # tracking works: the notice is cleared
    assert len(token_events(owner_ctx)) == 1
    sandbox.ghn_token = NEW_TOKEN  # refused again later: news again
    jobs.poll(owner_ctx, fast_factory)
    assert len(token_events(owner_ctx)) == 2


def test_a_new_token_clears_the_notice(owner_ctx, engine, sandbox, ghn_id, fast_factory):
    shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    sandbox.ghn_token = NEW_TOKEN
    jobs.poll(owner_ctx, fast_factory)
    svc.update_account_credentials(owner_ctx, ghn_id,
                                   {"token": NEW_TOKEN, "shop_id": DEMO_GHN_SHOP_ID})  # fmt: skip
    jobs.poll(owner_ctx, fast_factory)
    assert len(token_events(owner_ctx)) == 1  # tracked with the new token: no new notice
    sandbox.ghn_token = "revoked-again"
    jobs.poll(owner_ctx, fast_factory)
    assert len(token_events(owner_ctx)) == 2
