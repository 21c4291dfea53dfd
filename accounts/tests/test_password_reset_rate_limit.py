"""Reset requests are limited per address (whatever its case) and per IP, on a frozen clock;
the limit answers the same for known and unknown addresses."""

import datetime

import pytest
import time_machine

from ceplus.tests import factories

RESET_URL = "/compte/password/reset/"
# Frozen a little ahead of now: sessions made under the frozen clock stay valid after it.
START = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0) + datetime.timedelta(minutes=1)


def ask(client, email: str, ip: str = "127.0.0.1"):
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_requests_an_hour_per_address(client, mailoutbox, django_capture_on_commit_callbacks):
    factories.MemberFactory(email="marie@example.org")
    with time_machine.travel(START, tick=False) as clock, django_capture_on_commit_callbacks(execute=True):
        for n, email in enumerate(
            [
                "marie@example.org",
                "MARIE@example.org",
                "Marie@Example.org",
                "marie@EXAMPLE.org",
                "mArie@example.org",
            ]
        ):
            assert ask(client, email, ip=f"10.0.0.{n}").status_code == 302
        blocked = ask(client, "marie@example.org", ip="10.0.0.99")
        clock.shift(datetime.timedelta(minutes=59))
        still_blocked = ask(client, "marie@example.org", ip="10.0.0.98")
        clock.shift(datetime.timedelta(minutes=2))
        again = ask(client, "marie@example.org", ip="10.0.0.97")
    assert blocked.status_code == still_blocked.status_code == 429
    assert "Trop de demandes" in blocked.content.decode()
    assert again.status_code == 302
    assert len(mailoutbox) == 6


@pytest.mark.django_db
def test_unknown_addresses_are_limited_the_same_way(client):
    """The limit does not reveal which addresses have an account."""
    factories.MemberFactory(email="marie@example.org")
    with time_machine.travel(START, tick=False):
        known = [ask(client, "marie@example.org").status_code for _ in range(6)]
        unknown = [ask(client, "personne@example.org", ip="10.1.1.1").status_code for _ in range(6)]
    assert known == unknown == [302] * 5 + [429]


@pytest.mark.django_db
def test_twenty_requests_a_minute_per_ip(client):
    with time_machine.travel(START, tick=False) as clock:
        codes = [ask(client, f"personne{n}@example.org", ip="203.0.113.9").status_code for n in range(21)]
        other_ip = ask(client, "quelquun@example.org", ip="198.51.100.7")
        clock.shift(datetime.timedelta(seconds=61))
        later = ask(client, "encore@example.org", ip="203.0.113.9")
    assert codes == [302] * 20 + [429]
    assert other_ip.status_code == 302
    assert later.status_code == 302
