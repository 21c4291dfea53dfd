"""The private key that signs the ID tokens of the portal's OpenID Connect provider.

Production reads it from the environment: ``OIDC_PRIVATE_KEY`` (the PEM itself) or
``OIDC_PRIVATE_KEY_FILE`` (a path to it, relative to the project when not absolute). Without
either, the start-up stops with a message naming them, as for any other missing setting
(``ceplus/env.py``). A developer's machine (``DEBUG=1``) gets a key of its own, made once and
kept in the git-ignored ``var/`` folder: the tokens a local client received stay verifiable
across restarts.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

from ceplus.env import Env

MIN_KEY_BITS = 2048
HOW_TO_MAKE_ONE = "make one with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"


def _checked(pem: str, source: str) -> str:
    """``pem`` if it is an unencrypted RSA private key of at least 2048 bits."""
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            f"{source} is not an unencrypted private key in PEM format ({HOW_TO_MAKE_ONE})."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_KEY_BITS:
        raise ImproperlyConfigured(
            f"{source} must be an RSA key of at least {MIN_KEY_BITS} bits ({HOW_TO_MAKE_ONE})."
        )
    return pem


def _development_key(path: Path) -> str:
    """The developer's key in ``path``, made the first time."""
    if path.exists():
        return _checked(path.read_text(encoding="ascii"), str(path))
    key = rsa.generate_private_key(public_exponent=65537, key_size=MIN_KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only, before anything is written in it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(pem)
    return pem


def signing_key_pem(env: Env, *, debug: bool, base_dir: Path) -> str:
    """The PEM of the key that signs the ID tokens, from ``OIDC_PRIVATE_KEY`` or
    ``OIDC_PRIVATE_KEY_FILE``; with ``debug`` and neither, the development key."""
    pem = env.str("OIDC_PRIVATE_KEY", default="")
    path = env.str("OIDC_PRIVATE_KEY_FILE", default="")
    if pem and path:
        raise ImproperlyConfigured("Set OIDC_PRIVATE_KEY or OIDC_PRIVATE_KEY_FILE, not both.")
    if pem:
        # A PEM given on one line, with its line breaks written \n (as some hosts require).
        return _checked(pem.replace("\\n", "\n"), "OIDC_PRIVATE_KEY")
    if path:
        file = Path(path) if Path(path).is_absolute() else base_dir / path
        try:
            text = file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise ImproperlyConfigured(f"OIDC_PRIVATE_KEY_FILE={path!r} cannot be read: {error}") from None
        return _checked(text, f"OIDC_PRIVATE_KEY_FILE={path!r}")
    if debug:
        return _development_key(base_dir / "var" / "oidc-dev-key.pem")
    raise ImproperlyConfigured(
        "OIDC_PRIVATE_KEY or OIDC_PRIVATE_KEY_FILE must be set when DEBUG is off: the key that "
        f"signs the tokens of the services partenaires ({HOW_TO_MAKE_ONE})."
    )
