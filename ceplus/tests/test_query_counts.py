"""The pages that list rows run as many queries for a few rows as for many: no query per row.

Each test measures a page, adds rows of the kind the page lists, and measures it again.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ceplus.tests import factories

pytestmark = pytest.mark.django_db

ADMIN_QUEUE = "/admin/accounts/user/?status__exact=pending"


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_member_area_queries_do_not_grow_with_beneficiaries(client):
    """The member area costs the same number of queries with one beneficiary or six."""
    member = factories.MemberFactory()
    factories.AddressFactory(user=member)
    factories.BeneficiaryFactory(member=member)
    client.force_login(member)
    client.get("/espace/")  # the first request of a session may write it
    few = count_queries(client, "/espace/")

    factories.BeneficiaryFactory.create_batch(5, member=member)
    assert count_queries(client, "/espace/") == few


def test_admin_queue_queries_do_not_grow_with_members(client):
    """The admin's list of pending members costs the same number of queries for 2 members as
    for 14 spread over several structures, each with an address and beneficiaries."""
    staff = factories.StaffFactory()
    structure = factories.StructureFactory()
    for member in factories.PendingMemberFactory.create_batch(2, structure=structure):
        factories.AddressFactory(user=member)
        factories.BeneficiaryFactory(member=member)
    client.force_login(staff)
    client.get(ADMIN_QUEUE)
    few = count_queries(client, ADMIN_QUEUE)

    for structure in factories.StructureFactory.create_batch(3):
        for member in factories.PendingMemberFactory.create_batch(4, structure=structure):
            factories.AddressFactory(user=member)
            factories.BeneficiaryFactory.create_batch(2, member=member)
    factories.MemberFactory.create_batch(3, structure=structure)
    assert count_queries(client, ADMIN_QUEUE) == few


def add_pending_members(structure, count: int) -> None:
    for member in factories.PendingMemberFactory.create_batch(count, structure=structure):
        factories.AddressFactory(user=member)
        factories.BeneficiaryFactory.create_batch(2, member=member)


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_validation_queue_queries_do_not_grow_with_members(client, who):
    """The validation queue (the members' admin, opening on the registrations that wait) costs
    the same number of queries, for a manager as for staff, with 2 pending members or 12."""
    structure = factories.StructureFactory()
    other = factories.StructureFactory()
    user = factories.ManagerFactory(structures=[structure]) if who == "manager" else factories.StaffFactory()
    add_pending_members(structure, 2)
    queue = reverse("admin:structures_member_changelist")
    client.force_login(user)
    client.get(queue)
    few = count_queries(client, queue)

    add_pending_members(structure, 10)
    add_pending_members(other, 4)
    factories.MemberFactory.create_batch(3, structure=structure)
    assert count_queries(client, queue) == few
