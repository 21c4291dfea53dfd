"""The password of step 1: 8 characters minimum, long passphrases welcome, common and personal
ones refused, confirmation must match, and it never sits in the session in clear."""

import json

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(client):
    start(client, ready_invitation())
    return client


def post(client, password, confirmation=None, **changes):
    data = {**ACCOUNT, "password1": password, "password2": password if confirmation is None else confirmation}
    return client.post(reverse("signup_account"), {**data, **changes})


def test_seven_characters_are_refused(wizard):
    response = post(wizard, "Kx7#qpL")
    assert response.status_code == 200
    assert (
        "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères."
        in response.content.decode()
    )


def test_eight_characters_are_accepted(wizard):
    assert post(wizard, "Kx7#qpLz").status_code == 302


def test_long_passphrase_with_spaces_and_accents_is_kept_whole(wizard):
    passphrase = "  Le château de Sausheim est très joli en été, n'est-ce pas ? " * 2
    assert len(passphrase) > 64
    assert post(wizard, passphrase).status_code == 302
    password_hash = wizard.session[SESSION_KEY]["password_hash"]
    assert check_password(passphrase, password_hash)
    assert not check_password(passphrase.strip(), password_hash)


@pytest.mark.parametrize("password", ["motdepasse", "azertyuiop", "password123", "12345678"])
def test_common_passwords_are_refused(wizard, password):
    assert post(wizard, password).status_code == 200


@pytest.mark.parametrize("password", ["marie.martin", "MartinMarie"])
def test_passwords_like_the_persons_name_or_email_are_refused(wizard, password):
    response = post(wizard, password)
    assert response.status_code == 200
    page = response.content.decode()
    assert "trop semblable" in page or "ne doit pas être votre nom ni votre adresse email" in page


def test_confirmation_must_match(wizard):
    response = post(wizard, "Une phrase de passe", "Une phrase de passe!")
    assert "Les deux mots de passe ne sont pas identiques" in response.content.decode()


@pytest.mark.real_hashers
def test_password_is_never_in_the_session_in_clear(wizard):
    post(wizard, "Une phrase de passe bien à moi")
    stored = Session.objects.get(session_key=wizard.session.session_key).get_decoded()
    assert "bien à moi" not in json.dumps(stored, ensure_ascii=False)
    assert stored[SESSION_KEY]["password_hash"].startswith("argon2$")


def test_password_is_never_shown_again(wizard):
    post(wizard, "Une phrase de passe bien à moi", phone="12")
    page = wizard.get(reverse("signup_account")).content.decode()
    assert "bien à moi" not in page


def test_a_valid_password_is_kept_when_another_field_fails(wizard):
    """Retyping the password because the phone was wrong is not needed."""
    response = post(wizard, "Une phrase de passe bien à moi", phone="12")
    assert response.status_code == 200
    assert "laissez vide pour le garder" in response.content.decode()
    response = wizard.post(reverse("signup_account"), {**ACCOUNT, "password1": "", "password2": ""})
    assert response.status_code == 302
    assert check_password("Une phrase de passe bien à moi", wizard.session[SESSION_KEY]["password_hash"])


def test_kept_password_can_be_replaced(wizard):
    post(wizard, "Une phrase de passe bien à moi")
    post(wizard, "Une toute autre phrase de passe")
    assert check_password("Une toute autre phrase de passe", wizard.session[SESSION_KEY]["password_hash"])


def test_password_fields_are_typed_password_and_new(wizard):
    page = wizard.get(reverse("signup_account")).content.decode()
    assert page.count('type="password"') == 2
    assert page.count('autocomplete="new-password"') == 2
    assert "data-password-toggle" in page
