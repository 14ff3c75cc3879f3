"""`primedist shop add | auth-url | authorize | list | disconnect`."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.sandbox.shopee import (
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SandboxConfig,
    ShopeeSandbox,
)
from tests.cli_support import table_count

KEY = "shpk" + "5a" * 30


def add(cli: Any, data_dir: Path, name: str = "Prime Shopee", *extra: str) -> Any:
    return cli("--data-dir", str(data_dir), "shop", "add", "--channel", "shopee", "--name", name,
               "--partner-id", "2001887", "--partner-key", KEY, *extra)  # fmt: skip


def test_add_then_list(cli: Any, data_dir: Path) -> None:
    run = add(cli, data_dir)
    assert run.code == EXIT_OK, run.err
    assert "Added Prime Shopee (Shopee, partner id 2001887)" in run.out
    assert "shop auth-url 'Prime Shopee' --wait" in run.out
    assert KEY not in run.out
    assert KEY not in (data_dir / "primedist.db").read_bytes().decode("latin-1")
    listed = cli("--data-dir", str(data_dir), "shop", "list", "--json")
    assert listed.code == EXIT_OK
    (shop,) = listed.json()["shops"]
    assert shop["name"] == "Prime Shopee" and shop["status"] == "not_linked"
    assert shop["partner_id"] == "2001887" and shop["api_host"] is None
    text = cli("--data-dir", str(data_dir), "shop", "list").out
    assert text.splitlines()[0].split() == ["shop", "channel", "status", "last", "sync",
                                             "(UTC)", "authorised", "until", "(UTC)"]  # fmt: skip
    assert "Prime Shopee  shopee   not_linked" in text


def test_the_key_may_come_from_the_environment(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_key = cli("--data-dir", str(data_dir), "shop", "add", "--channel", "shopee",
                 "--name", "Env Shop", "--partner-id", "7")  # fmt: skip
    assert "PRIMEDIST_APP_SECRET" in no_key.error_line()
    monkeypatch.setenv("PRIMEDIST_PARTNER_KEY", KEY)
    run = cli("--data-dir", str(data_dir), "shop", "add", "--channel", "shopee",
              "--name", "Env Shop", "--partner-id", "7", "--json")  # fmt: skip
    assert run.code == EXIT_OK and run.json()["partner_id"] == "7"


def test_bad_input_gives_one_line(cli: Any, data_dir: Path) -> None:
    bad_id = cli("--data-dir", str(data_dir), "shop", "add", "--channel", "shopee", "--name",
                 "X", "--partner-id", "abc", "--partner-key", KEY)  # fmt: skip
    assert bad_id.code == EXIT_ERROR and "not a positive whole number" in bad_id.error_line()
    host = add(cli, data_dir, "Y", "--api-host", "http://example.com")
    assert "must use https" in host.error_line()
    assert add(cli, data_dir, "Imported").code == EXIT_OK
    disconnected = cli("--data-dir", str(data_dir), "shop", "disconnect", "Imported")
    assert disconnected.code == EXIT_OK
    again = add(cli, data_dir, "Imported")  # a not-linked shop of that name gets the key
    assert again.out.startswith("Credentials set for Imported (Shopee, partner id 2001887)")
    offline = cli("--data-dir", str(data_dir), "shop", "add", "--channel", "offline", "--name",
                  "Z", "--partner-id", "1", "--partner-key", KEY)  # fmt: skip
    assert offline.code == EXIT_USAGE
    assert table_count(data_dir, "shops") == 2  # the counter outlet of `init`, Imported
    missing = cli("--data-dir", str(data_dir), "shop", "auth-url", "Nobody")
    assert "No marketplace shop is called 'Nobody'" in missing.error_line()
    assert add(cli, data_dir).code == EXIT_OK
    neither = cli("--data-dir", str(data_dir), "shop", "authorize", "Prime Shopee")
    assert "Give --code (and --shop-id for Shopee)" in neither.error_line()
    no_shop = cli("--data-dir", str(data_dir), "shop", "authorize", "Prime Shopee",
                  "--code", "abc")  # fmt: skip
    assert "Give --shop-id too" in no_shop.error_line()
    both = cli("--data-dir", str(data_dir), "shop", "authorize", "Prime Shopee",
               "--url", "http://x/?code=a&shop_id=1", "--code", "a")  # fmt: skip
    assert "not both" in both.error_line()
    pasted = cli("--data-dir", str(data_dir), "shop", "authorize", "Prime Shopee",
                 "--url", "http://127.0.0.1:9/primedist-authorised")  # fmt: skip
    assert "no authorisation code" in pasted.error_line()


def test_auth_url_is_signed_as_shopee_specifies(cli: Any, data_dir: Path) -> None:
    assert add(cli, data_dir, "Prime Shopee", "--api-host", "https://host.test").code == EXIT_OK
    run = cli("--data-dir", str(data_dir), "shop", "auth-url", "Prime Shopee", "--json",
              "--redirect", "https://shop.example/done")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    url = urlsplit(run.json()["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://host.test/api/v2/shop/auth_partner"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q["partner_id"] == "2001887" and q["redirect"] == "https://shop.example/done"
    base = f"2001887/api/v2/shop/auth_partner{q['timestamp']}"
    assert q["sign"] == hmac.new(KEY.encode(), base.encode(), hashlib.sha256).hexdigest()
    text = cli("--data-dir", str(data_dir), "shop", "auth-url", "Prime Shopee").out
    assert "redirect=http" in text and "shop authorize 'Prime Shopee' --url" in text


def test_disconnect_a_shop_that_was_never_linked(cli: Any, data_dir: Path) -> None:
    assert add(cli, data_dir).code == EXIT_OK
    run = cli("--data-dir", str(data_dir), "shop", "disconnect", "Prime Shopee", "--json")
    assert run.code == EXIT_OK and run.json()["status"] == "disconnected"
    listed = cli("--data-dir", str(data_dir), "shop", "list", "--json").json()["shops"]
    assert [s["status"] for s in listed] == ["disconnected"]


def test_syncing_a_shop_never_linked_says_so_and_leaves_it_not_linked(
    cli: Any, data_dir: Path
) -> None:
    assert add(cli, data_dir).code == EXIT_OK
    run = cli("--data-dir", str(data_dir), "sync", "--shop", "Prime Shopee")
    assert run.code == EXIT_ERROR and "is not linked yet: authorise it" in run.out + run.err
    listed = cli("--data-dir", str(data_dir), "shop", "list", "--json").json()["shops"]
    assert [s["status"] for s in listed] == ["not_linked"]  # not "needs re-authorisation"


# --------------------------------------------------------------------------- with the sandbox


@pytest.fixture
def sandbox() -> Iterator[ShopeeSandbox]:
    with ShopeeSandbox(SandboxConfig(orders=20)) as running:
        yield running


def add_sandbox_shop(cli: Any, data_dir: Path, box: ShopeeSandbox) -> None:
    run = cli("--data-dir", str(data_dir), "shop", "add", "--channel", "shopee",
              "--name", "Sandbox Shop", "--partner-id", str(DEMO_PARTNER_ID),
              "--partner-key", DEMO_PARTNER_KEY, "--api-host", box.url)  # fmt: skip
    assert run.code == EXIT_OK, run.err


def test_authorize_with_code_then_with_a_pasted_address(
    cli: Any, data_dir: Path, sandbox: ShopeeSandbox
) -> None:
    add_sandbox_shop(cli, data_dir, sandbox)
    run = cli("--data-dir", str(data_dir), "shop", "authorize", "Sandbox Shop",
              "--code", sandbox.authorize(), "--shop-id", str(DEMO_SHOP_ID), "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    linked = run.json()
    assert linked["status"] == "connected"
    assert linked["external_shop_id"] == str(DEMO_SHOP_ID)
    assert linked["refresh_expires_at"] is not None
    spent = cli("--data-dir", str(data_dir), "shop", "authorize", "Sandbox Shop",
                "--url", f"http://127.0.0.1:9/x?code=deadbeef&shop_id={DEMO_SHOP_ID}")  # fmt: skip
    assert spent.code == EXIT_ERROR and "primedist: error:" in spent.error_line()
    other = cli("--data-dir", str(data_dir), "shop", "authorize", "Sandbox Shop",
                "--code", sandbox.authorize(), "--shop-id", "42")  # fmt: skip
    assert f"is shop {DEMO_SHOP_ID}" in other.error_line()
    text = cli("--data-dir", str(data_dir), "shop", "list").out
    assert "Sandbox Shop  shopee   connected" in text
    gone = cli("--data-dir", str(data_dir), "shop", "disconnect", "Sandbox Shop")
    assert gone.out.strip() == "Sandbox Shop disconnected; its orders are kept."
    pasted = f"http://127.0.0.1:9/x?code={sandbox.authorize()}&shop_id={DEMO_SHOP_ID}"
    again = cli("--data-dir", str(data_dir), "shop", "authorize", "Sandbox Shop", "--url", pasted)
    assert again.code == EXIT_OK and "is connected to Shopee shop 600000" in again.out


def test_auth_url_wait_links_when_the_browser_comes_back(
    cli: Any, data_dir: Path, sandbox: ShopeeSandbox
) -> None:
    """A real `primedist` process listens; the "browser" opens the link it printed."""
    add_sandbox_shop(cli, data_dir, sandbox)
    env = {k: v for k, v in os.environ.items() if k != "PRIMEDIST_DATA_DIR"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "primedist", "--data-dir", str(data_dir), "shop", "auth-url",
         "Sandbox Shop", "--wait", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        link = ""
        for line in proc.stdout:
            if line.startswith("http"):
                link = line.strip()
                break
        assert "/api/v2/shop/auth_partner?" in link
        page = httpx.get(link, follow_redirects=True, timeout=10)
        assert "close this tab" in page.text
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_OK, err
    assert "Sandbox Shop is connected to Shopee shop 600000" in out
    listed = cli("--data-dir", str(data_dir), "shop", "list", "--json").json()["shops"]
    assert [s["status"] for s in listed] == ["connected"]


def test_auth_url_wait_gives_up_after_the_timeout(
    cli: Any, data_dir: Path, sandbox: ShopeeSandbox
) -> None:
    add_sandbox_shop(cli, data_dir, sandbox)
    run = cli("--data-dir", str(data_dir), "shop", "auth-url", "Sandbox Shop", "--wait",
              "--timeout", "1", "--json")  # fmt: skip
    assert run.code == EXIT_ERROR
    assert "No answer from the browser in time" in run.err.splitlines()[-1]


# --------------------------------------------------------------------------- other channels

SECRET = "xNTZVvEn5WwA_esLe_laIWlXyISGjTfO"


def test_add_a_store_of_each_channel_under_its_own_names(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = ("--data-dir", str(data_dir))
    lazada = cli(*d, "shop", "add", "--channel", "lazada", "--name", "Lazada VN",
                 "--app-key", "123456", "--app-secret", SECRET)  # fmt: skip
    assert lazada.code == EXIT_OK, lazada.err
    assert lazada.out.startswith("Added Lazada VN (Lazada, app key 123456); next: ")
    tiki = cli(*d, "shop", "add", "--channel", "tiki", "--name", "Tiki VN",
               "--client-id", "e5edc0e43g3zb6c3", "--client-secret", SECRET, "--json")  # fmt: skip
    assert tiki.code == EXIT_OK and tiki.json()["channel"] == "tiki"
    monkeypatch.setenv("PRIMEDIST_APP_SECRET", SECRET)
    tiktok = cli(*d, "shop", "add", "--channel", "tiktok", "--name", "TikTok VN",
                 "--app-id", "29a39d", "--api-host", "http://127.0.0.1:8765")  # fmt: skip
    assert tiktok.code == EXIT_OK, tiktok.err
    bad = cli(*d, "shop", "add", "--channel", "lazada", "--name", "L2", "--app-key", "29a39d")
    assert bad.code == EXIT_ERROR
    assert "The app key '29a39d' is not a positive whole number" in bad.error_line()
    listed = {s["name"]: s for s in cli(*d, "shop", "list", "--json").json()["shops"]}
    assert {n: (s["channel"], s["partner_id"], s["status"]) for n, s in listed.items()} == {
        "Lazada VN": ("lazada", "123456", "not_linked"),
        "Tiki VN": ("tiki", "e5edc0e43g3zb6c3", "not_linked"),
        "TikTok VN": ("tiktok", "29a39d", "not_linked"),
    }
    assert listed["TikTok VN"]["api_host"] == "http://127.0.0.1:8765"
    assert SECRET not in (data_dir / "primedist.db").read_bytes().decode("latin-1")
    # A pasted address without a code is refused before anything else.
    pasted = cli(*d, "shop", "authorize", "Lazada VN", "--url", "http://127.0.0.1:9/x?state=1")
    assert "no authorisation code" in pasted.error_line()


def test_shop_list_warns_before_a_lazada_authorisation_ends(cli: Any, data_dir: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from primedist.cli import open_context
    from primedist.config import resolve_settings
    from primedist.connectors.base import TokenPair
    from primedist.domain.shop import Shop
    from primedist.services import channels

    d = ("--data-dir", str(data_dir))
    for name, channel, app_id in (("Lazada VN", "lazada", "123456"), ("Tiki VN", "tiki", "e5")):
        run = cli(*d, "shop", "add", "--channel", channel, "--name", name,
                  "--app-id", app_id, "--app-secret", SECRET)  # fmt: skip
        assert run.code == EXIT_OK, run.err
    ctx = open_context(resolve_settings(data_dir))
    now = datetime.now(UTC)
    for name, days in (("Lazada VN", 3), ("Tiki VN", 40)):
        shop_id = channels.shop_id_by_name(ctx, name)
        with ctx.uow() as session:
            shop = session.get(Shop, shop_id)
            assert shop is not None
            shop.external_shop_id, shop.status = f"ext-{shop_id}", "active"
        channels.ShopTokenStore(ctx, shop_id).save(
            TokenPair("a", "r", now + timedelta(hours=4), now + timedelta(days=days), "x")
        )
    ctx.engine.dispose()
    text = cli(*d, "shop", "list").out
    warnings = [line for line in text.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1
    assert warnings[0].startswith("Warning: Lazada VN's authorisation ends ")
    assert "(Lazada does not extend the authorisation when it renews the tokens)" in warnings[0]
    assert warnings[0].endswith(
        "re-authorise it before: primedist shop auth-url 'Lazada VN' --wait"
    )
    shops = {s["name"]: s for s in cli(*d, "shop", "list", "--json").json()["shops"]}
    assert shops["Lazada VN"]["reauth_soon"] and shops["Lazada VN"]["status"] == "connected"
    assert not shops["Tiki VN"]["reauth_soon"]


def test_link_a_lazada_store_with_the_pasted_address(cli: Any, data_dir: Path) -> None:
    """Lazada's redirect names no shop: the seller id comes from the token response."""
    from primedist.sandbox.lazada import (
        DEMO_APP_KEY,
        DEMO_APP_SECRET,
        DEMO_SELLER_ID,
        LazadaSandbox,
        LazadaSandboxConfig,
    )

    d = ("--data-dir", str(data_dir))
    with LazadaSandbox(LazadaSandboxConfig(orders=5)) as box:
        run = cli(*d, "shop", "add", "--channel", "lazada", "--name", "Lazada VN", "--app-key",
                  DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET, "--api-host", box.url)  # fmt: skip
        assert run.code == EXIT_OK, run.err
        link = cli(*d, "shop", "auth-url", "Lazada VN", "--json").json()["url"]
        assert link.startswith(box.url) and f"client_id={DEMO_APP_KEY}" in link
        pasted = f"http://127.0.0.1:9/primedist-authorised?code={box.authorize()}"
        linked = cli(*d, "shop", "authorize", "Lazada VN", "--url", pasted)
        assert linked.code == EXIT_OK, linked.err
        assert f"Lazada VN is connected to Lazada shop {DEMO_SELLER_ID}" in linked.out
        shop = cli(*d, "shop", "list", "--json").json()["shops"][0]
        assert shop["status"] == "connected" and shop["external_shop_id"] == str(DEMO_SELLER_ID)
        spent = cli(*d, "shop", "authorize", "Lazada VN", "--code", "0_1_spent")
        assert spent.code == EXIT_ERROR and "primedist: error:" in spent.error_line()


