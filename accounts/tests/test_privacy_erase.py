"""Erasure of the account at the member's request: password required, a clear warning; personal
data, address, beneficiaries and sessions go at once; an anonymised trace of decisions stays."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import Address, Consent, User
from beneficiaries.models import Beneficiary, BeneficiaryChange
from beneficiaries.services import beneficiary_remove
from ceplus.emails import queue_email
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import (
    PASSWORD,
    AddressFactory,
    BeneficiaryFactory,
    InvitationFactory,
    MemberFactory,
    StaffFactory,
    publish_consent_documents,
)
from structures.models import Invitation, Member, MembershipDecision

pytestmark = pytest.mark.django_db

URL = reverse("member_data_erase")


@pytest.fixture
def member(client):
    member = MemberFactory(email="marie@example.org", last_name="Martin")
    client.force_login(member)
    return member


def test_the_page_warns_what_goes_and_what_stays(client, member):
    page = client.get(URL).content.decode()
    assert "<title>Supprimer mon compte – Mon espace adhérent – CE+ Services</title>" in page
    assert "la suppression est définitive" in page
    assert "votre adresse de livraison" in page
    assert "vos bénéficiaires" in page
    assert "déconnecté·e sur tous vos appareils" in page
    assert "trace anonyme des décisions" in page
    assert 'autocomplete="current-password"' in page


def test_a_wrong_password_erases_nothing(client, member):
    response = client.post(URL, {"password": "pas le bon", "confirm": "on"})
    page = response.content.decode()
    assert "<title>Erreur : Supprimer mon compte" in page
    assert "Ce mot de passe n&#x27;est pas le bon" in page
    assert User.objects.filter(pk=member.pk).exists()


def test_the_confirmation_box_is_required(client, member):
    page = client.post(URL, {"password": PASSWORD}).content.decode()
    assert "Cochez la case pour confirmer la suppression de votre compte." in page
    assert User.objects.filter(pk=member.pk).exists()


def test_erasure_removes_everything_personal_at_once(client, member, django_capture_on_commit_callbacks):
    # given: a member with data everywhere, logged in on a second device too
    AddressFactory(user=member)
    BeneficiaryFactory(member=member, first_name="Léa")
    beneficiary_remove(beneficiary=BeneficiaryFactory(member=member, first_name="Tom"), acting_user=member)
    for document in publish_consent_documents().values():
        Consent.objects.create(user=member, document=document)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    decision = MembershipDecision.objects.create(
        member=member, structure=member.structure, from_status="pending", to_status="approved"
    )
    invitation = InvitationFactory(
        structure=member.structure, kind=Invitation.Kind.PERSONAL, email="marie@example.org"
    )
    queue_email("account/email/email_changed", member.email, {"from_email": "a@b.fr", "to_email": "c@d.fr"})
    managers_copy = OutgoingEmail.objects.create(
        to="gestionnaire@example.org",
        from_email="x@y.fr",
        subject="Nouvelle inscription",
        body="marie@example.org",
    )
    unrelated = OutgoingEmail.objects.create(
        to="autre@example.org", from_email="x@y.fr", subject="S", body="B"
    )
    staff = StaffFactory()
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[member], action_flag=CHANGE, change_message="Nom"
    )
    # the structures' admin of members logs under its proxy model's content type
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[Member.objects.get(pk=member.pk)],
        action_flag=CHANGE,
        change_message="Statut",
    )
    assert LogEntry.objects.count() == 2
    other_device = Client()
    other_device.force_login(member)
    other = MemberFactory(structure=member.structure)
    BeneficiaryFactory(member=other)

    # when
    response = client.post(URL, {"password": PASSWORD, "confirm": "on"})

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not User.objects.filter(pk=member.pk).exists()
    assert not User.objects.filter(email__iexact="marie@example.org").exists()
    assert not Address.objects.filter(user_id=member.pk).exists()
    assert not Beneficiary.objects.filter(member_id=member.pk).exists()
    assert not BeneficiaryChange.objects.filter(member_id=member.pk).exists()
    assert not Consent.objects.filter(user_id=member.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact="marie@example.org").exists()
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert not OutgoingEmail.objects.filter(to__iexact="marie@example.org").exists()
    # the manager's email is the manager's, even though it names her address
    assert OutgoingEmail.objects.filter(pk=managers_copy.pk).exists()
    assert OutgoingEmail.objects.filter(pk=unrelated.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(member.pk)).exists()
    assert LogEntry.objects.count() == 0
    # the decision stays, anonymised
    decision.refresh_from_db()
    assert decision.member is None
    assert decision.to_status == "approved"
    # sessions: this one logged out, the other device's gone from the database
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(member.pk)]
    assert other_device.get(reverse("member_home")).status_code == 302
    assert client.get(reverse("member_home")).status_code == 302
    # another member is untouched
    assert User.objects.filter(pk=other.pk).exists()
    assert Beneficiary.objects.filter(member=other).count() == 1


def test_the_home_page_confirms_the_erasure(client, member):
    response = client.post(URL, {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert "Votre compte et vos données personnelles ont été supprimés." in response.content.decode()


def test_password_attempts_are_limited(client, member):
    for _attempt in range(10):
        client.post(URL, {"password": "mauvais", "confirm": "on"})
    page = client.post(URL, {"password": PASSWORD, "confirm": "on"}).content.decode()
    assert "Trop de tentatives" in page
    assert User.objects.filter(pk=member.pk).exists()


def test_erasure_needs_a_post(client, member):
    client.get(URL + f"?password={PASSWORD}&confirm=on")
    assert User.objects.filter(pk=member.pk).exists()
