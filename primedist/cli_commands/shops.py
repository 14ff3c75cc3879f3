"""`primedist shop ...`: add a marketplace store, authorise it, list and disconnect shops.

    primedist shop add --channel shopee|lazada|tiktok|tiki --name NAME
                       --app-id ID --app-secret SECRET [--api-host URL]
    primedist shop auth-url NAME [--redirect URL] [--wait [--timeout S]]
    primedist shop authorize NAME (--code CODE [--shop-id ID] | --url ADDRESS)
    primedist shop list
    primedist shop listings NAME [--create-missing] [--push-stock]
    primedist shop disconnect NAME

The app's id and secret go by the marketplace's names too: Shopee --partner-id and
--partner-key, Lazada/TikTok --app-key and --app-secret, Tiki --client-id and
--client-secret. The secret may come from PRIMEDIST_APP_SECRET (or PRIMEDIST_PARTNER_KEY)
instead of the command line, which other users of the computer can see. --shop-id is
Shopee's (its redirect names the shop); the others name it in the token response.
`listings` reads the shop's items from the marketplace (Shopee, Lazada) and links them to
the products by SKU (services.listing_pull); it exits 1 when some items stay unlinked.
Every command takes --json.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from typing import Any

from primedist.cli import (
    EXIT_ERROR,
    EXIT_OK,
    Parser,
    as_owner,
    counted,
    emit,
    open_context,
    positive_int,
)
from primedist.config import Settings

APP_SECRET_ENV = "PRIMEDIST_APP_SECRET"
PARTNER_KEY_ENV = "PRIMEDIST_PARTNER_KEY"
CHANNELS = ("shopee", "lazada", "tiktok", "tiki")
#: Where the browser is sent after approval when nothing listens (the user copies the
#: address it ends on). `--wait` listens on a free loopback port instead.
DEFAULT_REDIRECT = "http://127.0.0.1:9/primedist-authorised"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("shop", help="marketplace shops: add, authorise, list, disconnect")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)

    p = actions.add_parser("add", help="add a marketplace store (authorise it next)")
    p.add_argument("--channel", choices=CHANNELS, required=True)
    p.add_argument("--name", required=True, help="the shop's name in this app")
    p.add_argument(
        "--app-id",
        "--partner-id",
        "--app-key",
        "--client-id",
        dest="app_id",
        required=True,
        metavar="ID",
        help="the app's id: Shopee Partner ID, Lazada/TikTok App Key, Tiki Client ID",
    )
    p.add_argument(
        "--app-secret",
        "--partner-key",
        "--client-secret",
        dest="app_secret",
        metavar="SECRET",
        help="the app's secret: Shopee Partner Key, Lazada/TikTok App Secret, Tiki Client "
        f"Secret (default: the {APP_SECRET_ENV} or {PARTNER_KEY_ENV} environment variable)",
    )
    p.add_argument(
        "--api-host",
        metavar="URL",
        help="API base URL (default: the marketplace's live host; its test environment or "
        "the sandbox)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shop_add)

    p = actions.add_parser("auth-url", help="print the link that authorises the app for a shop")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--redirect", metavar="URL", help="where the browser goes after approving")
    p.add_argument(
        "--wait",
        action="store_true",
        help="listen on this computer for the browser's redirect and link the shop",
    )
    p.add_argument(
        "--timeout",
        type=positive_int,
        default=600,
        metavar="S",
        help="with --wait: give up after S seconds (default 600)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shop_auth_url)

    p = actions.add_parser("authorize", help="link a shop with the code from the redirect")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--code", help="the code= value of the redirected address")
    p.add_argument(
        "--shop-id", metavar="ID", help="Shopee: the shop_id= value of the redirected address"
    )
    p.add_argument("--url", metavar="ADDRESS", help="or: the whole redirected address")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shop_authorize)

    p = actions.add_parser("list", help="marketplace shops with their link status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shop_list)

    p = actions.add_parser(
        "listings", help="read the shop's listings from the marketplace and link them by SKU"
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--create-missing",
        action="store_true",
        help="create a product for each item none of whose SKUs is in the app",
    )
    p.add_argument("--push-stock", action="store_true",
                   help="then send the app's stock to every linked listing")  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shop_listings)

    p = actions.add_parser("disconnect", help="remove a shop's access (its orders stay)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shop_disconnect)


# --------------------------------------------------------------------------- commands


def cmd_shop_add(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import UsageError
    from primedist.services import channels

    app = channels.channel_app(args.channel)
    secret = args.app_secret
    if secret is None:
        secret = os.environ.get(APP_SECRET_ENV) or os.environ.get(PARTNER_KEY_ENV)
    if not secret:
        raise UsageError(
            f"Give the {app.key_label} (--app-secret) or set {APP_SECRET_ENV} "
            f"({PARTNER_KEY_ENV} works too)."
        )
    ctx = as_owner(open_context(settings))
    existed = _exists(ctx, args.name)
    shop_id = channels.add_shop(
        ctx,
        app.channel,
        name=args.name,
        app_id=args.app_id,
        app_secret=secret,
        api_host=args.api_host,
    )
    shop = channels.channel_shop(ctx, shop_id)
    emit(
        args,
        _shop_json(shop),
        f"{'Credentials set for' if existed else 'Added'} {shop.name} ({app.name}, "
        f"{app.id_label} {shop.partner_id}); next: "
        f"primedist shop auth-url {_quoted(shop.name)} --wait",
    )
    return EXIT_OK


def cmd_shop_auth_url(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import channels
    from primedist.services.oauth_redirect import RedirectListener

    ctx = as_owner(open_context(settings))
    shop_id = channels.shop_id_by_name(ctx, args.name)
    if not args.wait:
        link = channels.authorization_link(ctx, shop_id, args.redirect or DEFAULT_REDIRECT)
        emit(
            args,
            {"shop": args.name, "url": link},
            f"{link}\nOpen it, approve, then copy the address the browser ends on and run:\n"
            f"primedist shop authorize {_quoted(args.name)} --url 'ADDRESS'",
        )
        return EXIT_OK
    app = channels.channel_shop(ctx, shop_id).app
    with RedirectListener(shop_id_required=app.shop_id_in_redirect) as listener:
        link = channels.authorization_link(ctx, shop_id, listener.url)
        # The link first, on stderr with --json, so a script can still parse stdout.
        out = sys.stderr if args.json else sys.stdout
        print(f"Open this link in a browser on this computer and approve:\n{link}", file=out)
        print(f"Waiting up to {args.timeout} s for the browser…", file=out, flush=True)
        redirect = listener.wait(args.timeout)
    shop = channels.authorize_shop(ctx, shop_id, redirect.code, redirect.shop_id)
    emit(args, _shop_json(shop), _linked_text(shop))
    return EXIT_OK


def cmd_shop_authorize(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import UsageError
    from primedist.errors import ValidationError
    from primedist.services import channels
    from primedist.services.oauth_redirect import parse_redirect_url

    if args.url and (args.code or args.shop_id):
        raise UsageError("Give either --url, or --code (with --shop-id), not both.")
    if not args.url and not args.code:
        raise UsageError("Give --code (and --shop-id for Shopee), or --url with the whole address.")
    ctx = as_owner(open_context(settings))
    shop_id = channels.shop_id_by_name(ctx, args.name)
    app = channels.channel_shop(ctx, shop_id).app
    if args.url:
        redirect = parse_redirect_url(args.url, shop_id_required=app.shop_id_in_redirect)
        code, external = redirect.code, redirect.shop_id
    elif app.shop_id_in_redirect and not args.shop_id:
        raise ValidationError(
            f"Give --shop-id too: the shop_id= value of the {app.name} redirect.",
            field="shop_id",
        )
    else:
        code, external = args.code, args.shop_id
    shop = channels.authorize_shop(ctx, shop_id, code, external)
    emit(args, _shop_json(shop), _linked_text(shop))
    return EXIT_OK


def cmd_shop_list(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import channels

    ctx = as_owner(open_context(settings))
    shops = channels.list_channel_shops(ctx)
    now = ctx.clock.now()
    rows = [_shop_json(s, now) for s in shops]
    if not shops:
        text = "No marketplace shops yet: primedist shop add --channel shopee|lazada|tiktok|tiki …"
    else:
        header = ("shop", "channel", "status", "last sync (UTC)", "authorised until (UTC)")
        table = [header] + [
            (s.name, s.channel.value, _status(s), _utc(s.last_sync_at), _until(s))
            for s in shops
        ]  # fmt: skip
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                         for r in table)  # fmt: skip
        warnings = [_reauth_warning(s) for s in shops if s.reauth_soon(now)]
        text += "".join(f"\n{w}" for w in warnings)
    emit(args, {"shops": rows}, text)
    return EXIT_OK


def cmd_shop_listings(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import channels
    from primedist.services.listing_pull import pull_listings

    ctx = as_owner(open_context(settings))
    shop_id = channels.shop_id_by_name(ctx, args.name)
    report = pull_listings(
        ctx, shop_id, create_missing=args.create_missing, push_stock=args.push_stock
    )
    lines = [str(report.summary())]
    lines += [f"  {u.item_id} {u.name} [{', '.join(u.skus) or '-'}]: {u.reason}"
              for u in report.unlinked]  # fmt: skip
    if report.stock_pushes:
        lines.append(f"{report.stock_pushes} stock updates queued (primedist outbox --deliver).")
    data = {k: v for k, v in report.__dict__.items() if k != "unlinked"}
    data["unlinked"] = [dict(u.__dict__, skus=list(u.skus), reason=str(u.reason))
                        for u in report.unlinked]  # fmt: skip
    emit(args, data, "\n".join(lines))
    return EXIT_ERROR if report.unlinked else EXIT_OK


def cmd_shop_disconnect(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import channels

    ctx = as_owner(open_context(settings))
    shop = channels.disconnect_shop(ctx, channels.shop_id_by_name(ctx, args.name))
    waiting = channels.actions_waiting(ctx, shop.id)
    text = f"{shop.name} disconnected; its orders are kept."
    if waiting:  # kept, not lost: they go out once it is authorised again
        text += (
            f" {counted(waiting, 'action', 'actions')} waiting for this shop will be sent "
            "when it is connected again (primedist outbox lists them)."
        )
    emit(args, {**_shop_json(shop), "actions_waiting": waiting}, text)
    return EXIT_OK


def _exists(ctx: Any, name: str) -> bool:
    from primedist.errors import NotFound
    from primedist.services import channels

    try:
        channels.shop_id_by_name(ctx, name)
    except NotFound:
        return False
    return True


# --------------------------------------------------------------------------- output


def _status(shop: Any) -> str:
    """One word for a shop's state (the same rules as Settings → Sales channels)."""
    if shop.status.value == "disconnected":
        return "disconnected"
    if shop.needs_reauth:
        return "needs_reauth"
    if not shop.linked:
        return "not_linked"
    if shop.paused_until is not None and shop.paused_until > datetime.now(UTC):
        return "paused"  # the daily API limit: Settings shows "Paused until …" too
    return "connected"


