"""The invitation link: a usable one starts the wizard; a forged one answers 404, an expired,
revoked or used one 410, each with a French page saying what to do; nothing is created."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation
from ceplus.tests import factories
from structures.models import Invitation

pytestmark = pytest.mark.django_db


def test_usable_link_shows_the_structure_and_starts_the_wizard(client):
    invitation = ready_invitation(structure=factories.StructureFactory(name="CSE Textiles"))
    response = client.get(reverse("signup_start", args=[invitation.token]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "CSE Textiles" in page
    assert "Votre entreprise / CSE devra valider votre inscription." in page
    assert reverse("signup_account") in page
    assert client.get(reverse("signup_account")).status_code == 200


def test_invitation_url_is_short_and_clean():
    invitation = factories.InvitationFactory()
    assert invitation.get_absolute_url() == f"/inscription/{invitation.token}/"
    assert len(invitation.token) >= 40


@pytest.mark.parametrize("token", ["x" * 43, "a", "x" * 65, "%2e%2e", "%00", "<script>", "fonction s"])
def test_forged_link_answers_404_in_french(client, token):
    response = client.get(f"/inscription/{token}/")
    assert response.status_code == 404
    assert "Demandez un nouveau lien d'inscription" in response.content.decode()


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "Ce lien a expiré."),
        ({"revoked_at": timezone.now()}, "Ce lien a été remplacé ou désactivé par votre structure."),
        (
            {"kind": Invitation.Kind.PERSONAL, "email": "a@example.org", "used_at": timezone.now()},
            "Ce lien personnel a déjà servi à créer un compte.",
        ),
    ],
    ids=["expired", "revoked", "used"],
)
def test_dead_link_answers_410_with_what_to_do(client, attributes, message):
    invitation = factories.InvitationFactory(**attributes)
    response = client.get(reverse("signup_start", args=[invitation.token]))
    assert response.status_code == 410
    page = response.content.decode()
    assert message in page
    assert "Demandez un nouveau lien d'inscription à votre entreprise ou à votre CSE." in page
    # The wizard did not start.
    assert client.get(reverse("signup_account")).status_code == 302


def test_link_with_future_expiry_works(client):
    invitation = factories.InvitationFactory(expires_at=timezone.now() + datetime.timedelta(days=3))
    assert client.get(reverse("signup_start", args=[invitation.token])).status_code == 200


def test_regenerated_shared_link_kills_the_old_one(client):
    from structures.services import shared_invitation_get_or_create, shared_invitation_regenerate

    structure = factories.StructureFactory()
    old = shared_invitation_get_or_create(structure=structure)
    new = shared_invitation_regenerate(structure=structure, acting_user=None)
    assert client.get(reverse("signup_start", args=[old.token])).status_code == 410
    assert client.get(reverse("signup_start", args=[new.token])).status_code == 200


def test_link_revoked_during_the_wizard_stops_it_and_creates_nothing(client):
    invitation = ready_invitation()
    client.get(reverse("signup_start", args=[invitation.token]))
    invitation.revoked_at = timezone.now()
    invitation.save()
    response = client.post(reverse("signup_account"), ACCOUNT)
    assert response.status_code == 410
    assert "Ce lien a été remplacé ou désactivé" in response.content.decode()
    assert not User.objects.filter(email=ACCOUNT["email"]).exists()


def test_another_structures_link_restarts_the_wizard_for_that_structure(client):
    """An invite of structure A never attaches anyone to structure B: opening B's link starts
    over, with B, and what was typed for A is forgotten."""
    first = ready_invitation(structure=factories.StructureFactory(name="Structure A"))
    second = factories.InvitationFactory(structure=factories.StructureFactory(name="Structure B"))
    client.get(reverse("signup_start", args=[first.token]))
    client.post(reverse("signup_account"), ACCOUNT)
    client.get(reverse("signup_start", args=[second.token]))
    page = client.get(reverse("signup_account")).content.decode()
    assert "Structure B" in page
    assert "Structure A" not in page
    assert ACCOUNT["email"] not in page


def test_opening_the_same_link_again_keeps_what_was_typed(client):
    invitation = ready_invitation()
    client.get(reverse("signup_start", args=[invitation.token]))
    client.post(reverse("signup_account"), ACCOUNT)
    response = client.get(reverse("signup_start", args=[invitation.token]))
    assert "Reprendre mon inscription" in response.content.decode()
    assert client.get(reverse("signup_address")).status_code == 200


def test_pasted_link_on_creer_un_compte_leads_to_the_invitation(client):
    invitation = factories.InvitationFactory()
    response = client.post(
        reverse("signup_info"), {"link": f"https://site.example/inscription/{invitation.token}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_start", args=[invitation.token])


def test_no_invitation_no_signup(client):
    """allauth's own signup is closed: its page creates nothing (S1)."""
    response = client.post(
        reverse("account_signup"),
        {
            "email": "intrus@example.org",
            "password1": "Une phrase de passe",
            "password2": "Une phrase de passe",
        },
    )
    assert response.status_code < 500
    assert not User.objects.filter(email="intrus@example.org").exists()
