"""Mes bénéficiaires: the list, the structure's rules said up front, problems shown."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from beneficiaries.models import Relationship
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("beneficiary_list")


def test_the_list_shows_the_members_beneficiaries_only(client):
    member = MemberFactory()
    BeneficiaryFactory(member=member, first_name="Léa")
    BeneficiaryFactory(first_name="Quentin")  # another member's
    client.force_login(member)
    page = client.get(URL).content.decode()
    assert "<title>Mes bénéficiaires – Mon espace adhérent – CE+ Services</title>" in page
    assert "Léa Martin" in page
    assert "Quentin" not in page
    assert "Enfant à charge" in page
    assert "né·e le 14/03/2016" in page
    assert "ayants droit" in page
    assert f'href="{reverse("beneficiary_add")}"' in page


def test_an_empty_list_says_so(client):
    client.force_login(MemberFactory())
    assert "Vous n'avez déclaré aucun bénéficiaire." in client.get(URL).content.decode()


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
def test_a_child_now_over_the_limit_is_pointed_out(client):
    """Kept in the list, with the day they stopped being entitled (their 20th birthday)."""
    member = MemberFactory(structure=StructureFactory(name="CSE Textiles", child_age_limit=20))
    BeneficiaryFactory(member=member, birth_date=datetime.date(2005, 1, 1))
    client.force_login(member)
    page = client.get(URL).content.decode()
    assert "Plus éligible depuis le 01/01/2025" in page


def test_a_structure_accepting_no_beneficiary_offers_no_addition(client):
    member = MemberFactory(structure=StructureFactory(allowed_beneficiary_kinds=[]))
    client.force_login(member)
    page = client.get(URL).content.decode()
    assert "Votre structure n'accepte pas de bénéficiaires pour le moment." in page
    assert f'href="{reverse("beneficiary_add")}"' not in page


def test_the_rules_of_the_structure_are_said(client):
    member = MemberFactory(
        structure=StructureFactory(
            allowed_beneficiary_kinds=[Relationship.CONJOINT, Relationship.CHILD],
            child_age_limit=16,
            child_age_reference="january_1",
        )
    )
    client.force_login(member)
    page = client.get(URL).content.decode()
    assert "Liens acceptés : Conjoint·e, Enfant à charge." in page
    assert "Enfants de moins de 16 ans (âge calculé au 1er janvier de l&#x27;année en cours)." in page
