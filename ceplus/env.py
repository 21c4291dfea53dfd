"""Strict reading of the environment.

Every setting that comes from the environment goes through one of these functions, so that a
typo in a deployment stops the process at start-up with a message that names the variable and
the value expected, instead of a stack trace three pages later (or, worse, a silent default).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off", ""})

EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "consolemail": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "memorymail": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "dummymail": "django.core.mail.backends.dummy.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "filemail": "django.core.mail.backends.filebased.EmailBackend",
}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(self, environ_: Mapping[str, str] | None = None):
        self.environ = os.environ if environ_ is None else environ_

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None else value.strip()

    def str(self, name: str, default: str | None = None) -> str:
        value = self._raw(name)
        if value is None or value == "":
            if default is None:
                raise ImproperlyConfigured(f"{name} must be set.")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in TRUE_VALUES:
            return True
        if lowered in FALSE_VALUES:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean: use one of 1, 0, true, false, yes, no, on, off."
        )

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self._raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None:
            return default
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfigured(
                f"{name}={value!r} has an empty item: separate values with single commas."
            )
        return items

    def url(self, name: str, default: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
        value = self._raw(name) or default
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            raise ImproperlyConfigured(f"{name}={value!r} is not an absolute URL ({', '.join(schemes)}).")
        return value.rstrip("/")

    def database(self, name: str, default: str) -> dict:
        value = self._raw(name) or default
        scheme = urlsplit(value).scheme
        if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
            raise ImproperlyConfigured(
                f"{name} must be a postgres:// or sqlite:/// URL, not {scheme or 'empty'!r}."
            )
        try:
            config = environ.Env.db_url_config(value)
        except Exception as error:  # environ raises a mix of errors for malformed URLs
            raise ImproperlyConfigured(f"{name} could not be read: {error}") from None
        if scheme != "sqlite":
            if not config.get("NAME"):
                raise ImproperlyConfigured(f"{name} must name a database (…/dbname).")
            # Django's persistent connections, checked before each request: a restarted
            # database costs one failed request at most, never a stuck worker.
            config["CONN_MAX_AGE"] = self.int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
            config["CONN_HEALTH_CHECKS"] = True
        return config

    def mailers(self, name: str, default: str) -> dict:
        """``EMAIL_URL`` → Django 6.1's ``MAILERS`` setting."""
        value = self._raw(name) or default
        parts = urlsplit(value)
        backend = EMAIL_BACKENDS.get(parts.scheme)
        if backend is None:
            raise ImproperlyConfigured(
                f"{name} has an unknown scheme {parts.scheme!r}: use one of "
                f"{', '.join(sorted(EMAIL_BACKENDS))}."
            )
        options: dict = {}
        if backend.endswith("smtp.EmailBackend"):
            if not parts.hostname:
                raise ImproperlyConfigured(f"{name} must name the SMTP host (smtp://host:port).")
            try:
                port = parts.port
            except ValueError:
                raise ImproperlyConfigured(f"{name} has an invalid port.") from None
            options["host"] = parts.hostname
            options["port"] = port or {"smtps": 465, "smtp+ssl": 465}.get(
                parts.scheme, 587 if parts.scheme == "smtp+tls" else 25
            )
            if parts.username:
                options["username"] = unquote(parts.username)
                options["password"] = unquote(parts.password or "")
            options["use_tls"] = parts.scheme in {"smtp+tls", "smtps"} and options["port"] != 465
            options["use_ssl"] = parts.scheme == "smtp+ssl" or (
                parts.scheme == "smtps" and options["port"] == 465
            )
            query = parse_qs(parts.query)
            options["timeout"] = self._timeout(name, query.get("timeout", ["10"])[0])
        elif backend.endswith("filebased.EmailBackend"):
            options["file_path"] = parts.path or "var/mail"
        return {"default": {"BACKEND": backend, "OPTIONS": options}}

    @staticmethod
    def _timeout(name: str, value: str) -> int:
        try:
            timeout = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: timeout={value!r} is not a number of seconds.") from None
        if timeout <= 0:
            raise ImproperlyConfigured(f"{name}: timeout must be positive.")
        return timeout


def load_env_file(path, environ_: dict | None = None) -> None:
    """Read ``KEY=value`` lines from a local ``.env`` file into the environment, without
    overriding what the environment already says. Meant for a developer's machine (``make``
    writes ``DEBUG=1`` there); production sets real environment variables instead."""
    target = os.environ if environ_ is None else environ_
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, separator, value = line.partition("=")
        if not separator or not name.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value.")
        target.setdefault(name.strip(), value.strip().strip("\"'"))
