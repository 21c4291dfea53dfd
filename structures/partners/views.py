"""The authorization pages of the portal's OpenID Connect provider: allauth's, extended.

- PKCE (S256) is required of every client: a request without it goes back to the service with
  ``invalid_request`` and no code.
- Only the people ``access.may_sign_in`` lets through get a code; anyone else signed in (a
  structure's manager, a member whose status changed in this session) reads why, in French.
- The consent is asked the first time a service asks for a scope and kept
  (``accounts.ServiceConsent``): the next sign-ins that ask no more go straight back to the
  service, unless it asks ``prompt=consent``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from allauth.core.internal.httpkit import add_query_params
from allauth.idp.oidc.internal.oauthlib.server import get_server
from allauth.idp.oidc.internal.oauthlib.utils import extract_params
from allauth.idp.oidc.models import Client
from allauth.idp.oidc.views import AuthorizationView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic.edit import FormView
from oauthlib.oauth2.rfc6749 import errors

from accounts.models import ServiceConsent
from accounts.services import service_consent_record
from structures.partners.access import may_sign_in


class _ClientRedirect(HttpResponse):
    """A redirect to the service's registered URI, whatever its scheme (allauth's own does the same)."""

    def __init__(self, location: str):
        super().__init__(status=HTTPStatus.FOUND)
        self["Location"] = location


def _error_page(request: HttpRequest) -> HttpResponse:
    return render(request, "idp/oidc/error.html", status=HTTPStatus.BAD_REQUEST)


class _RememberedConsent(FormView):
    """Between allauth's validation of the request and its consent page (``AuthorizationView.get``
    ends on ``super().get``): a consent already given for every scope asked goes straight on."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        prompts = self._request_info.get("prompt") or ()
        if "consent" not in prompts:
            consent = ServiceConsent.objects.filter(
                user=request.user, client_id=self._request_info["client_id"]
            ).first()
            if consent is not None and set(self._scopes) <= set(consent.scopes):
                return self._skip_consent()
        return super().get(request, *args, **kwargs)


class PartnerAuthorizationView(AuthorizationView, _RememberedConsent):
    template_name = "idp/oidc/authorization_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("code_challenge", "") == "" or request.GET.get("code_challenge_method") != "S256":
            return self._pkce_required(request)
        response = self._refused(request) or super().get(request, *args, **kwargs)
        if response.status_code == HTTPStatus.OK and not hasattr(self, "_request_info"):
            # allauth validated nothing (unknown client, unregistered redirect URI) and showed
            # its error page: say so to the browser too.
            response.status_code = HTTPStatus.BAD_REQUEST
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refused(request) or super().post(request, *args, **kwargs)

    def _refused(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or may_sign_in(user):
            return None
        return render(
            request, "structures/partners/refused.html", {"person": user}, status=HTTPStatus.FORBIDDEN
        )

    def _pkce_required(self, request: HttpRequest) -> HttpResponse:
        """Back to the service with ``invalid_request`` if its client and redirect URI are
        known (as OAuth says), else the error page: never to an unregistered address."""
        try:
            _scopes, info = get_server().validate_authorization_request(*extract_params(request))
        except (errors.FatalClientError, ValidationError):
            return _error_page(request)
        except errors.OAuth2Error as error:
            return _ClientRedirect(error.in_uri(error.redirect_uri))
        params = {
            "error": "invalid_request",
            "error_description": "PKCE is required: code_challenge with code_challenge_method=S256.",
        }
        if info.get("state"):
            params["state"] = info["state"]
        return _ClientRedirect(add_query_params(info["redirect_uri"], params))

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        if response.status_code == HTTPStatus.FOUND and "code=" in response.get("Location", ""):
            service_consent_record(
                user=self.request.user,
                client=Client.objects.get(id=self._request_info["client_id"]),
                requested=self._scopes,
                granted=form.cleaned_data["scopes"],
            )
        return response


authorization = PartnerAuthorizationView.as_view()


def not_offered(request: HttpRequest) -> HttpResponse:
    """A page of allauth's provider that the services partenaires do not use."""
    raise Http404
