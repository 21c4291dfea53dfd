"""No password ever reaches an error report or a log: every view that receives one marks it
sensitive, and Django's error reporter then shows stars instead."""

import pytest
from django.views.debug import SafeExceptionReporterFilter

from accounts.tests.signup_helpers import ready_invitation, start
from ceplus.tests.factories import PASSWORD, MemberFactory

SECRET = "Un secret à ne jamais journaliser"


def reported_post(response) -> dict:
    return SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)


@pytest.mark.django_db
def test_login(client):
    response = client.post("/compte/login/", {"login": "marie@example.org", "password": SECRET})
    assert SECRET not in str(reported_post(response))


@pytest.mark.django_db
def test_signup_account_step(client):
    start(client, ready_invitation())
    response = client.post("/inscription/etape/compte/", {"password1": SECRET, "password2": SECRET})
    assert SECRET not in str(reported_post(response))


@pytest.mark.django_db
def test_password_change(client):
    member = MemberFactory()
    client.force_login(member)
    response = client.post(
        "/compte/password/change/", {"oldpassword": SECRET, "password1": SECRET, "password2": SECRET}
    )
    assert SECRET not in str(reported_post(response))


@pytest.mark.django_db
def test_account_erasure(client):
    member = MemberFactory()
    client.force_login(member)
    response = client.post("/espace/donnees/supprimer-mon-compte/", {"password": SECRET})
    assert SECRET not in str(reported_post(response))
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
