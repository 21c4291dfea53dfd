"""The whole authorization code flow, driven by a real OpenID Connect client (Authlib) against
the live server: discovery, authorize with PKCE, sign-in, consent, token, the ID token verified
against the JWKS, userinfo; and the refusals (a pending member, a deactivated member whose token
then stops working, an unregistered redirect URI, a replayed code, no PKCE)."""

from __future__ import annotations

import datetime
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from accounts.models import User
from beneficiaries.models import Relationship
from ceplus.tests.factories import (
    BeneficiaryFactory,
    MemberFactory,
    PendingMemberFactory,
    StaffFactory,
    StructureFactory,
)
from structures.services import member_deactivate
from structures.tests.oidc_helpers import ALL_SCOPES, REDIRECT_URI, grant, register_service, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch):
    # The live server speaks http; Authlib refuses it unless told it is a test.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def world(live_server):
    structure = StructureFactory(
        name="CSE Textiles", allowed_beneficiary_kinds=[Relationship.CHILD], child_age_limit=20
    )
    member = MemberFactory(
        structure=structure, email="marie@example.org", first_name="Marie", last_name="Martin"
    )
    BeneficiaryFactory(member=member, first_name="Léa", birth_date=datetime.date(2016, 3, 14))
    service, secret = register_service(structures=[structure])
    metadata = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    return {
        "base": live_server.url,
        "member": member,
        "structure": structure,
        "client": service.client,
        "secret": secret,
        "metadata": metadata,
    }


