"""The audit trail of beneficiaries in the admin: read-only; a manager sees only the changes of
their own structures' members."""

import pytest
from django.urls import reverse

from beneficiaries.models import BeneficiaryChange
from beneficiaries.services import beneficiary_remove
from ceplus.tests.factories import (
    BeneficiaryFactory,
    ManagerFactory,
    MemberFactory,
    StaffFactory,
    StructureFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:beneficiaries_beneficiarychange_changelist")


@pytest.fixture
def changes():
    ours, theirs = StructureFactory(name="CSE Textiles"), StructureFactory(name="CSE Métallurgie")
    for structure, name in ((ours, "Léa"), (theirs, "Quentin")):
        member = MemberFactory(structure=structure)
        beneficiary_remove(beneficiary=BeneficiaryFactory(member=member, first_name=name), acting_user=member)
    return ours, theirs


def test_a_manager_sees_only_their_structures_changes(client, changes):
    ours, _theirs = changes
    client.force_login(ManagerFactory(structures=[ours]))
    response = client.get(CHANGELIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Léa Martin" in page
    assert "Quentin" not in page


def test_another_structures_change_answers_like_a_missing_one(client, changes):
    ours, theirs = changes
    client.force_login(ManagerFactory(structures=[ours]))
    foreign = BeneficiaryChange.objects.get(structure=theirs)
    response = client.get(reverse("admin:beneficiaries_beneficiarychange_change", args=[foreign.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_staff_see_every_change_and_its_detail(client, changes):
    client.force_login(StaffFactory())
    page = client.get(CHANGELIST).content.decode()
    assert "Léa Martin" in page
    assert "Quentin Martin" in page
    change = BeneficiaryChange.objects.first()
    detail = client.get(reverse("admin:beneficiaries_beneficiarychange_change", args=[change.pk]))
    assert detail.status_code == 200


def test_nobody_adds_edits_or_deletes_a_line(client, changes):
    client.force_login(StaffFactory())
    change = BeneficiaryChange.objects.first()
    assert client.get(reverse("admin:beneficiaries_beneficiarychange_add")).status_code == 403
    assert (
        client.get(reverse("admin:beneficiaries_beneficiarychange_delete", args=[change.pk])).status_code
        == 403
    )
    client.post(
        reverse("admin:beneficiaries_beneficiarychange_change", args=[change.pk]), {"description": "x"}
    )
    change.refresh_from_db()
    assert change.description != "x"


def test_a_manager_cannot_filter_across_relations(client, changes):
    ours, _theirs = changes
    client.force_login(ManagerFactory(structures=[ours]))
    response = client.get(CHANGELIST + "?member__email__startswith=a", follow=True)
    assert "Quentin" not in response.content.decode()
