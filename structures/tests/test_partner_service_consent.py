"""The consent: asked the first time a service asks for a scope, recorded, not asked again for
the same scopes, withdrawn from "Mes services connectés" (with the service's tokens); and the
Content-Security-Policy of the authorization pages lets their forms lead back to the service."""

import re
from urllib.parse import urlencode

import pytest
from allauth.idp.oidc.models import Token

from accounts.models import Event, ServiceConsent
from ceplus.tests.factories import MemberFactory, StructureFactory
from structures.tests.oidc_helpers import authorize_params, register_service

pytestmark = pytest.mark.django_db

AUTHORIZE = "/identity/o/authorize"


@pytest.fixture
def member():
    return MemberFactory(structure=StructureFactory(name="CSE Textiles"), first_name="Marie")


@pytest.fixture
def service():
    service, _secret = register_service()
    return service


def form_action(response) -> str:
    return re.search(r"form-action ([^;]+)", response["Content-Security-Policy"]).group(1)


def consent_post(client, page, scopes: list[str], action="grant"):
    signed = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    return client.post(AUTHORIZE, {"request": signed, "scopes": scopes, "action": action})


def test_the_first_sign_in_asks_the_consent_in_french_and_records_it(client, member, service):
    client.force_login(member)
    page = client.get(AUTHORIZE, authorize_params(service.client_id, scope="openid email membership"))
    assert page.status_code == 200
    assert "Vous connecter à Billetterie CE+ avec votre compte CE+ Services" in page.text
    assert "Votre structure et le statut de votre inscription" in page.text
    assert "AUTORISER" in page.text

    answer = consent_post(client, page, ["openid", "email", "membership"])

    assert answer.status_code == 302
    assert answer["Location"].startswith("http://127.0.0.1:8765/oidc/callback?code=")
    consent = ServiceConsent.objects.get(user=member, client=service.client)
    assert sorted(consent.scopes) == ["email", "membership", "openid"]
    event = Event.objects.get(kind=Event.Kind.SERVICE_CONSENTED)
    assert (event.member, event.acting_user, event.description) == (member, member, "Billetterie CE+")


def test_the_same_scopes_again_go_straight_back_to_the_service(client, member, service):
    client.force_login(member)
    consent_post(
        client, client.get(AUTHORIZE, authorize_params(service.client_id)), ["openid", "profile", "email"]
    )

    again = client.get(AUTHORIZE, authorize_params(service.client_id))

    assert again.status_code == 302
    assert "code=" in again["Location"]
    assert Event.objects.filter(kind=Event.Kind.SERVICE_CONSENTED).count() == 1


def test_a_new_scope_or_prompt_consent_asks_again(client, member, service):
    client.force_login(member)
    consent_post(
        client, client.get(AUTHORIZE, authorize_params(service.client_id)), ["openid", "profile", "email"]
    )

    more = client.get(AUTHORIZE, authorize_params(service.client_id, scope="openid beneficiaries"))
    assert more.status_code == 200
    assert "Vos bénéficiaires qui ont droit aux offres" in more.text
    prompted = client.get(AUTHORIZE, authorize_params(service.client_id, prompt="consent"))
    assert prompted.status_code == 200


def test_a_scope_left_unticked_is_not_granted(client, member, service):
    client.force_login(member)
    page = client.get(AUTHORIZE, authorize_params(service.client_id, scope="openid email beneficiaries"))
    consent_post(client, page, ["openid", "email"])
    assert sorted(ServiceConsent.objects.get(user=member).scopes) == ["email", "openid"]
    assert (
        client.get(AUTHORIZE, authorize_params(service.client_id, scope="openid beneficiaries")).status_code
        == 200
    )


def test_refusing_goes_back_to_the_service_with_access_denied_and_records_nothing(client, member, service):
    client.force_login(member)
    page = client.get(AUTHORIZE, authorize_params(service.client_id))
    answer = consent_post(client, page, ["openid"], action="cancel")
    assert answer.status_code == 302
    assert "error=access_denied" in answer["Location"]
    assert "code=" not in answer["Location"]
    assert not ServiceConsent.objects.exists()


