"""Who reaches the admin signs in with a second factor."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ceplus.middleware import SignedInGateMiddleware


class SecondFactorRequiredMiddleware(SignedInGateMiddleware):
    """An account with access to the admin (structure managers, CE+ Services staff) that has no
    second factor yet (an authenticator app or a passkey / security key) is taken to set one up
    before anything else, on every page. What the set-up needs stays open: allauth's two-factor
    pages, the password confirmation they may ask for, logging out, static files and the health
    check.

    The admin's login is allauth's (``secure_admin_login`` in ``ceplus.urls``): once a factor
    exists, signing in asks for it, and nothing reaches the admin without it.
    """

    def open_prefixes(self) -> tuple[str, ...]:
        return (
            reverse("mfa_index"),
            reverse("account_reauthenticate"),
            reverse("account_logout"),
            reverse("healthz"),
            settings.STATIC_URL,
        )

    def stops(self, request: HttpRequest, user) -> bool:
        return user.is_staff and not get_mfa_adapter().is_mfa_enabled(user)

    def redirect(self, request: HttpRequest, user) -> HttpResponse:
        messages.info(
            request,
            _(
                "Votre compte donne accès aux données des ouvrants-droit : protégez-le par une "
                "deuxième étape de connexion (une application d'authentification ou une clé de "
                "sécurité) avant de continuer."
            ),
            fail_silently=True,
        )
        return HttpResponseRedirect(reverse("mfa_index"))
