"""What the portal tells the services partenaires (``IDP_OIDC_ADAPTER``)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from typing import Any, Literal

from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from django.utils import timezone

from accounts.models import User
from beneficiaries.entitlement import entitled_on
from structures.partners.access import SCOPES, may_sign_in


class PartnerServicesAdapter(DefaultOIDCAdapter):
    """allauth's OpenID Connect provider, with the product's subject, claims and rules.

    - ``sub`` is the account's ``public_id``, a random UUID: stable (an email change keeps it)
      and telling nothing (the database id would give away the order and number of accounts).
      The same for every service: they are all CE+ Services' own systems, which may need to
      recognise one person across them (a pairwise value would prevent it, and protects
      nothing between parts of one operator).
    - A token or an authorization code is honoured only for a person who may sign in now
      (``may_sign_in``): a member deactivated after the code was issued gets no token.
    """

    scope_display = SCOPES

    def generate_client_secret(self) -> str:
        """URL-safe characters only (allauth's default has ``&``, ``%``, ``(``…): the secret
        goes through HTTP Basic and form encodings, which some client libraries get wrong."""
        return secrets.token_urlsafe(48)

    def get_user_sub(self, client, user) -> str:
        return str(user.public_id)

    def get_user_by_sub(self, client, sub: str):
        try:
            public_id = uuid.UUID(str(sub))
        except ValueError:
            return None
        user = User.objects.filter(public_id=public_id).select_related("structure").first()
        return user if may_sign_in(user) else None

    def get_claims(
        self,
        purpose: Literal["id_token", "userinfo"],
        user,
        client,
        scopes: Iterable[str],
        email: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """``sub``; ``email`` and ``email_verified`` (scope ``email``); ``given_name`` and
        ``family_name`` (scope ``profile``); the structure and the status (``membership``);
        the beneficiaries entitled today (``beneficiaries``)."""
        scopes = set(scopes)
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        if "email" in scopes and "email" not in claims:
            # An account imported from the former site may have no allauth address yet.
            claims.update({"email": user.email, "email_verified": False})
        if "profile" in scopes:
            claims.pop("preferred_username", None)
        if "membership" in scopes and user.structure_id is not None:
            claims["membership"] = {
                "structure": {"id": user.structure_id, "name": user.structure.name},
                "status": user.status,
            }
        if "beneficiaries" in scopes:
            claims["beneficiaries"] = [
                {
                    "given_name": entry.beneficiary.first_name,
                    "kind": entry.beneficiary.relationship,
                    "birth_year": entry.beneficiary.birth_date.year,
                }
                # The one answer of who is entitled: rules, proofs, age, the yearly update.
                for entry in entitled_on(timezone.localdate(), member=user)
            ]
        return claims

    def populate_server_metadata(self, data: dict) -> None:
        """Discovery says what this provider does: the code flow only, with PKCE (S256)."""
        data["scopes_supported"] = list(SCOPES)
        data["response_types_supported"] = ["code"]
        data["grant_types_supported"] = ["authorization_code", "refresh_token"]
        data["code_challenge_methods_supported"] = ["S256"]
        data.pop("device_authorization_endpoint", None)
        data["claims_supported"] = [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "email",
            "email_verified",
            "given_name",
            "family_name",
            "name",
            "membership",
            "beneficiaries",
        ]