def test_shop_listings_links_or_creates_and_names_what_stays_unlinked(
    cli: Any, data_dir: Path, sandbox: ShopeeSandbox
) -> None:
    add_sandbox_shop(cli, data_dir, sandbox)
    not_linked = cli("--data-dir", str(data_dir), "shop", "listings", "Sandbox Shop")
    assert not_linked.code == EXIT_ERROR and "not linked yet" in not_linked.error_line()
    linked = cli("--data-dir", str(data_dir), "shop", "authorize", "Sandbox Shop",
                 "--code", sandbox.authorize(), "--shop-id", str(DEMO_SHOP_ID))  # fmt: skip
    assert linked.code == EXIT_OK, linked.err
    items = {m.item_id for m in sandbox.catalogue}

    read = cli("--data-dir", str(data_dir), "shop", "listings", "Sandbox Shop", "--json")
    assert read.code == EXIT_ERROR  # nothing in the app has the shop's SKUs yet
    report = read.json()
    assert report["items"] == len(items) and report["listings_linked"] == 0
    assert len(report["unlinked"]) == len(items)
    first = report["unlinked"][0]
    assert first["skus"] and "no product in the app has its SKUs" in first["reason"]

    text = cli("--data-dir", str(data_dir), "shop", "listings", "Sandbox Shop")
    assert f"  {first['item_id']} {first['name']} [" in text.out

    created = cli("--data-dir", str(data_dir), "shop", "listings", "Sandbox Shop",
                  "--create-missing", "--json")  # fmt: skip
    assert created.code == EXIT_OK, created.out
    assert created.json()["products_created"] == len(items)
    assert created.json()["listings_linked"] == len(items)
    assert table_count(data_dir, "variants") == len(sandbox.catalogue)
    again = cli("--data-dir", str(data_dir), "shop", "listings", "Sandbox Shop")
    assert again.code == EXIT_OK
    assert f"{len(items)} linked already" in again.out
