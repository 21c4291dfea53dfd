""" "Vos services" on the espace adhérent's home: a tile per service registered for the member's
structure (name, description, logo), leading to the service (or to its sign-in by the portal)."""

import pytest

from ceplus.tests.factories import MemberFactory, StructureFactory
from structures.services import partner_service_save
from structures.tests.oidc_helpers import register_service

pytestmark = pytest.mark.django_db


def test_a_member_sees_the_tiles_of_their_structure_only(client):
    textiles, boulangeries = StructureFactory(name="CSE Textiles"), StructureFactory(name="Boulangeries")
    register_service(name="Billetterie CE+", structures=[textiles, boulangeries])
    register_service(name="Subventions Boulangeries", structures=[boulangeries])
    register_service(name="Boutique fermée", structures=[])
    client.force_login(MemberFactory(structure=textiles))

    page = client.get("/espace/")

    assert "Vos services" in page.text
    assert "Billetterie CE+" in page.text
    assert "Vos places de spectacle à prix réduit." in page.text
    assert 'href="http://127.0.0.1:8765/"' in page.text
    assert "Subventions Boulangeries" not in page.text
    assert "Boutique fermée" not in page.text


def test_a_tile_leads_to_the_services_sign_in_when_it_has_one_and_shows_its_logo(client, staff):
    structure = StructureFactory(name="CSE Textiles")
    service, _secret = register_service(structures=[structure])
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
    partner_service_save(
        service=service,
        name="Billetterie CE+",
        url="http://127.0.0.1:8765/",
        initiate_login_uri="http://127.0.0.1:8765/connexion/ceplus",
        redirect_uris=service.client.get_redirect_uris(),
        scopes=service.client.get_scopes(),
        structures=[structure],
        logo=(png, "image/png"),
        acting_user=staff,
    )
    client.force_login(MemberFactory(structure=structure))
    page = client.get("/espace/")
    assert 'href="http://127.0.0.1:8765/connexion/ceplus"' in page.text
    service.refresh_from_db()
    assert service.logo_path in page.text


def test_no_section_without_a_service(client):
    client.force_login(MemberFactory())
    assert "Vos services" not in client.get("/espace/").text
