"""The admin's login is CONNEXION (allauth): the password, then the second factor; the same
counters and French messages as the site's; nothing at /admin/login/ takes a password."""

import datetime

import pytest
import time_machine

from ceplus.tests import factories

LOGIN = "/compte/login/"
AUTHENTICATE = "/compte/2fa/authenticate/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"
# Frozen a little ahead of now: sessions made under the frozen clock stay valid after it.
START = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0) + datetime.timedelta(minutes=1)
TOO_MANY = "Trop de tentatives de connexion échouées"


def password(client, email: str, secret: str = factories.PASSWORD, **extra):
    return client.post(f"{LOGIN}?next=/admin/", {"login": email, "password": secret}, **extra)


@pytest.mark.django_db
def test_the_admin_login_is_connexion(client):
    response = client.get(ADMIN_LOGIN)
    assert response.status_code == 302
    assert response["Location"] == "/compte/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_no_password_is_taken_at_the_admins_own_login(client):
    factories.StaffFactory(email="staff@example.org")
    response = client.post(ADMIN_LOGIN, {"username": "staff@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_give_their_password_then_their_code(client):
    staff = factories.StaffFactory(email="staff@example.org")
    response = password(client, "Staff@Example.org")
    assert response.status_code == 302
    assert response["Location"].startswith(AUTHENTICATE)
    # The password alone opens nothing.
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    response = client.post(AUTHENTICATE, {"code": factories.totp_code()})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_says_so_in_french_and_opens_nothing(client):
    factories.ManagerFactory(email="gestion@example.org")
    password(client, "gestion@example.org")
    response = client.post(AUTHENTICATE, {"code": "000000"})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_codes_count_against_the_account_like_wrong_passwords(client):
    factories.ManagerFactory(email="gestion@example.org")
    with time_machine.travel(START, tick=False):
        password(client, "gestion@example.org")
        for _ in range(5):
            client.post(AUTHENTICATE, {"code": "000000"})
        response = client.post(AUTHENTICATE, {"code": factories.totp_code()})
    assert "_auth_user_id" not in client.session
    assert TOO_MANY in response.content.decode()


@pytest.mark.django_db
def test_five_failed_passwords_lock_the_admins_account_too(client):
    factories.StaffFactory(email="staff@example.org")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            password(client, "staff@example.org", "pas le bon")
        response = password(client, "STAFF@example.org")
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_member_cannot_enter_the_admin(client):
    factories.MemberFactory(email="marie@example.org")
    client.post(LOGIN, {"login": "marie@example.org", "password": factories.PASSWORD})
    assert "_auth_user_id" in client.session
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get(ADMIN_LOGIN).status_code == 403
