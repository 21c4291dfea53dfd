"""The Content-Security-Policy of the authorization pages.

The site's policy says ``form-action 'self'``, and browsers apply it to the redirects that
follow a form's submission too: the consent form posts to the portal, which answers with a
redirect to the service, which the browser would then block. So the pages whose form leads on
to a service (the consent page, and the sign-in page on the way to it) allow, in ``form-action``,
the one origin of the redirect URI that the request names and that the client registered. The
pages on the way are those whose ``next`` is the authorization (the sign-in page, the new
conditions to accept), and the second step of a sign-in on its way there (allauth keeps where
that sign-in goes in the session). Every other page keeps the site's policy.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from allauth.account.internal.stagekit import LOGIN_SESSION_KEY, unstash_login
from allauth.idp.oidc.internal.clientkit import is_redirect_uri_allowed
from allauth.idp.oidc.models import Client
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.csp import CSP


def _origin(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def redirect_origin(client_id: str, redirect_uri: str) -> str | None:
    """The origin of ``redirect_uri`` if it is one of the client's registered redirect URIs."""
    if not client_id or not redirect_uri or "\x00" in client_id:
        return None
    client = Client.objects.filter(id=client_id).first()
    if client is None or not is_redirect_uri_allowed(
        redirect_uri, client.get_redirect_uris(), client.allow_uri_wildcards
    ):
        return None
    return _origin(redirect_uri)


class AuthorizationFormActionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._authorize_path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "text/html" not in response.get("Content-Type", "") or hasattr(response, "_csp_config"):
            return response
        origin = self._origin_for(request)
        if origin is not None:
            policy = dict(settings.SECURE_CSP)
            policy["form-action"] = [CSP.SELF, origin]
            response._csp_config = policy
        return response

    def _origin_for(self, request: HttpRequest) -> str | None:
        if self._authorize_path is None:
            self._authorize_path = reverse("idp:oidc:authorization")
        if request.path == self._authorize_path:
            query = request.GET
        else:
            # The sign-in page (and any page) on the way to the authorization: its ``next``.
            posted = getattr(request, "_post", None) or {}  # as the view read it, never parsed here
            target = request.GET.get("next") or posted.get("next", "")
            session = getattr(request, "session", None)
            if not target and session is not None and LOGIN_SESSION_KEY in session:
                login = unstash_login(request, peek=True)
                target = (login.redirect_url if login is not None else "") or ""
            if not target:
                return None
            parts = urlsplit(target)
            if parts.netloc or parts.path != self._authorize_path:
                return None
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        return redirect_origin(query.get("client_id", ""), query.get("redirect_uri", ""))
