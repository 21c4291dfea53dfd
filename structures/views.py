"""The structures' public pages: their logo, which the invitation page and the emails show to
people who are not logged in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import condition, require_safe

from structures.models import PartnerService, StructureLogo

# The logo's address names its version (``Structure.logo_path``): a day in caches is safe.
LOGO_MAX_AGE = 24 * 60 * 60


def _logo_etag(request: HttpRequest, structure_id: int) -> str | None:
    return StructureLogo.objects.filter(structure_id=structure_id).values_list("digest", flat=True).first()


@require_safe
@condition(etag_func=_logo_etag)
def structure_logo(request: HttpRequest, structure_id: int) -> HttpResponse:
    """The image as it was stored, with the type read from its content when it was uploaded;
    ``nosniff`` so that no browser takes it for anything but an image."""
    logo = get_object_or_404(StructureLogo, structure_id=structure_id)
    response = HttpResponse(bytes(logo.content), content_type=logo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"public, max-age={LOGO_MAX_AGE}"
    response["Content-Disposition"] = "inline"
    return response


def _service_logo_etag(request: HttpRequest, service_id: int) -> str | None:
    return PartnerService.objects.filter(pk=service_id).values_list("logo_digest", flat=True).first() or None


@require_safe
@condition(etag_func=_service_logo_etag)
def partner_service_logo(request: HttpRequest, service_id: int) -> HttpResponse:
    """A service partenaire's logo, for its tile on the espace adhérent."""
    service = get_object_or_404(PartnerService.objects.exclude(logo_digest=""), pk=service_id)
    response = HttpResponse(bytes(service.logo), content_type=service.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"public, max-age={LOGO_MAX_AGE}"
    response["Content-Disposition"] = "inline"
    return response
