"""Secrets at rest and in logs: marketplace tokens and partner keys are stored encrypted
(the key outside the database) and never reach the log file or an error dialog in plain
text. The database file (with its WAL) and the log are grepped for the plain values."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.config import Settings
from primedist.connectors.base import TokenPair
from primedist.core import security
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.ui import errors

ACCESS = "shpat-7f3a9c1e5b2d4f6a8c0e"
REFRESH = "shprt-1b2c3d4e5f6a7b8c9d0e"
PARTNER_KEY = "shpk" + "5e" * 30


@pytest.fixture
def log_file(settings: Settings) -> Iterator[Path]:
    """The app's real log file (rotating handler with the redaction filter)."""
    root = logging.getLogger()
    before = list(root.handlers)
    path = errors.setup_logging(settings.log_dir)
    yield path
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A CI box has no OS keyring: the key goes to the 0600 file in the data dir."""
    monkeypatch.setenv("PRIMEDIST_NO_KEYRING", "1")
    security.forget_secret_boxes()
    yield
    security.forget_secret_boxes()


def store_secrets(ctx: ServiceContext) -> int:
    shop_id = channels.add_shopee_shop(ctx, name="Shopee Mall", partner_id="2001887",
                                       partner_key=PARTNER_KEY)  # fmt: skip
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE shops SET external_shop_id = '99001', status = 'active' WHERE id = ?",
            (shop_id,),
        )
    now = datetime.now(UTC)
    channels.ShopTokenStore(ctx, shop_id).save(
        TokenPair(access_token=ACCESS, refresh_token=REFRESH,
                  access_expires_at=now + timedelta(hours=4),
                  refresh_expires_at=now + timedelta(days=30), shop_external_id="99001")
    )  # fmt: skip
    return shop_id


def database_bytes(settings: Settings) -> bytes:
    assert settings.db_path is not None
    data = b""
    for suffix in ("", "-wal", "-journal"):
        path = Path(str(settings.db_path) + suffix)
        if path.exists():
            data += path.read_bytes()
    return data


def test_tokens_and_keys_are_encrypted_and_never_logged(
    owner_ctx: ServiceContext, settings: Settings, log_file: Path
) -> None:
    shop_id = store_secrets(owner_ctx)
    loaded = channels.ShopTokenStore(owner_ctx, shop_id).load()
    assert loaded is not None and (loaded.access_token, loaded.refresh_token) == (ACCESS, REFRESH)

    log = logging.getLogger("primedist.connectors.shopee")
    log.info("refreshing shop %s with %s", shop_id, REFRESH)
    log.warning(
        "GET https://partner.shopeemobile.com/api/v2/order?access_token=%s&sign=ab12", ACCESS
    )
    try:
        raise RuntimeError(f"HTTP 403 for partner key {PARTNER_KEY}: token {ACCESS} expired")
    except RuntimeError:
        log.exception("sync failed")
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = log_file.read_text(encoding="utf-8")
    assert "refreshing shop" in text and "sync failed" in text and "HTTP 403" in text
    db = database_bytes(settings)
    assert db  # the file really was read
    for secret in (ACCESS, REFRESH, PARTNER_KEY):
        assert secret not in text, secret
        assert secret.encode() not in db, secret

    key_file = settings.secret_key_path
    assert key_file.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes() not in db  # the key is never in the database


def test_error_dialogs_mask_secrets(
    owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch, qapp: Any
) -> None:
    store_secrets(owner_ctx)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: shown.append(text))
    errors.show_error(None, f"Shopee refused the refresh token {REFRESH} (error_auth)")
    assert shown == ["Shopee refused the refresh token *** (error_auth)"]
    crash = errors.format_exception(RuntimeError(f"POST body partner_key={PARTNER_KEY}"))
    assert PARTNER_KEY not in crash
