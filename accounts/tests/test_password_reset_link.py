"""The link of the reset email: opens "Réinitialiser votre mot de passe" without the key in the
address bar, works once, expires, dies when the password or email changes; afterwards the
member's other sessions end and a "mot de passe modifié" email is sent."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.services import password_reset_url
from ceplus.tests import factories

NEW_PASSWORD = "Une phrase facile à retenir 42"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def link_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def open_link(client, path: str):
    """Open the emailed link: allauth stores the key in the session and redirects."""
    response = client.get(path)
    assert response.status_code == 302
    return response


def set_password(client, form_url: str, password: str = NEW_PASSWORD, again: str | None = None):
    return client.post(form_url, {"password1": password, "password2": password if again is None else again})


@pytest.fixture
def member(db):
    return factories.MemberFactory(email="marie@example.org", first_name="Marie")


@pytest.mark.django_db
def test_opening_the_link_leaves_no_key_in_the_address_bar(client, member):
    path = link_path(password_reset_url(member))
    key = path.rstrip("/").rsplit("/", 1)[-1].split("-", 1)[1]
    response = open_link(client, path)
    assert response["Location"].endswith("-set-password/")
    assert key not in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Réinitialiser votre mot de passe – CE+ Services</title>" in html
    assert 'for="id_password1">Nouveau mot de passe' in html
    assert 'for="id_password2">Ressaisissez votre mot de passe' in html
    assert "8 caractères minimum" in html
    assert html.count('autocomplete="new-password"') == 2
    assert ">Réinitialiser</button>" in html
    assert key not in html


@pytest.mark.django_db
def test_seven_characters_are_refused_and_eight_accepted(client, member):
    form_url = open_link(client, link_path(password_reset_url(member)))["Location"]
    refused = set_password(client, form_url, "Abcdef7")
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "<title>Erreur : Réinitialiser votre mot de passe – CE+ Services</title>" in html
    assert "Il doit contenir au minimum 8 caractères" in html
    member.refresh_from_db()
    assert not member.check_password("Abcdef7")
    accepted = set_password(client, form_url, "Kq8#vLp2")
    assert accepted.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Kq8#vLp2")


@pytest.mark.django_db
def test_both_passwords_must_match_and_common_ones_are_refused(client, member):
    form_url = open_link(client, link_path(password_reset_url(member)))["Location"]
    mismatch = set_password(client, form_url, NEW_PASSWORD, again=NEW_PASSWORD + "!")
    assert "Vous devez saisir deux fois le même mot de passe." in mismatch.content.decode()
    common = set_password(client, form_url, "motdepasse")
    assert "trop courant" in common.content.decode()
    member.refresh_from_db()
    assert member.check_password(factories.PASSWORD)


@pytest.mark.django_db
def test_a_long_passphrase_is_accepted_whole(client, member):
    passphrase = "Le petit chat de la voisine dort au soleil près du grand chêne, 2026 ! éàü"
    assert len(passphrase) > 64
    form_url = open_link(client, link_path(password_reset_url(member)))["Location"]
    assert set_password(client, form_url, passphrase).status_code == 302
    member.refresh_from_db()
    assert member.check_password(passphrase)
    assert not member.check_password(passphrase[:64])


@pytest.mark.django_db
def test_success_page_links_to_connexion_and_the_new_password_works(client, member):
    form_url = open_link(client, link_path(password_reset_url(member)))["Location"]
    response = set_password(client, form_url)
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    html = client.get(response["Location"]).content.decode()
    assert "Votre mot de passe a été modifié" in html
    assert f'href="{reverse("account_login")}"' in html
    assert html.count("Votre mot de passe a été modifié") == 1
    login = client.post(reverse("account_login"), {"login": "marie@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.django_db
def test_the_link_works_only_once(client, member):
    path = link_path(password_reset_url(member))
    form_url = open_link(client, path)["Location"]
    assert set_password(client, form_url).status_code == 302
    second = client.get(path)
    html = second.content.decode()
    assert second.status_code == 200
    assert "Ce lien n'est plus valable" in html
    assert "<title>Lien expiré ou déjà utilisé – CE+ Services</title>" in html
    assert reverse("account_reset_password") in html


@pytest.mark.django_db
def test_the_link_expires_after_three_hours(client, member):
    with time_machine.travel(START, tick=False) as clock:
        path = link_path(password_reset_url(member))
        clock.shift(datetime.timedelta(hours=2, minutes=59))
        assert client.get(path).status_code == 302
        clock.shift(datetime.timedelta(minutes=2))
        expired = client.get(path)
    assert expired.status_code == 200
    assert "Ce lien n'est plus valable" in expired.content.decode()


@pytest.mark.django_db
def test_the_link_dies_when_the_password_changes(client, member):
    path = link_path(password_reset_url(member))
    member.set_password("Un autre mot de passe 77")
    member.save()
    assert "Ce lien n'est plus valable" in client.get(path).content.decode()


@pytest.mark.django_db
def test_the_link_dies_when_the_email_changes(client, member):
    path = link_path(password_reset_url(member))
    member.email = "marie.nouvelle@example.org"
    member.save()
    assert "Ce lien n'est plus valable" in client.get(path).content.decode()


@pytest.mark.django_db
def test_a_forged_key_is_refused(client, member):
    response = client.get(f"/compte/password/reset/key/{member.pk}-abcdef-0123456789abcdef/")
    assert response.status_code == 200
    assert "Ce lien n'est plus valable" in response.content.decode()
    bad_uid = client.get("/compte/password/reset/key/zzzzzzzzzzzzzzzz-abcdef-0123/")
    assert bad_uid.status_code == 200


@pytest.mark.django_db
def test_posting_to_the_form_without_opening_a_link_changes_nothing(client, member):
    response = set_password(client, f"/compte/password/reset/key/{member.pk}-set-password/")
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(factories.PASSWORD)


@pytest.mark.django_db
def test_after_a_reset_the_other_sessions_end(client, django_capture_on_commit_callbacks):
    """The phone logged in yesterday is logged out once the password is reset elsewhere."""
    from django.test import Client

    member = factories.MemberFactory(email="marie@example.org")
    phone = Client()
    phone.force_login(member)
    assert phone.get(reverse("member_home")).status_code == 200
    form_url = open_link(client, link_path(password_reset_url(member)))["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        assert set_password(client, form_url).status_code == 302
    response = phone.get(reverse("member_home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert "_auth_user_id" not in phone.session


@pytest.mark.django_db
def test_after_a_reset_a_password_changed_email_is_sent(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    member = factories.MemberFactory(email="marie@example.org", first_name="Marie")
    form_url = open_link(client, link_path(password_reset_url(member)))["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        set_password(client, form_url)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["marie@example.org"]
    assert message.subject == "Votre mot de passe a été modifié – CE+ Services"
    assert "Bonjour Marie," in message.body
    assert "vos autres appareils ont été déconnectés" in message.body
    assert NEW_PASSWORD not in message.body
    assert "http://testserver/compte/password/reset/" in message.body
    assert "text/html" in [mimetype for _, mimetype in message.alternatives]
