"""Middleware of the espace adhérent."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.services import documents_to_accept
from ceplus.legal_documents import consent_document_ids
from ceplus.middleware import SignedInGateMiddleware

# The current versions the member is known to have accepted, so that a visit costs one query
# (the versions in force) rather than two.
SESSION_KEY = "accepted_documents"


class ConsentRequiredMiddleware(SignedInGateMiddleware):
    """When staff publish a new version of the CGU, the CGV or the règlement, an approved member
    is sent to accept it at their next request, before going on; they come back where they were
    going afterwards.

    Left alone: the acceptance page itself, the documents (to read them), logging out, the
    member's personal data pages (a member who refuses the new terms may still take a copy of
    their data and erase their account), the admin, static files and the health check.
    """

    def open_prefixes(self) -> tuple[str, ...]:
        return (
            reverse("member_consents_accept"),
            reverse("member_data"),
            reverse("account_logout"),
            reverse("legal_document", args=["x"]).rsplit("x/", 1)[0],
            reverse("admin:index"),
            reverse("healthz"),
            settings.STATIC_URL,
        )

    def stops(self, request: HttpRequest, user) -> bool:
        return user.is_approved_member

    def redirect(self, request: HttpRequest, user) -> HttpResponse | None:
        # Ids only, kept in the process a minute (``ceplus.legal_documents``): a member who
        # accepted them costs no query; the documents themselves are read only to ask.
        current_ids = list(consent_document_ids())
        if request.session.get(SESSION_KEY) == current_ids:
            return None
        if documents_to_accept(user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('member_consents_accept')}?{query}")
        request.session[SESSION_KEY] = current_ids
        return None