def oauth_client(world) -> OAuth2Session:
    return OAuth2Session(
        client_id=world["client"].id,
        client_secret=world["secret"],
        scope=" ".join(ALL_SCOPES),
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def authorize(
    world, session: requests.Session, oauth: OAuth2Session, verifier: str, nonce: str
) -> requests.Response:
    url, _state = oauth.create_authorization_url(
        world["metadata"]["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    return session.get(url, allow_redirects=False)


def code_from(location: str) -> str:
    assert location.startswith(REDIRECT_URI), location
    return parse_qs(urlsplit(location).query)["code"][0]


def exchange_code(world, code: str, verifier: str) -> requests.Response:
    """The token request a service makes with ``code``, by hand (no client library's checks)."""
    return requests.post(
        world["metadata"]["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(world["client"].id, world["secret"]),
        timeout=10,
    )


def sign_in_to_service(world, email: str):
    """Sign in at the portal, authorize, consent: (oauth client, verifier, nonce, the code)."""
    session, answer = sign_in(world["base"], email)
    assert answer.status_code == 302
    oauth, verifier, nonce = oauth_client(world), generate_token(48), secrets.token_urlsafe(16)
    consent = authorize(world, session, oauth, verifier, nonce)
    assert consent.status_code == 200, consent.text[:500]
    redirect = grant(session, world["base"], consent.text)
    assert redirect.status_code == 302
    return oauth, verifier, nonce, code_from(redirect.headers["Location"])


def test_discovery_says_code_flow_with_pkce_and_rs256(world):
    metadata = world["metadata"]
    assert metadata["issuer"] == world["base"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"membership", "beneficiaries"} <= set(metadata["scopes_supported"])
    assert metadata["revocation_endpoint"].startswith(world["base"])


def test_a_validated_member_signs_in_and_the_service_reads_a_verified_id_token_and_userinfo(world):
    oauth, verifier, nonce, code = sign_in_to_service(world, "marie@example.org")

    token = oauth.fetch_token(world["metadata"]["token_endpoint"], code=code, code_verifier=verifier)

    keys = KeySet.import_key_set(requests.get(world["metadata"]["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    assert id_token.header["alg"] == "RS256"
    claims = id_token.claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": world["base"]},
        aud={"essential": True, "value": world["client"].id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(claims)
    member = User.objects.get(email="marie@example.org")
    assert claims["sub"] == str(member.public_id) != str(member.pk)
    assert (claims["given_name"], claims["family_name"], claims["email"]) == (
        "Marie",
        "Martin",
        "marie@example.org",
    )

    userinfo = oauth.get(world["metadata"]["userinfo_endpoint"])
    assert userinfo.status_code == 200
    info = userinfo.json()
    assert info["sub"] == claims["sub"]
    assert info["membership"] == {
        "structure": {"id": world["structure"].pk, "name": "CSE Textiles"},
        "status": "approved",
    }
    assert info["beneficiaries"] == [{"given_name": "Léa", "kind": "child", "birth_year": 2016}]


def test_the_code_works_once(world):
    oauth, verifier, _nonce, code = sign_in_to_service(world, "marie@example.org")
    oauth.fetch_token(world["metadata"]["token_endpoint"], code=code, code_verifier=verifier)

    replay = exchange_code(world, code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_a_wrong_code_verifier_gets_no_token(world):
    _oauth, _verifier, _nonce, code = sign_in_to_service(world, "marie@example.org")
    answer = exchange_code(world, code, generate_token(48))
    assert answer.status_code == 400
    assert "access_token" not in answer.json()


@pytest.mark.parametrize(
    "pkce",
    [{}, {"code_challenge_method": "plain"}, {"code_challenge_method": "S256"}],
    ids=["none", "plain", "no-challenge"],
)
def test_an_authorization_without_pkce_goes_back_without_a_code(world, pkce):
    session, _answer = sign_in(world["base"], "marie@example.org")
    params = {
        "response_type": "code",
        "client_id": world["client"].id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "etat-42",
        **pkce,
    }
    if pkce.get("code_challenge_method") == "plain":
        params["code_challenge"] = generate_token(48)
    answer = session.get(world["metadata"]["authorization_endpoint"], params=params, allow_redirects=False)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert answer.headers["Location"].startswith(REDIRECT_URI)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == ["etat-42"]
    assert "code" not in query


def test_an_unregistered_redirect_uri_is_never_redirected_to(world):
    session, _answer = sign_in(world["base"], "marie@example.org")
    oauth = oauth_client(world)
    oauth.redirect_uri = "https://attaquant.example/callback"
    answer = authorize(world, session, oauth, generate_token(48), "n")
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "Cette demande de connexion n'est pas valable" in answer.text


def test_a_pending_member_is_told_why_and_gets_no_code(world):
    PendingMemberFactory(structure=world["structure"], email="paul@example.org")
    session, answer = sign_in(world["base"], "paul@example.org")
    assert answer.status_code == 403
    assert "attend la validation" in answer.text
    oauth = oauth_client(world)
    attempt = authorize(world, session, oauth, generate_token(48), "n")
    # Not signed in: CONNEXION, never the service.
    assert attempt.status_code == 302
    assert attempt.headers["Location"].startswith("/compte/login/")


def test_a_deactivated_members_token_stops_working(world):
    oauth, verifier, _nonce, code = sign_in_to_service(world, "marie@example.org")
    token = oauth.fetch_token(world["metadata"]["token_endpoint"], code=code, code_verifier=verifier)
    assert oauth.get(world["metadata"]["userinfo_endpoint"]).status_code == 200

    member_deactivate(member=world["member"], acting_user=StaffFactory(), reason="Départ")

    assert oauth.get(world["metadata"]["userinfo_endpoint"]).status_code == 401
    refresh = requests.post(
        world["metadata"]["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(world["client"].id, world["secret"]),
        timeout=10,
    )
    assert refresh.status_code == 400


def test_a_code_issued_before_the_deactivation_gets_no_token(world):
    _oauth, verifier, _nonce, code = sign_in_to_service(world, "marie@example.org")
    member_deactivate(member=world["member"], acting_user=StaffFactory(), reason="Départ")
    answer = exchange_code(world, code, verifier)
    assert answer.status_code == 400


def test_the_service_revokes_its_own_token(world):
    oauth, verifier, _nonce, code = sign_in_to_service(world, "marie@example.org")
    token = oauth.fetch_token(world["metadata"]["token_endpoint"], code=code, code_verifier=verifier)
    answer = oauth.revoke_token(
        world["metadata"]["revocation_endpoint"], token=token["access_token"], token_type_hint="access_token"
    )
    assert answer.status_code == 200
    assert oauth.get(world["metadata"]["userinfo_endpoint"]).status_code == 401
