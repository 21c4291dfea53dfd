"""The admin's login is throttled like CONNEXION, with the same counters and a French message."""

import datetime

import pytest
import time_machine

from ceplus.tests import factories

ADMIN_LOGIN = "/admin/login/?next=/admin/"
# Frozen a little ahead of now: sessions made under the frozen clock stay valid after it.
START = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0) + datetime.timedelta(minutes=1)
TOO_MANY = "Trop de tentatives de connexion : patientez quelques minutes avant de réessayer."


def admin_fail(client, username: str, ip: str = "127.0.0.1"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": "pas le bon"}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_staff_logs_into_the_admin(client):
    staff = factories.StaffFactory(email="staff@example.org")
    response = client.post(ADMIN_LOGIN, {"username": "Staff@Example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff.pk


@pytest.mark.django_db
def test_five_failures_lock_the_admin_login_even_for_the_right_password(client):
    factories.StaffFactory(email="staff@example.org")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            response = admin_fail(client, "staff@example.org")
            assert TOO_MANY not in response.content.decode()
        response = client.post(ADMIN_LOGIN, {"username": "STAFF@example.org", "password": factories.PASSWORD})
    page = response.content.decode()
    assert TOO_MANY in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_and_site_logins_share_one_counter(client):
    """Five failures on CONNEXION lock the admin too: /admin/ buys no extra tries."""
    factories.StaffFactory(email="staff@example.org")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            client.post("/compte/login/", {"login": "staff@example.org", "password": "pas le bon"})
        response = client.post(ADMIN_LOGIN, {"username": "staff@example.org", "password": factories.PASSWORD})
    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_admin_login_opens_again_after_the_window(client):
    staff = factories.StaffFactory(email="staff@example.org")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            admin_fail(client, "staff@example.org")
        clock.shift(datetime.timedelta(minutes=6))
        response = client.post(ADMIN_LOGIN, {"username": "staff@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == staff.pk


@pytest.mark.django_db
def test_admin_login_is_limited_per_ip_across_accounts(client):
    factories.StaffFactory(email="staff@example.org")
    with time_machine.travel(START, tick=False):
        for n in range(10):
            admin_fail(client, f"inconnu{n}@example.org", ip="203.0.113.9")
        response = client.post(
            ADMIN_LOGIN,
            {"username": "staff@example.org", "password": factories.PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        )
    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_a_member_cannot_log_into_the_admin(client):
    factories.MemberFactory(email="marie@example.org")
    response = client.post(ADMIN_LOGIN, {"username": "marie@example.org", "password": factories.PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
