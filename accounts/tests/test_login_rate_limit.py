"""Login failures are limited per account (whatever the case of the address) and per IP, in
the cache every server process shares, on a frozen clock."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from ceplus.tests import factories

LOGIN_URL = "/compte/login/"
# Frozen a little ahead of now: sessions made under the frozen clock stay valid after it.
START = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0) + datetime.timedelta(minutes=1)
TOO_MANY = "Trop de tentatives de connexion échouées"


def fail(client, login: str, ip: str = "127.0.0.1"):
    return client.post(LOGIN_URL, {"login": login, "password": "pas le bon"}, REMOTE_ADDR=ip)


def test_rate_limits_live_in_a_shared_cache_not_in_process_memory():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in (
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    )
    assert "locmem" not in type(cache).__module__


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_for_the_right_password(client):
    factories.MemberFactory(email="marie@example.org")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            assert TOO_MANY not in fail(client, "marie@example.org").content.decode()
        response = client.post(LOGIN_URL, {"login": "marie@example.org", "password": factories.PASSWORD})
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_changing_the_case_of_the_address_does_not_buy_more_tries(client):
    factories.MemberFactory(email="marie@example.org")
    with time_machine.travel(START, tick=False):
        for login in ("marie@example.org", "MARIE@example.org", "Marie@Example.org", "marie@EXAMPLE.ORG"):
            fail(client, login, ip="10.0.0.1")
        fail(client, "mArIe@example.org", ip="10.0.0.2")
        response = client.post(
            LOGIN_URL, {"login": "MARIE@EXAMPLE.ORG", "password": factories.PASSWORD}, REMOTE_ADDR="10.0.0.3"
        )
    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_the_account_opens_again_after_five_minutes(client):
    member = factories.MemberFactory(email="marie@example.org")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            fail(client, "marie@example.org")
        clock.shift(datetime.timedelta(minutes=4, seconds=59))
        assert TOO_MANY in fail(client, "marie@example.org").content.decode()
        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        response = client.post(LOGIN_URL, {"login": "marie@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.django_db
def test_a_successful_login_does_not_wipe_the_failures_count(client):
    """A successful login gives back its own try only: an attacker cannot reset the counter by
    logging into their own account in between."""
    factories.MemberFactory(email="marie@example.org")
    # One second between tries: allauth gives back a try by its timestamp.
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            fail(client, "marie@example.org")
            clock.shift(1)
        assert (
            client.post(LOGIN_URL, {"login": "marie@example.org", "password": factories.PASSWORD}).status_code
            == 302
        )
        client.logout()
        clock.shift(1)
        fail(client, "marie@example.org")
        clock.shift(1)
        response = client.post(LOGIN_URL, {"login": "marie@example.org", "password": factories.PASSWORD})
    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_ten_failures_a_minute_from_one_ip_block_that_ip_only(client):
    """Spraying many accounts from one IP is stopped; another IP still logs in."""
    member = factories.MemberFactory(email="marie@example.org")
    with time_machine.travel(START, tick=False) as clock:
        for n in range(10):
            fail(client, f"personne{n}@example.org", ip="203.0.113.9")
        blocked = client.post(
            LOGIN_URL,
            {"login": "marie@example.org", "password": factories.PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )
        assert TOO_MANY in blocked.content.decode()
        other_ip = client.post(
            LOGIN_URL,
            {"login": "marie@example.org", "password": factories.PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        assert other_ip.status_code == 302
        client.logout()
        clock.shift(datetime.timedelta(seconds=61))
        again = client.post(
            LOGIN_URL,
            {"login": "marie@example.org", "password": factories.PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )
    assert again.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.django_db
def test_too_many_login_requests_get_a_french_429_page(client):
    with time_machine.travel(START, tick=False):
        for _ in range(30):
            client.post(LOGIN_URL, {"login": "", "password": ""})
        response = client.post(LOGIN_URL, {"login": "", "password": ""})
    assert response.status_code == 429
    page = response.content.decode()
    assert "<title>Trop de demandes – CE+ Services</title>" in page
    assert "patientez quelques minutes" in page
