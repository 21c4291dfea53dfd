"""A deactivated member loses access at once: their open session stops working on its next
request and they cannot log in again; reactivation gives access back."""

import pytest
from django.test import Client

from ceplus.tests.factories import PASSWORD, MemberFactory
from structures.services import member_deactivate, member_reactivate


@pytest.mark.django_db
def test_an_open_session_ends_on_the_next_request(structure_a, manager_a):
    member = MemberFactory(structure=structure_a)
    browser = Client()
    browser.force_login(member)
    assert browser.get("/espace/").status_code == 200

    member_deactivate(member=member, acting_user=manager_a, reason="A quitté l'entreprise")

    response = browser.get("/espace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_a_deactivated_member_cannot_log_in_until_reactivated(structure_a, manager_a):
    member = MemberFactory(structure=structure_a, email="depart@example.org")
    member_deactivate(member=member, acting_user=manager_a)
    browser = Client()
    browser.post("/compte/login/", {"login": "depart@example.org", "password": PASSWORD})
    assert browser.get("/espace/").status_code == 302

    member_reactivate(member=member, acting_user=manager_a)
    browser.post("/compte/login/", {"login": "depart@example.org", "password": PASSWORD})
    assert browser.get("/espace/").status_code == 200
