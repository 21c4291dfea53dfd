"""Admin actions about accounts, shared by the admins that list accounts (the staff's accounts
and the structures' members): the activation email of imported members, password reset links."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import activation_candidates, activation_email_send, password_reset_send
from ceplus.text import short_list
from structures.scoping import members_visible_to


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
    candidates = members_visible_to(request.user, activation_candidates(queryset))
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


def send_password_resets(model_admin: admin.ModelAdmin, request: HttpRequest, users: list[User]) -> None:
    """Email each active user a link to set a new password (allauth's reset flow): staff and
    managers never see nor set a password themselves."""
    sent, skipped = [], []
    for user in users:
        if not user.is_active:
            skipped.append(str(user))
            continue
        password_reset_send(user=user, acting_user=request.user)
        model_admin.log_change(request, user, str(_("Lien de réinitialisation du mot de passe envoyé.")))
        sent.append(user.email)
    if sent:
        model_admin.message_user(
            request,
            ngettext(
                "Lien de réinitialisation du mot de passe envoyé à %(list)s.",
                "Liens de réinitialisation du mot de passe envoyés à %(count)d personnes : %(list)s.",
                len(sent),
            )
            % {"count": len(sent), "list": short_list(sent)},
            messages.SUCCESS,
        )
    if skipped:
        model_admin.message_user(
            request,
            _("Aucun lien pour les comptes désactivés (réactivez-les d'abord) : %(list)s.")
            % {"list": short_list(skipped)},
            messages.WARNING,
        )