def _reauth_warning(shop: Any) -> str:
    why = "" if shop.app.refresh_extends else (
        f" ({shop.app.name} does not extend the authorisation when it renews the tokens)"
    )  # fmt: skip
    return (
        f"Warning: {shop.name}'s authorisation ends {_utc(shop.authorised_until)} UTC{why}: "
        f"re-authorise it before: primedist shop auth-url {_quoted(shop.name)} --wait"
    )


def _shop_json(shop: Any, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": shop.id,
        "name": shop.name,
        "channel": shop.channel.value,
        "status": _status(shop),
        "external_shop_id": shop.external_shop_id,
        "api_host": shop.api_host,
        "partner_id": shop.partner_id,
        "last_sync_at": _iso(shop.last_sync_at),
        "last_error": shop.last_error,
        "paused_until": _iso(shop.paused_until),
        "access_expires_at": _iso(shop.access_expires_at),
        "refresh_expires_at": _iso(shop.refresh_expires_at),
        "auth_expires_at": _iso(shop.auth_expires_at),
        "authorised_until": _iso(shop.authorised_until),
        "remote_name": shop.remote_name,
        "reauth_soon": shop.reauth_soon(now or datetime.now(UTC)),
    }


def _linked_text(shop: Any) -> str:
    remote = f" ({shop.remote_name})" if shop.remote_name else ""
    until = shop.authorised_until
    # Tiki names no end to its authorisation: no "until" clause then, rather than "- UTC".
    ends = f"; authorised until {_utc(until)} UTC" if until is not None else ""
    # "TikTok Shop 7494…", not "TikTok Shop shop 7494…".
    where = shop.app.name if shop.app.name.endswith(" Shop") else f"{shop.app.name} shop"
    return f"{shop.name} is connected to {where} {shop.external_shop_id}{remote}{ends}."


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _utc(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def _until(shop: Any) -> str:
    """The list's "authorised until" cell: a connected shop whose platform gave no end
    (Tiki) says so instead of "-", which reads as "not linked"."""
    if shop.linked and shop.authorised_until is None:
        return "no expiry given"
    return _utc(shop.authorised_until)


def _quoted(name: str) -> str:
    return f"'{name}'" if any(c.isspace() for c in name) else name
