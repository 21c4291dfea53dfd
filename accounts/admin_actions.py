"""Admin actions about accounts, registered on the user admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.imports import activation_candidates, activation_email_send


@admin.action(
    description=_("Envoyer l'email « Activez votre compte sur le nouveau site »"),
    permissions=["change"],
)
def send_activation_email(modeladmin, request, queryset):
    """Email the selected members who came from the former site a link to choose their password.

    Only validated, active members without a password on the new site get it; the others are
    counted and left alone. A manager reaches only the members of the structures they manage,
    whatever ids were posted.
    """
    selected = queryset.count()
    candidates = activation_candidates(queryset)
    if not request.user.is_superuser:
        candidates = candidates.filter(structure__managers=request.user)
    sent = 0
    for user in candidates.select_related("structure").order_by("pk").distinct():
        activation_email_send(user=user, acting_user=request.user)
        sent += 1
    if sent:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d email d'activation envoyé.",
                "%(count)d emails d'activation envoyés.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )
    if selected - sent:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d compte ignoré : déjà activé (mot de passe choisi), pas encore validé ou désactivé.",
                "%(count)d comptes ignorés : déjà activés (mot de passe choisi), pas encore validés ou "
                "désactivés.",
                selected - sent,
            )
            % {"count": selected - sent},
            messages.WARNING,
        )
