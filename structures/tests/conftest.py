"""Two structures, each with its manager and a pending member: the isolation tests' world."""

import pytest

from ceplus.tests.factories import ManagerFactory, PendingMemberFactory, StaffFactory, StructureFactory


@pytest.fixture
def structure_a(db):
    return StructureFactory(name="CSE Textiles de Sausheim")


@pytest.fixture
def structure_b(db):
    return StructureFactory(name="Boulangeries Alsaciennes SA")


@pytest.fixture
def manager_a(structure_a):
    return ManagerFactory(email="gestion@textiles.example", first_name="Sophie", structures=[structure_a])


@pytest.fixture
def manager_b(structure_b):
    return ManagerFactory(email="rh@boulangeries.example", first_name="Marc", structures=[structure_b])


@pytest.fixture
def member_a(structure_a):
    return PendingMemberFactory(
        structure=structure_a, email="lea.petit@example.org", first_name="Léa", last_name="Petit"
    )


@pytest.fixture
def member_b(structure_b):
    return PendingMemberFactory(
        structure=structure_b, email="paul.klein@example.org", first_name="Paul", last_name="Klein"
    )


@pytest.fixture
def staff(db):
    return StaffFactory(email="equipe@ceplusservices.example")


@pytest.fixture
def client_a(client, manager_a):
    """The HTTP client, logged in as structure A's manager."""
    client.force_login(manager_a)
    return client
