"""Campaigns in the admin: a manager creates one for her structure (recorded), follows who
answered and exports it; another structure's manager sees none of it."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from accounts.models import Event
from beneficiaries.models import Campaign, FamilyConfirmation
from ceplus.tests.factories import BeneficiaryFactory, ManagerFactory, MemberFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure_a(db):
    return StructureFactory(name="CSE Textiles de Sausheim")


@pytest.fixture
def structure_b(db):
    return StructureFactory(name="Boulangeries Alsaciennes SA")


@pytest.fixture
def manager_a(structure_a):
    return ManagerFactory(structures=[structure_a])


@pytest.fixture
def manager_b(structure_b):
    return ManagerFactory(structures=[structure_b])


@pytest.fixture
def client_a(client, manager_a):
    client.force_login(manager_a)
    return client


ADD = reverse("admin:beneficiaries_campaign_add")


def change_url(campaign) -> str:
    return reverse("admin:beneficiaries_campaign_change", args=[campaign.pk])


def export_url(campaign) -> str:
    return reverse("admin:beneficiaries_campaign_export", args=[campaign.pk])


@pytest.fixture
def campaign(structure_a):
    marie = MemberFactory(
        structure=structure_a, first_name="Marie", last_name="Martin", email="marie@example.org"
    )
    BeneficiaryFactory(member=marie)
    jean = MemberFactory(structure=structure_a, first_name="Jean", last_name="Roux", email="jean@example.org")
    BeneficiaryFactory(member=jean)
    BeneficiaryFactory(member=jean, first_name="Tom")
    MemberFactory(structure=structure_a, last_name="Seul")  # no beneficiary: not asked
    campaign = Campaign.objects.create(
        structure=structure_a, starts_on=datetime.date(2027, 1, 5), deadline=datetime.date(2027, 1, 31)
    )
    FamilyConfirmation.objects.create(campaign=campaign, member=marie)
    return campaign


def test_a_manager_creates_a_campaign_for_her_structure_and_it_is_recorded(client_a, structure_a, manager_a):
    response = client_a.post(
        ADD, {"structure": structure_a.pk, "starts_on": "05/01/2027", "deadline": "31/01/2027"}
    )
    assert response.status_code == 302, response.text[:3000]
    campaign = Campaign.objects.get()
    assert (campaign.structure, campaign.starts_on, campaign.deadline) == (
        structure_a,
        datetime.date(2027, 1, 5),
        datetime.date(2027, 1, 31),
    )
    event = Event.objects.get(kind=Event.Kind.STRUCTURE_CHANGED, structure=structure_a)
    assert event.acting_user == manager_a
    assert event.description.startswith("Campagne annuelle créée")
    assert {"field": "campagne : date limite", "before": "—", "after": "31/01/2027"} in event.changes


def test_a_manager_moves_the_deadline_and_it_is_recorded(client_a, campaign, manager_a):
    response = client_a.post(change_url(campaign), {"starts_on": "05/01/2027", "deadline": "15/02/2027"})
    assert response.status_code == 302, response.text[:3000]
    campaign.refresh_from_db()
    assert campaign.deadline == datetime.date(2027, 2, 15)
    event = Event.objects.get(kind=Event.Kind.STRUCTURE_CHANGED)
    assert event.changes == [
        {"field": "campagne : date limite", "before": "31/01/2027", "after": "15/02/2027"}
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"starts_on": "05/01/2027", "deadline": "01/01/2027"},
            "Choisissez une date limite après la date de début.",
        ),
        (
            {"starts_on": "31/02/2027", "deadline": "01/03/2027"},
            "Cette date n&#x27;existe pas : saisissez-la comme 05/01/2027.",
        ),
        ({"starts_on": "demain", "deadline": "01/03/2027"}, "Cette date n&#x27;existe pas"),
        ({"starts_on": "", "deadline": "01/03/2027"}, "Saisissez la date de début, par exemple 05/01/2027."),
    ],
)
def test_bad_dates_get_a_french_message(client_a, structure_a, data, message):
    response = client_a.post(ADD, {"structure": structure_a.pk, **data})
    assert response.status_code == 200
    assert message in response.text
    assert not Campaign.objects.exists()


def test_two_campaigns_cannot_start_the_same_day(client_a, campaign, structure_a):
    response = client_a.post(
        ADD, {"structure": structure_a.pk, "starts_on": "05/01/2027", "deadline": "28/02/2027"}
    )
    assert response.status_code == 200
    assert "Cette structure a déjà une campagne qui commence ce jour-là" in response.text
    assert Campaign.objects.count() == 1


def test_a_manager_cannot_create_a_campaign_for_another_structure(client_a, structure_b):
    response = client_a.post(
        ADD, {"structure": structure_b.pk, "starts_on": "05/01/2027", "deadline": "31/01/2027"}
    )
    assert response.status_code == 200
    assert "Choisissez une structure de la liste." in response.text
    assert not Campaign.objects.exists()


def test_the_campaign_page_shows_who_has_answered_and_who_has_not(client_a, campaign):
    page = client_a.get(change_url(campaign)).text
    assert "1 sur 2 ouvrants-droit avec des bénéficiaires ont confirmé leur famille" in page
    assert "Roux Jean" in page
    assert "jean@example.org" in page
    assert "2 bénéficiaire(s)" in page
    assert "Martin Marie" not in page
    assert "Seul" not in page
    assert f'href="{export_url(campaign)}"' in page


def test_the_export_is_a_csv_for_excel(client_a, campaign):
    response = client_a.get(export_url(campaign))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0] == ["Nom", "Prénom", "Email", "Nombre de bénéficiaires", "Réponse", "Confirmée le"]
    assert rows[1][:5] == ["Martin", "Marie", "marie@example.org", "1", "Famille confirmée"]
    assert rows[1][5]
    assert rows[2] == ["Roux", "Jean", "jean@example.org", "2", "Pas de réponse", ""]
    assert len(rows) == 3


def test_another_structures_manager_sees_nothing_of_the_campaign(client, manager_b, campaign):
    client.force_login(manager_b)
    assert "Textiles" not in client.get(reverse("admin:beneficiaries_campaign_changelist")).text
    for url in (change_url(campaign), export_url(campaign)):
        response = client.get(url)
        missing = client.get(url.replace(f"/{campaign.pk}/", "/999999/"))
        assert (response.status_code, response.get("Location")) == (
            missing.status_code,
            missing.get("Location", "").replace("999999", str(campaign.pk)),
        )
        assert response.status_code == 302
    response = client.post(change_url(campaign), {"starts_on": "05/01/2027", "deadline": "28/02/2027"})
    campaign.refresh_from_db()
    assert campaign.deadline == datetime.date(2027, 1, 31)
