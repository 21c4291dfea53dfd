"""Files people send, encrypted before they reach the database.

Fernet (``cryptography``: AES-128-CBC with an HMAC-SHA256, a timestamp and a random IV) under
the keys of ``FILE_ENCRYPTION_KEYS``: the first one encrypts, every one decrypts, so that a key
is rotated by putting the new one first and dropping the old one once no file still needs it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UnreadableFile(Exception):
    """A stored file that none of the keys decrypts (a key dropped too soon, or damage)."""


def key_is_valid(key: str) -> bool:
    """A Fernet key: 32 bytes in URL-safe base64."""
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False


def development_key(secret_key: str) -> str:
    """A key derived from ``SECRET_KEY``, for a developer's machine only (``DEBUG=1``)."""
    return base64.urlsafe_b64encode(
        hashlib.sha256(b"file-encryption:" + secret_key.encode()).digest()
    ).decode()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FILE_ENCRYPTION_KEYS must be set.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(content: bytes) -> bytes:
    return _fernet(tuple(settings.FILE_ENCRYPTION_KEYS)).encrypt(content)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet(tuple(settings.FILE_ENCRYPTION_KEYS)).decrypt(bytes(token))
    except InvalidToken as error:
        raise UnreadableFile from error