def test_the_member_sees_and_withdraws_the_access_and_the_tokens_end(client, member, service):
    client.force_login(member)
    consent_post(
        client, client.get(AUTHORIZE, authorize_params(service.client_id)), ["openid", "profile", "email"]
    )
    Token.objects.create(user=member, client=service.client, type=Token.Type.ACCESS_TOKEN, hash="a" * 64)
    Token.objects.create(user=member, client=service.client, type=Token.Type.REFRESH_TOKEN, hash="r" * 64)

    page = client.get("/espace/services-connectes/")
    assert page.status_code == 200
    assert "Billetterie CE+" in page.text
    assert "Vos nom et prénom" in page.text
    assert "Mes services connectés" in client.get("/espace/profil/").text

    answer = client.post("/espace/services-connectes/", {"client": service.client_id}, follow=True)

    assert "Billetterie CE+ n&#x27;a plus accès à votre compte" in answer.text
    assert not ServiceConsent.objects.exists()
    assert not Token.objects.filter(user=member).exists()
    event = Event.objects.get(kind=Event.Kind.SERVICE_REVOKED)
    assert (event.member, event.acting_user) == (member, member)
    assert client.get(AUTHORIZE, authorize_params(service.client_id)).status_code == 200


def test_a_member_cannot_withdraw_another_persons_access(client, member, service):
    other = MemberFactory(structure=member.structure)
    client.force_login(other)
    consent_post(client, client.get(AUTHORIZE, authorize_params(service.client_id)), ["openid"])
    client.force_login(member)
    for value in (service.client_id, "inconnu", "a\x00b"):
        assert client.post("/espace/services-connectes/", {"client": value}).status_code == 302
    assert ServiceConsent.objects.filter(user=other).exists()
    assert not Event.objects.filter(kind=Event.Kind.SERVICE_REVOKED).exists()


def test_the_consent_page_allows_the_services_redirect_origin_in_form_action_and_no_other_page_does(
    client, member, service
):
    client.force_login(member)
    consent_page = client.get(AUTHORIZE, authorize_params(service.client_id))
    assert form_action(consent_page).split() == ["'self'", "http://127.0.0.1:8765"]

    assert form_action(client.get("/espace/")).split() == ["'self'"]
    other = client.get(
        AUTHORIZE, authorize_params(service.client_id, redirect_uri="https://ailleurs.example/cb")
    )
    assert form_action(other).split() == ["'self'"]


def test_the_sign_in_page_on_the_way_to_a_service_allows_its_origin(client, service):
    next_url = f"{AUTHORIZE}?{urlencode(authorize_params(service.client_id))}"
    login = client.get("/compte/login/", {"next": next_url})
    assert form_action(login).split() == ["'self'", "http://127.0.0.1:8765"]
    forged = f"{AUTHORIZE}?{urlencode(authorize_params(service.client_id, redirect_uri='https://ailleurs.example/'))}"
    assert form_action(client.get("/compte/login/", {"next": forged})).split() == ["'self'"]
    assert form_action(
        client.get("/compte/login/", {"next": "https://ailleurs.example" + next_url})
    ).split() == ["'self'"]


def test_the_personal_data_export_holds_the_services_allowed_and_the_erasure_takes_them(
    client, member, service
):
    from accounts.privacy import member_erase, member_export

    client.force_login(member)
    consent_post(
        client, client.get(AUTHORIZE, authorize_params(service.client_id)), ["openid", "profile", "email"]
    )
    Token.objects.create(user=member, client=service.client, type=Token.Type.ACCESS_TOKEN, hash="b" * 64)

    data = member_export(member=member)

    assert data["profil"]["identifiant_pour_les_services_partenaires"] == str(member.public_id)
    assert [(row["service"], sorted(row["autorisations"])) for row in data["services_partenaires"]] == [
        ("Billetterie CE+", ["email", "openid", "profile"])
    ]
    member_erase(member=member, acting_user=member)
    assert not ServiceConsent.objects.exists()
    assert not Token.objects.exists()


def test_the_second_step_of_a_sign_in_on_the_way_to_a_service_allows_its_origin(client, member, service):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client

    from ceplus.tests.factories import PASSWORD, TOTP_SECRET

    TOTP.activate(member, TOTP_SECRET)
    next_url = f"{AUTHORIZE}?{urlencode(authorize_params(service.client_id))}"
    for target, expected in ((next_url, ["'self'", "http://127.0.0.1:8765"]), ("/espace/", ["'self'"])):
        browser = Client()
        answer = browser.post("/compte/login/", {"login": member.email, "password": PASSWORD, "next": target})
        assert answer.status_code == 302
        assert answer["Location"] == "/compte/2fa/authenticate/"
        assert form_action(browser.get(answer["Location"])).split() == expected
