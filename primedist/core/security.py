"""Password hashing, secret encryption at rest, log redaction and one-time passwords."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

MIN_PASSWORD_LENGTH = 8

# argon2id with the library's RFC 9106 "low memory" defaults (64 MiB, 3 passes).
_HASHER = PasswordHasher()

# No 0/O/o, 1/l/I/i: the password is read aloud or copied from paper.
OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 12


def check_password_strength(pw: str) -> None:
    """Raise ValueError if the password breaks the policy."""
    if len(pw) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(pw: str) -> str:
    """Hash a password with argon2id."""
    return _HASHER.hash(pw)


def verify_password(hash: str, pw: str) -> bool:
    """Whether the password matches the hash; False for a mismatch or a malformed hash."""
    try:
        return _HASHER.verify(hash, pw)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hash: str) -> bool:
    """Whether the hash uses outdated parameters (or is unreadable) and should be redone."""
    try:
        return _HASHER.check_needs_rehash(hash)
    except InvalidHashError:
        return True


class SecretBox:
    """Authenticated symmetric encryption (Fernet) for marketplace tokens at rest."""

    def __init__(self, key: bytes) -> None:
        """Use a key from :meth:`generate_key`; raises ValueError for a malformed key."""
        self._fernet = Fernet(key)

    @staticmethod
    def generate_key() -> bytes:
        """Return a fresh url-safe base64 key."""
        return Fernet.generate_key()

    def encrypt(self, plaintext: str) -> str:
        """Encrypt text into an ASCII token."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt a token; raises ValueError if it was tampered with or the key is wrong."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise ValueError("secret could not be decrypted") from None


# Keys whose values must never reach a log: anything ending in token/secret/password,
# plus the marketplace signing fields and credential headers.
_KEY = (
    r"(?<![\w-])(?:[\w-]*(?:token|secret|password|passwd)|sign|signature|partner_key"
    r"|app_key|api_key|apikey|authorization|proxy-authorization|cookie|set-cookie)(?![\w-])"
)
_QUOTED_RE = re.compile(  # JSON and Python reprs: "key": "value" / 'key': 'value' / "key": 12
    rf"""(?P<k>(?P<q>["']){_KEY}(?P=q)\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,}}\]]+)""",
    re.IGNORECASE,
)
_PARAM_RE = re.compile(rf"(?P<k>{_KEY}=)[^&\s\"',;]*", re.IGNORECASE)  # query strings, forms
_HEADER_RE = re.compile(rf"(?P<k>{_KEY}\s*:)[ \t]*[^\r\n]*", re.IGNORECASE)  # key: value lines
_BEARER_RE = re.compile(r"(?P<k>\bBearer\s+)[\w.~+/=-]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Mask credential values in query strings, JSON and headers before logging."""
    text = _QUOTED_RE.sub(lambda m: f"{m['k']}{m['q']}***{m['q']}", text)
    text = _PARAM_RE.sub(r"\g<k>***", text)
    text = _HEADER_RE.sub(r"\g<k> ***", text)
    return _BEARER_RE.sub(r"\g<k>***", text)


def generate_one_time_password() -> str:
    """Return a random 12-character password from an unambiguous alphabet."""
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))
