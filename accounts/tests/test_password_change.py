"""A logged-in member changes the password from their area: the current one is required; the
other sessions end, this one stays, and a "mot de passe modifié" email is sent."""

import pytest
from django.test import Client
from django.urls import reverse

from ceplus.tests import factories

CHANGE_URL = "/compte/password/change/"
NEW_PASSWORD = "Une phrase facile à retenir 42"


@pytest.fixture
def member(db):
    return factories.MemberFactory(email="marie@example.org", first_name="Marie")


def test_anonymous_visitor_is_sent_to_connexion(client, db):
    response = client.get(CHANGE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_change_page_is_in_our_layout_and_french(client, member):
    client.force_login(member)
    page = client.get(CHANGE_URL).content.decode()
    assert "<title>Modifier votre mot de passe – CE+ Services</title>" in page
    assert 'for="id_oldpassword">Mot de passe actuel' in page
    assert 'autocomplete="current-password"' in page
    assert 'for="id_password1">Nouveau mot de passe' in page
    assert 'for="id_password2">Ressaisissez votre mot de passe' in page
    assert "8 caractères minimum" in page
    assert "data-password-toggle" in page


def test_the_current_password_is_required(client, member):
    client.force_login(member)
    response = client.post(
        CHANGE_URL, {"oldpassword": "pas le bon", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur : Modifier votre mot de passe – CE+ Services</title>" in page
    assert "mot de passe actuel" in page
    member.refresh_from_db()
    assert member.check_password(factories.PASSWORD)


def test_a_short_new_password_is_refused(client, member):
    client.force_login(member)
    response = client.post(
        CHANGE_URL, {"oldpassword": factories.PASSWORD, "password1": "Abc12#x", "password2": "Abc12#x"}
    )
    assert "Il doit contenir au minimum 8 caractères" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(factories.PASSWORD)


def test_change_keeps_this_session_ends_the_others_and_sends_an_email(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    tablet = Client()
    tablet.force_login(member)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGE_URL,
            {"oldpassword": factories.PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("member_home")
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    home = client.get(reverse("member_home"))
    assert home.status_code == 200
    assert "Votre mot de passe a été modifié." in home.content.decode()
    assert tablet.get(reverse("member_home")).status_code == 302
    assert [message.subject for message in mailoutbox] == ["Votre mot de passe a été modifié – CE+ Services"]
    assert "Bonjour Marie," in mailoutbox[0].body
    assert NEW_PASSWORD not in mailoutbox[0].body
