"""In Chromium, under the site's Content-Security-Policy: a member opens a service's tile, the
service starts a sign-in at the portal, the member consents and lands back on the service's
redirect URI with a code; and, the consent given, signing in on the way goes straight back.
The service is a route of the browser, served by the test. axe-core checks each page."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from accounts.services import service_consent_record
from ceplus.tests.factories import PASSWORD, MemberFactory, StructureFactory
from structures.services import partner_service_save
from structures.tests.oidc_helpers import REDIRECT_URI, authorize_params, register_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "http://127.0.0.1:8765"


@pytest.fixture
def world(live_server):
    structure = StructureFactory(name="CSE Textiles", contact_email="cse@textiles.example")
    member = MemberFactory(structure=structure, email="marie@example.org", first_name="Marie")
    service, _secret = register_service(structures=[structure])
    service, _ = partner_service_save(
        service=service,
        name="Billetterie CE+",
        description="Vos places de spectacle à prix réduit.",
        url=f"{SERVICE}/",
        initiate_login_uri=f"{SERVICE}/connexion",
        redirect_uris=[REDIRECT_URI],
        scopes=["openid", "profile", "email", "membership"],
        structures=[structure],
        acting_user=None,
    )
    return {"member": member, "service": service, "base": live_server.url}


def serve_the_service(page, world) -> list[str]:
    """The service partenaire, as routes of the browser: its sign-in sends to the portal, its
    callback says it is signed in. Returns the callback URLs it received."""
    received: list[str] = []
    authorize = (
        f"{world['base']}/identity/o/authorize?{urlencode(authorize_params(world['service'].client_id))}"
    )
    page.route(
        f"{SERVICE}/connexion", lambda route: route.fulfill(status=302, headers={"Location": authorize})
    )

    def callback(route):
        received.append(route.request.url)
        page_html = '<!DOCTYPE html><meta charset="utf-8"><title>Billetterie</title><h1>Connecté</h1>'
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page_html.encode())

    page.route(f"{REDIRECT_URI}**", callback)
    return received


def sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()


def assert_back_with_a_code(page, received):
    expect(page.get_by_role("heading", name="Connecté")).to_be_visible()
    assert page.url.startswith(REDIRECT_URI)
    assert len(received) == 1
    query = parse_qs(urlsplit(received[0]).query)
    assert query["code"][0]
    assert query["state"] == ["etat"]


def test_a_member_opens_a_tile_consents_and_lands_back_on_the_service_with_a_code(page, world, axe_check):
    received = serve_the_service(page, world)
    page.goto("/compte/login/")
    sign_in(page, "marie@example.org")
    tile = page.get_by_role("link", name="Billetterie CE+")
    expect(tile).to_be_visible()
    axe_check(page)

    tile.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vous connecter à Billetterie CE+ avec votre compte CE+ Services"
    )
    axe_check(page)
    page.get_by_role("button", name="AUTORISER").click()
    assert_back_with_a_code(page, received)

    page.goto("/espace/services-connectes/")
    expect(page.get_by_role("heading", name="Billetterie CE+")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Retirer l'accès de Billetterie CE+").click()
    expect(page.get_by_text("Billetterie CE+ n'a plus accès à votre compte")).to_be_visible()
    axe_check(page)


def test_signing_in_on_the_way_to_a_service_already_allowed_goes_straight_back(page, world, axe_check):
    service_consent_record(
        user=world["member"],
        client=world["service"].client,
        requested=["openid", "profile", "email"],
        granted=["openid", "profile", "email"],
    )
    received = serve_the_service(page, world)
    page.goto(f"{SERVICE}/connexion")
    expect(page.get_by_role("button", name="CONNEXION")).to_be_visible()
    axe_check(page)

    sign_in(page, "marie@example.org")

    assert_back_with_a_code(page, received)


def test_a_refused_member_reads_why_on_the_way_to_a_service(page, world, axe_check):
    from ceplus.tests.factories import PendingMemberFactory

    PendingMemberFactory(structure=world["member"].structure, email="paul@example.org")
    received = serve_the_service(page, world)
    page.goto(f"{SERVICE}/connexion")
    sign_in(page, "paul@example.org")
    expect(page.get_by_text("cse@textiles.example")).to_be_visible()
    axe_check(page)
    assert received == []
