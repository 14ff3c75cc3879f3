"""Tests for primedist.core.security."""

from __future__ import annotations

import base64

import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from primedist.core import security
from primedist.core.security import (
    OTP_ALPHABET,
    SecretBox,
    check_password_strength,
    generate_one_time_password,
    hash_password,
    needs_rehash,
    redact,
    verify_password,
)
from tests.conftest import PRODUCTION_HASHER


@pytest.fixture(autouse=True)
def production_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check the app's own hasher, not the suite's cheap one (conftest)."""
    monkeypatch.setattr(security, "_HASHER", PRODUCTION_HASHER)


@pytest.fixture
def stored_hash(production_hasher: None) -> str:
    return hash_password("correct horse battery")


def test_hash_costs_64_mib_and_3_passes(stored_hash: str) -> None:
    assert stored_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_hash_is_salted_argon2id(stored_hash: str) -> None:
    assert stored_hash.startswith("$argon2id$")
    assert "correct horse battery" not in stored_hash
    assert hash_password("correct horse battery") != stored_hash


def test_verify_password(stored_hash: str) -> None:
    assert verify_password(stored_hash, "correct horse battery")
    assert not verify_password(stored_hash, "correct horse batterY")
    assert not verify_password(stored_hash, "")


@pytest.mark.parametrize(
    "bad_hash", ["", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$garbage", "$2b$12$abcdefghij"]
)
def test_verify_password_with_invalid_hash_is_false(bad_hash: str) -> None:
    assert verify_password(bad_hash, "whatever1") is False


def test_needs_rehash(stored_hash: str) -> None:
    assert needs_rehash(stored_hash) is False
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("pw")
    assert needs_rehash(weak) is True
    assert verify_password(weak, "pw")  # old hashes still verify until rehashed
    assert needs_rehash("garbage") is True


def test_check_password_strength() -> None:
    with pytest.raises(ValueError, match="Password must be at least 8 characters"):
        check_password_strength("1234567")
    with pytest.raises(ValueError):
        check_password_strength("")
    check_password_strength("mật khẩu")  # counts characters, not bytes
    check_password_strength("hoa-mai-24")


@pytest.mark.parametrize(
    "common", ["12345678", "123456789", "1234567890", "11111111", "00000000", "87654321",
               "password", "Password1", "QWERTYUI", "abcd1234", " password "],
)  # fmt: skip
def test_the_most_common_passwords_are_refused(common: str) -> None:
    with pytest.raises(ValueError, match="one of the first anyone tries"):
        check_password_strength(common)


def test_a_password_of_digits_only_needs_twelve() -> None:
    for short in ("20011990", "0912345678", "09123456789"):  # a birthday, a phone number
        with pytest.raises(ValueError, match="digits only needs at least 12"):
            check_password_strength(short)
    check_password_strength("091234567890")  # twelve digits
    check_password_strength("0912345678a")  # a letter among them


def test_secret_box_round_trip() -> None:
    box = SecretBox(SecretBox.generate_key())
    token = box.encrypt("shopee-access-token-Đ")
    assert token.isascii()
    assert "shopee" not in token
    assert box.decrypt(token) == "shopee-access-token-Đ"
    assert box.encrypt("same") != box.encrypt("same")  # random IV


@settings(max_examples=25)
@given(st.text())
def test_secret_box_round_trip_any_text(secret: str) -> None:
    # The box remembers what it handles, to mask it in logs: forget these generated values
    # after (hypothesis may well generate "password", which the redact tests print).
    remembered = set(security._known_secrets)
    try:
        box = SecretBox(base64.urlsafe_b64encode(b"k" * 32))
        assert box.decrypt(box.encrypt(secret)) == secret
    finally:
        security._known_secrets.intersection_update(remembered)


def test_secret_box_rejects_tampering_and_wrong_key() -> None:
    box = SecretBox(SecretBox.generate_key())
    token = box.encrypt("secret")
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[-40] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()
    for bad in (tampered, token[:-4], "", "not a token", "đ"):
        with pytest.raises(ValueError, match="secret could not be decrypted"):
            box.decrypt(bad)
    with pytest.raises(ValueError, match="secret could not be decrypted"):
        SecretBox(SecretBox.generate_key()).decrypt(token)


def test_secret_box_rejects_malformed_key() -> None:
    with pytest.raises(ValueError):
        SecretBox(b"too short")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("access_token=abc123", "access_token=***"),
        (
            "GET /api?partner_id=1&sign=deadbeef&access_token=abc&shop_id=9",
            "GET /api?partner_id=1&sign=***&access_token=***&shop_id=9",
        ),
        ("refresh_token=r1 timestamp=5", "refresh_token=*** timestamp=5"),
        ('{"password": "x"}', '{"password": "***"}'),
        ('{"password": "a\\"b", "user": "an"}', '{"password": "***", "user": "an"}'),
        ('{"client_secret":"s3","expires_in":3600}', '{"client_secret":"***","expires_in":3600}'),
        ('{"sign": 12345, "x": 1}', '{"sign": "***", "x": 1}'),
        ("{'partner_key': 'pk', 'ok': 1}", "{'partner_key': '***', 'ok': 1}"),
        ("Authorization: Bearer xyz", "Authorization: ***"),
        ("authorization:Basic dXNlcjpwYXNz\nAccept: json", "authorization: ***\nAccept: json"),
        ("x-tts-access-token: t0k", "x-tts-access-token: ***"),
        ("got Bearer abc.def-ghi back", "got Bearer *** back"),
        ("secret=s&token_type=Bearer", "secret=***&token_type=Bearer"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "design=blue&signal=3&sign_method=sha256",
        '{"token_type": "bearer", "expires_in": 3600, "shop_id": 42}',
        "order 123 shipped to Nguyễn Thị Hoa",
        # Our own sentences naming a marketplace app's credentials (not header lines).
        "Lazada B has no app key/secret: add them in Sales channels.",
        "Lazada B chưa có app key/secret: hãy thêm trong Kênh bán hàng.",
    ],
)
def test_redact_leaves_other_fields(text: str) -> None:
    assert redact(text) == text


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1))
def test_redact_hides_any_secret_value(value: str) -> None:
    assert redact(f"access_token={value}") == "access_token=***"
    assert redact(f'{{"password": "{value}"}}') == '{"password": "***"}'
    assert redact(f"Authorization: {value}") == "Authorization: ***"


def test_generate_one_time_password() -> None:
    passwords = {generate_one_time_password() for _ in range(200)}
    assert len(passwords) == 200
    for pw in passwords:
        assert len(pw) == 12
        assert set(pw) <= set(OTP_ALPHABET)
        check_password_strength(pw)
    assert not set("0O1lIi") & set(OTP_ALPHABET)
