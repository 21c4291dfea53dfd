"""The member's side of the yearly update: the banner while it is open, "Mettre à jour mes
bénéficiaires" with each beneficiary's state, "Ma famille est à jour" (once), and after the
deadline the unconfirmed family "À confirmer" until the member confirms."""

import datetime

import pytest
from django.urls import reverse

from beneficiaries.entitlement import entitled_on
from beneficiaries.models import Campaign, FamilyConfirmation
from beneficiaries.tests.daily_helpers import at
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, PendingMemberFactory, StructureFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("campaign_update")


@pytest.fixture
def member(db):
    structure = StructureFactory(name="CSE Textiles", allowed_beneficiary_kinds=["spouse", "child"])
    with at(datetime.date(2026, 12, 1)):
        member = MemberFactory(structure=structure, first_name="Marie")
        BeneficiaryFactory(member=member, first_name="Léa", last_name="Martin")
    Campaign.objects.create(
        structure=structure, starts_on=datetime.date(2027, 1, 5), deadline=datetime.date(2027, 1, 31)
    )
    return member


def test_the_banner_shows_on_the_home_and_the_list_while_the_campaign_is_open(client, member):
    with at(datetime.date(2027, 1, 4)):
        client.force_login(member)
        assert "Mettez à jour vos bénéficiaires" not in client.get(reverse("member_home")).text
    with at(datetime.date(2027, 1, 10)):
        client.force_login(member)
        for url in (reverse("member_home"), reverse("beneficiary_list")):
            page = client.get(url).text
            assert "Mettez à jour vos bénéficiaires avant le 31/01/2027" in page, url
            assert f'href="{PAGE}"' in page


def test_the_page_shows_the_family_and_its_states(client, member):
    with at(datetime.date(2027, 1, 10)):
        client.force_login(member)
        response = client.get(PAGE)
    page = response.text
    assert "<title>Mettre à jour mes bénéficiaires – Mon espace adhérent – CE+ Services</title>" in page
    assert "Léa Martin" in page
    assert "Déclaré" in page
    beneficiary = member.beneficiaries.get()
    assert f'href="{reverse("beneficiary_edit", args=[beneficiary.pk])}"' in page
    assert f'href="{reverse("beneficiary_remove", args=[beneficiary.pk])}"' in page
    assert f'href="{reverse("beneficiary_add")}"' in page
    assert "Ma famille est à jour" in page


def test_after_the_deadline_an_unconfirmed_family_is_to_confirm_until_the_member_confirms(client, member):
    day = datetime.date(2027, 2, 1)
    with at(day):
        client.force_login(member)
        page = client.get(PAGE).text
        assert "À confirmer" in page
        assert "La date limite du 31/01/2027 est passée" in page
        assert "Confirmez votre famille" in client.get(reverse("beneficiary_list")).text
        assert entitled_on(day, member=member) == []

        response = client.post(PAGE)
        client.post(PAGE)  # a second click

        assert response.status_code == 302
        assert FamilyConfirmation.objects.filter(member=member).count() == 1
        page = client.get(PAGE, follow=True).text
        assert "Vous avez confirmé votre famille le 01/02/2027" in page
        assert "À confirmer" not in page
        assert "Ma famille est à jour</button>" not in page
        assert "Confirmez votre famille" not in client.get(reverse("beneficiary_list")).text
        assert [entry.beneficiary.first_name for entry in entitled_on(day, member=member)] == ["Léa"]


def test_confirming_says_so(client, member):
    with at(datetime.date(2027, 1, 10)):
        client.force_login(member)
        page = client.post(PAGE, follow=True).text
    assert "Merci : votre famille est à jour pour CSE Textiles." in page


def test_without_a_campaign_there_is_nothing_to_confirm(client):
    member = MemberFactory()
    BeneficiaryFactory(member=member)
    client.force_login(member)
    page = client.get(PAGE).text
    assert "Aucune mise à jour de votre famille n'est demandée en ce moment." in page
    assert "Ma famille est à jour</button>" not in page
    assert "Aucune mise à jour" in client.post(PAGE, follow=True).text
    assert not FamilyConfirmation.objects.exists()


def test_a_member_without_beneficiaries_gets_no_banner(client, member):
    other = MemberFactory(structure=member.structure)
    with at(datetime.date(2027, 1, 10)):
        client.force_login(other)
        assert "Mettez à jour vos bénéficiaires" not in client.get(reverse("member_home")).text


def test_a_pending_member_cannot_reach_the_page(client, member):
    pending = PendingMemberFactory(structure=member.structure)
    with at(datetime.date(2027, 1, 10)):
        client.force_login(pending)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE).status_code == 403
    assert not FamilyConfirmation.objects.exists()
