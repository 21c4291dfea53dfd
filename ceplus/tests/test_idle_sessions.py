"""A session ends after a period of inactivity, and only of inactivity."""

import datetime

import pytest
import time_machine
from django.conf import settings

from ceplus.tests.factories import MemberFactory


@pytest.mark.django_db
def test_an_idle_session_ends(client):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        client.force_login(MemberFactory())
        assert client.get("/espace/").status_code == 200
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/espace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


@pytest.mark.django_db
def test_an_active_session_lasts_beyond_the_idle_period(client):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        client.force_login(MemberFactory())
        step = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE // 2)
        for _ in range(4):
            clock.shift(step)
            assert client.get("/espace/").status_code == 200
