"""After CONNEXION, each person lands where their work is."""

import pytest

from ceplus.tests.factories import PASSWORD, ManagerFactory, MemberFactory, StructureFactory, totp_code


def log_in(client, user, **extra):
    return client.post("/compte/login/" + extra.pop("query", ""), {"login": user.email, "password": PASSWORD})


@pytest.mark.django_db
def test_a_member_lands_in_the_member_area(client):
    assert log_in(client, MemberFactory())["Location"] == "/espace/"


@pytest.mark.django_db
def test_a_manager_lands_in_the_admin_once_past_the_second_factor(client):
    assert log_in(client, ManagerFactory(structures=[StructureFactory()]))["Location"].startswith(
        "/compte/2fa/authenticate/"
    )
    response = client.post("/compte/2fa/authenticate/", {"code": totp_code()})
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_next_page_wins(client):
    response = log_in(client, MemberFactory(), query="?next=/espace/adresse/")
    assert response["Location"] == "/espace/adresse/"
