"""Who may sign in to the services partenaires, and which services a member sees."""

from __future__ import annotations

from allauth.idp.oidc.internal.clientkit import _validate_uri_wildcard_format
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from structures.models import PartnerService
from structures.scoping import is_staff_wide

# The scopes a service may be allowed to ask, and what the consent page says of each.
SCOPES = {
    "openid": _("Vous reconnaître d'une connexion à l'autre (un identifiant propre à votre compte)"),
    "profile": _("Vos nom et prénom"),
    "email": _("Votre adresse email"),
    "membership": _("Votre structure et le statut de votre inscription"),
    "beneficiaries": _(
        "Vos bénéficiaires qui ont droit aux offres aujourd'hui : prénom, lien de parenté et année de naissance"
    ),
}
DEFAULT_SCOPES = ["openid", "profile", "email"]


def may_sign_in(user) -> bool:
    """Members whose structure validated them (approved and active), and CE+ Services staff,
    sign in to the services; nobody else (a registration pending or refused, a former member,
    a structure's manager without a membership)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_approved_member or is_staff_wide(user)


def services_for(member: User) -> QuerySet[PartnerService]:
    """The services whose tile ``member`` sees: those registered for their structure, for
    approved members only. The logos stay in the database (their own page serves them)."""
    if not member.is_approved_member:
        return PartnerService.objects.none()
    return (
        PartnerService.objects.filter(structures=member.structure_id)
        .select_related("client")
        .defer("logo")
        .order_by("client__name")
    )


def clean_redirect_uris(text: str) -> list[str]:
    """The redirect URIs staff typed, one absolute http(s) URI per line, without a fragment
    (as OAuth requires); a French message for the first one that is not."""
    uris = [line.strip() for line in text.splitlines() if line.strip()]
    if not uris:
        raise ValidationError(
            _(
                "Saisissez au moins une adresse de retour, par exemple https://billetterie.example.org/oidc/callback."
            )
        )
    for uri in uris:
        try:
            URLValidator(schemes=["https", "http"])(uri)
            _validate_uri_wildcard_format(uri, False)
        except ValidationError:
            raise ValidationError(
                _(
                    "« %(uri)s » n'est pas une adresse complète, par exemple https://billetterie.example.org/oidc/callback."
                )
                % {"uri": uri}
            ) from None
        if "#" in uri:
            raise ValidationError(_("« %(uri)s » ne peut pas contenir de #.") % {"uri": uri})
    return uris
