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
