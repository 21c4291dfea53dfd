"""Children who age out: 60 days before a child reaches an age limit of the structure, the
member is told once when, and what keeps the child entitled (the structure's extended-age
proofs); after that day without a proof the child is "Plus éligible depuis le …", and stays on
the list."""

import datetime

import pytest
from django.urls import reverse

from beneficiaries.entitlement import State, standing
from beneficiaries.models import Beneficiary, Proof
from beneficiaries.tests.daily_helpers import at, daily
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, PendingMemberFactory, StructureFactory

pytestmark = pytest.mark.django_db


def make_structure(**rules):
    return StructureFactory(
        name="CSE Textiles",
        allowed_beneficiary_kinds=["spouse", "child"],
        child_age_limit=21,
        **rules,
    )


EXTENDED = {
    "child_extended_age_limit": 26,
    "child_extended_proofs": ["certificat_scolarite", "contrat_apprentissage"],
}


def child_of(structure, **kwargs):
    with at(datetime.date(2026, 12, 1)):
        member = kwargs.pop("member", None) or MemberFactory(
            structure=structure, email="marie@example.org", first_name="Marie"
        )
        return BeneficiaryFactory(
            member=member, first_name="Léa", birth_date=datetime.date(2006, 3, 14), **kwargs
        )


def test_the_member_is_told_once_sixty_days_ahead_with_the_proofs_that_keep_the_child(
    django_capture_on_commit_callbacks, mailoutbox
):
    child = child_of(make_structure(**EXTENDED))
    with at(datetime.date(2027, 1, 12)):
        daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []

    with at(datetime.date(2027, 1, 13)):
        output = daily(django_capture_on_commit_callbacks)
        daily(django_capture_on_commit_callbacks)
    with at(datetime.date(2027, 2, 1)):
        daily(django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["marie@example.org"]
    assert email.subject == "Léa atteint l'âge limite le 14 mars 2027"
    assert "À partir du 14 mars 2027, Léa atteint l'âge limite de 21 ans fixé par CSE Textiles" in email.body
    assert "Pour que Léa reste bénéficiaire jusqu'à 26 ans" in email.body
    assert "certificat de scolarité, contrat d'apprentissage." in email.body
    assert "http://testserver/espace/beneficiaires/" in email.body
    assert "CSE Textiles" in email.alternatives[0][0]
    child.refresh_from_db()
    assert child.age_limit_notice_for == datetime.date(2027, 3, 14)
    assert "1 limite(s) d'âge signalée(s)" in output


def test_without_an_extension_the_email_says_the_child_leaves_the_offers(
    django_capture_on_commit_callbacks, mailoutbox
):
    child_of(make_structure())
    with at(datetime.date(2027, 2, 1)):
        daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Après cette date, Léa ne profitera plus des offres" in body
    assert "justificatif" not in body


def test_after_the_date_without_a_proof_the_child_is_no_longer_eligible_and_kept(client):
    structure = make_structure(**EXTENDED)
    child = child_of(structure)
    day = datetime.date(2027, 3, 15)
    result = standing(child, structure, day)
    assert result.state == State.NOT_ELIGIBLE
    assert result.label == "Plus éligible depuis le 14/03/2027"
    assert standing(child, structure, datetime.date(2027, 3, 13)).entitled
    with at(day):
        client.force_login(child.member)
        page = client.get(reverse("campaign_update")).text
    assert "Plus éligible depuis le 14/03/2027" in page
    assert Beneficiary.objects.filter(pk=child.pk).exists()


def test_a_child_kept_by_a_proof_is_told_of_the_extended_limit_only(
    django_capture_on_commit_callbacks, mailoutbox
):
    child = child_of(make_structure(**EXTENDED))
    Proof.objects.create(
        beneficiary=child,
        purpose=Proof.Purpose.EXTENDED_AGE,
        kind="certificat_scolarite",
        status=Proof.Status.ACCEPTED,
        valid_until=datetime.date(2032, 9, 30),
    )
    with at(datetime.date(2027, 2, 1)):
        daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []

    with at(datetime.date(2032, 2, 1)):
        daily(django_capture_on_commit_callbacks)
    assert [email.subject for email in mailoutbox] == ["Léa atteint l'âge limite le 14 mars 2032"]
    assert "l'âge limite de 26 ans" in mailoutbox[0].body
    assert "Après cette date, Léa ne profitera plus des offres" in mailoutbox[0].body


def test_a_child_who_left_at_the_base_limit_is_not_told_of_the_extended_one(
    django_capture_on_commit_callbacks, mailoutbox
):
    child_of(make_structure(**EXTENDED))
    with at(datetime.date(2032, 2, 1)):
        daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_the_children_of_a_member_not_validated_are_not_told(django_capture_on_commit_callbacks, mailoutbox):
    structure = make_structure(**EXTENDED)
    child_of(structure, member=PendingMemberFactory(structure=structure))
    with at(datetime.date(2027, 2, 1)):
        daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []
