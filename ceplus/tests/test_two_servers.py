"""Nothing lives in one process: two server processes on one database serve one person's wizard
in turns, and the login rate limit counts the failures made on both."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import (
    ACCOUNT,
    ADDRESS,
    CHILD,
    beneficiary_rows,
    consents,
    ready_invitation,
)
from ceplus.tests.factories import MemberFactory
from ceplus.tests.live_http import Browser

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not start")


@pytest.fixture
def two_servers():
    """Two gunicorn processes, production settings, on the test database."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "0",
        # One key for both: a session or a CSRF token made by one is valid on the other.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        "EMAIL_URL": "dummy://",
        "SITE_URL": "http://127.0.0.1",
    }
    servers = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ceplus.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        servers.append((f"http://127.0.0.1:{port}", process))
    try:
        for url, process in servers:
            wait_until_up(url, process)
        yield [url for url, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            process.wait(timeout=30)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_the_wizard_walks_across_two_servers(two_servers):
    # given one person whose requests a load balancer spreads over two servers
    invitation = ready_invitation()
    first, second = two_servers
    person = Browser(first, {})
    steps = [
        (reverse("signup_account"), ACCOUNT),
        (reverse("signup_address"), ADDRESS),
        (reverse("signup_beneficiaries"), beneficiary_rows(CHILD)),
        (reverse("signup_validation"), consents()),
    ]

    # when each page comes from one server and its submission goes to the other
    status, _ = person.request(reverse("signup_start", args=[invitation.token]))
    assert status == 200
    for index, (path, data) in enumerate(steps):
        reader, writer = (first, second) if index % 2 == 0 else (second, first)
        person.base_url = reader
        status, page = person.request(path)
        assert status == 200, page[:500]
        person.base_url = writer
        status, page = person.request(path, {**data, "csrfmiddlewaretoken": csrf_token(page)})
        assert status == 200, page[:500]

    # then the registration is complete
    assert "Félicitations" in page
    member = User.objects.get(email=ACCOUNT["email"])
    assert member.status == User.Status.PENDING
    assert member.structure == invitation.structure
    assert member.beneficiaries.count() == 1


def test_login_failures_count_across_both_servers(two_servers):
    member = MemberFactory(email="marie@example.org")
    limit = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 per account in 5 minutes
    pages = []
    for attempt in range(limit + 1):
        person = Browser(two_servers[attempt % 2], {})
        _, page = person.request(reverse("account_login"))
        status, page = person.request(
            reverse("account_login"),
            {
                "login": member.email.upper(),
                "password": "pas le bon",
                "csrfmiddlewaretoken": csrf_token(page),
            },
        )
        assert status < 500
        pages.append(page)
    assert not any("Trop de tentatives" in page for page in pages[:limit])
    assert "Trop de tentatives" in pages[limit]
