"""CSV export of members for Excel: UTF-8 with BOM, ";" separator, French headers, no formula
injection; the list as filtered on screen (a manager: their structures only)."""

import csv
import io

import pytest

from ceplus.tests.factories import AddressFactory, BeneficiaryFactory, MemberFactory, PendingMemberFactory


def read(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.django_db
def test_the_export_is_an_excel_friendly_csv(client_a, structure_a):
    member = PendingMemberFactory(structure=structure_a, last_name="Müller", first_name="Anaïs")
    AddressFactory(user=member, line1="5 rue de l'Église", postal_code="68390", city="Sausheim")
    BeneficiaryFactory.create_batch(2, member=member)
    response = client_a.get("/admin/structures/member/export/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="ouvrants-droit-' in response["Content-Disposition"]
    rows = read(response)
    assert rows[0][:4] == ["Nom", "Prénom", "Email", "Email confirmé"]
    assert "Date de la demande" in rows[0]
    assert "Nombre de bénéficiaires" in rows[0]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Nom"] == "Müller"
    assert row["Prénom"] == "Anaïs"
    assert row["Statut"] == "En attente de validation"
    assert row["Adresse"] == "5 rue de l'Église"
    assert row["Ville"] == "Sausheim"
    assert row["Nombre de bénéficiaires"] == "2"
    assert row["Téléphone"] == "06 12 34 56 78"


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ['=HYPERLINK("http://evil")', "+33 cmd", "-2+3", "@SUM(A1)"])
def test_cells_that_would_be_formulas_are_neutralised(client_a, structure_a, payload):
    PendingMemberFactory(structure=structure_a, last_name=payload)
    rows = read(client_a.get("/admin/structures/member/export/"))
    assert rows[1][0] == "'" + payload


@pytest.mark.django_db
def test_the_export_follows_the_filters_on_screen(client_a, structure_a, member_a):
    MemberFactory(structure=structure_a, last_name="Approuvé")
    pending = [row[0] for row in read(client_a.get("/admin/structures/member/export/"))[1:]]
    assert pending == ["Petit"]
    everyone = [row[0] for row in read(client_a.get("/admin/structures/member/export/?status=all"))[1:]]
    assert sorted(everyone) == ["Approuvé", "Petit"]
    searched = [
        row[0] for row in read(client_a.get("/admin/structures/member/export/?status=all&q=Appr"))[1:]
    ]
    assert searched == ["Approuvé"]


@pytest.mark.django_db
def test_the_queue_links_to_the_export_of_the_current_list(client_a, member_a):
    page = client_a.get("/admin/structures/member/?status=approved").text
    assert 'href="/admin/structures/member/export/?status=approved"' in page


@pytest.mark.django_db
def test_the_export_action_exports_the_selection(client_a, structure_a, member_a):
    other = PendingMemberFactory(structure=structure_a, last_name="Autre")
    response = client_a.post(
        "/admin/structures/member/", {"action": "export_selected", "_selected_action": [other.pk]}
    )
    assert [row[0] for row in read(response)[1:]] == ["Autre"]


@pytest.mark.django_db
def test_staff_export_every_structure(client, staff, member_a, member_b):
    client.force_login(staff)
    names = sorted(row[0] for row in read(client.get("/admin/structures/member/export/"))[1:])
    assert names == ["Klein", "Petit"]
