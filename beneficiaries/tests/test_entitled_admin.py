"""« Ayants droit au … »: who is entitled on a date, by link and age on that date, counted and
exported, for a manager's own structures only; bad input gets a French message."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from beneficiaries.models import Campaign, FamilyConfirmation
from ceplus.tests.factories import (
    BeneficiaryFactory,
    ManagerFactory,
    MemberFactory,
    PendingMemberFactory,
    StaffFactory,
    StructureFactory,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("admin_entitled")
EXPORT = reverse("admin_entitled_export")


@pytest.fixture
def world(db):
    textiles = StructureFactory(
        name="CSE Textiles", allowed_beneficiary_kinds=["spouse", "child"], child_age_limit=21
    )
    boulangeries = StructureFactory(name="Boulangeries", allowed_beneficiary_kinds=["spouse", "child"])
    with time_machine.travel(datetime.datetime(2026, 12, 1, 11, tzinfo=datetime.UTC)):
        marie = MemberFactory(
            structure=textiles, first_name="Marie", last_name="Martin", email="marie@example.org"
        )
        BeneficiaryFactory(
            member=marie, first_name="Léa", last_name="Martin", birth_date=datetime.date(2015, 12, 26)
        )
        BeneficiaryFactory(
            member=marie, first_name="Tom", last_name="Martin", birth_date=datetime.date(2014, 6, 1)
        )
        BeneficiaryFactory(
            member=marie,
            relationship="spouse",
            first_name="Paul",
            last_name="Martin",
            birth_date=datetime.date(1985, 5, 2),
        )
        pending = PendingMemberFactory(structure=textiles)
        BeneficiaryFactory(member=pending, first_name="Attente", birth_date=datetime.date(2016, 1, 1))
        klein = MemberFactory(structure=boulangeries, last_name="Klein", email="paul.klein@example.org")
        BeneficiaryFactory(
            member=klein, first_name="Zoé", last_name="Klein", birth_date=datetime.date(2016, 3, 14)
        )
    campaign = Campaign.objects.create(
        structure=textiles, starts_on=datetime.date(2027, 1, 5), deadline=datetime.date(2027, 1, 31)
    )
    manager = ManagerFactory(structures=[textiles])
    return {
        "textiles": textiles,
        "boulangeries": boulangeries,
        "marie": marie,
        "campaign": campaign,
        "manager": manager,
    }


def export(client, **query) -> list[list[str]]:
    response = client.get(EXPORT, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_the_christmas_tree_children_under_12_on_25_december(client, world):
    client.force_login(world["manager"])
    page = client.get(PAGE, {"day": "25/12/2026", "relationship": "child", "age_max": "11"}).text
    assert "1 ayant droit au 25/12/2026" in page
    assert "Léa" in page
    assert "Tom" not in page  # 12 on that day
    assert "Paul" not in page
    assert "Attente" not in page  # her member is not validated
    assert "Zoé" not in page

    rows = export(client, day="25/12/2026", relationship="child", age_max="11")
    assert rows == [
        [
            "Nom",
            "Prénom",
            "Lien",
            "Date de naissance",
            "Âge au 25/12/2026",
            "Ouvrant-droit",
            "Email de l'ouvrant-droit",
            "Structure",
        ],
        [
            "Martin",
            "Léa",
            "Enfant à charge",
            "26/12/2015",
            "10",
            "Martin Marie",
            "marie@example.org",
            "CSE Textiles",
        ],
    ]


def test_the_age_is_the_age_on_the_date_asked_before_and_after_a_birthday(client, world):
    client.force_login(world["manager"])
    before = export(client, day="25/12/2026", relationship="child", age_min="10", age_max="10")
    after = export(client, day="27/12/2026", relationship="child", age_min="10", age_max="10")
    assert [row[1] for row in before[1:]] == ["Léa"]
    assert after[1:] == []
    everyone = export(client, day="27/12/2026")
    assert [(row[1], row[4]) for row in everyone[1:]] == [("Paul", "41"), ("Tom", "12"), ("Léa", "11")]


def test_past_the_deadline_of_an_unconfirmed_campaign_nobody_of_the_family_is_entitled(client, world):
    client.force_login(world["manager"])
    assert len(export(client, day="31/01/2027")) == 4
    assert export(client, day="01/02/2027")[1:] == []
    assert "Aucun ayant droit au 01/02/2027" in client.get(PAGE, {"day": "01/02/2027"}).text

    FamilyConfirmation.objects.create(campaign=world["campaign"], member=world["marie"])
    assert [row[1] for row in export(client, day="01/02/2027")[1:]] == ["Paul", "Tom", "Léa"]


def test_a_child_is_not_entitled_before_being_born(client, world):
    client.force_login(world["manager"])
    assert [row[1] for row in export(client, day="25/12/2015")[1:]] == ["Paul", "Tom"]


@time_machine.travel(datetime.datetime(2026, 12, 25, 11, tzinfo=datetime.UTC))
def test_the_date_is_today_unless_chosen(client, world):
    client.force_login(world["manager"])
    page = client.get(PAGE).text
    assert "3 ayants droit au 25/12/2026" in page
    assert 'value="25/12/2026"' in page


def test_another_structures_manager_sees_and_exports_none_of_it(client, world):
    client.force_login(ManagerFactory(structures=[world["boulangeries"]]))
    page = client.get(PAGE, {"day": "25/12/2026"}).text
    assert "1 ayant droit au 25/12/2026" in page
    assert "Zoé" in page
    assert "Léa" not in page
    assert "Textiles" not in page
    assert [row[1] for row in export(client, day="25/12/2026")[1:]] == ["Zoé"]
    response = client.get(EXPORT, {"day": "25/12/2026", "structure": world["textiles"].pk})
    assert response.status_code == 200
    assert not response.streaming
    assert "Choisissez une structure de la liste." in response.text
    assert "Léa" not in response.text


def test_staff_see_every_structure_and_may_choose_one(client, world):
    client.force_login(StaffFactory())
    assert [row[1] for row in export(client, day="25/12/2026")[1:]] == ["Zoé", "Paul", "Tom", "Léa"]
    rows = export(client, day="25/12/2026", structure=world["boulangeries"].pk)
    assert [row[1] for row in rows[1:]] == ["Zoé"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"day": "31/02/2027"}, "Cette date n&#x27;existe pas : saisissez-la comme 25/12/2026."),
        ({"day": "Noël"}, "Cette date n&#x27;existe pas"),
        ({"day": "25/12/2026", "age_max": "douze"}, "Saisissez un âge en chiffres, par exemple 12."),
        ({"day": "25/12/2026", "age_min": "-3"}, "Saisissez un âge de 0 an ou plus."),
        ({"day": "25/12/2026", "age_max": "99999999999999999999"}, "Saisissez un âge de 130 ans au plus."),
        (
            {"day": "25/12/2026", "age_min": "12", "age_max": "3"},
            "Saisissez un âge maximum égal ou supérieur à l&#x27;âge minimum.",
        ),
        ({"day": "25/12/2026", "relationship": "cousin"}, "Choisissez un lien de la liste."),
        ({"day": "25/12/2026", "structure": "abc"}, "Choisissez une structure de la liste."),
    ],
)
def test_bad_input_gets_a_french_message_never_a_500(client, world, query, message):
    client.force_login(world["manager"])
    for url in (PAGE, EXPORT):
        response = client.get(url, query)
        assert response.status_code == 200
        assert not response.streaming
        assert message in response.text
        assert "<title>Erreur : " in response.text
        assert "Il y a un problème" in response.text


def test_the_page_is_linked_from_the_admin_home_and_the_beneficiaries_list(client, world):
    client.force_login(world["manager"])
    assert f'href="{PAGE}"' in client.get(reverse("admin:index")).text
    assert f'href="{PAGE}"' in client.get(reverse("admin:beneficiaries_beneficiary_changelist")).text


def test_a_member_cannot_open_the_page(client, world):
    client.force_login(world["marie"])
    assert client.get(PAGE).status_code in (302, 403)
    assert client.get(EXPORT, {"day": "25/12/2026"}).status_code in (302, 403)
