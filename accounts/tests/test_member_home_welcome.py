"""The espace adhérent opens, at the first sign-in, on a welcome that says what to do next; its
home shows the structure's contact and the message its managers wrote."""

import pytest

from ceplus.tests import factories

pytestmark = pytest.mark.django_db

WELCOME = "Bienvenue dans votre espace adhérent"


def sign_in(client, member):
    return client.post("/compte/login/", {"login": member.email, "password": factories.PASSWORD})


def test_the_first_sign_in_opens_on_a_welcome_shown_once(client):
    member = factories.MemberFactory(last_login=None)
    sign_in(client, member)
    assert WELCOME in client.get("/espace/").content.decode()
    assert WELCOME not in client.get("/espace/").content.decode()
    client.post("/compte/logout/")
    sign_in(client, member)
    assert WELCOME not in client.get("/espace/").content.decode()


def test_the_home_shows_the_structures_contact_and_message(client):
    structure = factories.StructureFactory(
        contact_email="cse@textiles.example", contact_message="Permanence le jeudi midi, salle B."
    )
    member = factories.MemberFactory(structure=structure)
    client.force_login(member)
    page = client.get("/espace/").content.decode()
    assert "mailto:cse@textiles.example" in page
    assert "Permanence le jeudi midi, salle B." in page


def test_managers_write_the_message_and_nothing_else_of_the_contact(client):
    structure = factories.StructureFactory(contact_email="cse@textiles.example")
    manager = factories.ManagerFactory(structures=[structure])
    client.force_login(manager)
    url = f"/admin/structures/structure/{structure.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="contact_message"' in page
    assert 'name="contact_email"' not in page
    client.post(
        url,
        {
            "contact_message": "Permanence le jeudi.",
            "contact_email": "pirate@example.org",
            "reminder_delay_days": "7",
        },
    )
    structure.refresh_from_db()
    assert structure.contact_message == "Permanence le jeudi."
    assert structure.contact_email == "cse@textiles.example"
