"""Back and forth in the wizard: Précédent and Suivant keep what was typed, a step cannot be
skipped, and a later step posted without the earlier ones goes back to step 1 and writes
nothing (S4)."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import (
    ACCOUNT,
    ADDRESS,
    CHILD,
    beneficiary_rows,
    consents,
    ready_invitation,
    start,
    submit,
    text,
    walk_to_validation,
)
from beneficiaries.models import Beneficiary
from ceplus.models import OutgoingEmail

pytestmark = pytest.mark.django_db

LATER_STEPS = ["signup_address", "signup_beneficiaries", "signup_validation"]


@pytest.mark.parametrize("url_name", LATER_STEPS)
def test_later_step_posted_without_any_state_goes_to_step_1_and_writes_nothing(client, url_name):
    ready_invitation()
    data = {**ACCOUNT, **ADDRESS, **beneficiary_rows(CHILD), **consents()}
    response = client.post(reverse(url_name), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_account")
    assert SESSION_KEY not in client.session
    assert not User.objects.exists()
    assert not Beneficiary.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_step_1_without_an_invitation_leads_to_creer_un_compte(client):
    response = client.get(reverse("signup_account"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("signup_info")
    assert "cliquez sur le lien d'inscription que votre structure vous a envoyé" in text(response)


@pytest.mark.parametrize("url_name", LATER_STEPS)
def test_a_step_cannot_be_skipped(client, url_name):
    start(client, ready_invitation())
    response = client.post(reverse(url_name), {**ADDRESS, **beneficiary_rows(), **consents()})
    assert response["Location"] == reverse("signup_account")
    assert "address" not in client.session[SESSION_KEY]["data"]
    assert not User.objects.exists()


def test_validation_posted_with_steps_missing_goes_to_the_first_missing_one(client):
    start(client, ready_invitation())
    client.post(reverse("signup_account"), ACCOUNT)
    response = client.post(reverse("signup_validation"), consents())
    assert response["Location"] == reverse("signup_address")
    assert not User.objects.exists()


def test_precedent_keeps_what_was_typed_even_unfinished(client):
    start(client, ready_invitation())
    client.post(reverse("signup_account"), ACCOUNT)
    response = client.post(
        reverse("signup_address"), {"line1": "3 place de la Réunion", "postal_code": "68", "nav": "back"}
    )
    assert response["Location"] == reverse("signup_account")
    step_1 = client.get(reverse("signup_account")).content.decode()
    assert 'value="Martin"' in step_1
    assert 'value="06 12 34 56 78"' in step_1
    step_2 = client.get(reverse("signup_address")).content.decode()
    assert 'value="3 place de la Réunion"' in step_2
    assert 'value="68"' in step_2


def test_precedent_on_step_1_goes_back_to_the_invitation_and_keeps_the_names(client):
    invitation = ready_invitation()
    start(client, invitation)
    response = client.post(reverse("signup_account"), {**ACCOUNT, "phone": "", "nav": "back"})
    assert response["Location"] == reverse("signup_start", args=[invitation.token])
    page = client.get(reverse("signup_account")).content.decode()
    assert 'value="Marie"' in page


def test_precedent_on_step_3_keeps_the_rows(client):
    start(client, ready_invitation())
    client.post(reverse("signup_account"), ACCOUNT)
    client.post(reverse("signup_address"), ADDRESS)
    response = client.post(reverse("signup_beneficiaries"), beneficiary_rows(CHILD, nav="back"))
    assert response["Location"] == reverse("signup_address")
    assert 'value="Léa"' in client.get(reverse("signup_beneficiaries")).content.decode()


def test_an_unfinished_step_left_with_precedent_must_be_finished_before_validation(client):
    invitation = ready_invitation()
    walk_to_validation(client, invitation)
    client.post(reverse("signup_address"), {**ADDRESS, "postal_code": "", "nav": "back"})
    response = client.post(reverse("signup_validation"), consents())
    assert response["Location"] == reverse("signup_address")
    assert not User.objects.exists()


def test_validation_shows_every_answer_with_a_modifier_link(client):
    walk_to_validation(client, ready_invitation(), beneficiaries=[CHILD])
    response = client.get(reverse("signup_validation"))
    page = text(response)
    assert "<title>Validation – Étape 4 sur 4 – CE+ Services</title>" in page
    for shown in ("Martin", "Marie", "Comptable", "marie.martin@example.org", "06 12 34 56 78"):
        assert shown in page
    assert "12 rue des Vosges" in page
    assert "68100 Mulhouse" in page
    assert "Léa Martin — Enfant à charge, né·e le 14/03/2016" in page
    for url_name in ("signup_account", "signup_address", "signup_beneficiaries"):
        assert f'href="{reverse(url_name)}?retour=validation">Modifier' in page
    assert ">Envoyer ma demande</button>" in page
    assert "data-once" in page
    assert "Une phrase de passe" not in page


def test_modifier_then_suivant_keeps_the_later_steps(client):
    walk_to_validation(client, ready_invitation(), beneficiaries=[CHILD])
    client.post(
        reverse("signup_account"), {**ACCOUNT, "first_name": "Mariette", "password1": "", "password2": ""}
    )
    client.post(reverse("signup_address"), ADDRESS)
    page = client.get(reverse("signup_beneficiaries")).content.decode()
    assert 'value="Léa"' in page
    assert "Mariette" in client.get(reverse("signup_validation")).content.decode()


def test_after_sending_the_wizard_pages_lead_to_the_confirmation(client):
    walk_to_validation(client, ready_invitation())
    submit(client)
    for url_name in ("signup_account", "signup_validation"):
        response = client.get(reverse(url_name))
        assert response["Location"] == reverse("signup_sent")
    # The browser's back button resubmitting the last form creates nothing more.
    response = submit(client)
    assert response["Location"] == reverse("signup_sent")
    assert User.objects.count() == 1


def test_confirmation_page_without_a_registration_goes_home(client):
    assert client.get(reverse("signup_sent"))["Location"] == reverse("home")


def test_wizard_pages_are_not_kept_by_the_browser(client):
    walk_to_validation(client, ready_invitation())
    for url_name in ("signup_account", "signup_address", "signup_beneficiaries", "signup_validation"):
        assert "no-store" in client.get(reverse(url_name))["Cache-Control"]


@pytest.mark.parametrize("url_name", ["signup_account", *LATER_STEPS])
def test_a_step_posted_once_the_session_expired_says_so(client, url_name):
    """The cookies went or the session expired under a wizard: the person is told to start
    again from their link, not only "cliquez sur le lien"."""
    ready_invitation()
    response = client.post(reverse(url_name), {**ACCOUNT, **ADDRESS}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("signup_info")
    page = text(response)
    assert "Votre session a expiré : recommencez avec le lien d'inscription reçu par email." in page
    assert "cliquez sur le lien d'inscription que votre structure" not in page
