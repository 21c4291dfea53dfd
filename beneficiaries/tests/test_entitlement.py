"""Where a beneficiary stands on a day, and who is entitled: the rules, the proofs, the child's
age on that day, the yearly confirmation and the member's own status."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from beneficiaries.entitlement import State, entitled_on, standings
from beneficiaries.models import Beneficiary, Campaign, FamilyConfirmation, Proof, ProofKind, Relationship
from beneficiaries.services import proof_decide
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, ProofFactory, StructureFactory

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def state_on(beneficiary, day):
    beneficiary = Beneficiary.objects.select_related("member__structure").get(pk=beneficiary.pk)
    (entry,) = standings([beneficiary], day)
    return entry.standing


@pytest.fixture
def member(proof_structure):
    return MemberFactory(structure=proof_structure)


def child(member, birth_date, **kwargs):
    beneficiary = BeneficiaryFactory(member=member, birth_date=birth_date, **kwargs)
    Beneficiary.objects.filter(pk=beneficiary.pk).update(created_at=kwargs.get("created_at", LONG_AGO))
    return beneficiary


def test_a_child_under_the_base_limit_is_declared_and_entitled(member):
    standing = state_on(child(member, datetime.date(2015, 1, 1)), datetime.date(2026, 12, 25))
    assert (standing.state, standing.label, standing.entitled) == (State.DECLARED, "Déclaré", True)


def test_a_spouse_needs_a_proof_then_waits_then_is_verified(member):
    spouse = BeneficiaryFactory(
        member=member, relationship=Relationship.SPOUSE, birth_date=datetime.date(1985, 1, 1)
    )
    day = timezone.localdate()
    needed = state_on(spouse, day)
    assert (needed.label, needed.entitled, needed.kinds) == (
        "Justificatif à envoyer",
        False,
        (ProofKind.LIVRET_FAMILLE,),
    )
    proof = ProofFactory(beneficiary=spouse)
    assert state_on(spouse, day).label == "Justificatif envoyé, à vérifier"
    proof_decide(proof=proof, accepted=True, acting_user=None)
    verified = state_on(spouse, day)
    assert verified.label == f"Vérifié le {day:%d/%m/%Y}"
    assert verified.entitled


def test_a_refused_proof_says_the_motif_and_asks_another(member):
    spouse = BeneficiaryFactory(
        member=member, relationship=Relationship.PACS, birth_date=datetime.date(1985, 1, 1)
    )
    proof = ProofFactory(beneficiary=spouse, kind=ProofKind.ATTESTATION_PACS)
    proof_decide(proof=proof, accepted=False, reason="wrong_document", acting_user=None)
    standing = state_on(spouse, timezone.localdate())
    assert standing.label == "Refusé : Ce n'est pas le justificatif demandé"
    assert standing.purpose == Proof.Purpose.RELATIONSHIP
    assert not standing.entitled


def test_a_link_the_structure_no_longer_accepts_is_not_entitled(member, proof_structure):
    concubin = BeneficiaryFactory(
        member=member, relationship=Relationship.CONCUBIN, birth_date=datetime.date(1985, 1, 1)
    )
    proof_structure.allowed_beneficiary_kinds = [Relationship.CHILD]
    proof_structure.save()
    assert state_on(concubin, timezone.localdate()).state == State.NOT_ALLOWED


def test_a_child_who_aged_out_without_a_proof_is_no_longer_eligible_since_the_birthday(member):
    hugo = child(member, datetime.date(2004, 5, 2))
    assert state_on(hugo, datetime.date(2025, 5, 1)).entitled
    standing = state_on(hugo, datetime.date(2025, 5, 2))
    assert standing.label == "Plus éligible depuis le 02/05/2025"
    # A proof of studies can still bring them back, until 26.
    assert standing.purpose == Proof.Purpose.EXTENDED_AGE


def test_a_student_declared_after_21_is_asked_the_proof_then_entitled_for_a_year(member):
    hugo = child(member, datetime.date(2004, 5, 2), created_at=timezone.now())
    today = timezone.localdate()
    assert state_on(hugo, today).label == "Justificatif à envoyer"
    proof = ProofFactory(
        beneficiary=hugo, purpose=Proof.Purpose.EXTENDED_AGE, kind=ProofKind.CERTIFICAT_SCOLARITE
    )
    proof_decide(proof=proof, accepted=True, acting_user=None)
    proof.refresh_from_db()
    assert proof.valid_until == today + datetime.timedelta(days=365)
    assert state_on(hugo, today).entitled
    assert state_on(hugo, proof.valid_until).entitled
    assert not state_on(hugo, proof.valid_until + datetime.timedelta(days=1)).entitled


def test_past_the_extended_limit_nothing_can_be_sent(member):
    hugo = child(member, datetime.date(2000, 3, 1))
    standing = state_on(hugo, datetime.date(2026, 12, 25))
    assert standing.label == "Plus éligible depuis le 01/03/2026"
    assert standing.purpose is None


def test_ages_count_at_the_structures_reference_date():
    structure = StructureFactory(child_age_limit=12, child_age_reference="december_31")
    lea = child(MemberFactory(structure=structure), datetime.date(2014, 11, 30))
    # 11 on 1 January 2026, but 12 on 31 December 2026: counted at the year's end.
    assert state_on(lea, datetime.date(2026, 1, 1)).label == "Plus éligible depuis le 01/01/2026"


def test_after_the_campaigns_deadline_an_unconfirmed_family_is_to_confirm(member, proof_structure):
    lea = child(member, datetime.date(2015, 1, 1))
    campaign = Campaign.objects.create(
        structure=proof_structure, starts_on=datetime.date(2026, 9, 1), deadline=datetime.date(2026, 10, 31)
    )
    assert state_on(lea, datetime.date(2026, 10, 31)).entitled
    assert state_on(lea, datetime.date(2026, 11, 1)).label == "À confirmer"
    FamilyConfirmation.objects.create(campaign=campaign, member=member)
    assert state_on(lea, datetime.date(2026, 11, 1)).entitled
    # A beneficiary declared once the campaign began needs no confirmation.
    newborn = child(
        member, datetime.date(2026, 9, 15), created_at=datetime.datetime(2026, 9, 20, tzinfo=datetime.UTC)
    )
    FamilyConfirmation.objects.all().delete()
    assert state_on(newborn, datetime.date(2026, 11, 1)).entitled


def test_entitled_on_a_date_counts_the_age_that_day_and_the_members_status(proof_structure):
    approved = MemberFactory(structure=proof_structure, last_name="Aubert")
    lea = child(approved, datetime.date(2014, 12, 26), first_name="Léa")
    tom = child(approved, datetime.date(2018, 1, 1), first_name="Tom")
    pending = MemberFactory(structure=proof_structure, status=User.Status.PENDING)
    child(pending, datetime.date(2016, 1, 1))
    other = MemberFactory(structure=StructureFactory(name="Autre"))
    child(other, datetime.date(2016, 1, 1))

    def names(day):
        return [
            entry.beneficiary.first_name for entry in entitled_on(day, structure_ids=[proof_structure.pk])
        ]

    assert names(datetime.date(2026, 12, 25)) == ["Léa", "Tom"]
    entries = entitled_on(datetime.date(2026, 12, 25), structure_ids=[proof_structure.pk])
    assert [entry.age for entry in entries] == [11, 8]
    # Under 21: on 26 December 2035 Léa is 21.
    assert names(datetime.date(2035, 12, 25)) == ["Léa", "Tom"]
    assert names(datetime.date(2035, 12, 26)) == ["Tom"]
    assert [entry.beneficiary for entry in entitled_on(datetime.date(2026, 12, 25), member=approved)] == [
        lea,
        tom,
    ]


def test_standings_take_a_constant_number_of_queries(member, proof_structure, django_assert_num_queries):
    Campaign.objects.create(
        structure=proof_structure, starts_on=datetime.date(2026, 9, 1), deadline=datetime.date(2026, 10, 31)
    )
    for year in range(2010, 2020):
        child(member, datetime.date(year, 1, 1))
    beneficiaries = list(Beneficiary.objects.select_related("member__structure"))
    with django_assert_num_queries(3):
        standings(beneficiaries, datetime.date(2026, 12, 25))
