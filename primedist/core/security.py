"""Password hashing, secret encryption at rest, log redaction and one-time passwords.

Secrets (marketplace tokens, partner keys, carrier API tokens) are encrypted with a Fernet
key that never sits in the database: it is kept in the OS keyring when one is usable
(Windows Credential Locker, macOS Keychain, Secret Service), else in a key file readable
only by the user (0600) in the data dir. Every secret encrypted or decrypted in this process
is also remembered, so :func:`redact` masks it wherever it appears in a log line or an
error message, even outside a `key=value` shape.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

from primedist.core.messages import msg

MIN_PASSWORD_LENGTH = 8
#: A password of digits alone is guessed in moments below this length (a phone number,
#: a birthday, 12345678).
MIN_DIGITS_ONLY_LENGTH = 12
#: The first passwords anyone tries (compared without case and surrounding spaces).
COMMON_PASSWORDS = frozenset({
    "12345678", "123456789", "1234567890", "11111111", "00000000", "87654321",
    "password", "password1", "qwertyui", "abcd1234",
})  # fmt: skip

# argon2id with the library's RFC 9106 "low memory" defaults (64 MiB, 3 passes).
_HASHER = PasswordHasher()

# No 0/O/o, 1/l/I/i: the password is read aloud or copied from paper.
OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 12


def check_password_strength(pw: str) -> None:
    """Raise ValueError if the password breaks the policy: at least 8 characters, at least
    12 when they are all digits, and none of the most common passwords. It is checked as
    typed, spaces at either end included, as the sign-in compares it; but spaces alone are
    no password."""
    if len(pw) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            msg("Password must be at least {count} characters", count=MIN_PASSWORD_LENGTH)
        )
    if not pw.strip():
        raise ValueError(msg("The password cannot be only spaces."))
    if pw.strip().lower() in COMMON_PASSWORDS:
        raise ValueError(
            msg("This password is one of the first anyone tries: choose one that is harder "
                "to guess.")
        )  # fmt: skip
    if pw.strip().isdigit() and len(pw.strip()) < MIN_DIGITS_ONLY_LENGTH:
        raise ValueError(
            msg("A password of digits only needs at least {count} of them: add letters, or "
                "more digits.", count=MIN_DIGITS_ONLY_LENGTH)
        )  # fmt: skip


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
        """Encrypt text into an ASCII token (the text is also masked in logs from now on)."""
        remember_secret(plaintext)
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt a token; raises ValueError if it was tampered with or the key is wrong."""
        try:
            plaintext = self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise ValueError("secret could not be decrypted") from None
        remember_secret(plaintext)
        return plaintext


# Where the encryption key lives ----------------------------------------------------------
KEYRING_SERVICE = "primedist"

log = logging.getLogger(__name__)


class KeyStore(Protocol):
    """A place that can hold the data dir's encryption key."""

    name: str

    def load(self) -> bytes | None: ...

    def save(self, key: bytes) -> None: ...


class FileKeyStore:
    """The key in a file only its owner may read (0600), next to the database."""

    name = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> bytes | None:
        if not self.path.is_file():
            return None
        if os.name == "posix" and self.path.stat().st_mode & 0o077:
            os.chmod(self.path, 0o600)  # copied around with loose rights: tighten them
        return self.path.read_bytes().strip() or None

    def save(self, key: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once never overwrite each other's key.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)


class KeyringKeyStore:
    """The key in the OS keyring, one entry per data dir (named by the key file path)."""

    name = "keyring"

    def __init__(self, backend: object, account: str) -> None:
        self._backend = backend
        self.account = account

    def load(self) -> bytes | None:
        value = self._backend.get_password(KEYRING_SERVICE, self.account)  # type: ignore[attr-defined]
        return value.encode("ascii") if isinstance(value, str) and value else None

    def save(self, key: bytes) -> None:
        self._backend.set_password(KEYRING_SERVICE, self.account, key.decode("ascii"))  # type: ignore[attr-defined]


def os_keyring(account: str) -> KeyringKeyStore | None:
    """The OS keyring, or None when there is none usable (headless box, no `keyring`)."""
    if os.environ.get("PRIMEDIST_NO_KEYRING"):
        return None
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]

        backend = keyring.get_keyring()
        priority = float(getattr(backend, "priority", 0))
    except Exception:  # noqa: BLE001 - any keyring failure means "use the key file"
        return None
    if priority <= 0 or type(backend).__module__.startswith(
        ("keyring.backends.fail", "keyring.backends.null")
    ):
        return None  # the "fail"/"null" backends keep nothing
    return KeyringKeyStore(backend, account)


def default_key_stores(key_file: Path) -> list[KeyStore]:
    """The keyring first (when usable), then the key file."""
    ring = os_keyring(str(key_file))
    stores: list[KeyStore] = [ring] if ring is not None else []
    stores.append(FileKeyStore(key_file))
    return stores


def load_secret_key(key_file: Path, stores: list[KeyStore] | None = None) -> bytes:
    """The data dir's encryption key, created on first use.

    A key already kept anywhere is used (never replaced: tokens encrypted with it stay
    readable); a new key goes to the first store that accepts it, the key file last.
    """
    chain = stores if stores is not None else default_key_stores(key_file)
    for store in chain:
        try:
            key = store.load()
        except Exception as exc:  # noqa: BLE001 - a locked keyring: try the next place
            log.warning("secret key store %s unreadable: %s", store.name, type(exc).__name__)
            continue
        if key:
            return key
    key = SecretBox.generate_key()
    for store in chain:
        try:
            store.save(key)
        except FileExistsError:  # another process created the file first: use its key
            existing = store.load()
            if existing:
                return existing
        except Exception as exc:  # noqa: BLE001
            log.warning("secret key store %s refused the key: %s", store.name, type(exc).__name__)
            continue
        return key
    raise OSError(f"No place to keep the encryption key (tried {key_file}).")


_boxes: dict[Path, SecretBox] = {}
_boxes_lock = threading.Lock()


def secret_box(key_file: Path) -> SecretBox:
    """The SecretBox of a data dir (its key loaded once per process)."""
    path = Path(key_file).resolve()
    with _boxes_lock:
        box = _boxes.get(path)
        if box is None:
            box = _boxes[path] = SecretBox(load_secret_key(path))
        return box


def forget_secret_boxes() -> None:
    """Drop the cached keys (tests; a restore onto another data dir)."""
    with _boxes_lock:
        _boxes.clear()


# Known secret values: masked anywhere they appear --------------------------------------
#: Shorter values are not remembered: masking "1234" in every log line would garble it.
MIN_REMEMBERED_SECRET = 8
_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def remember_secret(value: str) -> None:
    """Mask `value` in everything :func:`redact` sees from now on (this process)."""
    value = value.strip()
    if len(value) >= MIN_REMEMBERED_SECRET:
        with _known_lock:
            _known_secrets.add(value)


def _mask_known(text: str) -> str:
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)  # longest first: no leftovers
    for value in known:
        if value in text:
            text = text.replace(value, "***")
    return text


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
# Not after "/": "app key/secret: add them…" is our own sentence, not a header line.
_HEADER_RE = re.compile(rf"(?<!/)(?P<k>{_KEY}\s*:)[ \t]*[^\r\n]*", re.IGNORECASE)
_BEARER_RE = re.compile(r"(?P<k>\bBearer\s+)[\w.~+/=-]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Mask credential values in query strings, JSON and headers before logging, and every
    secret this process has encrypted or decrypted wherever it appears."""
    text = _mask_known(text)
    text = _QUOTED_RE.sub(lambda m: f"{m['k']}{m['q']}***{m['q']}", text)
    text = _PARAM_RE.sub(r"\g<k>***", text)
    text = _HEADER_RE.sub(r"\g<k> ***", text)
    return _BEARER_RE.sub(r"\g<k>***", text)


def generate_one_time_password() -> str:
    """Return a random 12-character password from an unambiguous alphabet."""
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))
