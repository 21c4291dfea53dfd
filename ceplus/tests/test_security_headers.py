"""Security headers on every response, admin included, and the production settings behind them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ceplus.tests.production_env import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/compte/login/", "/admin/login/", "/documents/cgu/", "/nulle-part/"])
def test_every_page_has_a_strict_content_security_policy(client, path):
    response = client.get(path)
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"][0] == "'self'"
    assert all(value == "'self'" or value.startswith("'nonce-") for value in directives["script-src"])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_pages_are_not_sniffed_framed_or_leaking_referrers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_https_responses_carry_hsts_of_a_year(client):
    response = client.get("/", secure=True)
    max_age = int(response["Strict-Transport-Security"].split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000


def production_settings(**extra: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name, None) for name in ("
        "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', "
        "'SESSION_COOKIE_AGE', 'DEBUG')}))"
    )
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "ceplus.settings", **PRODUCTION_ENV, **extra}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_cookies_are_secure_httponly_and_lax():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_the_proxy_header_is_trusted_only_when_configured():
    assert production_settings()["SECURE_PROXY_SSL_HEADER"] is None
    trusted = production_settings(TRUST_X_FORWARDED_PROTO="1")["SECURE_PROXY_SSL_HEADER"]
    assert trusted == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_a_forwarded_proto_header_is_ignored_by_default(client):
    """Without TRUST_X_FORWARDED_PROTO, a client cannot pretend the request came over HTTPS."""
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_forwarded_for_is_ignored_unless_proxies_are_declared(rf, settings):
    """Behind load balancers the per-IP rate limits need the client's address; without a
    declared proxy a client cannot choose its own address with a header."""
    from allauth.account.adapter import get_adapter

    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert get_adapter(request).get_client_ip(request) == "10.0.0.1"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert get_adapter(request).get_client_ip(request) == "198.51.100.7"
