"""Where the secrets' encryption key lives: the OS keyring when usable, else a 0600 file."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from primedist.core import security
from primedist.core.security import (
    FileKeyStore,
    KeyringKeyStore,
    SecretBox,
    load_secret_key,
    redact,
    remember_secret,
    secret_box,
)


class MemoryKeyring:
    """A keyring backend holding entries in a dict (the OS keyring's API)."""

    priority = 5

    def __init__(self, *, broken: bool = False) -> None:
        self.entries: dict[tuple[str, str], str] = {}
        self.broken = broken

    def get_password(self, service: str, account: str) -> str | None:
        if self.broken:
            raise RuntimeError("keyring locked")
        return self.entries.get((service, account))

    def set_password(self, service: str, account: str, value: str) -> None:
        if self.broken:
            raise RuntimeError("keyring locked")
        self.entries[(service, account)] = value


@pytest.fixture(autouse=True)
def _fresh_boxes() -> None:
    security.forget_secret_boxes()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_without_a_keyring_the_key_file_is_created_readable_only_by_the_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_NO_KEYRING", "1")
    key_file = tmp_path / "data" / "secret.key"
    box = secret_box(key_file)

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = box.encrypt("shpk-access-0001")
    # A new process (no cache) reads the same key back from the file.
    security.forget_secret_boxes()
    assert secret_box(key_file).decrypt(token) == "shpk-access-0001"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_with_loose_rights_is_tightened(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_bytes(SecretBox.generate_key())
    key_file.chmod(0o644)
    assert FileKeyStore(key_file).load() is not None
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_usable_keyring_gets_the_new_key_and_no_file_is_written(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    key_file = tmp_path / "secret.key"
    stores = [KeyringKeyStore(ring, str(key_file)), FileKeyStore(key_file)]

    key = load_secret_key(key_file, stores)

    assert ring.entries == {("primedist", str(key_file)): key.decode("ascii")}
    assert not key_file.exists()
    assert load_secret_key(key_file, stores) == key  # read back, not replaced


def test_a_key_file_made_before_the_keyring_stays_in_use(tmp_path: Path) -> None:
    key_file = tmp_path / "secret.key"
    old = load_secret_key(key_file, [FileKeyStore(key_file)])
    ring = MemoryKeyring()

    assert load_secret_key(key_file, [KeyringKeyStore(ring, str(key_file)),
                                      FileKeyStore(key_file)]) == old  # fmt: skip
    assert ring.entries == {}


def test_a_broken_keyring_falls_back_to_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "secret.key"
    stores = [KeyringKeyStore(MemoryKeyring(broken=True), "x"), FileKeyStore(key_file)]
    with caplog.at_level(logging.WARNING):
        key = load_secret_key(key_file, stores)
    assert key_file.read_bytes() == key
    assert "keyring" in caplog.text


def test_os_keyring_is_none_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMEDIST_NO_KEYRING", "1")
    assert security.os_keyring("anything") is None


def test_secrets_seen_by_the_box_are_masked_anywhere_in_text(tmp_path: Path) -> None:
    box = SecretBox(SecretBox.generate_key())
    token = box.encrypt("raw-refresh-5f1c2d9e")
    remember_secret("partner-key-abcdef12")

    line = f"refresh failed for raw-refresh-5f1c2d9e; signed with partner-key-abcdef12 ({token})"
    masked = redact(line)
    assert "raw-refresh-5f1c2d9e" not in masked
    assert "partner-key-abcdef12" not in masked
    assert masked.startswith("refresh failed for ***; signed with ***")
    # Short values are not remembered (they would garble ordinary text).
    remember_secret("1234")
    assert redact("order 1234") == "order 1234"
