"""What the tests of the services partenaires share: a registered service, and a person signing
in over HTTP as a browser does (cookies, CSRF)."""

from __future__ import annotations

import re

import requests

from ceplus.tests.factories import PASSWORD
from structures.services import partner_service_save

REDIRECT_URI = "http://127.0.0.1:8765/oidc/callback"
ALL_SCOPES = ["openid", "profile", "email", "membership", "beneficiaries"]


def register_service(
    *, name="Billetterie CE+", structures=(), scopes=ALL_SCOPES, redirect_uris=(REDIRECT_URI,)
):
    """A service partenaire as staff register it: (service, client_secret)."""
    return partner_service_save(
        service=None,
        name=name,
        description="Vos places de spectacle à prix réduit.",
        url="http://127.0.0.1:8765/",
        redirect_uris=list(redirect_uris),
        scopes=list(scopes),
        structures=list(structures),
        acting_user=None,
    )


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def sign_in(base_url: str, email: str) -> tuple[requests.Session, requests.Response]:
    """A session of the portal signed in with ``email`` (CONNEXION), and the answer to the login."""
    session = requests.Session()
    page = session.get(f"{base_url}/compte/login/")
    answer = session.post(
        f"{base_url}/compte/login/",
        data={"csrfmiddlewaretoken": csrf_of(page.text), "login": email, "password": PASSWORD},
        headers={"Referer": f"{base_url}/compte/login/"},
        allow_redirects=False,
    )
    return session, answer


def grant(session: requests.Session, base_url: str, consent_page: str, scopes=None) -> requests.Response:
    """AUTORISER on the consent page: the answer (a redirect to the service)."""
    data = {
        "csrfmiddlewaretoken": csrf_of(consent_page),
        "request": hidden(consent_page, "request"),
        "scopes": scopes
        if scopes is not None
        else re.findall(r'name="scopes" value="([^"]+)"', consent_page),
        "action": "grant",
    }
    return session.post(
        f"{base_url}/identity/o/authorize",
        data=data,
        headers={"Referer": f"{base_url}/identity/o/authorize"},
        allow_redirects=False,
    )


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, its S256 code_challenge)."""
    import base64
    import hashlib
    import secrets

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(client_id: str, scope: str = "openid profile email", **extra) -> dict:
    _verifier, challenge = pkce_pair()
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "etat",
        "nonce": "nonce",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
