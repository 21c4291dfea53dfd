"""The espace adhérent's home: for approved members only; says status, structure, what to do."""

import pytest
from django.urls import reverse

from ceplus.tests.factories import (
    AddressFactory,
    BeneficiaryFactory,
    MemberFactory,
    PendingMemberFactory,
    StaffFactory,
    StructureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("member_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("factory", [PendingMemberFactory, StaffFactory, UserFactory])
def test_only_approved_members_reach_it(client, factory):
    """A pending member, staff without a structure, or a user with no structure: 403."""
    user = factory(structure=None) if factory is UserFactory else factory()
    client.force_login(user)
    assert client.get(reverse("member_home")).status_code == 403


@pytest.mark.parametrize("status", ["rejected", "deactivated"])
def test_rejected_or_deactivated_members_are_refused(client, status):
    member = MemberFactory(status=status)
    client.force_login(member)
    assert client.get(reverse("member_home")).status_code == 403


def test_home_shows_status_structure_and_next_steps(client):
    member = MemberFactory(first_name="Marie", structure=StructureFactory(name="CSE Textiles"))
    client.force_login(member)
    response = client.get(reverse("member_home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Mon espace adhérent – CE+ Services</title>" in page
    assert "Bonjour Marie" in page
    assert "CSE Textiles" in page
    assert "Validé" in page
    assert "Complétez votre adresse de livraison" in page
    assert "Ajoutez vos bénéficiaires" in page
    for name in ("member_profile", "member_address", "beneficiary_list", "member_consents", "member_data"):
        assert f'href="{reverse(name)}"' in page


def test_home_has_nothing_to_do_when_complete(client):
    member = MemberFactory()
    AddressFactory(user=member)
    BeneficiaryFactory(member=member)
    client.force_login(member)
    page = client.get(reverse("member_home")).content.decode()
    assert "Complétez votre adresse" not in page
    assert "Ajoutez vos bénéficiaires" not in page
    assert "1 bénéficiaire déclaré" in page


def test_the_personal_data_page_offers_the_copy_and_the_erasure(client, settings):
    settings.PURGE_DEACTIVATED_AFTER_DAYS = 200
    client.force_login(MemberFactory())
    page = client.get(reverse("member_data")).content.decode()
    assert "<title>Mes données personnelles – Mon espace adhérent – CE+ Services</title>" in page
    assert f'href="{reverse("member_data_export")}"' in page
    assert f'href="{reverse("member_data_erase")}"' in page
    assert "vos données sont supprimées 200 jours plus tard" in page
